//! Every injection point compiled into the binary, registered at link time (`linkme`), so that
//! points that were never called are known too and a configuration naming no point is caught.

use crate::runtime::data::Point;
use crate::runtime::stats::PointStats;
use crate::spec;

/// The points of the whole program, gathered by the linker.
#[linkme::distributed_slice]
pub static POINTS: [&'static Point];

/// Every injection point compiled into this binary, including those never called.
///
/// ```
/// for point in chaos_core::points() {
///     println!("{}: {:?}", point.name(), point.spec());
/// }
/// ```
pub fn points() -> &'static [&'static Point] {
    &POINTS
}

/// The points named `name` (more than one when two functions share a default name).
pub(crate) fn named(name: &str) -> impl Iterator<Item = &'static Point> + '_ {
    POINTS.iter().copied().filter(move |p| p.name() == name)
}

/// "no injection point named ...", with the closest names.
pub(crate) fn unknown_point(name: &str) -> String {
    let close = spec::closest(name, POINTS.iter().map(|p| p.name()));
    let count = POINTS.len();
    if close.is_empty() {
        format!(
            "no injection point is named `{name}` ({count} points are compiled in; `chaos::points()` lists them)"
        )
    } else {
        let close: Vec<String> = close.iter().map(|c| format!("`{c}`")).collect();
        format!(
            "no injection point is named `{name}`; did you mean {}?",
            close.join(" or ")
        )
    }
}

/// The counters of every point, in registration order.
///
/// ```
/// let injected: u64 = chaos_core::stats().iter().map(|s| s.injected()).sum();
/// println!("{injected} faults injected so far");
/// ```
pub fn stats() -> Vec<PointStats> {
    points().iter().map(|p| p.stats()).collect()
}
