use chaos::chaos;

#[chaos(max_concurrency = 0)]
fn nothing_allowed() -> Result<(), chaos::Fault> {
    Ok(())
}

#[chaos(max_concurrency = 10)]
fn hidden() -> impl std::fmt::Display {
    1
}

fn main() {}
