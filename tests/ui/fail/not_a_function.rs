use chaos::chaos;

#[chaos(latency_ms = 10)]
struct NotAFunction;

fn main() {}
