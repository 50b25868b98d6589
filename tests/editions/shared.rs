//! The one program of the edition fixtures (`e2018`, `e2021`, `e2024`): each builds it as its
//! binary in its own edition, so the expansion of `#[chaos]` and `chaos::point!` is compiled with
//! the user's edition (a proc-macro's tokens take the edition of their span), and runs it.
//! Written in the common subset of the three editions. `.ci/editions.sh` runs them.
#![deny(warnings)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chaos::layer::ChaosLayer;
use chaos::{Fault, FaultKind, chaos};
use tower::{Layer, ServiceExt, service_fn};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[chaos(latency_ms = 20, error = "store down", name = "editions::load")]
async fn load(id: u64) -> Result<u64, Fault> {
    Ok(id)
}

#[chaos(error = "reserve failed")]
fn reserve(item: &str) -> Result<String, Error> {
    Ok(item.to_string())
}

struct Orders {
    created: AtomicUsize,
}

impl Orders {
    #[chaos(status = 503, name = "editions::orders::get")]
    fn get(&self, id: u64) -> Result<u64, Fault> {
        Ok(id)
    }

    /// The order is created, then the answer is lost.
    #[chaos(
        error = "answer lost",
        when = "after",
        name = "editions::orders::create"
    )]
    async fn create(&self) -> Result<usize, Fault> {
        Ok(self.created.fetch_add(1, Ordering::SeqCst) + 1)
    }
}

#[chaos(status = 429, name = "editions::page")]
fn page(path: &str) -> http::Response<String> {
    http::Response::new(path.to_string())
}

#[chaos(timeout_ms = 15, name = "editions::slow")]
async fn slow() -> Result<(), Fault> {
    Ok(())
}

// A place under `max_concurrency`: admitted (the place alone), or faulted.
#[chaos(
    status = 503,
    rate = 0.0,
    max_concurrency = 1,
    name = "editions::admitted"
)]
async fn admitted(id: u64) -> Result<u64, Fault> {
    Ok(id)
}

#[chaos(status = 503, max_concurrency = 1, name = "editions::limited")]
async fn limited(id: u64) -> Result<u64, Fault> {
    Ok(id)
}

// Two points on one function, each delaying the call (whichever decides first, both act).
#[chaos(latency_ms = 6, name = "editions::stacked::outer")]
#[chaos(latency_ms = 6, name = "editions::stacked::inner")]
async fn stacked<'a>(body: &'a str) -> Result<&'a str, Fault> {
    Ok(body)
}

async fn run() {
    let started = Instant::now();
    let fault = load(1).await.unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(20));
    assert_eq!(fault.message(), Some("store down"));
    assert_eq!(fault.point(), "editions::load");

    let error = reserve("widget").unwrap_err();
    let fault = error
        .downcast_ref::<Fault>()
        .expect("the error is the fault");
    assert!(fault.point().ends_with("::reserve"), "{}", fault.point());

    let orders = Orders {
        created: AtomicUsize::new(0),
    };
    assert_eq!(orders.get(7).unwrap_err().status(), Some(503));
    assert_eq!(
        orders.create().await.unwrap_err().message(),
        Some("answer lost")
    );
    assert_eq!(orders.created.load(Ordering::SeqCst), 1, "the body ran");

    let response = page("/cart");
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()[chaos::FAULT_HEADER], "editions::page");

    match slow().await.unwrap_err().kind() {
        FaultKind::Timeout { after_ms } => assert_eq!(*after_ms, 15),
        other => panic!("expected a timeout, got {:?}", other),
    }

    assert_eq!(admitted(3).await, Ok(3));
    assert_eq!(
        admitted(4).await,
        Ok(4),
        "the first call gave its place back"
    );
    assert_eq!(limited(5).await.unwrap_err().status(), Some(503));

    let started = Instant::now();
    assert_eq!(stacked("x").await, Ok("x"));
    assert!(started.elapsed() >= Duration::from_millis(12));

    let point = chaos::point!(name = "editions::client", deny_hosts = ["*.internal"]);
    let client = ChaosLayer::new(point)
        .errors()
        .layer(service_fn(|_: http::Request<()>| async {
            Ok::<_, Fault>(http::Response::new(()))
        }));
    let get = |uri: &str| http::Request::get(uri).body(()).unwrap();
    assert!(
        client
            .clone()
            .oneshot(get("http://example.com/"))
            .await
            .is_ok()
    );
    let fault = client
        .oneshot(get("http://db.internal/"))
        .await
        .unwrap_err();
    assert!(
        matches!(fault.kind(), FaultKind::Unreachable { .. }),
        "{}",
        fault
    );

    for name in [
        "editions::load",
        "editions::page",
        "editions::client",
        "editions::stacked::inner",
    ]
    .iter()
    {
        assert!(
            chaos::points().iter().any(|p| p.name() == *name),
            "{}",
            name
        );
    }
}

fn main() {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(run());
    println!("{}: chaos compiles and runs", env!("CARGO_PKG_NAME"));
}
