use chaos::chaos;

#[chaos(latency_ms = 10, name = "")]
fn unnamed() {}

fn main() {}
