use chaos::chaos;

#[chaos(latency_ms = 300, rate = 0.1, rate = 0.2)]
fn twice() {}

fn main() {}
