use chaos::chaos;

#[chaos(latency_ms = 10, rate = 1.5)]
fn above_one() {}

#[chaos(latency_ms = 10, rate = -0.1)]
fn negative() {}

fn main() {}
