//! An injection point: its static data, and the decision made at the start of every call.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::fault::Fault;
use crate::rng;
use crate::spec::{FaultSpec, Outcome, Trigger};

/// One `#[chaos]` attribute, compiled into a `static` inside the function it annotates.
///
/// The hot path, [`Point::decide`], reads only this point's immutable data and the calling
/// thread's random generator; only `one_in` points touch a shared counter.
#[derive(Debug)]
pub struct Point {
    name: &'static str,
    spec: FaultSpec,
    /// `rate` scaled to the 32-bit draw: a call is faulted when `draw < threshold`.
    threshold: u64,
    /// Calls seen so far, for `one_in` only.
    calls: AtomicU64,
}

/// Scales a probability in `[0, 1]` to the bound a 32-bit draw is compared with. `1.0` gives
/// 2^32, above every draw, so it always fires; `0.0` gives 0 and never does. Resolution: 2^-32.
const fn rate_threshold(rate: f64) -> u64 {
    (rate * 4_294_967_296.0) as u64
}

impl Point {
    /// A point named `name` injecting `spec`. Built by the expansion of `#[chaos]`.
    pub const fn new(name: &'static str, spec: FaultSpec) -> Point {
        let threshold = match spec.trigger() {
            Trigger::Rate(rate) => rate_threshold(rate),
            Trigger::OneIn(_) => 0,
        };
        Point {
            name,
            spec,
            threshold,
            calls: AtomicU64::new(0),
        }
    }

    /// The point's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The fault spec the attribute declared.
    pub const fn spec(&self) -> &FaultSpec {
        &self.spec
    }

    /// Decides whether this call is faulted, and if so, with what.
    #[inline]
    pub fn decide(&self) -> Option<Injection> {
        let fires = match self.spec.trigger() {
            Trigger::Rate(_) => u64::from(rng::next_u32()) < self.threshold,
            Trigger::OneIn(n) => self.calls.fetch_add(1, Ordering::Relaxed) % n == n - 1,
        };
        if fires { Some(self.injection()) } else { None }
    }

    #[cold]
    #[inline(never)]
    fn injection(&self) -> Injection {
        let latency_ms = self
            .spec
            .latency()
            .map_or(0, |l| rng::uniform_ms(l.min_ms(), l.max_ms()));
        Injection {
            point: self.name,
            latency: Duration::from_millis(latency_ms),
            outcome: self.spec.outcome().cloned(),
        }
    }
}

/// What one faulted call gets: a delay, then possibly an outcome in place of the body.
#[derive(Debug)]
pub struct Injection {
    point: &'static str,
    latency: Duration,
    outcome: Option<Outcome>,
}

impl Injection {
    /// The delay to wait before the outcome or the body; zero for none.
    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// The fault that replaces the body, if any.
    pub fn into_fault(self) -> Option<Fault> {
        let point = self.point;
        self.outcome.map(|o| Fault::new(point, o.into()))
    }
}
