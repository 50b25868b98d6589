//! `timeout` on handlers whose argument carries an invocation deadline: by value, by reference,
//! with a buffer, and with a context type of the user's own.

use std::time::SystemTime;

use chaos::chaos;

pub struct Context {
    pub deadline: SystemTime,
}

impl chaos::InvocationDeadline for Context {
    fn invocation_deadline(&self) -> Option<SystemTime> {
        Some(self.deadline)
    }
}

#[chaos(timeout, rate = 0.1)]
async fn by_value(input: u64, context: Context) -> Result<u64, chaos::Fault> {
    let _ = context.deadline;
    Ok(input)
}

#[chaos(timeout, timeout_buffer_ms = 250)]
async fn by_reference(context: &Context) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let _ = context.deadline;
    Ok(())
}

#[chaos(timeout, when = "after")]
fn blocking(mut context: Context) -> Result<SystemTime, chaos::Fault> {
    context.deadline = SystemTime::UNIX_EPOCH;
    Ok(context.deadline)
}

fn main() {
    let _ = by_value(1, Context { deadline: SystemTime::now() });
    let context = Context { deadline: SystemTime::now() };
    let _ = by_reference(&context);
    let _ = blocking(Context { deadline: SystemTime::now() });
}
