use chaos::chaos;

#[chaos(latency_ms = 10, rate = 0.5, one_in = 4)]
fn both() {}

fn main() {}
