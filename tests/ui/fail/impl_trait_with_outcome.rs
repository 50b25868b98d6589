use chaos::chaos;

#[chaos(status = 503)]
fn opaque() -> impl std::fmt::Display {
    1
}

#[chaos(error = "hidden")]
async fn opaque_async() -> Result<impl std::fmt::Display, chaos::Fault> {
    Ok(1)
}

fn main() {}
