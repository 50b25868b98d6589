//! `#[chaos]` written by a `macro_rules!` macro, with the keys and values passed through as
//! tokens and as `$v:expr` fragments (which arrive wrapped in invisible groups).
#![deny(warnings)]

type Error = Box<dyn std::error::Error + Send + Sync>;

macro_rules! faulty {
    ($name:ident, $($args:tt)*) => {
        #[chaos::chaos($($args)*)]
        fn $name(x: u32) -> Result<u32, Error> {
            Ok(x)
        }
    };
}

macro_rules! with_status {
    ($name:ident, $status:expr, $rate:expr) => {
        #[chaos::chaos(status = $status, rate = $rate)]
        async fn $name(x: u32) -> Result<u32, Error> {
            Ok(x)
        }
    };
}

faulty!(through_tokens, error = "from a macro", rate = 0.0);
faulty!(status_through_tokens, status = 503, rate = 0.0);
with_status!(through_fragments, 503, 0.0);

fn main() {
    assert_eq!(through_tokens(1).unwrap(), 1);
    assert_eq!(status_through_tokens(2).unwrap(), 2);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    assert_eq!(runtime.block_on(through_fragments(3)).unwrap(), 3);
}
