//! Compile-time checked fault injection for async services and serverless functions.
//!
//! Put `#[chaos(...)]` on a function and, when your crate is built with chaos turned on, some of
//! its calls are delayed, answered with an error status, failed with an error or made to panic, so
//! you can see whether the rest of the system degrades gracefully:
//!
//! ```
//! use chaos::chaos;
//!
//! type Error = Box<dyn std::error::Error + Send + Sync>;
//!
//! // Every call fails with an injected error when chaos is compiled in.
//! #[chaos(error = "profile store unavailable", rate = 1.0)]
//! fn load_profile(id: u64) -> Result<String, Error> {
//!     Ok(format!("profile {id}"))
//! }
//!
//! let result = load_profile(7);
//! if chaos::ENABLED {
//!     let error = result.unwrap_err();
//!     let fault = error.downcast_ref::<chaos::Fault>().expect("an injected fault");
//!     assert!(fault.point().ends_with("::load_profile"));
//! } else {
//!     assert_eq!(result.unwrap(), "profile 7");
//! }
//! ```
//!
//! # Turning it on
//!
//! The attribute does nothing unless the `enabled` feature of this crate is on. Forward a feature
//! of your own crate to it, so that ordinary builds never contain an injection point:
//!
//! ```toml
//! [dependencies]
//! # The package `chaos-inject` provides the library `chaos`.
//! chaos-inject = "0.1"
//!
//! [features]
//! chaos = ["chaos-inject/enabled"]
//! ```
//!
//! and build or test with `--features chaos`. Without it, an annotated function compiles to
//! exactly what it would be without the attribute: the same machine code, the same future size,
//! and no symbol of this crate in the binary (unless your own code uses one, say `chaos::Fault`
//! in an error type). The attribute's arguments are checked either way, so a mistake fails the
//! build even when chaos is off.
//!
//! # Run-time control
//!
//! With chaos compiled in, the attributes are defaults that the environment (`CHAOS_ENABLED`,
//! `CHAOS_SEED`, `CHAOS_DRY_RUN`, `CHAOS_CONFIG`), a JSON configuration and this API change at run
//! time, without a rebuild; see the README for the variables and the JSON shape.
//!
//! ```
//! # #[cfg(feature = "enabled")] {
//! use chaos::{Config, PointConfig, Scope, chaos};
//!
//! #[chaos(status = 503, rate = 0.0, name = "shop::orders::create")]
//! fn create_order() -> Result<u64, chaos::Fault> {
//!     Ok(7)
//! }
//!
//! // Every point compiled in is known, called or not.
//! assert!(chaos::points().iter().any(|p| p.name() == "shop::orders::create"));
//!
//! // A misspelt point is an error that names the closest one.
//! let error = chaos::configure_json(r#"{"points": {"shop::order::create": {"rate": 1.0}}}"#);
//! assert!(error.unwrap_err().to_string().contains("did you mean `shop::orders::create`?"));
//! chaos::reset(); // a rejected configuration turned injection off; back to the attributes
//!
//! // One point, until the guard is dropped.
//! let guard = chaos::override_point("shop::orders::create", PointConfig::new().rate(1.0))?;
//! assert_eq!(create_order().unwrap_err().status(), Some(503));
//! drop(guard);
//! assert_eq!(create_order(), Ok(7));
//!
//! // Only inside one closure (or future, with `run`), so parallel tests do not interfere.
//! let scope = Scope::new(Config::new().point("shop::orders::create", PointConfig::new().rate(1.0).status(429)))?;
//! assert_eq!(scope.run_sync(create_order).unwrap_err().status(), Some(429));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Compiled out
//!
//! The run-time API is there in both builds, so code that calls it needs no `cfg`. Without
//! `enabled` it does nothing, harmlessly: [`points`] and [`stats`] are empty, configurations
//! are accepted without being read and change nothing ([`Config::from_json`] gives an empty
//! one), guards and scopes do nothing, and [`init`] returns `Ok`.
//!
//! ```
//! use chaos::{Config, PointConfig, Scope};
//!
//! chaos::init()?;
//! let scope = Scope::new(Config::new().point("any::point", PointConfig::new().rate(1.0)));
//! if !chaos::ENABLED {
//!     assert!(chaos::points().is_empty());
//!     assert_eq!(scope?.run_sync(|| 42), 42);
//! }
//! # Ok::<(), chaos::ConfigError>(())
//! ```
//!
//! # Features
//! - `enabled`: compile the injection points in.
//! - `http` (default): `status` faults can return `http::Response<B>` and `http::StatusCode`
//!   (also inside a `Result`). It is on by default because without it a `status` fault on
//!   `Result<http::Response<B>, E>` still compiles, as an `Err`, rather than the response a user
//!   of that type expects. Also `From<Fault> for http::StatusCode`, for `Result<T, StatusCode>`.
//! - `tower`: `layer::ChaosLayer` and [`point!`]: a point's faults on any tower service of HTTP
//!   requests (an axum router, a lambda_http service, an HTTP client), with `deny_hosts` and
//!   `strip_cors`.
//! - `axum`: [`Fault`] implements axum's `IntoResponse`, so `Result<T, Fault>`,
//!   `axum::response::Result<T>` and error types built from responses carry faults.
//! - `lambda`: `#[chaos(timeout)]` reads the invocation deadline of lambda_runtime's
//!   `LambdaEvent<T>` and `Context` and of lambda_http's `Request`; status faults build
//!   aws_lambda_events' `ApiGatewayProxyResponse` and `ApiGatewayV2httpResponse`.
//! - `aws` (implies `enabled`): follow a configuration in AWS AppConfig or SSM Parameter Store
//!   through their Lambda extensions' local endpoints (`CHAOS_APPCONFIG`, `CHAOS_SSM_PARAMETER`,
//!   `chaos::follow_remote`).
//! - `aws-sdk`: `chaos::aws_sdk`, [`point!`]s in front of an AWS SDK for Rust client's HTTP
//!   client: its calls, chosen by service, operation and region, get the service's own
//!   throttling, access denied and 5xx answers, connection failures and timeouts.
//! - `experiment`: `chaos::experiment`, experiments with a steady-state hypothesis.

