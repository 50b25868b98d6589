//! [`ChaosLayer`] (feature `tower`): a point's faults applied to any tower service of HTTP
//! requests: an axum router or route, a lambda_http service, an HTTP client.
//!
//! ```text
//! call(request) ──► host denied? (deny_hosts) ──no──► inner.call(request)        (untouched)
//!                        │ yes, or no deny_hosts
//!                        ▼
//!                 permit (max_concurrency) ──throttled──► answer 429
//!                        ▼
//!                 decide ──not faulted──► inner.call(request)           (permit held to the end)
//!                        │ faulted
//!                        ▼
//!                 sleep(latency) ──► outcome? ──► answer it (inner never called), or after
//!                        │ no outcome             inner's answer when `when = "after"`
//!                        ▼
//!                 inner's answer, without its `access-control-*` headers if `strip_cors`
//! ```

use std::marker::PhantomData;

use super::LayerPoint;
use crate::fault::Fault;
use crate::fault::dispatch::panic_if_panic;

/// How a [`ChaosLayer`] hands a fault to its caller: as the service's response
/// ([`Responses`], for servers) or as its error ([`Errors`], for clients).
pub trait Answer<Response, Error> {
    /// The fault as the service's result. A `panic` fault panics.
    fn answer(fault: Fault) -> Result<Response, Error>;
}

/// Faults become responses (`Response: FaultReturn`): a server's way, so the client sees a 503,
/// a 429 or a 502 with the `x-chaos-fault` header.
#[derive(Debug, Clone, Copy, Default)]
pub struct Responses;

/// Faults become errors (`Error: From<Fault>`): a client's way, so a denied host fails as a
/// connection error would, before any response exists.
#[derive(Debug, Clone, Copy, Default)]
pub struct Errors;

impl<R: crate::FaultReturn, E> Answer<R, E> for Responses {
    fn answer(fault: Fault) -> Result<R, E> {
        panic_if_panic(&fault);
        Ok(R::from_fault(fault))
    }
}

impl<R, E: From<Fault>> Answer<R, E> for Errors {
    fn answer(fault: Fault) -> Result<R, E> {
        panic_if_panic(&fault);
        Err(E::from(fault))
    }
}

/// The headers of a service's response: what `strip_cors` takes the CORS headers from.
///
/// Implemented for `http::Response<B>`, which is what tower services of HTTP requests answer
/// (axum, hyper, lambda_http). A compiled-in [`ChaosLayer`] needs it of the service's response,
/// since any layer point can be given `strip_cors` at run time; a response type of your own
/// implements it (`None` for one without headers, where `strip_cors` then changes nothing).
///
/// ```
/// use chaos_core::layer::ResponseHeaders;
///
/// let mut response = http::Response::new("ok");
/// response.headers_mut().insert("access-control-allow-origin", "*".parse().unwrap());
/// let headers = ResponseHeaders::headers_mut(&mut response).unwrap();
/// assert_eq!(headers["access-control-allow-origin"], "*");
/// ```
#[diagnostic::on_unimplemented(
    message = "a `ChaosLayer` cannot reach the headers of `{Self}`",
    label = "the inner service answers `{Self}`",
    note = "`ChaosLayer` needs `http::Response<B>` (or a type implementing `chaos::layer::ResponseHeaders`) as the inner service's response, so that `strip_cors` can take its CORS headers off"
)]
pub trait ResponseHeaders {
    /// The response's headers, or `None` for a response that has none.
    fn headers_mut(&mut self) -> Option<&mut http::HeaderMap>;
}

impl<B> ResponseHeaders for http::Response<B> {
    fn headers_mut(&mut self) -> Option<&mut http::HeaderMap> {
        Some(http::Response::headers_mut(self))
    }
}

/// A [`tower::Layer`](tower_layer::Layer) that applies the faults of a point declared with
/// `chaos::point!` to every request through the service it wraps. The point is registered,
/// configured (by name, at run time) and counted like the points of `#[chaos]`.
///
/// Compiled out (without the `enabled` feature), the layer returns the service it wraps,
/// unchanged: no wrapper, no cost. So `ChaosService` and `ChaosFuture` exist only compiled in:
/// code that must build both ways names the layered service as `impl Service<..>` or
/// `<ChaosLayer<A> as Layer<S>>::Service`, not as `ChaosService<S, A>`.
///
/// ```
/// # #[cfg(feature = "runtime")] {
/// use chaos_core::layer::{ChaosLayer, Errors};
/// use tower_layer::Layer;
///
/// # fn point() -> chaos_core::LayerPoint { unimplemented!() }
/// # if false {
/// // A server: faults answer as responses.
/// let server = ChaosLayer::new(point());
/// // A client: faults (a denied host) fail as errors.
/// let client: ChaosLayer<Errors> = ChaosLayer::new(point()).errors();
/// # }
/// # }
/// ```
#[derive(Debug)]
pub struct ChaosLayer<A = Responses> {
    point: LayerPoint,
    answer: PhantomData<fn() -> A>,
}

