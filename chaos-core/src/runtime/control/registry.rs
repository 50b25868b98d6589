//! Every injection point compiled into the binary, registered at link time (`linkme`), so that
//! points that were never called are known too and a configuration naming no point is caught.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::PointStats;
use crate::runtime::data::{Point, Site};
use crate::spec::{self, FaultSpec};

/// The points of the whole program, gathered by the linker.
#[linkme::distributed_slice]
pub static POINTS: [&'static Point];

/// Every injection point compiled into this binary, including those never called, in no
/// particular order. Compiled out, there are none.
///
/// ```
/// for point in chaos_core::points() {
///     println!("{} ({}:{}): {}", point.name(), point.file(), point.line(), point.spec());
/// }
/// ```
pub fn points() -> &'static [PointInfo] {
    // The linker's list never changes while the program runs: wrapped once.
    static INFO: OnceLock<Vec<PointInfo>> = OnceLock::new();
    INFO.get_or_init(|| POINTS.iter().map(|&point| PointInfo { point }).collect())
}

/// An injection point as [`points`] lists it: what it is and what it did, read-only.
#[derive(Debug, Clone, Copy)]
pub struct PointInfo {
    point: &'static Point,
}

impl PointInfo {
    /// The point's name: `module_path!()::fn_name`, or the attribute's `name`.
    pub fn name(&self) -> &'static str {
        self.point.name()
    }

    /// The fault spec its attribute (or `point!`) declared; the configuration in force may
    /// differ.
    pub fn spec(&self) -> &'static FaultSpec {
        self.point.spec()
    }

    /// The source file of its attribute, as `file!()` gives it.
    pub fn file(&self) -> &'static str {
        self.point.site().file()
    }

    /// The line of its attribute.
    pub fn line(&self) -> u32 {
        self.point.site().line()
    }

    /// Whether it was declared with `chaos::point!` for a `ChaosLayer` rather than by
    /// `#[chaos]` on a function.
    pub fn is_layer(&self) -> bool {
        self.point.is_layer()
    }

    /// Whether a configuration may give it a `status`, `error` or `timeout_ms`: a layer's point
    /// always, a function's when its attribute declared one of them, `timeout` or
    /// `max_concurrency` (which proved that its return type can carry the fault). A function is
    /// given `max_concurrency` only if its attribute declares one, `timeout` only if it says
    /// `timeout`.
    pub fn carries_outcome(&self) -> bool {
        self.point.carries_outcome()
    }

    /// Its fault counters.
    pub fn stats(&self) -> PointStats {
        self.point.stats()
    }
}

/// The points named `name` (more than one when two points share a name).
pub(crate) fn named(name: &str) -> impl Iterator<Item = &'static Point> + '_ {
    POINTS.iter().copied().filter(move |p| p.name() == name)
}

/// Every name that two or more points share, with where each of them is, in name order.
pub(crate) fn shared_names() -> &'static [(&'static str, Vec<Site>)] {
    static SHARED: OnceLock<Vec<(&'static str, Vec<Site>)>> = OnceLock::new();
    SHARED.get_or_init(|| {
        let mut sites: BTreeMap<&'static str, Vec<Site>> = BTreeMap::new();
        for point in POINTS.iter() {
            sites.entry(point.name()).or_default().push(point.site());
        }
        sites
            .into_iter()
            .filter(|(_, sites)| sites.len() > 1)
            .map(|(name, mut sites)| {
                sites.sort();
                (name, sites)
            })
            .collect()
    })
}

/// "`a::get` names 2 points (src/a.rs:10:5, src/a.rs:20:5)": the problem with a shared name.
pub(crate) fn shared_name(name: &str, sites: &[Site]) -> String {
    let sites: Vec<String> = sites.iter().map(Site::to_string).collect();
    format!(
        "`{name}` names {} points ({}); give each its own `name = \"...\"`, so that a configuration can tell them apart",
        sites.len(),
        sites.join(", ")
    )
}

/// "no injection point named ...", with the closest names.
pub(crate) fn unknown_point(name: &str) -> String {
    let close = spec::closest(name, POINTS.iter().map(|p| p.name()));
    // The name came from a configuration: escaped and cut, so that it cannot break a log line.
    let name = spec::shown(name);
    let count = POINTS.len();
    let compiled = if count == 1 { "point is" } else { "points are" };
    if close.is_empty() {
        format!(
            "no injection point is named `{name}` ({count} {compiled} compiled in; `chaos::points()` lists them)"
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
    POINTS.iter().map(|p| p.stats()).collect()
}
