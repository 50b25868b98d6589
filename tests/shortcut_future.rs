//! A plain `fn` returning `impl Future` decides in the future it returns (`Instrumented`): its
//! first poll spends the point's shortcut inline and decides out of line only when the thread's
//! budget ran out. The same rate as an `async fn`, every change reaching it on its next call,
//! a delay that is really waited, a wait that can be cancelled, and a `panic` fault.
//! A binary of its own: the state word depends on every point of the process.
#![cfg(feature = "enabled")]

use std::future::Future;
use std::pin::pin;
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Waker};
use std::time::Duration;

use chaos::{Config, PointConfig, chaos};

#[chaos(latency_ms = 1, rate = 0.25, name = "shortcut_future::rated")]
fn rated() -> impl Future<Output = u8> {
    std::future::ready(5)
}

#[chaos(latency_ms = 40, name = "shortcut_future::slow")]
fn slow() -> impl Future<Output = u8> {
    std::future::ready(6)
}

#[chaos(panic = "shortcut_future boom", name = "shortcut_future::panicking")]
fn panicking() -> impl Future<Output = u8> + Send {
    std::future::ready(7)
}

/// The tests change the process-wide configuration: one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn injected(point: &str) -> u64 {
    chaos::stats()
        .into_iter()
        .find(|stats| stats.point == point)
        .map_or(0, |stats| stats.injected())
}

/// Runs `test` alone, with chaos reset and switched on, on a current-thread runtime whose clock
/// moves only when every task waits, so that a delay of `n` ms advances it by exactly `n` ms.
fn run(test: impl Future<Output = ()>) {
    let _serial = serial();
    chaos::reset();
    chaos::set_enabled(true);
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
        .block_on(test);
    chaos::reset();
}

/// `calls` calls of `rated`, polled to completion: how many were delayed, checked against the
/// time that passed (1 ms each).
async fn delayed_of(calls: u32) -> u64 {
    let before = injected("shortcut_future::rated");
    let started = tokio::time::Instant::now();
    for _ in 0..calls {
        assert_eq!(rated().await, 5);
    }
    let delayed = injected("shortcut_future::rated") - before;
    let waited = u64::try_from(started.elapsed().as_millis()).unwrap();
    assert_eq!(
        waited, delayed,
        "each delayed call waited its 1 ms, and no other call waited"
    );
    delayed
}

#[test]
fn it_faults_at_its_rate_and_follows_every_change() {
    run(async {
        // 4,000 calls at 0.25: 1,000 expected, standard deviation about 27.
        let delayed = delayed_of(4_000).await;
        assert!(
            (840..=1_160).contains(&delayed),
            "{delayed} of 4000 calls delayed at rate 0.25"
        );

        chaos::set_enabled(false);
        assert_eq!(delayed_of(500).await, 0, "switched off");

        chaos::set_enabled(true);
        let always = PointConfig::new().rate(1.0);
        chaos::configure(Config::new().point("shortcut_future::rated", always)).unwrap();
        assert_eq!(delayed_of(1).await, 1, "the very next call under rate 1.0");
        assert_eq!(delayed_of(50).await, 50);

        let never = PointConfig::new().rate(0.0);
        chaos::configure(Config::new().point("shortcut_future::rated", never)).unwrap();
        assert_eq!(delayed_of(200).await, 0, "rate 0");
    });
}

#[test]
fn a_future_dropped_while_it_waits_frees_its_wait_and_the_next_call_waits_again() {
    run(async {
        let before = injected("shortcut_future::slow");
        {
            let mut future = pin!(slow());
            let mut cx = Context::from_waker(Waker::noop());
            assert!(
                future.as_mut().poll(&mut cx).is_pending(),
                "waiting its 40 ms"
            );
            assert!(
                future.as_mut().poll(&mut cx).is_pending(),
                "polled again, still waiting"
            );
        }
        assert_eq!(
            injected("shortcut_future::slow"),
            before + 1,
            "one call decided"
        );
        let started = tokio::time::Instant::now();
        assert_eq!(slow().await, 6);
        assert_eq!(started.elapsed(), Duration::from_millis(40));
        assert_eq!(injected("shortcut_future::slow"), before + 2);
    });
}

#[test]
fn a_panic_fault_panics_in_the_future_at_its_first_poll() {
    run(async {
        let future = panicking();
        let error = tokio::spawn(future).await.unwrap_err();
        let payload = error.into_panic();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        assert!(
            message.contains("shortcut_future boom"),
            "panicked with: {message}"
        );
    });
}
