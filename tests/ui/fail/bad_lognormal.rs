use chaos::chaos;

#[chaos(latency_ms = lognormal(800, 100))]
fn p99_below_the_median() {}

#[chaos(latency_ms = lognormal(0, 100))]
fn zero_median() {}

#[chaos(latency_ms = lognormal(100))]
fn one_argument() {}

#[chaos(latency_ms = normal(100, 800))]
fn another_distribution() {}

fn main() {}
