//! What an injection point adds to an `async fn` per call, measured in pairs: a block of calls of
//! the plain twin, then a block of the annotated function, then the same two in the other order,
//! over and over, each block timed on its own. The difference between the two blocks of a pair is
//! one sample of what the point adds. This machine's speed drifts by a nanosecond a call and more
//! between criterion's rows (run one after another, seconds apart), but hardly within the
//! hundred microseconds of one pair, so the median of the differences resolves what a row's own
//! time cannot. An A/A row (two plain functions that differ only in a rotate's width) shows what
//! the method itself reads as a difference where there is none: code placed at other addresses,
//! alignment, the order of the blocks.
//!
//! What a pair cannot cancel is what differs between processes: where the stack, the heap and
//! the code sit in memory (address-space layout randomisation) moves some rows by several
//! nanoseconds from one run to the next, the A/A row by up to a nanosecond. So the bench runs
//! itself in `PROCESSES` child processes and prints, per row, the median over them of each
//! process's median difference, and the lowest and highest of those.
//!
//! The functions are `benches/support/async_fns.rs`'s, polled as `async_path.rs` polls them:
//! inlined into the measuring loop, and through their `poll` as a function pointer (as a task).
//!
//! ```sh
//! cargo bench --bench async_paired --features enabled,http
//! ```

use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

#[path = "support/async_fns.rs"]
mod async_fns;
use async_fns::*;

/// How long one block of calls runs: long enough for the timer's own cost (tens of
/// nanoseconds) to vanish, short enough that the machine's drift is small across a pair.
const BLOCK: Duration = Duration::from_micros(40);

/// Pairs per row (each pair two blocks, in alternating order): about 0.1 s a row at `BLOCK`.
const PAIRS: usize = 1_201;

/// Processes the whole measurement runs in, one after another (about 7 s each).
const PROCESSES: usize = 7;

/// Set in a child process: it measures and prints its rows, one per line, for the parent.
const CHILD: &str = "CHAOS_ASYNC_PAIRED_CHILD";

/// The A/A row's second plain function: `plain_result` with another rotate (the same
/// instructions), so that the two are not merged into one by the compiler.
#[inline(never)]
async fn plain_result_again(x: u64) -> Result<u64, Error> {
    Ok(x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(19))
}

/// `n` calls of `f`, each future built and polled to completion inlined in this loop, as
/// criterion's `iter` does in `async_path.rs`'s `Inline` rows.
#[inline(never)]
fn inline_block<F: Future>(f: fn(u64) -> F, cx: &mut Context<'_>, n: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        black_box(complete_in(f(black_box(7)), cx));
    }
    start.elapsed()
}

/// `n` calls of `f`, each future polled through `poll` as a function pointer, as an executor
/// polls a task (`async_path.rs`'s `AsTask` rows).
#[inline(never)]
fn task_block<F: Future>(
    f: fn(u64) -> F,
    poll: fn(Pin<&mut F>, &mut Context<'_>) -> Poll<F::Output>,
    cx: &mut Context<'_>,
    n: u64,
) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        let mut future = pin!(f(black_box(7)));
        let output = loop {
            if let Poll::Ready(output) = poll(future.as_mut(), cx) {
                break output;
            }
        };
        black_box(output);
    }
    start.elapsed()
}

/// One block of calls of a function, in the harness chosen for the row.
type Block<'a> = Box<dyn FnMut(u64) -> Duration + 'a>;

fn inline<F: Future + 'static>(f: fn(u64) -> F) -> Block<'static> {
    let f = black_box(f);
    Box::new(move |n| {
        let mut cx = Context::from_waker(Waker::noop());
        inline_block(f, black_box(&mut cx), n)
    })
}

