//! Prototype: a wrapping HttpClient answers faulted attempts with synthetic responses;
//! an optional interceptor tags each attempt's request with Metadata + Region from the ConfigBag.
use aws_config::{retry::RetryConfig, BehaviorVersion, Region};
use aws_sdk_dynamodb as ddb;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextMut, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, Metadata};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use ddb::types::{AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode { Pass, Throttle, Denied, Unavailable, Io, Timeout }

#[derive(Debug, Clone)]
struct Shared { mode: Arc<Mutex<Mode>>, sent: Arc<AtomicUsize>, dump: Arc<AtomicUsize> }

#[derive(Debug, Clone)]
struct Target { service: String, operation: String, region: Option<String> }

#[derive(Debug)]
struct ChaosClient { inner: SharedHttpClient, s: Shared }
impl HttpClient for ChaosClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(ChaosConnector { inner: self.inner.http_connector(settings, components), s: self.s.clone() })
    }
}
#[derive(Debug)]
struct ChaosConnector { inner: SharedHttpConnector, s: Shared }

fn synthetic(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    let mut b = http::Response::builder().status(status);
    for (k, v) in headers { b = b.header(*k, *v); }
    HttpResponse::try_from(b.body(SdkBody::from(body.to_owned())).unwrap()).unwrap()
}

impl HttpConnector for ChaosConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        if self.s.dump.fetch_add(1, SeqCst) < 1 {
            println!("-- what the connector sees: {} {}", request.method(), request.uri());
            for (k, v) in request.headers() {
                let v = if k == "authorization" { v.split(", Signature").next().unwrap() } else { v };
                println!("   {k}: {v}");
            }
            println!("   extension Target: {:?}", request.extension::<Target>());
        }
        let json = |code: &str| format!(r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"chaos: injected"}}"#);
        let h = [("content-type", "application/x-amz-json-1.0"), ("x-amzn-requestid", "CHAOS")];
        match *self.s.mode.lock().unwrap() {
            Mode::Pass => { self.s.sent.fetch_add(1, SeqCst); self.inner.call(request) }
            Mode::Throttle => HttpConnectorFuture::ready(Ok(synthetic(400, &h, &json("ProvisionedThroughputExceededException")))),
            Mode::Denied => HttpConnectorFuture::ready(Ok(synthetic(400, &h, &json("AccessDeniedException")))),
            Mode::Unavailable => HttpConnectorFuture::ready(Ok(synthetic(503, &h, &json("ServiceUnavailable")))),
            Mode::Io => HttpConnectorFuture::ready(Err(ConnectorError::io("chaos: connection refused".into()))),
            Mode::Timeout => HttpConnectorFuture::new(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(ConnectorError::timeout("chaos: read timeout".into()))
            }),
        }
    }
}

#[derive(Debug, Default)]
struct Tagger { attempts: Arc<AtomicUsize> }
impl Intercept for Tagger {
    fn name(&self) -> &'static str { "ChaosTagger" }
    fn read_before_attempt(&self, _: &BeforeTransmitInterceptorContextRef<'_>, _: &RuntimeComponents, _: &mut ConfigBag) -> Result<(), BoxError> {
        self.attempts.fetch_add(1, SeqCst); Ok(())
    }
    fn modify_before_transmit(&self, ctx: &mut BeforeTransmitInterceptorContextMut<'_>, _: &RuntimeComponents, cfg: &mut ConfigBag) -> Result<(), BoxError> {
        let md = cfg.load::<Metadata>().expect("Metadata in bag");
        let t = Target { service: md.service().into(), operation: md.name().into(),
            region: cfg.load::<aws_types::region::SigningRegion>().map(|r| r.as_ref().to_owned())
                .or_else(|| cfg.load::<Region>().map(|r| r.to_string())) };
        ctx.request_mut().add_extension(t); Ok(())
    }
}

