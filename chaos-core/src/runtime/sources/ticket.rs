//! One source at a time: every source thread (a watched file, a followed remote source) holds a
//! ticket, and starting a source (or going back to the environment's) issues a new one, which
//! retires every ticket before it. A thread stops when its ticket is retired, and its loads are committed only while its
//! ticket is current (checked under the configuration's lock), so a replaced source can never
//! load over its successor.

use std::sync::atomic::{AtomicU64, Ordering};

/// Issues tickets; one per process ([`TICKETS`]), or one per test.
#[derive(Debug)]
pub(crate) struct Tickets(AtomicU64);

/// The process's tickets: the file watcher and the remote follower draw from the same counter.
pub(crate) static TICKETS: Tickets = Tickets::new();

impl Tickets {
    pub(crate) const fn new() -> Tickets {
        Tickets(AtomicU64::new(0))
    }

    /// A new ticket, retiring every earlier one.
    pub(crate) fn issue(&'static self) -> Ticket {
        let number = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Ticket {
            tickets: self,
            number,
        }
    }
}

/// A source thread's right to run and to load.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    tickets: &'static Tickets,
    number: u64,
}

impl Ticket {
    /// Whether no source was started or stopped since this ticket was issued.
    pub(crate) fn is_current(self) -> bool {
        self.tickets.0.load(Ordering::SeqCst) == self.number
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_ticket_retires_every_earlier_one() {
        static TICKETS: Tickets = Tickets::new();
        let file = TICKETS.issue();
        assert!(file.is_current());
        let remote = TICKETS.issue();
        assert!(!file.is_current(), "the remote source replaced the file");
        assert!(remote.is_current());
        let reset = TICKETS.issue();
        assert!(
            !remote.is_current() && !file.is_current(),
            "replaced by a reset"
        );
        assert!(reset.is_current());
    }
}
