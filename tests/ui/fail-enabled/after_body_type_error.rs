use chaos::chaos;

// A body that forgets its tail expression: the error must point at the body, as without the
// attribute, not at the attribute.
#[chaos(error = "lost", when = "after")]
async fn forgot_the_tail(id: u64) -> Result<u64, chaos::Fault> {
    Ok(id);
}

fn main() {}
