//! Signatures `when = "after"` must survive: the body runs inside a closure or async block.
#![deny(warnings)]

use chaos::chaos;

type Error = Box<dyn std::error::Error + Send + Sync>;

struct Account {
    balance: u64,
}

impl Account {
    #[chaos(error = "lost", when = "after", rate = 0.0)]
    fn deposit(&mut self, amount: u64) -> Result<&mut u64, Error> {
        self.balance += amount;
        Ok(&mut self.balance)
    }

    #[chaos(error = "lost", when = "after", rate = 0.0)]
    async fn balance(&self) -> Result<u64, Error> {
        tokio::task::yield_now().await;
        Ok(self.balance)
    }

    #[chaos(error = "lost", when = "after", rate = 0.0)]
    fn open() -> Result<Self, Error> {
        Ok(Account { balance: 0 })
    }
}

#[chaos(error = "lost", when = "after", rate = 0.0)]
fn generic<T: std::str::FromStr>(input: &str) -> Result<T, Error>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    Ok(input.parse::<T>()?)
}

fn main() {
    let mut account = Account::open().unwrap();
    *account.deposit(5).unwrap() += 1;
    assert_eq!(account.balance, 6);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    assert_eq!(runtime.block_on(account.balance()).unwrap(), 6);
    assert_eq!(generic::<u8>("7").unwrap(), 7);
    assert!(generic::<u8>("x").is_err());
}
