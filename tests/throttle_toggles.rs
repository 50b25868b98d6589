//! `max_concurrency` is exact whatever the switches did: calls admitted while chaos was switched
//! off still count once it is on again. A binary of its own, because `set_enabled` is
//! process-wide.
#![cfg(feature = "enabled")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use chaos::{Fault, FaultKind, chaos};

/// Calls of `held` in its body right now.
static IN_BODY: AtomicUsize = AtomicUsize::new(0);

/// Released by the test; a call waits in its body until then.
static GATE: Mutex<Option<Arc<Barrier>>> = Mutex::new(None);

#[chaos(max_concurrency = 4, name = "toggles::held")]
fn held() -> Result<(), Fault> {
    IN_BODY.fetch_add(1, Ordering::SeqCst);
    let gate = GATE.lock().unwrap().clone();
    if let Some(gate) = gate {
        gate.wait();
    }
    IN_BODY.fetch_sub(1, Ordering::SeqCst);
    Ok(())
}

/// Waits until `n` calls are in `held`'s body; a hang bound, not a timing: fails after 30 s.
fn wait_for_in_body(n: usize) {
    let started = std::time::Instant::now();
    while IN_BODY.load(Ordering::SeqCst) < n {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{n} calls never reached the body"
        );
        thread::yield_now();
    }
}

#[test]
fn calls_admitted_while_off_count_once_chaos_is_on_again() {
    // Six calls admitted with chaos off, held in their bodies.
    chaos::set_enabled(false);
    let gate = Arc::new(Barrier::new(7));
    *GATE.lock().unwrap() = Some(Arc::clone(&gate));
    let calls: Vec<_> = (0..6).map(|_| thread::spawn(held)).collect();
    wait_for_in_body(6);
    // On again: six are in flight, above the limit of four, so a new call is throttled.
    chaos::set_enabled(true);
    let refused = held().unwrap_err();
    assert_eq!(refused.kind(), &FaultKind::Throttled { limit: 4 });
    gate.wait();
    for call in calls {
        assert_eq!(call.join().unwrap(), Ok(()));
    }
    *GATE.lock().unwrap() = None;
    // All done: room again.
    assert_eq!(held(), Ok(()));

    // Under contention, with the switch flipping: every place taken is given back, on or off,
    // so afterwards exactly four calls are admitted and the fifth is throttled.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let _ = held();
                }
            })
        })
        .collect();
    for i in 0..400 {
        chaos::set_enabled(i % 2 == 0);
        thread::sleep(Duration::from_micros(100));
    }
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.join().unwrap();
    }
    chaos::set_enabled(true);
    assert_eq!(IN_BODY.load(Ordering::SeqCst), 0);
    let gate = Arc::new(Barrier::new(5));
    *GATE.lock().unwrap() = Some(Arc::clone(&gate));
    let calls: Vec<_> = (0..4).map(|_| thread::spawn(held)).collect();
    wait_for_in_body(4);
    // Were a place lost or counted twice, the fifth would be admitted (and, as the barrier's
    // fifth party, let all five through) or a fourth refused above.
    let fifth = thread::spawn(held).join().unwrap();
    assert_eq!(
        fifth.map_err(|f| f.kind().clone()),
        Err(FaultKind::Throttled { limit: 4 })
    );
    gate.wait();
    for call in calls {
        assert_eq!(call.join().unwrap(), Ok(()));
    }
}
