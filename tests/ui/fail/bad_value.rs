use chaos::chaos;

// `value` needs the expression a faulted call returns.
#[chaos(value)]
fn no_expression() -> String {
    String::new()
}

// One outcome per point.
#[chaos(value = String::new(), status = 503)]
fn value_and_status() -> String {
    String::new()
}

#[chaos(error = "down", value = Ok(0))]
fn error_and_value() -> Result<u32, chaos::Fault> {
    Ok(1)
}

// The expression is checked against the return type, which `impl Trait` hides.
#[chaos(value = 1)]
fn opaque() -> impl std::fmt::Display {
    2
}

#[chaos(value = 1)]
fn returns_a_future() -> impl std::future::Future<Output = u32> {
    async { 2 }
}

// `when = "after"` with a value is fine; a `value` with no trigger problem is fine; a bad rate
// is still reported with the rest.
#[chaos(value = 1, rate = 1.5)]
fn bad_rate() -> u32 {
    2
}

fn main() {
    // A layer's point has no return value to replace.
    let _ = chaos::point!(name = "router", value = 1);
}
