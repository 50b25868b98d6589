use chaos::chaos;

#[chaos(cold_start_ms = -5)]
fn negative() {}

#[chaos(cold_start_ms = "2s")]
fn a_string() {}

fn main() {}
