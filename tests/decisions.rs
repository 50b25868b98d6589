//! Which calls are faulted: `rate`, `one_in`, names, stacking, and the `panic` fault.
#![cfg(feature = "enabled")]

use chaos::{Fault, chaos};

type Error = Box<dyn std::error::Error + Send + Sync>;

fn injected(result: &Result<u32, Error>) -> bool {
    match result {
        Ok(_) => false,
        Err(e) => e.downcast_ref::<Fault>().is_some(),
    }
}

#[chaos(error = "never", rate = 0.0)]
fn rate_zero() -> Result<u32, Error> {
    Ok(1)
}

#[chaos(error = "always", rate = 1.0)]
fn rate_one() -> Result<u32, Error> {
    Ok(1)
}

#[chaos(error = "always", rate = 1)]
fn rate_one_written_as_integer() -> Result<u32, Error> {
    Ok(1)
}

#[chaos(error = "a quarter", rate = 0.25)]
fn rate_quarter() -> Result<u32, Error> {
    Ok(1)
}

#[chaos(error = "every fourth", one_in = 4)]
fn one_in_four() -> Result<u32, Error> {
    Ok(1)
}

#[chaos(error = "no rate given")]
fn default_rate() -> Result<u32, Error> {
    Ok(1)
}

#[test]
fn rate_zero_never_faults() {
    assert!((0..10_000).all(|_| !injected(&rate_zero())));
}

#[test]
fn rate_one_always_faults() {
    assert!((0..10_000).all(|_| injected(&rate_one())));
    assert!((0..1_000).all(|_| injected(&rate_one_written_as_integer())));
}

#[test]
fn rate_defaults_to_every_call() {
    assert!((0..1_000).all(|_| injected(&default_rate())));
}

#[test]
fn rate_quarter_lands_inside_a_binomial_bound() {
    let n = 20_000;
    let faulted = (0..n).filter(|_| injected(&rate_quarter())).count();
    // Mean 5000, standard deviation sqrt(n p (1-p)) = 61.2; six deviations either side make a
    // false failure a one-in-a-billion event.
    let (mean, sd) = (5_000.0, 61.24);
    let bound = 6.0 * sd;
    assert!(
        (faulted as f64 - mean).abs() < bound,
        "{faulted} of {n} calls faulted, expected {mean} +- {bound}"
    );
}

#[test]
fn one_in_four_faults_exactly_every_fourth_call() {
    let pattern: Vec<bool> = (0..40).map(|_| injected(&one_in_four())).collect();
    for (i, faulted) in pattern.iter().enumerate() {
        assert_eq!(*faulted, i % 4 == 3, "call {} of {pattern:?}", i + 1);
    }
}

#[test]
fn one_in_counts_calls_across_threads() {
    #[chaos(error = "every fifth", one_in = 5)]
    fn shared() -> Result<u32, Error> {
        Ok(1)
    }
    let faulted: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| s.spawn(|| (0..1_000).filter(|_| injected(&shared())).count()))
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert_eq!(faulted, 800);
}

fn fault_of(result: Result<u32, Error>) -> Fault {
    *result
        .unwrap_err()
        .downcast::<Fault>()
        .expect("an injected fault")
}

#[test]
fn default_name_is_module_path_and_function() {
    let fault = fault_of(rate_one());
    assert_eq!(fault.point(), "decisions::rate_one");
    assert_eq!(fault.message(), Some("always"));
    assert_eq!(
        fault.to_string(),
        "chaos: injected error at `decisions::rate_one`: always"
    );
}

#[test]
fn explicit_name_is_used() {
    #[chaos(error = "named", name = "shop::orders::create")]
    fn named() -> Result<u32, Error> {
        Ok(1)
    }
    assert_eq!(fault_of(named()).point(), "shop::orders::create");
}

#[test]
fn stacked_attributes_are_independent_points_with_their_own_names() {
    // The outer point never fires; the inner one always does, so the fault comes from the inner.
    #[chaos(error = "outer", rate = 0.0)]
    #[chaos(error = "inner", rate = 1.0)]
    fn inner_fires() -> Result<u32, Error> {
        Ok(1)
    }
    #[chaos(error = "outer", rate = 1.0)]
    #[chaos(error = "inner", rate = 0.0)]
    fn outer_fires() -> Result<u32, Error> {
        Ok(1)
    }
    let inner = fault_of(inner_fires());
    assert_eq!(inner.message(), Some("inner"));
    assert!(
        inner.point().ends_with("::inner_fires"),
        "{}",
        inner.point()
    );
    let outer = fault_of(outer_fires());
    assert_eq!(outer.message(), Some("outer"));
    assert!(
        outer.point().ends_with("::outer_fires#2"),
        "{}",
        outer.point()
    );
}

#[test]
fn the_body_does_not_run_when_an_outcome_is_injected() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RAN: AtomicUsize = AtomicUsize::new(0);
    #[chaos(error = "skip", one_in = 2)]
    fn counted() -> Result<u32, Error> {
        RAN.fetch_add(1, Ordering::SeqCst);
        Ok(1)
    }
    for _ in 0..10 {
        let _ = counted();
    }
    assert_eq!(RAN.load(Ordering::SeqCst), 5);
}

#[test]
fn panic_fault_panics_with_its_message() {
    #[chaos(panic = "downstream exploded")]
    fn explodes() -> u32 {
        1
    }
    let payload = std::panic::catch_unwind(explodes).unwrap_err();
    let message = payload
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(message.contains("downstream exploded"), "{message}");
    assert!(message.contains("decisions::"), "{message}");
}

#[tokio::test]
async fn panic_fault_in_an_async_fn_fails_the_task() {
    #[chaos(panic = "async boom")]
    async fn explodes() -> u32 {
        1
    }
    let joined = tokio::spawn(explodes()).await;
    assert!(joined.unwrap_err().is_panic());
}
