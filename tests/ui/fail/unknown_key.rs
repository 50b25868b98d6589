use chaos::chaos;

#[chaos(latncy_ms = 300)]
fn typo() {}

#[chaos(frobnicate = 1, latency_ms = 1)]
fn nothing_close() {}

fn main() {}
