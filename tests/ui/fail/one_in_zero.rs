use chaos::chaos;

#[chaos(latency_ms = 10, one_in = 0)]
fn zero() {}

fn main() {}
