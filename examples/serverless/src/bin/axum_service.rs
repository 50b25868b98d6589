//! An axum service with `#[chaos]` on its handlers and a `ChaosLayer` around its routes (both in
//! `src/lib.rs`).
//!
//! ```sh
//! cargo run --bin axum_service                      # chaos compiled in, rates from the attributes
//! PORT=8080 CHAOS_CONFIG='{"points":{"service::hello":{"rate":1.0}}}' cargo run --bin axum_service
//! CHAOS_CONFIG='{"points":{"api::router":{"rate":1.0}}}' cargo run --bin axum_service  # all 503 but /health
//! cargo run --bin axum_service --no-default-features  # chaos compiled out
//! curl -i http://127.0.0.1:3000/hello/ferris        # now and then: 503 with x-chaos-fault
//! ```

use std::net::Ipv4Addr;

use tokio::net::TcpListener;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // Reads CHAOS_* now (compiled out, there is nothing to read): a bad variable fails the start
    // rather than turning chaos off unnoticed at the first call.
    chaos::init()?;

    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|e| format!("PORT={port:?} is not a port number: {e}"))?,
        Err(_) => 3000,
    };
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    eprintln!(
        "listening on http://{} (chaos compiled {})",
        listener.local_addr()?,
        if chaos::ENABLED { "in" } else { "out" }
    );
    axum::serve(listener, chaos_serverless_examples::app()).await?;
    Ok(())
}
