use chaos::chaos;

#[chaos(error = "x", when = "sometimes")]
fn unknown_moment() -> Result<(), chaos::Fault> {
    Ok(())
}

#[chaos(latency_ms = 10, when = "after")]
fn nothing_to_replace_with() {}

#[chaos(error = "x", when = "after")]
fn hidden_type() -> impl std::fmt::Display {
    1
}

fn main() {}
