//! Bodies and surroundings that shadow names the expansion uses: the expansion must reach
//! everything through absolute paths and keep the body's items out of its own code.
#![deny(warnings)]
#![no_implicit_prelude]

// Shadow `core`, `std` and `chaos` at the crate root.
#[allow(dead_code)]
mod core {}
#[allow(dead_code)]
mod chaos {}
#[allow(dead_code)]
mod std {}

#[allow(dead_code)]
mod shadows {
    pub struct Option;
    pub struct Some;
    pub struct None;
    pub struct Result;
    pub fn decide() {}
}

#[::chaos::chaos(error = "hygiene", rate = 0.0, latency_ms = 1)]
fn glob_import_in_body(x: u32) -> ::core::result::Result<u32, ::chaos::Fault> {
    #[allow(unused_imports)]
    use shadows::*;
    #[allow(dead_code)]
    mod core {}
    #[allow(dead_code)]
    static __CHAOS_POINT: u8 = 0;
    ::core::result::Result::Ok(x)
}

#[::chaos::chaos(error = "hygiene", rate = 0.0, latency_ms = 1)]
async fn async_glob_import_in_body(x: u32) -> ::core::result::Result<u32, ::chaos::Fault> {
    #[allow(unused_imports)]
    use shadows::*;
    let __chaos_injection = x;
    ::core::result::Result::Ok(__chaos_injection)
}

// `max_concurrency` enters through a labeled block of its own.
#[::chaos::chaos(status = 503, rate = 0.0, max_concurrency = 2)]
async fn async_limited(x: u32) -> ::core::result::Result<u32, ::chaos::Fault> {
    #[allow(unused_imports)]
    use shadows::*;
    let __chaos_faulted = x;
    ::core::result::Result::Ok(__chaos_faulted)
}

#[::chaos::chaos(status = 503, rate = 0.0, max_concurrency = 2)]
fn limited(x: u32) -> ::core::result::Result<u32, ::chaos::Fault> {
    let __chaos_held = x;
    ::core::result::Result::Ok(__chaos_held)
}

fn main() {
    ::std::assert_eq!(glob_import_in_body(3), ::core::result::Result::Ok(3));
    let _future = async_glob_import_in_body(4);
    ::std::assert_eq!(limited(5), ::core::result::Result::Ok(5));
    let _future = async_limited(6);
}
