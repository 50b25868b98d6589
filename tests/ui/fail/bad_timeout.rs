use chaos::chaos;

#[chaos(timeout_ms = 0)]
fn no_wait() -> Result<(), chaos::Fault> {
    Ok(())
}

#[chaos(timeout_ms = 900, status = 503)]
fn two_outcomes() -> Result<(), chaos::Fault> {
    Ok(())
}

fn main() {}