impl<A> Clone for ChaosLayer<A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A> Copy for ChaosLayer<A> {}

impl ChaosLayer<Responses> {
    /// A layer injecting `point`'s faults, answering them as responses.
    pub fn new(point: LayerPoint) -> ChaosLayer<Responses> {
        ChaosLayer {
            point,
            answer: PhantomData,
        }
    }
}

impl<A> ChaosLayer<A> {
    /// The same layer, answering faults as the service's errors (`Error: From<Fault>`, as
    /// `tower::BoxError` is): for a client, where a denied host is a failed connection.
    pub fn errors(self) -> ChaosLayer<Errors> {
        ChaosLayer {
            point: self.point,
            answer: PhantomData,
        }
    }

    /// The point the layer injects.
    pub fn point(&self) -> LayerPoint {
        self.point
    }
}

#[cfg(not(feature = "runtime"))]
impl<S, A> tower_layer::Layer<S> for ChaosLayer<A> {
    type Service = S;

    fn layer(&self, inner: S) -> S {
        inner
    }
}

#[cfg(feature = "runtime")]
pub use active::{ChaosFuture, ChaosService};

#[cfg(feature = "runtime")]
mod active {
    use std::future::Future;
    use std::marker::PhantomData;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use pin_project_lite::pin_project;

    use super::{Answer, ChaosLayer, ResponseHeaders};
    use crate::runtime::data::delay::Delay;
    use crate::runtime::data::{Permit, Point};

    impl<S, A> tower_layer::Layer<S> for ChaosLayer<A> {
        type Service = ChaosService<S, A>;

        fn layer(&self, inner: S) -> ChaosService<S, A> {
            ChaosService {
                inner,
                point: self.point.point,
                answer: PhantomData,
            }
        }
    }

    /// The service a [`ChaosLayer`] wraps around `S`.
    #[derive(Debug)]
    pub struct ChaosService<S, A> {
        inner: S,
        point: &'static Point,
        answer: PhantomData<fn() -> A>,
    }

    impl<S: Clone, A> Clone for ChaosService<S, A> {
        fn clone(&self) -> Self {
            ChaosService {
                inner: self.inner.clone(),
                point: self.point,
                answer: PhantomData,
            }
        }
    }

    type Boxed<R, E> = Pin<Box<dyn Future<Output = Result<R, E>> + Send>>;

    pin_project! {
        /// The future of a [`ChaosService`]: the inner service's future as it is for a request
        /// that is not faulted, or the fault's delay and answer.
        pub struct ChaosFuture<F, R, E> {
            #[pin]
            state: State<F, R, E>,
        }
    }

