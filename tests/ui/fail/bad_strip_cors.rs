use chaos::chaos;

// A function's answer has no headers chaos can see: `strip_cors` belongs to a layer's point.
#[chaos(strip_cors, latency_ms = 10)]
fn list_orders() -> Result<(), chaos::Fault> {
    Ok(())
}

fn main() {
    // A flag: it takes no value.
    let _ = chaos::point!(name = "router", strip_cors = true);
    let _ = chaos::point!(name = "router", strip_cors = "yes", rate = 0.5);
    // Not an outcome: `when = "after"` still needs one.
    let _ = chaos::point!(name = "router", strip_cors, when = "after");
}