#![warn(missing_docs)]
// docs.rs builds with every feature and `--cfg docsrs`: each gated item shows its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use chaos_core::{Fault, FaultKind, FaultReturn, InvocationDeadline, LayerPoint};

/// [`ChaosLayer`](layer::ChaosLayer): a point's faults on a tower service (feature `tower`).
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub use chaos_core::layer;

/// AWS SDK faults (feature `aws-sdk`): [`http_client`](aws_sdk::http_client) puts points
/// declared with [`point!`] in front of an AWS SDK client's HTTP client, so that its calls get
/// the service's own throttling, access denied, 5xx, connection failures and timeouts.
///
/// ```
/// use aws_smithy_runtime_api::client::http::{
///     HttpClient, HttpConnectorSettings, SharedHttpConnector,
/// };
/// use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
///
/// // The SDK's own HTTP client in a real program (see `examples/aws-sdk`); a stand-in here.
/// #[derive(Debug)]
/// struct SdkClient;
/// impl HttpClient for SdkClient {
///     fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
///         unimplemented!("no call is made here")
///     }
/// }
///
/// // DynamoDB writes throttled on one attempt in three, once a configuration says `rate`.
/// let writes = chaos::point!(
///     name = "orders::ddb_writes",
///     aws_service = "dynamodb",
///     aws_operations = ["PutItem", "UpdateItem"],
///     aws_error = "throttling",
///     rate = 0.0
/// );
/// let client = chaos::aws_sdk::http_client(SdkClient).point(writes);
/// // aws_config::defaults(BehaviorVersion::latest()).http_client(client).load().await, and for
/// // REST services (S3) `.interceptor(chaos::aws_sdk::interceptor())` on the service's config.
/// # let _ = client;
/// assert_eq!(writes.name().is_some(), chaos::ENABLED);
/// ```
#[cfg(feature = "aws-sdk")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws-sdk")))]
pub use chaos_core::aws_sdk;

/// What a point's declared spec is made of, as [`PointInfo::spec`] shows it (read-only), and the
/// names of the keys.
///
/// ```
/// use chaos::spec::Key;
///
/// let names: Vec<&str> = Key::all().iter().map(|key| key.as_str()).collect();
/// assert!(names.contains(&"latency_ms"));
/// ```
pub mod spec {
    pub use chaos_core::spec::{
        AwsError, AwsTarget, FaultSpec, HostPatterns, Key, Latency, Outcome, Trigger,
    };
}

#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use chaos_core::FAULT_HEADER;

/// Experiments with a steady-state hypothesis (feature `experiment`).
#[cfg(feature = "experiment")]
#[cfg_attr(docsrs, doc(cfg(feature = "experiment")))]
pub use chaos_core::experiment;

