//! An async delay outside any tokio runtime, or in one without its time driver, does not fail: a
//! helper thread keeps its time, and chaos says once, naming the point, what the delay needs to
//! run on tokio's timer instead.
#![cfg(feature = "enabled")]

mod common;

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use chaos::chaos;
use common::run_child;

#[chaos(latency_ms = 40, name = "no_tokio::slow")]
async fn slow(id: u64) -> u64 {
    id
}

/// Polls `future` to completion on this thread, parking between polls: no runtime at all.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

#[test]
#[ignore = "run by the other tests as a child process"]
fn child_delay_without_a_runtime() {
    let started = Instant::now();
    let answers = [block_on(slow(1)), block_on(slow(2))];
    let waited = started.elapsed();
    println!(
        "\nANSWERS={answers:?}\nWAITED_ENOUGH={}",
        waited >= Duration::from_millis(80)
    );
}

#[test]
fn without_a_runtime_the_delay_happens_and_is_explained_once() {
    let child = run_child("child_delay_without_a_runtime", &[]);
    assert_eq!(child.value("ANSWERS"), "[1, 2]");
    assert_eq!(child.value("WAITED_ENOUGH"), "true", "{}", child.stderr);
    let said: Vec<&str> = child
        .stderr
        .lines()
        .filter(|line| line.contains("outside a tokio runtime"))
        .collect();
    assert_eq!(said.len(), 1, "{}", child.stderr);
    assert!(said[0].contains("`no_tokio::slow`"), "{}", said[0]);
    assert!(said[0].contains("#[tokio::main]"), "{}", said[0]);
}

#[test]
#[ignore = "run by the other tests as a child process"]
fn child_delay_in_a_runtime_without_timers() {
    // No `enable_time()`: tokio's timer panics when made.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let started = Instant::now();
    let answers = [runtime.block_on(slow(1)), runtime.block_on(slow(2))];
    let waited = started.elapsed();
    println!(
        "\nANSWERS={answers:?}\nWAITED_ENOUGH={}",
        waited >= Duration::from_millis(80)
    );
}

#[test]
fn in_a_runtime_without_timers_the_delay_happens_and_is_explained_once() {
    let child = run_child("child_delay_in_a_runtime_without_timers", &[]);
    assert_eq!(child.value("ANSWERS"), "[1, 2]", "{}", child.stderr);
    assert_eq!(child.value("WAITED_ENOUGH"), "true", "{}", child.stderr);
    let said: Vec<&str> = child
        .stderr
        .lines()
        .filter(|line| line.contains("without its time driver"))
        .collect();
    assert_eq!(said.len(), 1, "{}", child.stderr);
    assert!(said[0].contains("`no_tokio::slow`"), "{}", said[0]);
    assert!(said[0].contains("enable_time()"), "{}", said[0]);
}
