//! Stand-ins for the two Lambda extensions, on loopback, speaking their documented protocols:
//! the AppConfig Agent (`GET /applications/{app}/environments/{env}/configurations/{profile}`,
//! the document as the body) and the Parameters and Secrets extension
//! (`GET /systemsmanager/parameters/get?name={name}` with `X-Aws-Parameters-Secrets-Token`, the
//! document as `Parameter.Value` of a JSON reply). Each can be made to fail in every way the
//! follower must survive.

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How the extension answers the next requests.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// 200 with the document.
    Serve(String),
    /// This status, with a short body.
    Status(u16),
    /// This status, with a body that names the request (as a request id would): different on
    /// every answer.
    StatusWithRequestId(u16),
    /// 200 with this body as it is (for AppConfig, the "document"; for SSM, the whole reply).
    RawBody(String),
    /// No answer for this long.
    Hang(Duration),
    /// 200 with the document, one byte every interval.
    Drip(String, Duration),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    AppConfig,
    Ssm { token: &'static str },
}

pub struct Extension {
    pub port: u16,
    behaviour: Arc<Mutex<Behaviour>>,
    requests: Arc<AtomicUsize>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

/// The names the stand-ins serve.
pub const APP: (&str, &str, &str) = ("shop", "test", "chaos");
pub const PARAMETER: &str = "/shop/test/chaos";

impl Extension {
    pub fn start(protocol: Protocol, behaviour: Behaviour) -> Extension {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        Extension::start_on(listener, protocol, behaviour)
    }

    /// The extension, answering on `listener`.
    pub fn start_on(
        listener: std::net::TcpListener,
        protocol: Protocol,
        behaviour: Behaviour,
    ) -> Extension {
        let server =
            Arc::new(tiny_http::Server::from_listener(listener, None).expect("serve loopback"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let behaviour = Arc::new(Mutex::new(behaviour));
        let requests = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (server, behaviour, requests) = (
                Arc::clone(&server),
                Arc::clone(&behaviour),
                Arc::clone(&requests),
            );
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    requests.fetch_add(1, Ordering::SeqCst);
                    let behaviour = behaviour.lock().unwrap().clone();
                    // Each answer on its own thread, so that a hanging one does not hold up the
                    // next attempt.
                    std::thread::spawn(move || answer(protocol, request, behaviour));
                }
            })
        };
        Extension {
            port,
            behaviour,
            requests,
            server,
            thread: Some(thread),
        }
    }

    pub fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().unwrap() = behaviour;
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Waits until `n` more requests than `since` arrived (a follower's attempts), at most 20 s.
    pub fn wait_for_requests(&self, since: usize, n: usize) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while self.requests() < since + n {
            assert!(
                std::time::Instant::now() < deadline,
                "the follower made {} requests, expected {n}",
                self.requests() - since
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Extension {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Numbers the answers, for [`Behaviour::StatusWithRequestId`].
static REQUEST_IDS: AtomicUsize = AtomicUsize::new(0);

fn answer(protocol: Protocol, request: tiny_http::Request, behaviour: Behaviour) {
    if let Err(status) = check(protocol, &request) {
        let _ = request
            .respond(tiny_http::Response::from_string("bad request").with_status_code(status));
        return;
    }
    let wrap = |document: &str| match protocol {
        Protocol::AppConfig => document.to_string(),
        Protocol::Ssm { .. } => serde_json::json!({
            "Parameter": {
                "ARN": "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/test/chaos",
                "DataType": "text",
                "LastModifiedDate": "2026-11-29T12:00:00.000Z",
                "Name": PARAMETER,
                "Selector": null,
                "SourceResult": null,
                "Type": "String",
                "Value": document,
                "Version": 3
            },
            "ResultMetadata": {}
        })
        .to_string(),
    };
    let json = tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
    let id = REQUEST_IDS.fetch_add(1, Ordering::SeqCst);
    let _ = match behaviour {
        Behaviour::Serve(document) => {
            request.respond(tiny_http::Response::from_string(wrap(&document)).with_header(json))
        }
        Behaviour::RawBody(body) => request.respond(tiny_http::Response::from_string(body)),
        Behaviour::Status(status) => request.respond(
            tiny_http::Response::from_string("the extension failed").with_status_code(status),
        ),
        Behaviour::StatusWithRequestId(status) => request.respond(
            tiny_http::Response::from_string(format!("the extension failed (request id {id:08x})"))
                .with_status_code(status),
        ),
        Behaviour::Hang(duration) => {
            std::thread::sleep(duration);
            request.respond(tiny_http::Response::from_string(wrap("{}")))
        }
        Behaviour::Drip(document, interval) => {
            let body = wrap(&document).into_bytes();
            let length = body.len();
            let reader = Drip {
                body,
                at: 0,
                interval,
            };
            request.respond(tiny_http::Response::new(
                tiny_http::StatusCode(200),
                vec![json],
                reader,
                Some(length),
                None,
            ))
        }
    };
}

/// A loopback port bound but not listening: a connection to it is refused, and, unlike a port
/// bound and then freed, no other socket of this machine can be given it meanwhile (another
/// test's extension, say). [`listen`](Self::listen) brings an extension up on it.
pub struct ClosedPort {
    socket: socket2::Socket,
    pub port: u16,
}

impl ClosedPort {
    pub fn bind() -> ClosedPort {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a TCP socket");
        let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        socket.bind(&loopback.into()).expect("bind loopback");
        let port = socket
            .local_addr()
            .expect("a bound address")
            .as_socket()
            .expect("an IP address")
            .port();
        ClosedPort { socket, port }
    }

    /// The extension, answering on this port from now on.
    pub fn listen(self, protocol: Protocol, behaviour: Behaviour) -> Extension {
        self.socket.listen(128).expect("listen");
        Extension::start_on(self.socket.into(), protocol, behaviour)
    }
}

/// The request must be the documented one: the path, and for SSM the token header.
fn check(protocol: Protocol, request: &tiny_http::Request) -> Result<(), u16> {
    if *request.method() != tiny_http::Method::Get {
        return Err(405);
    }
    match protocol {
        Protocol::AppConfig => {
            let (app, env, profile) = APP;
            let expected =
                format!("/applications/{app}/environments/{env}/configurations/{profile}");
            if request.url() == expected {
                Ok(())
            } else {
                Err(404)
            }
        }
        Protocol::Ssm { token } => {
            let given = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("X-Aws-Parameters-Secrets-Token"))
                .map(|h| h.value.as_str().to_string());
            if given.as_deref() != Some(token) {
                return Err(401);
            }
            let expected = "/systemsmanager/parameters/get?name=%2Fshop%2Ftest%2Fchaos";
            if request.url() == expected {
                Ok(())
            } else {
                Err(400)
            }
        }
    }
}

/// A body that arrives a byte at a time.
struct Drip {
    body: Vec<u8>,
    at: usize,
    interval: Duration,
}

impl Read for Drip {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.body.len() || buffer.is_empty() {
            return Ok(0);
        }
        std::thread::sleep(self.interval);
        buffer[0] = self.body[self.at];
        self.at += 1;
        Ok(1)
    }
}
