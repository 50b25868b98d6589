use chaos::chaos;

#[chaos]
fn bare() {}

#[chaos(rate = 0.5, name = "only.a.rate")]
fn only_a_rate() {}

fn main() {}