fn task<F: Future + 'static>(f: fn(u64) -> F) -> Block<'static> {
    let f = black_box(f);
    let poll: fn(Pin<&mut F>, &mut Context<'_>) -> Poll<F::Output> = black_box(F::poll);
    Box::new(move |n| {
        let mut cx = Context::from_waker(Waker::noop());
        task_block(f, poll, black_box(&mut cx), n)
    })
}

/// Nanoseconds per call of one block.
fn per_call(time: Duration, n: u64) -> f64 {
    time.as_nanos() as f64 / n as f64
}

/// The median of `samples`.
fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Measures `annotated` against `plain` in `PAIRS` pairs and prints the row's medians for the
/// parent process: plain, annotated, added (ns per call), tab-separated.
fn pair(name: &str, mut plain: Block<'_>, mut annotated: Block<'_>) {
    // Calibrate the block's length on the plain function, after a warm-up of both.
    for _ in 0..50 {
        plain(1_000);
        annotated(1_000);
    }
    let estimate = per_call(plain(10_000), 10_000).max(0.1);
    let n = ((BLOCK.as_nanos() as f64 / estimate) as u64).max(1_000);

    let mut plain_times = Vec::with_capacity(PAIRS);
    let mut annotated_times = Vec::with_capacity(PAIRS);
    let mut added = Vec::with_capacity(PAIRS);
    for round in 0..PAIRS {
        let (a, p) = if round % 2 == 0 {
            let p = plain(n);
            (annotated(n), p)
        } else {
            let a = annotated(n);
            (a, plain(n))
        };
        let (a, p) = (per_call(a, n), per_call(p, n));
        plain_times.push(p);
        annotated_times.push(a);
        added.push(a - p);
    }
    let plain_median = median(&mut plain_times);
    let annotated_median = median(&mut annotated_times);
    let added_median = median(&mut added);
    println!("{name}\t{plain_median}\t{annotated_median}\t{added_median}");
}

/// Every row of `group`, whose name ends with its harness (`inline` or `task`).
fn rows(group: &str) {
    let label = |row: &str| format!("{group}/{row}");
    let inlined = group.ends_with("inline");
    macro_rules! row {
        ($name:expr, $plain:expr, $annotated:expr) => {
            if inlined {
                pair(&label($name), inline($plain), inline($annotated));
            } else {
                pair(&label($name), task($plain), task($annotated));
            }
        };
    }
    row!(
        "A/A: plain_result, plain_result_again",
        plain_result,
        plain_result_again
    );
    row!("error", plain_result, armed_error);
    row!("latency", plain_result, armed_latency);
    row!("error_awaiting", plain_awaiting, armed_awaiting);
    row!("status_response", plain_response, armed_status);
    row!("impl_future", plain_impl_future, impl_future);
    // What users run: a chain of annotated functions is polled in its task, in memory.
    row!("chain_3", plain_outer, outer);
    row!("chain_3_owning", plain_outer_owning, outer_owning);
    if inlined {
        row!(
            "status_response_owning",
            plain_response_owning,
            armed_status_owning
        );
        row!("one_in", plain_result, counted);
        row!("max_concurrency", plain_result, limited);
        row!("fail_rs_unconfigured", plain_string, fail_rs_unconfigured);
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this once with no argument:
    // then it only checks that it runs, with a row or two.
    if !std::env::args().any(|argument| argument == "--bench") {
        let mut cx = Context::from_waker(Waker::noop());
        black_box(inline_block(armed_error, &mut cx, 10));
        return;
    }
    if std::env::var_os(CHILD).is_some() {
        measure();
    } else {
        report(&run_children());
    }
}

/// Every row, in this process: armed, then switched off, each inlined and as a task.
fn measure() {
    // Every point has its first call (its cold start) before any row is measured: switched
    // off, the shortest path is taken only once no point waits for its first call.
    chaos::set_enabled(true);
    warm_every_point();
    for group in ["armed/inline", "armed/task"] {
        rows(group);
    }
    chaos::set_enabled(false);
    for group in ["off/inline", "off/task"] {
        rows(group);
    }
}

/// One row as the children measured it: per process, plain, annotated and added (ns per call).
type Measured = Vec<(String, Vec<[f64; 3]>)>;

/// This binary run `PROCESSES` times as a child, and the rows each printed, in order.
fn run_children() -> Measured {
    let binary = std::env::current_exe().expect("the bench binary's path");
    let mut measured: Measured = Vec::new();
    for process in 0..PROCESSES {
        eprintln!("async_paired: process {} of {PROCESSES}", process + 1);
        let output = std::process::Command::new(&binary)
            .arg("--bench")
            .env(CHILD, "1")
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("the bench binary runs as a child");
        assert!(
            output.status.success(),
            "a child process failed: {}",
            output.status
        );
        let stdout = String::from_utf8(output.stdout).expect("the child prints UTF-8");
        for (index, line) in stdout.lines().enumerate() {
            let mut fields = line.split('\t');
            let name = fields.next().expect("a row's name").to_string();
            let mut values = [0.0; 3];
            for value in &mut values {
                *value = fields
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("a row's number");
            }
            if process == 0 {
                measured.push((name.clone(), Vec::new()));
            }
            assert_eq!(
                measured[index].0, name,
                "the children print the same rows in order"
            );
            measured[index].1.push(values);
        }
    }
    measured
}

/// The table: per row, the median over the processes of plain, annotated and added, and the
/// lowest and highest added.
fn report(measured: &Measured) {
    println!(
        "ns per call, in {PROCESSES} processes: in each, the medians of {PAIRS} pairs of blocks of about {BLOCK:?}; here the median over the processes, and the lowest and highest of what they added."
    );
    println!();
    println!("| row | plain | annotated | added | added, lowest .. highest |");
    println!("|---|---:|---:|---:|---:|");
    for (name, processes) in measured {
        let column = |i: usize| median(&mut processes.iter().map(|p| p[i]).collect::<Vec<_>>());
        let (plain, annotated, added) = (column(0), column(1), column(2));
        let low = processes.iter().map(|p| p[2]).fold(f64::INFINITY, f64::min);
        let high = processes
            .iter()
            .map(|p| p[2])
            .fold(f64::NEG_INFINITY, f64::max);
        println!(
            "| {name} | {plain:.2} | {annotated:.2} | {added:+.2} | {low:+.2} .. {high:+.2} |"
        );
    }
}
