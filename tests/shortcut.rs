//! Once a point has been called under the configuration in force, its calls read the point's
//! own word (its shortcut) instead of the process-wide state word. Every change must still reach
//! a point that has been taking its shortcut, on the very next call: a new configuration, the
//! switch, an override, a scope starting and ending. And a call that starts after
//! `set_enabled(false)` returns never injects, however the shortcut raced with the change.
//! A binary of its own: the state word depends on every point of the process.
#![cfg(feature = "enabled")]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chaos::{Config, Fault, PointConfig, Scope, chaos};

#[chaos(error = "shortcut", rate = 1.0, name = "shortcut::point")]
fn point() -> Result<u32, Fault> {
    Ok(7)
}

/// The tests change the process-wide configuration: one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn faulted() -> bool {
    point().is_err()
}

/// Calls the point a few times under the configuration in force, so that it has offered its
/// shortcut and its calls take it; what the last call did.
fn settled() -> bool {
    let mut last = faulted();
    for _ in 0..3 {
        last = faulted();
    }
    last
}

#[test]
fn every_change_reaches_a_point_taking_its_shortcut_on_its_next_call() {
    let _serial = serial();
    chaos::reset();
    chaos::set_enabled(true);
    assert!(settled(), "declared rate 1.0");

    chaos::set_enabled(false);
    assert!(!faulted(), "switched off");
    assert!(!settled());

    chaos::set_enabled(true);
    assert!(faulted(), "switched on again");
    assert!(settled());

    chaos::configure(Config::new().point("shortcut::point", PointConfig::new().rate(0.0))).unwrap();
    assert!(!faulted(), "a configuration with rate 0");
    assert!(!settled());

    let guard = chaos::override_point("shortcut::point", PointConfig::new().rate(1.0)).unwrap();
    assert!(faulted(), "an override with rate 1");
    assert!(settled());
    drop(guard);
    assert!(!faulted(), "the override dropped");
    assert!(!settled());

    // A scope that switches the point on: on in the scope from its first call, off again after.
    let on =
        Scope::new(Config::new().point("shortcut::point", PointConfig::new().rate(1.0))).unwrap();
    assert!(on.run_sync(faulted), "a scope with rate 1");
    assert!(on.run_sync(settled));
    assert!(!faulted(), "after the scope");
    assert!(!settled());

    // A scope that switches it off, while the process has it on.
    chaos::reset();
    chaos::set_enabled(true);
    assert!(settled());
    let off = Scope::new(Config::new().enabled(false)).unwrap();
    assert!(!off.run_sync(faulted), "a scope switching everything off");
    assert!(!off.run_sync(settled));
    assert!(faulted(), "after the scope");
}

/// Other threads keep calling the point, so that its shortcut is offered again right after each
/// publication withdraws it, and calls read it just before the next publication. Fails when a
/// publication leaves shortcuts in place and a fired draw is not checked against the state word.
#[test]
fn no_call_after_switching_off_injects_while_other_threads_keep_offering_their_shortcut() {
    let _serial = serial();
    chaos::reset();
    let stop = Arc::new(AtomicBool::new(false));
    // Threads calling the point all along: each call that finds the shortcut withdrawn offers it
    // again, racing with the publications below.
    let callers: Vec<_> = (0..2)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let _ = point();
                }
            })
        })
        .collect();
    for round in 0..2_000 {
        chaos::set_enabled(true);
        for _ in 0..20 {
            let _ = point();
        }
        chaos::set_enabled(false);
        for call in 0..20 {
            assert!(
                !faulted(),
                "round {round}, call {call} after set_enabled(false) returned was faulted"
            );
        }
    }
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        caller.join().unwrap();
    }
    chaos::set_enabled(true);
}
