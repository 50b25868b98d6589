use chaos::chaos;

#[chaos(status = 503)]
fn plain_integer() -> u32 {
    1
}

#[chaos(error = "no room for an error")]
fn unit() {}

#[chaos(error = "string errors cannot hold a fault")]
fn string_error() -> Result<u32, String> {
    Ok(1)
}

#[chaos(status = 500)]
async fn async_option() -> Option<u32> {
    Some(1)
}


#[chaos(max_concurrency = 4)]
fn throttled_unit() {}

fn main() {}
