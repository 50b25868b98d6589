use chaos::chaos;

#[chaos]
fn bare() {}

#[chaos(rate = 0.5, name = "only.a.rate")]
fn only_a_rate() {}

// A bad `rate` is not a missing fault: both errors are reported.
#[chaos(rate = "often")]
fn bad_rate_and_no_fault() {}

fn main() {}