// The run-time API, in both builds: compiled out, the same names do nothing (see "Compiled out").
pub use chaos_core::{
    Config, ConfigError, OverrideGuard, PointConfig, PointInfo, PointStats, Scope, configure,
    configure_file, configure_json, disk_fills, init, override_point, points, reset, set_enabled,
    stats, watch_file,
};

/// Following a configuration in AWS AppConfig or SSM Parameter Store (feature `aws`).
#[cfg(feature = "aws")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws")))]
pub use chaos_core::{RemoteSource, follow_remote};

/// Whether this build has chaos compiled in (the `enabled` feature).
///
/// ```
/// if chaos::ENABLED {
///     println!("chaos is compiled into this binary");
/// }
/// ```
pub const ENABLED: bool = cfg!(feature = "enabled");

/// Injects faults into the function it is put on.
///
/// ```
/// use chaos::chaos;
/// use std::time::{Duration, Instant};
///
/// // 20 ms of latency on every call, then the body runs.
/// #[chaos(latency_ms = 20)]
/// fn lookup(key: &str) -> usize {
///     key.len()
/// }
///
/// let started = Instant::now();
/// assert_eq!(lookup("abc"), 3);
/// if chaos::ENABLED {
///     assert!(started.elapsed() >= Duration::from_millis(20));
/// }
/// ```
///
/// # Keys
///
/// | key | value | meaning |
/// |---|---|---|
/// | `latency_ms` | integer, a range `100..=500` (or `100..500`), or `lognormal(median, p99)` | delay before the body runs; a range draws uniformly, `lognormal` from a long-tailed distribution with that median and 99th percentile |
/// | `cold_start_ms` | integer | extra delay on the first call of the point in the process (a cold start), whatever the trigger says |
/// | `status` | integer in 100..=599 | answer with this HTTP status instead of running the body |
/// | `error` | string literal | return an error ([`Fault`]) instead of running the body |
/// | `panic` | string literal | panic with this message (the "exception" fault) |
/// | `value` | an expression of the return type | return this expression instead of running the body (a configuration error, or a wrong but well-formed answer); with `when = "after"`, instead of the body's result. Checked by the compiler against the return type (an `async fn`'s output), which must not be `impl Trait` and needs no [`Fault`]. A configuration switches it on and off (`"value": true`, [`PointConfig::value`]) and changes its rate, but cannot change the expression: it is Rust code, type-checked when the function is compiled, and a JSON document cannot carry a typed Rust value |
/// | `timeout_ms` | integer >= 1 | hang this long, then fail as timed out: status 504 (a `Fault` of kind `Timeout` in a `Result`), as a function that runs into its timeout |
/// | `timeout` | no value, or an argument's name (`timeout = ctx`) | hang until the invocation deadline less `timeout_buffer_ms`, then fail as `timeout_ms` does; the deadline is read from the `LambdaEvent<T>`, else `Context`, else lambda_http `Request` argument (feature `lambda`), or from the argument named; its type must implement [`InvocationDeadline`] |
/// | `timeout_buffer_ms` | integer, default 100 | with `timeout`: how long before the deadline the call gives up (time to answer before the platform ends the invocation) |
/// | `disk_fill_mb` | integer in 1..=1048576 | while in force, hold this many MiB of the temp directory's file system (capped at its free space less 64 MiB), in an anonymous file freed when the fault is turned off or the process ends; see `chaos::disk_fills()` |
/// | `rate` | float in 0.0..=1.0, default 1.0 | probability that a call is faulted, each call independently of the others (in steps of about 1.1e-13; a rate below 5.7e-14 never fires) |
/// | `one_in` | integer >= 1 | exactly every Nth call is faulted (instead of `rate`) |
/// | `max_concurrency` | integer >= 1 | calls beyond this many in flight are throttled: status 429 (a `Fault` of kind `Throttled` in a `Result`), as when a Lambda function's reserved concurrency runs out; the return type must carry a status, and a configuration can change the limit only where the attribute declares one |
/// | `when` | `"before"` (default) or `"after"` | `"after"`: the body runs to completion, then the outcome replaces its result (the work happened, the answer is lost: for testing idempotency and retries); needs an outcome: `status`, `error`, `panic`, `value`, `timeout_ms` or `timeout` |
/// | `name` | string literal | the injection point's name; default `module_path!()::fn_name` |
/// | `crate` | path | where this crate is, if not at `::chaos` |
///
/// At least one fault key is required, and at most one outcome among `status`, `error`, `panic`,
/// `value`, `timeout_ms` and `timeout`. `deny_hosts`, `strip_cors` and the AWS keys (`aws_error`,
/// `aws_service`, `aws_operations`, `aws_region`) belong to points of a layer ([`point!`]). Every
/// mistake is a compile error on the offending tokens.
///
/// # What a call does
///
/// One decision per call, at its start. A faulted call first waits the latency
/// (`tokio::time::sleep` in an `async fn`, so the executor keeps running other tasks, which needs
/// a tokio runtime with the time driver, else a helper thread keeps the time; `std::thread::sleep` in a plain `fn`, which blocks the
/// thread), then returns the outcome fault instead of running the body. With latency alone, the
/// body runs after the delay. With `when = "after"`, the body runs first, then the delay (a
/// timeout's hang measured from the end of the body), then the outcome replaces the result. A
/// plain `fn` returning `impl Future<Output = T>` (a trait method written without `async`) is
/// treated as an `async fn`: its body builds the future when it is called, as written, and the
/// decision and the delay happen in the future returned, at its first poll, without blocking the
/// executor (so a `panic` fault comes after the body has built the future), and the future is
/// `Unpin`, `Send` and `Sync` exactly when the body's is. Other future-returning functions
/// (`Pin<Box<dyn Future>>`, `impl Future` without `Output = ..`) stay plain `fn`s and wait when
/// called. (Outside any tokio runtime a helper thread keeps a delay's time, and chaos says so
/// once.)
///
/// # What a fault returns
///
/// For a declared return type `R`:
/// - `Result<T, E>` with `E: From<Fault>` (such as `Box<dyn Error + Send + Sync>`, which is
///   `lambda_runtime::Error`, or `anyhow::Error`) gets `Err(E::from(fault))`, except that a
///   `status` fault where `T` is a response type (`T: FaultReturn`) gets `Ok(T::from_fault(..))`;
/// - a type implementing [`FaultReturn`] (`http::Response<B>` and `http::StatusCode` with the
///   `http` feature, or your own) gets `R::from_fault(fault)`.
///
/// Any other return type with `status` or `error` is a compile error that says what to return
/// instead. `latency_ms` and `panic` work with any return type, `impl Trait` included, and
/// `value` with any but `impl Trait`. That check is made by the type checker on the generated
/// code, so it happens only in builds with chaos compiled in, and so does the check of a `value`
/// expression's type (compiled out, the function is left as written and the expression is not
/// emitted): run `cargo check --features chaos` in CI to catch it before anyone turns chaos on.
///
/// ```
/// use chaos::chaos;
///
/// // A configuration error: the function answers, with the wrong table.
/// #[chaos(value = String::from("no-such-table"), rate = 1.0)]
/// fn table_name() -> String {
///     String::from("orders")
/// }
///
/// // Corruption: the work is done, and the answer comes back well-formed but wrong.
/// #[chaos(value = Ok(Vec::new()), when = "after", one_in = 10)]
/// fn list(store: &[u32]) -> Result<Vec<u32>, std::io::Error> {
///     Ok(store.to_vec())
/// }
///
/// assert_eq!(table_name(), if chaos::ENABLED { "no-such-table" } else { "orders" });
/// assert_eq!(list(&[1, 2]).unwrap(), [1, 2]);
/// ```
///
/// ```
/// # #[cfg(feature = "http")] {
/// use chaos::chaos;
///
/// #[chaos(status = 503)]
/// async fn handler() -> http::Response<String> {
///     http::Response::new("hello".to_string())
/// }
///
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
/// let response = runtime.block_on(handler());
/// assert_eq!(response.status(), if chaos::ENABLED { 503 } else { 200 });
/// # }
/// ```
///
/// # Names and stacking
///
/// A point is named `module_path!()::fn_name` unless `name` says otherwise; two methods of the same
/// name in one module need a `name` to tell them apart (otherwise the shared name is announced
/// at the start, with where each is, and a configuration naming it is refused). Stacked attributes are independent points:
/// the one nearest the function keeps the plain name, the ones above it get `#2`, `#3`, ... It
/// also decides first: a call it faults never reaches the ones above it.
///
/// # Other macros
///
/// The signature is kept as written and the body is kept in its own block, so the attribute
/// combines with `#[tokio::main]`, `#[tokio::test]`, `#[tracing::instrument]` (in either order)
/// and with methods of an `#[async_trait]` impl (where it delays inside the returned future).
/// The order decides what wraps what (attributes expand from the top down, each wrapping what
/// the ones below produce): with `#[chaos]` above `#[tracing::instrument(err)]`, the injected
/// delay and fault happen inside the span and the fault is logged as the function's error; with
/// `#[tracing::instrument]` above `#[chaos]`, they happen before the span is entered.
pub use chaos_macros::chaos;

