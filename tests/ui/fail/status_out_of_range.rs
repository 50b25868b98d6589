use chaos::chaos;

#[chaos(status = 600)]
fn too_high() -> Result<(), chaos::Fault> {
    Ok(())
}

#[chaos(status = 99)]
fn too_low() -> Result<(), chaos::Fault> {
    Ok(())
}

#[chaos(status = -1)]
fn negative() -> Result<(), chaos::Fault> {
    Ok(())
}

#[chaos(status = 1000000000000000000000000000000000000000000)]
fn huge() -> Result<(), chaos::Fault> {
    Ok(())
}

fn main() {}
