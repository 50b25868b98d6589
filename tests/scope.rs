//! Task-scoped configuration: tests configuring chaos differently run in parallel, each inside
//! its own scope, in one process.
#![cfg(feature = "enabled")]

use std::time::Duration;

use chaos::{Config, Fault, PointConfig, Scope, chaos};

#[chaos(status = 503, rate = 0.0, name = "scope::lookup")]
async fn lookup(id: u64) -> Result<u64, Fault> {
    tokio::task::yield_now().await;
    Ok(id)
}

#[chaos(latency_ms = 1, rate = 0.0, name = "scope::blocking")]
fn blocking(id: u64) -> u64 {
    id
}

fn failing_scope(status: u16) -> Scope {
    Scope::new(Config::new().point("scope::lookup", PointConfig::new().rate(1.0).status(status)))
        .unwrap()
}

/// Fifty lookups, interleaved with other tasks' by short sleeps: the status each one failed with.
async fn statuses_of_50_lookups() -> Vec<Option<u16>> {
    let mut statuses = Vec::new();
    for i in 0..50 {
        statuses.push(lookup(i).await.err().and_then(|f| f.status()));
        tokio::time::sleep(Duration::from_micros(50)).await;
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tasks_see_only_their_own_scope() {
    let a = failing_scope(500);
    let b = failing_scope(429);
    let task_a = tokio::spawn(async move { a.run(statuses_of_50_lookups()).await });
    let task_b = tokio::spawn(async move { b.run(statuses_of_50_lookups()).await });
    let unscoped = tokio::spawn(async {
        let mut oks = 0;
        for i in 0..50 {
            oks += usize::from(lookup(i).await.is_ok());
            tokio::time::sleep(Duration::from_micros(50)).await;
        }
        oks
    });
    assert!(task_a.await.unwrap().iter().all(|s| *s == Some(500)));
    assert!(task_b.await.unwrap().iter().all(|s| *s == Some(429)));
    assert_eq!(unscoped.await.unwrap(), 50);
}

#[tokio::test]
async fn tasks_spawned_inside_a_scope_do_not_inherit_it() {
    let scope = failing_scope(503);
    let (inside, spawned) = scope
        .run(async {
            let inside = lookup(1).await.is_err();
            let spawned = tokio::spawn(lookup(2)).await.unwrap().is_err();
            (inside, spawned)
        })
        .await;
    assert!(inside);
    assert!(!spawned);
}

#[test]
fn a_sync_scope_applies_to_plain_functions_on_its_thread() {
    let scope = Scope::new(Config::new().point(
        "scope::blocking",
        PointConfig::new().rate(1.0).panic("scoped panic"),
    ))
    .unwrap();
    let payload = std::panic::catch_unwind(|| scope.run_sync(|| blocking(1))).unwrap_err();
    assert!(
        payload
            .downcast_ref::<String>()
            .unwrap()
            .contains("scoped panic")
    );
    assert_eq!(blocking(2), 2);
}

#[tokio::test]
async fn a_scope_that_turns_everything_off() {
    let on = failing_scope(503);
    let off = Scope::new(Config::new().enabled(false)).unwrap();
    // The inner scope replaces the outer one for as long as it runs.
    let (outer, inner) = on
        .run(async {
            let outer = lookup(1).await.is_err();
            let inner = off.run(lookup(2)).await.is_err();
            (outer, inner)
        })
        .await;
    assert!(outer);
    assert!(!inner);
}

#[test]
fn a_scope_is_checked_like_any_configuration() {
    let unknown = Scope::new(Config::new().point("scope::nope", PointConfig::new().rate(1.0)));
    assert!(
        unknown
            .unwrap_err()
            .to_string()
            .contains("no injection point is named `scope::nope`")
    );
    let seeded = Scope::new(Config::new().seed(3));
    assert!(
        seeded
            .unwrap_err()
            .to_string()
            .contains("`seed` is process-wide")
    );
}

#[tokio::test]
async fn a_cancelled_scope_stops_applying() {
    let scope = failing_scope(503);
    let never_finishes = scope.run(std::future::pending::<()>());
    let _ = tokio::time::timeout(Duration::from_millis(1), never_finishes).await;
    // Dropped mid-way: calls outside any scope follow the attribute again.
    assert!(lookup(1).await.is_ok());
}
