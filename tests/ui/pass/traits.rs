//! Native `async fn` in traits and impls, and methods of an `#[async_trait]` impl.
#![deny(warnings)]

use async_trait::async_trait;
use chaos::chaos;

type Error = Box<dyn std::error::Error + Send + Sync>;

trait Store {
    fn key(&self) -> u32;

    // A default body in the trait itself.
    #[chaos(error = "trait default", rate = 0.0)]
    async fn load(&self) -> Result<u32, Error> {
        Ok(self.key())
    }

    async fn save(&self, value: u32) -> Result<u32, Error>;
}

struct Memory;

impl Store for Memory {
    fn key(&self) -> u32 {
        7
    }

    #[chaos(error = "impl method", rate = 0.0, latency_ms = 1)]
    async fn save(&self, value: u32) -> Result<u32, Error> {
        Ok(value)
    }
}

#[async_trait]
trait Remote {
    async fn fetch(&self, id: u64) -> Result<u64, Error>;
}

struct Client;

#[async_trait]
impl Remote for Client {
    #[chaos(error = "async-trait", rate = 0.0, latency_ms = 1)]
    async fn fetch(&self, id: u64) -> Result<u64, Error> {
        Ok(id + 1)
    }
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    assert_eq!(runtime.block_on(Memory.load()).unwrap(), 7);
    assert_eq!(runtime.block_on(assert_send(Memory.save(3))).unwrap(), 3);
    let remote: &dyn Remote = &Client;
    assert_eq!(runtime.block_on(remote.fetch(1)).unwrap(), 2);
}
