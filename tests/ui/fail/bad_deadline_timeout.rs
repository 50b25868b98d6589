use chaos::chaos;

pub struct LambdaEvent<T> {
    pub payload: T,
}

// No argument carries an invocation deadline.
#[chaos(timeout)]
async fn no_deadline(order: u64) -> Result<u64, chaos::Fault> {
    Ok(order)
}

// `timeout` is a flag: a number belongs to `timeout_ms`.
#[chaos(timeout = 3000)]
async fn with_a_value(event: LambdaEvent<u64>) -> Result<u64, chaos::Fault> {
    Ok(event.payload)
}

// The deadline is read from the argument, which must have a name.
#[chaos(timeout)]
async fn destructured(LambdaEvent { payload }: LambdaEvent<u64>) -> Result<u64, chaos::Fault> {
    Ok(payload)
}

// The argument named must exist.
#[chaos(timeout = context)]
async fn no_such_argument(event: LambdaEvent<u64>) -> Result<u64, chaos::Fault> {
    Ok(event.payload)
}

// A buffer without `timeout` has nothing to shorten.
#[chaos(timeout_buffer_ms = 200, status = 503)]
async fn buffer_alone(event: LambdaEvent<u64>) -> Result<u64, chaos::Fault> {
    Ok(event.payload)
}

// One outcome per faulted call.
#[chaos(timeout, error = "boom")]
async fn two_outcomes(event: LambdaEvent<u64>) -> Result<u64, chaos::Fault> {
    Ok(event.payload)
}

fn main() {}
