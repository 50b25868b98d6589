use chaos::chaos;

// Named like lambda_runtime's `Context`, but not it, and with no `InvocationDeadline`.
pub struct Context {
    pub request_id: String,
}

#[chaos(timeout)]
async fn handler(context: Context) -> Result<String, chaos::Fault> {
    Ok(context.request_id)
}

fn main() {}
