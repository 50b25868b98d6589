use chaos::chaos;

#[chaos(status = 503)]
fn opaque() -> impl std::fmt::Display {
    1
}

#[chaos(error = "hidden")]
async fn opaque_async() -> Result<impl std::fmt::Display, chaos::Fault> {
    Ok(1)
}


// Both mistakes are reported in one build: the value out of range and the hidden return type.
#[chaos(status = 600)]
fn opaque_and_out_of_range() -> impl std::fmt::Display {
    1
}

fn main() {}
