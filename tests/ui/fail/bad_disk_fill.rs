use chaos::chaos;

#[chaos(disk_fill_mb = 0)]
fn nothing_to_fill() {}

#[chaos(disk_fill_mb = 2_000_000)]
fn more_than_a_tebibyte() {}

#[chaos(disk_fill_mb = "512")]
fn a_string() {}

fn main() {}
