//! Compile-time behaviour of `#[chaos]`: signatures it must accept (`ui/pass`, run in both feature
//! states) and mistakes it must reject with a clear error (`ui/fail` in both states,
//! `ui/fail-enabled` where the check needs the expansion).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
    // The `http` feature too, because rustc lists the `FaultReturn` impls it adds.
    #[cfg(all(feature = "enabled", feature = "http"))]
    cases.compile_fail("tests/ui/fail-enabled/*.rs");
}
