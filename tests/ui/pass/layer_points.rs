//! `chaos::point!` in expression position, with every kind of key a layer takes.

fn main() {
    let _ = chaos::point!(name = "router", status = 503, rate = 0.1);
    let _ = chaos::point!(name = "client", deny_hosts = ["payments.internal", "*.example.com", "*"]);
    let _ = chaos::point!(name = "after", error = "lost", when = "after", one_in = 3);
    let _ = chaos::point!(name = "slow", latency_ms = lognormal(20, 200), max_concurrency = 8);
    let _ = chaos::point!(name = "cors", strip_cors, latency_ms = 100, rate = 0.2);
    let _ = chaos::point!(name = "cors_and_status", strip_cors, status = 503, when = "after");
    let points = [chaos::point!(name = "a", latency_ms = 5), chaos::point!(name = "b", disk_fill_mb = 1)];
    if chaos::ENABLED {
        assert_eq!(points[0].name(), Some("a"));
    } else {
        assert_eq!(points[1].name(), None);
    }
}
