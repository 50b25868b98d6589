use chaos::chaos;

#[chaos(status = 503, error = "down")]
fn status_and_error() -> Result<(), chaos::Fault> {
    Ok(())
}

#[chaos(error = "down", panic = "boom", status = 500)]
fn all_three() -> Result<(), chaos::Fault> {
    Ok(())
}

fn main() {}
