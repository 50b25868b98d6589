use chaos::chaos;

#[chaos(latency_ms)]
fn no_value() {}

fn main() {}
