//! What chaos itself needs from the SDK runtime: no http crate, no TLS, no tokio beyond what runtime-api pulls.
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector};
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, Metadata};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_async::rt::sleep::AsyncSleep;

#[derive(Debug, Clone)]
pub struct Target { pub service: String, pub operation: String, pub region: Option<String> }

#[derive(Debug)]
pub struct Client { pub inner: SharedHttpClient }
impl HttpClient for Client {
    fn http_connector(&self, s: &HttpConnectorSettings, c: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(Conn { inner: self.inner.http_connector(s, c), sleep: c.sleep_impl() })
    }
}
#[derive(Debug)]
pub struct Conn { inner: SharedHttpConnector, sleep: Option<aws_smithy_async::rt::sleep::SharedAsyncSleep> }
impl HttpConnector for Conn {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let scope = request.headers().get("authorization").and_then(|a| a.split("Credential=").nth(1)).map(|s| s.split('/').skip(2).take(2).collect::<Vec<_>>());
        let target = request.extension::<Target>().cloned();
        match (scope, target) {
            (Some(_), Some(t)) if t.operation == "PutItem" => {
                let mut r = HttpResponse::new(StatusCode::try_from(400).unwrap(), SdkBody::from(r#"{"__type":"ThrottlingException"}"#));
                r.headers_mut().insert("content-type", "application/x-amz-json-1.0");
                HttpConnectorFuture::ready(Ok(r))
            }
            (None, _) => HttpConnectorFuture::ready(Err(ConnectorError::io("refused".into()))),
            _ => {
                let inner = self.inner.clone();
                let sleep = self.sleep.clone();
                HttpConnectorFuture::new(async move {
                    if let Some(s) = sleep { s.sleep(std::time::Duration::from_millis(10)).await; }
                    let _ = ConnectorError::timeout("t".into());
                    inner.call(request).await
                })
            }
        }
    }
}
#[derive(Debug)]
pub struct Tag;
impl Intercept for Tag {
    fn name(&self) -> &'static str { "chaos" }
    fn modify_before_transmit(&self, ctx: &mut BeforeTransmitInterceptorContextMut<'_>, _: &RuntimeComponents, cfg: &mut ConfigBag) -> Result<(), BoxError> {
        if let Some(md) = cfg.load::<Metadata>() {
            let t = Target { service: cfg.load::<aws_types::SigningName>().map(|n| n.as_ref().to_owned()).unwrap_or(md.service().to_lowercase()),
                operation: md.name().into(),
                region: cfg.load::<aws_types::region::SigningRegion>().map(|r| r.as_ref().to_owned()) };
            ctx.request_mut().add_extension(t);
        }
        Ok(())
    }
}
