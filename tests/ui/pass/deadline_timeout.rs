//! `timeout` on handlers whose argument carries an invocation deadline: by value, by reference,
//! with a buffer, and with a context type of the user's own; run, in both feature states.

use std::time::{Duration, SystemTime};

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

/// The hang a timeout fault reports.
fn timed_out_after(fault: &chaos::Fault) -> u64 {
    match fault.kind() {
        chaos::FaultKind::Timeout { after_ms } => *after_ms,
        other => panic!("expected a timeout, got {other:?}"),
    }
}

fn main() {
    // Paused: the hangs below pass at once, on tokio's clock (the deadlines are wall-clock
    // times, so the hang each call reports is still computed from them).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();

    // `rate = 0.1`: compiled in, some of 200 calls time out (all of them, at once: the deadline
    // has passed) and the others run the body; compiled out, every call runs the body.
    let mut faulted = 0;
    for input in 0..200 {
        let passed = Context { deadline: SystemTime::now() };
        match runtime.block_on(by_value(input, passed)) {
            Ok(output) => assert_eq!(output, input),
            Err(fault) => {
                assert_eq!(timed_out_after(&fault), 0);
                faulted += 1;
            }
        }
    }
    if chaos::ENABLED {
        assert!((1..200).contains(&faulted), "{faulted} of 200 faulted at rate 0.1");
    } else {
        assert_eq!(faulted, 0);
    }

    // Rate 1.0 and a buffer of 250 ms: the hang ends 250 ms before a deadline 10 s away (less
    // the real time this takes, which a paused clock does not stop).
    let context = Context { deadline: SystemTime::now() + Duration::from_secs(10) };
    let (result, hung) = runtime.block_on(async {
        let started = tokio::time::Instant::now();
        (by_reference(&context).await, started.elapsed())
    });
    if chaos::ENABLED {
        let error = result.unwrap_err();
        let after_ms = timed_out_after(error.downcast_ref::<chaos::Fault>().unwrap());
        assert!((1..=9_750).contains(&after_ms), "{after_ms}");
        assert!(hung >= Duration::from_millis(after_ms), "{hung:?}");
    } else {
        result.unwrap();
    }

    // `when = "after"`: the deadline is read before the body takes the context; the body runs,
    // then the call times out (at once: that deadline has passed).
    let result = blocking(Context { deadline: SystemTime::now() });
    if chaos::ENABLED {
        assert_eq!(timed_out_after(&result.unwrap_err()), 0);
    } else {
        assert_eq!(result.unwrap(), SystemTime::UNIX_EPOCH);
    }
}
