//! Signatures `value = <expression>` must survive: the expression is checked against each
//! return type, and may use the arguments.
#![deny(warnings)]

use chaos::chaos;

#[derive(Debug, Clone, PartialEq)]
struct Item(u32);

#[chaos(value = String::from("no-such-table"), rate = 1.0)]
fn table_name() -> String {
    String::from("orders")
}

// A wrong-but-well-formed answer; the error type carries no `chaos::Fault`.
#[chaos(value = Ok(vec![]), one_in = 10)]
async fn list() -> Result<Vec<Item>, std::io::Error> {
    tokio::task::yield_now().await;
    Ok(vec![Item(1)])
}

// The expression may use the arguments, and coerce as a `return` would.
#[chaos(value = fallback, rate = 0.0)]
fn first<T: Clone>(items: &[T], fallback: T) -> T {
    items.first().cloned().unwrap_or(fallback)
}

#[chaos(value = "wrong", rate = 1.0)]
fn label(_id: u32) -> &'static str {
    "right"
}

// Nothing to return: the body is skipped (a lost write).
#[chaos(value = (), rate = 0.0)]
fn write(log: &mut Vec<u32>, x: u32) {
    log.push(x);
}

#[chaos(value = 0, when = "after", rate = 0.0)]
async fn charge(amount: u64) -> u64 {
    tokio::task::yield_now().await;
    amount
}

#[chaos(value = Err("lost".into()), when = "after", rate = 0.0, latency_ms = 1)]
fn parse(input: &str) -> Result<u8, Box<dyn std::error::Error + Send + Sync>> {
    Ok(input.parse::<u8>()?)
}

struct Account {
    balance: u64,
}

impl Account {
    #[chaos(value = Account { balance: 1_000_000 }, rate = 0.0)]
    fn open() -> Self {
        Account { balance: 0 }
    }

    #[chaos(value = &self.balance, rate = 0.0)]
    fn balance(&self) -> &u64 {
        &self.balance
    }

    #[chaos(value = self.balance + 1, rate = 0.0, name = "pass::account::projected")]
    async fn projected(&self) -> u64 {
        tokio::task::yield_now().await;
        self.balance
    }
}

trait Store {
    async fn get(&self, key: &str) -> Option<String>;
}

impl Store for Account {
    #[chaos(value = None, rate = 0.0)]
    async fn get(&self, key: &str) -> Option<String> {
        Some(key.to_uppercase())
    }
}

#[async_trait::async_trait]
trait Remote {
    async fn fetch(&self, id: u32) -> Result<u32, String>;
}

#[async_trait::async_trait]
impl Remote for Account {
    #[chaos(value = Ok(id + 1), rate = 0.0)]
    async fn fetch(&self, id: u32) -> Result<u32, String> {
        Ok(id)
    }
}

macro_rules! wrong_by {
    ($name:ident, $value:expr) => {
        #[chaos(value = $value, rate = 0.0)]
        fn $name(x: u32) -> u32 {
            x
        }
    };
}

wrong_by!(through_a_fragment, 2 * 7);

// Beside a status: the return type carries faults, and the value is one of two outcomes a
// configuration can choose.
#[chaos(value = Ok(0), max_concurrency = 4, rate = 0.0)]
fn limited() -> Result<u32, chaos::Fault> {
    Ok(1)
}

fn main() {
    assert_eq!(table_name(), if chaos::ENABLED { "no-such-table" } else { "orders" });
    assert_eq!(label(1), if chaos::ENABLED { "wrong" } else { "right" });
    assert_eq!(first(&[1, 2], 9), 1);
    let mut log = Vec::new();
    write(&mut log, 3);
    assert_eq!(log, [3]);
    let account = Account::open();
    assert_eq!(*account.balance(), 0);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    runtime.block_on(async {
        assert_eq!(list().await.unwrap().len(), 1);
        assert_eq!(charge(5).await, 5);
        assert_eq!(account.projected().await, 0);
        assert_eq!(account.get("k").await.as_deref(), Some("K"));
        assert_eq!(account.fetch(4).await, Ok(4));
    });
    assert_eq!(parse("7").unwrap(), 7);
    assert_eq!(through_a_fragment(3), 3);
    assert_eq!(limited().unwrap(), 1);
}