/// Declares an injection point for a `ChaosLayer` (`chaos::layer`, feature `tower`), which applies its
/// faults to the requests through a tower service, or for an AWS SDK client
/// (`chaos::aws_sdk::http_client`, feature `aws-sdk`), which applies them to its calls: for what
/// has no function to put `#[chaos]` on, such as an axum router or an HTTP client.
///
/// It takes the keys of [`chaos`](macro@chaos), with `name` required (there is no function to
/// name it after) and without `timeout` and `value` (a layer has no invocation deadline, and no
/// return value of its own to replace), plus `deny_hosts`: a list of host patterns
/// (`"payments.internal"`, `"*.example.com"`, or `"*"` for every host). A request to a matching
/// host fails as if the host were unreachable (status 502, or a [`Fault`] of kind `Unreachable`),
/// and requests to other hosts pass untouched. And `strip_cors`, a flag: a faulted request gets
/// the inner service's answer without its CORS headers (every `access-control-*` one, a
/// preflight's included), as after a CORS misconfiguration, so a browser front end on another
/// origin fails to read it; it is not an outcome, so it combines with `latency_ms`. And, for an
/// SDK client, `aws_error` (what a faulted call gets: `"throttling"`, `"access_denied"`,
/// `"internal_error"`, `"service_unavailable"`, `"connection_refused"`, `"timeout"`) and the
/// calls it applies to, `aws_service` (a signing name, `"dynamodb"`), `aws_operations`
/// (`["PutItem"]`) and `aws_region` (`"eu-west-1"`); a `ChaosLayer` answers an `aws_error` with
/// the nearest status and does not read the selection (its requests are not SDK calls). The point is
/// registered, configured by name and counted like every other. Compiled out, it is a handle to
/// nothing and the layer returns the service it wraps, unchanged.
///
/// ```
/// # #[cfg(feature = "tower")] {
/// use chaos::layer::ChaosLayer;
/// use tower::{Service, ServiceBuilder, ServiceExt, service_fn};
///
/// let payments = chaos::point!(name = "payments::client", deny_hosts = ["payments.internal"]);
/// // A client that answers every request: the layer makes one host unreachable.
/// let mut client = ServiceBuilder::new()
///     .layer(ChaosLayer::new(payments).errors())
///     .service(service_fn(|_: http::Request<()>| async {
///         Ok::<_, chaos::Fault>(http::Response::new(()))
///     }));
///
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
/// runtime.block_on(async {
///     let to = |uri: &str| http::Request::get(uri).body(()).unwrap();
///     let denied = client.ready().await.unwrap().call(to("http://payments.internal/charge")).await;
///     assert_eq!(denied.is_err(), chaos::ENABLED);
///     let other = client.ready().await.unwrap().call(to("http://inventory.internal/")).await;
///     assert!(other.is_ok());
/// });
/// # }
/// ```
///
/// `strip_cors` around a server whose CORS layer (tower-http's `CorsLayer`, or a handler's own
/// headers) is inside it, so that it sees their headers:
///
/// ```
/// # #[cfg(feature = "tower")] {
/// use chaos::layer::ChaosLayer;
/// use tower::{Layer, ServiceExt, service_fn};
///
/// let cors_broken = chaos::point!(name = "api::cors", strip_cors, rate = 1.0);
/// // The routes with their CORS layer: here a service that sets the header itself.
/// let routes = service_fn(|_: http::Request<()>| async {
///     let response = http::Response::builder()
///         .header("access-control-allow-origin", "https://shop.example")
///         .body("orders".to_string());
///     Ok::<_, std::convert::Infallible>(response.unwrap())
/// });
/// let api = ChaosLayer::new(cors_broken).layer(routes);
///
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
/// runtime.block_on(async {
///     let request = http::Request::get("/orders").header("origin", "https://shop.example");
///     let response = api.oneshot(request.body(()).unwrap()).await.unwrap();
///     // The answer arrives, without the header a browser needs to hand it to the page.
///     assert_eq!(response.body(), "orders");
///     let allowed = response.headers().contains_key("access-control-allow-origin");
///     assert_eq!(allowed, !chaos::ENABLED);
/// });
/// # }
/// ```
pub use chaos_macros::point;

/// What only the expansion of `#[chaos]` uses; not a public API and not covered by semver.
#[doc(hidden)]
pub mod __private {
    pub use chaos_core::__private::*;
}
