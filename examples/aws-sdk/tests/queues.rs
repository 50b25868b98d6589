//! SQS and SNS through their SDKs against moto: SQS speaks JSON but names its errors as its old
//! query protocol did (the `x-amzn-query-error` header), SNS speaks the query protocol (XML
//! errors). Each SDK must read chaos's answers as its service's own. Needs `moto_server`.

mod common;

#[cfg(feature = "chaos")]
mod faulted {
    use super::common::{self, Attempts, MAX_ATTEMPTS, Moto, plain_http};
    use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};

    #[tokio::test]
    async fn sqs_throttling_is_its_own_request_throttled_and_retried() {
        let throttled = chaos::point!(
            name = "test::sqs_sends",
            aws_service = "sqs",
            aws_operations = ["SendMessage"],
            aws_error = "throttling",
            rate = 1.0
        );
        let denied = chaos::point!(
            name = "test::sqs_receives",
            aws_service = "sqs",
            aws_operations = ["ReceiveMessage"],
            aws_error = "access_denied",
            rate = 1.0
        );
        let moto = Moto::start();
        let attempts = Attempts::default();
        let http = chaos::aws_sdk::http_client(plain_http())
            .point(throttled)
            .point(denied);
        let shared = common::sdk_config(&moto, "us-east-1", http).await;
        let config = aws_sdk_sqs::config::Builder::from(&shared)
            .retry_partition(aws_sdk_sqs::config::retry::RetryPartition::new("sqs"))
            .interceptor(attempts.clone())
            .build();
        let sqs = aws_sdk_sqs::Client::from_conf(config);
        let queue = sqs
            .create_queue()
            .queue_name("orders")
            .send()
            .await
            .expect("create");
        let url = queue.queue_url().unwrap().to_string();
        attempts.take();

        let sent = sqs
            .send_message()
            .queue_url(&url)
            .message_body("order 1")
            .send()
            .await;
        let Err(SdkError::ServiceError(error)) = sent else {
            panic!("expected SQS's error, got {sent:?}");
        };
        assert!(error.err().is_request_throttled(), "{:?}", error.err());
        assert_eq!(attempts.take(), MAX_ATTEMPTS, "throttling is retried");

        let received = sqs.receive_message().queue_url(&url).send().await;
        let Err(SdkError::ServiceError(error)) = received else {
            panic!("expected SQS's error, got {received:?}");
        };
        assert_eq!(error.err().code(), Some("AccessDenied"));
        assert_eq!(error.raw().status().as_u16(), 403);
        assert_eq!(attempts.take(), 1, "access denied is not retried");
    }

    #[tokio::test]
    async fn sns_access_denied_is_its_own_authorization_error() {
        let denied = chaos::point!(
            name = "test::sns_publish",
            aws_service = "sns",
            aws_operations = ["Publish"],
            aws_error = "access_denied",
            rate = 1.0
        );
        let throttled = chaos::point!(
            name = "test::sns_list",
            aws_service = "sns",
            aws_operations = ["ListTopics"],
            aws_error = "throttling",
            rate = 1.0
        );
        let moto = Moto::start();
        let attempts = Attempts::default();
        let http = chaos::aws_sdk::http_client(plain_http())
            .point(denied)
            .point(throttled);
        let shared = common::sdk_config(&moto, "us-east-1", http).await;
        let config = aws_sdk_sns::config::Builder::from(&shared)
            .retry_partition(aws_sdk_sns::config::retry::RetryPartition::new("sns"))
            .interceptor(attempts.clone())
            .build();
        let sns = aws_sdk_sns::Client::from_conf(config);
        let topic = sns
            .create_topic()
            .name("orders")
            .send()
            .await
            .expect("create");
        let arn = topic.topic_arn().unwrap().to_string();
        attempts.take();

        let published = sns
            .publish()
            .topic_arn(&arn)
            .message("order 1")
            .send()
            .await;
        let Err(aws_sdk_sns::error::SdkError::ServiceError(error)) = published else {
            panic!("expected SNS's error, got {published:?}");
        };
        assert!(
            error.err().is_authorization_error_exception(),
            "{:?}",
            error.err()
        );
        assert_eq!(attempts.take(), 1, "access denied is not retried");

        let listed = sns.list_topics().send().await;
        let Err(aws_sdk_sns::error::SdkError::ServiceError(error)) = listed else {
            panic!("expected SNS's error, got {listed:?}");
        };
        assert_eq!(error.err().code(), Some("Throttling"));
        assert_eq!(attempts.take(), MAX_ATTEMPTS, "throttling is retried");
    }
}
