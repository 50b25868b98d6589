//! The orders function under Lambda: `cargo lambda watch`, then `cargo lambda invoke --data-ascii
//! '{"id": "1", "item": "book"}'` (TABLE_NAME names the table; AWS_ENDPOINT_URL points the SDK
//! at a local DynamoDB such as moto's, with any static credentials).

use chaos_aws_sdk_example::{Order, Saved, default_https_client, http_client, save_order};
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http_client(default_https_client()))
        .load()
        .await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = std::env::var("TABLE_NAME").unwrap_or_else(|_| "orders".to_string());
    lambda_runtime::run(service_fn(|event: LambdaEvent<Order>| {
        let (client, table) = (&client, &table);
        async move {
            let saved: Saved = save_order(client, table, &event.payload).await?;
            Ok::<Saved, Error>(saved)
        }
    }))
    .await
}
