//! A stand-in for the network: answers every request at once with an empty DynamoDB answer
//! (`200 {}`), and keeps how many requests reached it and which headers they carried.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;

/// What reached the network: the number of requests, and every header name seen.
#[derive(Debug, Default)]
struct Seen {
    requests: usize,
    headers: BTreeSet<String>,
}

/// The stand-in network; its clones share what they saw.
#[derive(Debug, Clone, Default)]
pub struct Network(Arc<Mutex<Seen>>);

impl Network {
    /// How many requests reached it.
    pub fn requests(&self) -> usize {
        self.0.lock().unwrap().requests
    }

    /// Whether any request carried the header `name`.
    pub fn saw_header(&self, name: &str) -> bool {
        self.0.lock().unwrap().headers.contains(name)
    }
}

impl HttpClient for Network {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for Network {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        {
            let mut seen = self.0.lock().unwrap();
            seen.requests += 1;
            for (name, _) in request.headers().iter() {
                if !seen.headers.contains(name) {
                    seen.headers.insert(name.to_string());
                }
            }
        }
        let ok = StatusCode::try_from(200u16).expect("200 is a status");
        let mut answer = HttpResponse::new(ok, SdkBody::from("{}"));
        answer
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.0");
        HttpConnectorFuture::ready(Ok(answer))
    }
}
