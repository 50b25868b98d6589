//! [`Permit`]: a place under `max_concurrency`, held for the call's frame.

use std::sync::atomic::{AtomicU64, Ordering};

/// Holds a place under `max_concurrency` until the call ends (dropped with the function's
/// frame, so also on an early return, a panic or a cancelled future). The default permit holds
/// no place (no limit in force).
#[derive(Debug, Default)]
#[must_use]
pub struct Permit(Option<&'static AtomicU64>);

impl Permit {
    /// A permit that holds no place: what a call keeps when no limit is in force (the same as
    /// `Permit::default()`, named so that the expansion needs no trait in scope).
    #[inline]
    pub const fn none() -> Permit {
        Permit(None)
    }

    /// Whether it holds a place (a limit is in force).
    #[inline]
    pub(crate) fn holds(&self) -> bool {
        self.0.is_some()
    }

    /// Counts a call among `in_flight` whatever their number: a call admitted while chaos is
    /// switched off, which the limit must see once chaos is on again.
    pub(crate) fn count(in_flight: &'static AtomicU64) -> Permit {
        in_flight.fetch_add(1, Ordering::AcqRel);
        Permit(Some(in_flight))
    }

    /// Takes a place among `in_flight` if fewer than `limit` are taken; `None` when full. Taken
    /// only if there is room, so that contention never throttles below the limit.
    pub(crate) fn take(in_flight: &'static AtomicU64, limit: u64) -> Option<Permit> {
        in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .ok()
            .map(|_| Permit(Some(in_flight)))
    }
}

impl Drop for Permit {
    #[inline]
    fn drop(&mut self) {
        if let Some(in_flight) = self.0 {
            in_flight.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permits_are_taken_up_to_the_limit_and_given_back_when_dropped() {
        static IN_FLIGHT: AtomicU64 = AtomicU64::new(0);
        let first = Permit::take(&IN_FLIGHT, 2).expect("room for one");
        let second = Permit::take(&IN_FLIGHT, 2).expect("room for two");
        assert!(Permit::take(&IN_FLIGHT, 2).is_none(), "full at two");
        drop(first);
        assert_eq!(IN_FLIGHT.load(Ordering::Relaxed), 1);
        let third = Permit::take(&IN_FLIGHT, 2);
        assert!(third.is_some(), "a dropped permit frees its place");
        drop((second, third));
        assert_eq!(IN_FLIGHT.load(Ordering::Relaxed), 0);
        drop(Permit::default());
        assert_eq!(
            IN_FLIGHT.load(Ordering::Relaxed),
            0,
            "the default holds nothing"
        );
    }
}
