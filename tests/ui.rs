//! Compile-time behaviour of `#[chaos]`: signatures it must accept (`ui/pass`, run in both feature
//! states) and mistakes it must reject with a clear error (`ui/fail` in both states,
//! `ui/fail-enabled` where the check needs the expansion).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
    // `http` and `lambda` too, because rustc lists the `FaultReturn` and `InvocationDeadline`
    // impls they add: the snapshots are those of `--all-features`.
    #[cfg(all(feature = "enabled", feature = "http", feature = "lambda"))]
    cases.compile_fail("tests/ui/fail-enabled/*.rs");
}
