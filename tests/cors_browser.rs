//! `strip_cors` in a real browser: headless Chromium loads a page from one loopback origin
//! (`127.0.0.1:<page>`) whose script calls the API on another (`127.0.0.1:<api>`) with `fetch`:
//! a simple GET, and a PUT with a header of its own (so the browser sends a preflight first).
//! With the fault off both succeed; with it on both fail as CORS failures do, while the API still
//! received the GET and answered the preflight (the fault, not a server that is gone).
//!
//! Chromium is Debian's `chromium` (or `$CHROMIUM_BIN`). Without it the test says it skipped,
//! on stderr; with `REQUIRE_CHROMIUM=1` (as CI sets) it fails instead. The browser is killed
//! after 30 s whatever it does, so the test never hangs.
#![cfg(all(feature = "tower", feature = "enabled"))]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use chaos::layer::ChaosLayer;
use http::{HeaderName, Method};
use tower_http::cors::{Any, CorsLayer};

/// How long the browser may take, start to DOM, before it is killed.
const WATCHDOG: Duration = Duration::from_secs(30);

/// The page: two fetches to the API, their results written into `#result` as `get: ok` or
/// `get: cors-error: <message>`, then `#done`.
fn page(api: SocketAddr) -> String {
    format!(
        r#"<!doctype html>
<html><body><pre id="result">pending</pre><script>
const api = "http://{api}";
async function attempt(name, url, init) {{
  try {{
    const response = await fetch(url, init);
    const body = await response.text();
    return name + ": ok " + response.status + " " + body;
  }} catch (error) {{
    return name + ": cors-error: " + error;
  }}
}}
(async () => {{
  const get = await attempt("get", api + "/api/simple");
  const put = await attempt("put", api + "/api/put", {{ method: "PUT", headers: {{ "x-client": "page" }}, body: "x" }});
  document.getElementById("result").textContent = get + "\n" + put + "\ndone";
}})();
</script></body></html>"#
    )
}

/// Requests that reached the API, by method (inside `ChaosLayer`'s view: every one it saw).
#[derive(Default)]
struct Seen {
    options: AtomicUsize,
    get: AtomicUsize,
    put: AtomicUsize,
}

/// The API: CORS allowed for every origin (no `max-age`, so the browser caches no preflight),
/// `ChaosLayer` outside the CORS layer, and a count of what arrived outside both.
fn api(point: chaos::LayerPoint, seen: Arc<Seen>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::PUT])
        .allow_headers([HeaderName::from_static("x-client")]);
    let count =
        tower::util::MapRequestLayer::new(move |request: http::Request<axum::body::Body>| {
            let counter = match *request.method() {
                Method::OPTIONS => &seen.options,
                Method::GET => &seen.get,
                _ => &seen.put,
            };
            counter.fetch_add(1, Ordering::SeqCst);
            request
        });
    Router::new()
        .route("/api/simple", get(|| async { "simple" }))
        .route("/api/put", axum::routing::put(|| async { "stored" }))
        .layer(cors)
        .layer(ChaosLayer::new(point))
        .layer(count)
}

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

/// The browser to run, or `None` (after saying so, or failing when one is required).
fn chromium() -> Option<PathBuf> {
    let required = std::env::var("REQUIRE_CHROMIUM").as_deref() == Ok("1");
    let found = match std::env::var_os("CHROMIUM_BIN") {
        Some(path) => Some(PathBuf::from(path)),
        None => std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
                .find(|path| path.is_file())
        }),
    };
    if found.is_none() {
        assert!(
            !required,
            "REQUIRE_CHROMIUM=1 but no chromium was found on PATH (install Debian's `chromium`, or set CHROMIUM_BIN to the browser's path)"
        );
        eprintln!(
            "skipped: chromium not found (install Debian's `chromium`, or set CHROMIUM_BIN; REQUIRE_CHROMIUM=1 makes this a failure)"
        );
    }
    found
}

/// Loads `url` in a fresh headless Chromium (a profile of its own, removed after) and returns the
/// DOM once the page's script had time to finish; killed after [`WATCHDOG`].
fn dump_dom(browser: &PathBuf, url: &str, run: &str) -> String {
    let profile =
        std::env::temp_dir().join(format!("chaos-cors-browser-{}-{run}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", url])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", browser.display()));
    // Read in threads of their own, so that a full pipe cannot stall the browser.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).map(|_| text)
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > WATCHDOG {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = out.join().unwrap().unwrap_or_default();
    let log = err.join().unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    match status {
        None => panic!("chromium did not finish within {WATCHDOG:?}; killed.\nstderr:\n{log}"),
        Some(status) if !status.success() => {
            panic!("chromium failed ({status}).\nstderr:\n{log}\nstdout:\n{dom}")
        }
        Some(_) => dom,
    }
}

/// The `#result` text of the page as the browser left it.
fn result(dom: &str) -> &str {
    let start = dom.find(r#"<pre id="result">"#).expect("the page's result") + 17;
    let end = start + dom[start..].find("</pre>").unwrap();
    &dom[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_origin_fetch_works_with_the_fault_off_and_fails_as_cors_with_it_on() {
    let Some(browser) = chromium() else {
        return;
    };
    let point = chaos::point!(name = "cors_browser::api", strip_cors, rate = 0.0);
    let seen = Arc::new(Seen::default());
    let api_address = serve(api(point, Arc::clone(&seen))).await;
    let html = page(api_address);
    let page_address = serve(Router::new().route(
        "/page",
        get(move || {
            let html = html.clone();
            async move { Html(html) }
        }),
    ))
    .await;
    assert_ne!(page_address.port(), api_address.port(), "two origins");
    let url = format!("http://{page_address}/page");
    let load = |run: &'static str| {
        let (browser, url) = (browser.clone(), url.clone());
        tokio::task::spawn_blocking(move || dump_dom(&browser, &url, run))
    };

    // Off: both calls succeed, the PUT after its preflight.
    let dom = load("off").await.unwrap();
    assert_eq!(
        result(&dom),
        "get: ok 200 simple\nput: ok 200 stored\ndone",
        "{dom}"
    );
    assert_eq!(
        (
            seen.get.load(Ordering::SeqCst),
            seen.options.load(Ordering::SeqCst),
            seen.put.load(Ordering::SeqCst)
        ),
        (1, 1, 1)
    );

    // On: both fail as CORS failures, the GET although the API answered it, the PUT because its
    // preflight came back without the CORS headers (so the browser never sent it).
    chaos::configure_json(r#"{"points": {"cors_browser::api": {"rate": 1.0}}}"#).unwrap();
    let dom = load("on").await.unwrap();
    eprintln!("the page, with the fault on:\n{}", result(&dom));
    let lines: Vec<&str> = result(&dom).lines().collect();
    assert_eq!(lines.len(), 3, "{dom}");
    assert!(lines[0].starts_with("get: cors-error: TypeError"), "{dom}");
    assert!(lines[1].starts_with("put: cors-error: TypeError"), "{dom}");
    assert_eq!(
        (
            seen.get.load(Ordering::SeqCst),
            seen.options.load(Ordering::SeqCst),
            seen.put.load(Ordering::SeqCst)
        ),
        (2, 2, 1),
        "the API received the GET and answered the preflight; the PUT never came"
    );
    let stats = chaos::stats()
        .into_iter()
        .find(|s| s.point == "cors_browser::api")
        .unwrap();
    assert_eq!(
        stats.cors_stripped, 2,
        "the GET's answer and the preflight's"
    );
    chaos::reset();
}
