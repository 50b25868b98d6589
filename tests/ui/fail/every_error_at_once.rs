use chaos::chaos;

// Four mistakes, all reported in one build (the duplicate key with a second error pointing at
// its first use), and no cascade: the function is still emitted, so its caller below compiles.
#[chaos(latncy_ms = 300, status = 700, rate = 2.0, rate = 0.1)]
fn many_mistakes(x: u32) -> Result<u32, chaos::Fault> {
    Ok(x)
}

fn main() {
    let _ = many_mistakes(1);
}
