use chaos::chaos;

#[chaos(latency_ms = 10)]
const fn at_compile_time() -> u32 {
    1
}

fn main() {
    let _ = at_compile_time();
}
