//! Signatures `#[chaos]` must survive, with the signature kept exactly as written.
#![forbid(unsafe_op_in_unsafe_fn)]
#![deny(warnings)]

use std::fmt::Debug;
use std::sync::Arc;

use chaos::chaos;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Doc comments stay on the function.
#[chaos(latency_ms = 1, rate = 0.0)]
fn generic<T: Clone + Debug, const N: usize>(items: [T; N]) -> Vec<T>
where
    T: PartialEq,
{
    items.to_vec()
}

#[chaos(error = "lifetimes", rate = 0.0)]
fn lifetimes<'a, 'b: 'a>(a: &'a str, _b: &'b str) -> Result<&'a str, Error> {
    Ok(a)
}

#[chaos(error = "elided", rate = 0.0)]
fn elided(a: &str) -> Result<&str, Error> {
    Ok(a)
}

struct Point2 {
    x: i64,
    y: i64,
}

#[chaos(error = "destructured", rate = 0.0)]
fn destructured(Point2 { x, y }: Point2, (a, _): (i64, i64)) -> Result<i64, Error> {
    Ok(x + y + a)
}

#[chaos(latency_ms = 1, rate = 0.0)]
fn impl_trait_in_and_out(items: impl IntoIterator<Item = u8>) -> impl Iterator<Item = u8> {
    items.into_iter().map(|b| b + 1)
}

#[chaos(panic = "impl trait panic", rate = 0.0)]
fn impl_trait_panic() -> impl Debug {
    42
}

/// An `async fn` whose output is opaque: its faulted path (`settle`) is given a conversion
/// whose type is the output's, which only inference can name.
#[chaos(latency_ms = 1, rate = 0.0)]
async fn async_impl_trait<'a>(name: &'a str) -> impl Debug + 'a {
    name
}

#[chaos(panic = "async impl trait panic", rate = 0.0)]
async fn async_impl_trait_panic() -> impl Debug {
    42
}

#[chaos(latency_ms = 1, rate = 0.0)]
fn no_return_type(counter: &mut u32) {
    *counter += 1;
}

#[chaos(error = "question mark", rate = 0.0)]
fn question_mark_and_early_return(input: &str) -> Result<u32, Error> {
    if input.is_empty() {
        return Ok(0);
    }
    let parsed: u32 = input.parse()?;
    Ok(parsed)
}

#[chaos(error = "inner attributes", rate = 0.0)]
fn inner_attributes() -> Result<u32, Error> {
    #![allow(unused_variables)]
    let unused = 1;
    Ok(2)
}

#[chaos(latency_ms = 1, rate = 0.0)]
unsafe fn unsafe_fn(p: *const u32) -> u32 {
    // SAFETY: callers pass a valid pointer.
    unsafe { *p }
}

pub(crate) struct Service {
    calls: u32,
}

impl Service {
    #[chaos(error = "new", rate = 0.0)]
    pub(crate) fn new() -> Result<Self, Error> {
        Ok(Service { calls: 0 })
    }

    #[chaos(error = "by ref", rate = 0.0)]
    fn by_ref(&self) -> Result<u32, Error> {
        Ok(self.calls)
    }

    #[chaos(error = "by mut ref", rate = 0.0)]
    fn by_mut_ref(&mut self) -> Result<u32, Error> {
        self.calls += 1;
        Ok(self.calls)
    }

    #[chaos(error = "by value", rate = 0.0)]
    fn by_value(self) -> Result<u32, Error> {
        Ok(self.calls)
    }

    #[chaos(error = "by arc", rate = 0.0)]
    async fn by_arc(self: Arc<Self>) -> Result<u32, Error> {
        Ok(self.calls)
    }

    #[chaos(error = "async ref", rate = 0.0)]
    async fn async_ref<'s>(&'s self, suffix: &'s str) -> Result<&'s str, Error> {
        let _ = self.calls;
        Ok(suffix)
    }
}

fn main() {
    assert_eq!(generic([1, 2, 3]), vec![1, 2, 3]);
    assert_eq!(lifetimes("a", "b").unwrap(), "a");
    assert_eq!(elided("e").unwrap(), "e");
    assert_eq!(destructured(Point2 { x: 1, y: 2 }, (3, 4)).unwrap(), 6);
    assert_eq!(impl_trait_in_and_out([1, 2]).collect::<Vec<_>>(), vec![2, 3]);
    assert_eq!(format!("{:?}", impl_trait_panic()), "42");
    let mut counter = 0;
    no_return_type(&mut counter);
    assert_eq!(counter, 1);
    assert_eq!(question_mark_and_early_return("").unwrap(), 0);
    assert!(question_mark_and_early_return("x").is_err());
    assert_eq!(inner_attributes().unwrap(), 2);
    assert_eq!(unsafe { unsafe_fn(&5) }, 5);
    let mut service = Service::new().unwrap();
    assert_eq!(service.by_mut_ref().unwrap(), 1);
    assert_eq!(service.by_ref().unwrap(), 1);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let shared = Arc::new(Service::new().unwrap());
    assert_eq!(runtime.block_on(shared.clone().by_arc()).unwrap(), 0);
    assert_eq!(runtime.block_on(shared.async_ref("s")).unwrap(), "s");
    assert_eq!(service.by_value().unwrap(), 1);
    assert_eq!(format!("{:?}", runtime.block_on(async_impl_trait("n"))), "\"n\"");
    assert_eq!(format!("{:?}", runtime.block_on(async_impl_trait_panic())), "42");
}
