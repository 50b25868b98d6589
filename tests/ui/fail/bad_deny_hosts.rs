use chaos::chaos;

// A function has no request host: `deny_hosts` belongs to a layer's point.
#[chaos(deny_hosts = ["payments.internal"])]
fn charge() -> Result<(), chaos::Fault> {
    Ok(())
}

fn main() {
    // Not host patterns.
    let _ = chaos::point!(name = "client", deny_hosts = ["https://payments.internal"]);
    let _ = chaos::point!(name = "client", deny_hosts = ["payments.internal:443"]);
    let _ = chaos::point!(name = "client", deny_hosts = ["api.*.internal"]);
    let _ = chaos::point!(name = "client", deny_hosts = []);
    let _ = chaos::point!(name = "client", deny_hosts = "payments.internal");
    let _ = chaos::point!(name = "client", deny_hosts = [443]);
}
