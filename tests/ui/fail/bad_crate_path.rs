use chaos::chaos;

#[chaos(crate = 5, latency_ms = 10)]
fn number_for_a_path() {}

fn main() {}
