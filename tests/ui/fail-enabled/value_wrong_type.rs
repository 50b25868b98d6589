use chaos::chaos;

// The expression is of the wrong type: the compiler's error, on the expression.
#[chaos(value = 42, rate = 1.0)]
fn table_name() -> String {
    String::from("orders")
}

#[chaos(value = Ok("none"), one_in = 10)]
async fn list() -> Result<Vec<u32>, std::io::Error> {
    Ok(vec![1])
}

#[chaos(value = None, when = "after")]
fn after(x: u32) -> Result<u32, String> {
    Ok(x)
}

struct Store;

#[async_trait::async_trait]
trait Get {
    async fn get(&self) -> Option<String>;
}

#[async_trait::async_trait]
impl Get for Store {
    #[chaos(value = Some(1))]
    async fn get(&self) -> Option<String> {
        None
    }
}

fn main() {}
