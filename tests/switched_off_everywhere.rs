//! While chaos is switched off for the whole process and no point has anything to do, a call
//! returns after one load of a process-wide word, without reaching its point (that it is faster
//! is the benchmarks' business). What the points must still see is seen: a point's first call
//! (so that a cold start configured later does not take a later call for the first), and a
//! configuration that switches chaos on again. A binary of its own, with one point: the quiet
//! state depends on every point of the process.
#![cfg(feature = "enabled")]

use chaos::{Config, Fault, PointConfig, chaos};

#[chaos(error = "quiet", rate = 1.0, name = "quiet::point")]
fn point() -> Result<u32, Fault> {
    Ok(7)
}

fn cold_starts() -> u64 {
    chaos::stats()
        .into_iter()
        .find(|s| s.point == "quiet::point")
        .map_or(0, |s| s.cold_start)
}

#[test]
fn a_first_call_while_off_everywhere_is_seen_and_switching_on_again_is_too() {
    chaos::set_enabled(false);
    // The point's first call: chaos is off everywhere, but the call must still warm the point.
    assert_eq!(point().ok(), Some(7));
    for _ in 0..1000 {
        assert_eq!(point().ok(), Some(7), "off: never faulted");
    }
    // A cold start configured now is not a cold start: the process is warm.
    chaos::configure(Config::new().point(
        "quiet::point",
        PointConfig::new().cold_start_ms(1).rate(0.0),
    ))
    .unwrap();
    chaos::set_enabled(true);
    assert_eq!(point().ok(), Some(7));
    assert_eq!(cold_starts(), 0, "the first call happened while off");
    // On again: the declared fault comes back at once.
    chaos::reset();
    chaos::set_enabled(true);
    assert!(point().unwrap_err().to_string().contains("quiet"));
    chaos::set_enabled(false);
    assert_eq!(point().ok(), Some(7), "off again");
}
