fn main() {
    // A layer's point has no function to take its name from.
    let _ = chaos::point!(status = 503);
    // Nor an invocation deadline.
    let _ = chaos::point!(name = "router", timeout);
    // The spec rules are the attribute's.
    let _ = chaos::point!(name = "router", status = 600, rate = 2.0);
    let _ = chaos::point!(name = "router");
}
