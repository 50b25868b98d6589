use chaos::chaos;

#[chaos(latency_ms = 500..=100)]
fn inverted() {}

#[chaos(latency_ms = 100..100)]
fn empty() {}

#[chaos(latency_ms = -5)]
fn negative() {}

fn main() {}