#[tokio::main]
async fn main() {
    let port = std::env::var("MOTO_PORT").unwrap_or("5000".into());
    let t0 = Instant::now();
    let base = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .region(Region::new("us-east-1"))
        .credentials_provider(ddb::config::Credentials::new("test", "test", None, None, "static"))
        .retry_config(RetryConfig::standard().with_max_attempts(4).with_initial_backoff(Duration::from_millis(20)))
        .load().await;
    let s = Shared { mode: Arc::new(Mutex::new(Mode::Pass)), sent: Default::default(), dump: Default::default() };
    // the "one line" on an SdkConfig: only the http client can be set there
    println!("SdkConfig from aws_config carries an http client: {}", base.http_client().is_some());
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    let inner = aws_smithy_http_client::Builder::new().tls_provider(Provider::Rustls(CryptoMode::AwsLc)).build_https();
    let sdk = base.to_builder().http_client(ChaosClient { inner, s: s.clone() }).build();
    let attempts = Arc::new(AtomicUsize::new(0));
    let conf = ddb::config::Builder::from(&sdk).interceptor(Tagger { attempts: attempts.clone() }).build();
    let client = ddb::Client::from_conf(conf);

    client.create_table().table_name("t")
        .attribute_definitions(AttributeDefinition::builder().attribute_name("pk").attribute_type(ScalarAttributeType::S).build().unwrap())
        .key_schema(KeySchemaElement::builder().attribute_name("pk").key_type(KeyType::Hash).build().unwrap())
        .billing_mode(BillingMode::PayPerRequest).send().await.expect("create_table");
    client.put_item().table_name("t").item("pk", AttributeValue::S("a".into())).item("v", AttributeValue::N("1".into())).send().await.expect("put");
    let got = client.get_item().table_name("t").key("pk", AttributeValue::S("a".into())).send().await.expect("get");
    println!("unfaulted: create/put/get ok, item = {:?} ({:?} since start)", got.item(), t0.elapsed());

    for mode in [Mode::Throttle, Mode::Denied, Mode::Unavailable, Mode::Io, Mode::Timeout] {
        *s.mode.lock().unwrap() = mode;
        attempts.store(0, SeqCst);
        let sent0 = s.sent.load(SeqCst);
        let t = Instant::now();
        let err = client.put_item().table_name("t").item("pk", AttributeValue::S(format!("{mode:?}"))).send().await.unwrap_err();
        let el = t.elapsed();
        use ddb::error::ProvideErrorMetadata;
        let svc = err.as_service_error();
        println!("{mode:?}: attempts={} reached_service={} in {:?}; code={:?} throughput_exceeded={:?} unhandled={:?}; sdk_error={}",
            attempts.load(SeqCst), s.sent.load(SeqCst) - sent0, el, svc.and_then(|e| e.code()),
            svc.map(|e| e.is_provisioned_throughput_exceeded_exception()),
            svc.map(|e| matches!(e, ddb::operation::put_item::PutItemError::Unhandled(_))),
            match &err { ddb::error::SdkError::DispatchFailure(d) => format!("DispatchFailure(io={}, timeout={})", d.is_io(), d.is_timeout()), e => format!("{:?}", std::mem::discriminant(e)).chars().take(0).collect::<String>() + &format!("{}", e) });
    }
    *s.mode.lock().unwrap() = Mode::Throttle;
    let mut per_call = vec![];
    for i in 0..40 {
        attempts.store(0, SeqCst);
        let e = client.put_item().table_name("t").item("pk", AttributeValue::S(format!("q{i}"))).send().await.unwrap_err();
        per_call.push(attempts.load(SeqCst));
        if i == 39 { println!("last error: {}", aws_smithy_types::error::display::DisplayErrorContext(&e)); }
    }
    println!("retry quota: attempts per throttled call over 40 calls: {per_call:?}");
    *s.mode.lock().unwrap() = Mode::Pass;
    for pk in ["Throttle", "Denied"] {
        let got = client.get_item().table_name("t").key("pk", AttributeValue::S(pk.into())).send().await.expect("get");
        println!("after {pk}: item in table = {}", got.item().is_some());
    }
}