    pin_project! {
        #[project = StateProjection]
        enum State<F, R, E> {
            // Not faulted: the inner future, with the request's place under `max_concurrency`
            // held until it completes.
            Passed { #[pin] future: F, permit: Permit },
            Faulted { future: Boxed<R, E> },
        }
    }

    impl<F, R, E> ChaosFuture<F, R, E> {
        fn passed(future: F, permit: Permit) -> Self {
            ChaosFuture {
                state: State::Passed { future, permit },
            }
        }

        fn faulted(future: Boxed<R, E>) -> Self {
            ChaosFuture {
                state: State::Faulted { future },
            }
        }
    }

    impl<F, R, E> Future for ChaosFuture<F, R, E>
    where
        F: Future<Output = Result<R, E>>,
    {
        type Output = Result<R, E>;

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<R, E>> {
            match self.project().state.project() {
                StateProjection::Passed { future, .. } => future.poll(cx),
                StateProjection::Faulted { future } => future.as_mut().poll(cx),
            }
        }
    }

    /// The request's host: the URI's (a client's request), or the `Host` header's without its
    /// port (a server's).
    fn host_of<B>(request: &http::Request<B>) -> Option<&str> {
        request.uri().host().or_else(|| {
            let host = request.headers().get(http::header::HOST)?.to_str().ok()?;
            // `[::1]:8080` keeps its brackets; `example.com:8080` loses its port.
            Some(match host.rfind(':') {
                Some(colon) if !host[colon..].contains(']') => &host[..colon],
                _ => host,
            })
        })
    }

    /// Takes every CORS header (`access-control-*`) off `response`, as a server without (or with
    /// a broken) CORS configuration answers, and marks it with the point's name (unless an inner
    /// fault marked it already).
    ///
    /// All of them, not only `access-control-allow-*`: without an allowed origin the browser
    /// ignores `expose-headers` and `max-age` anyway, and a misconfigured server sends none.
    fn strip_cors<R: ResponseHeaders>(response: &mut R, point: &'static str) {
        let Some(headers) = response.headers_mut() else {
            return;
        };
        let cors: Vec<http::HeaderName> = headers
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for name in cors {
            headers.remove(name);
        }
        if let Ok(point) = http::HeaderValue::from_str(point) {
            headers.entry(crate::FAULT_HEADER).or_insert(point);
        }
    }

    impl<S, A, B> tower_service::Service<http::Request<B>> for ChaosService<S, A>
    where
        S: tower_service::Service<http::Request<B>>,
        S::Future: Send + 'static,
        S::Response: ResponseHeaders + Send + 'static,
        S::Error: Send + 'static,
        A: Answer<S::Response, S::Error>,
    {
        type Response = S::Response;
        type Error = S::Error;
        type Future = ChaosFuture<S::Future, S::Response, S::Error>;

        fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
            self.inner.poll_ready(cx)
        }

        fn call(&mut self, request: http::Request<B>) -> Self::Future {
            let point = self.point;
            let host = host_of(&request);
            // With `deny_hosts`, requests to other hosts are not the point's business at all.
            if point.denies(host) == Some(false) {
                let future = self.inner.call(request);
                return ChaosFuture::passed(future, Permit::default());
            }
            let permit = match point.permit() {
                Ok(permit) => permit,
                Err(throttled) => {
                    let answer = A::answer(throttled);
                    return ChaosFuture::faulted(Box::pin(async move { answer }));
                }
            };
            let Some(injection) = point.decide() else {
                let future = self.inner.call(request);
                return ChaosFuture::passed(future, permit);
            };
            let latency = injection.latency();
            let after = injection.after();
            let strip = injection.strip_cors();
            let name = point.name();
            let fault = injection.into_fault_for_host(host);
            match fault {
                // The outcome replaces the call: the inner service never sees the request.
                Some(fault) if !after => ChaosFuture::faulted(Box::pin(async move {
                    let _permit = permit;
                    Delay::new(name, latency).await;
                    A::answer(fault)
                })),
                fault => {
                    let inner = self.inner.call(request);
                    ChaosFuture::faulted(Box::pin(async move {
                        let _permit = permit;
                        Delay::new(name, latency).await;
                        let answer = inner.await;
                        match fault {
                            // The work is done; its answer is lost on the way back.
                            Some(fault) => {
                                drop(answer);
                                A::answer(fault)
                            }
                            // The answer arrives, but a browser may not read it.
                            None if strip => answer.map(|mut response| {
                                strip_cors(&mut response, name);
                                response
                            }),
                            None => answer,
                        }
                    }))
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::strip_cors;

        #[test]
        fn every_cors_header_goes_and_the_others_stay() {
            let mut response = http::Response::builder()
                .header("access-control-allow-origin", "https://front.example")
                .header("access-control-allow-methods", "GET, PUT")
                .header("access-control-allow-headers", "x-client")
                .header("access-control-allow-credentials", "true")
                .header("access-control-expose-headers", "x-app")
                .header("access-control-expose-headers", "x-other")
                .header("access-control-max-age", "600")
                .header("vary", "origin")
                .header("x-app", "orders")
                .body("the orders")
                .unwrap();
            strip_cors(&mut response, "api::router");
            let mut names: Vec<&str> = response.headers().keys().map(|n| n.as_str()).collect();
            names.sort_unstable();
            assert_eq!(names, ["vary", "x-app", crate::FAULT_HEADER]);
            assert_eq!(response.headers()[crate::FAULT_HEADER], "api::router");
            assert_eq!(*response.body(), "the orders");
        }

        #[test]
        fn an_inner_fault_keeps_its_mark() {
            let mut response = http::Response::builder()
                .header(crate::FAULT_HEADER, "api::handler")
                .body(())
                .unwrap();
            strip_cors(&mut response, "api::router");
            assert_eq!(response.headers()[crate::FAULT_HEADER], "api::handler");
        }
    }
}
