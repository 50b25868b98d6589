//! The headline promise: without the `enabled` feature, `#[chaos]` leaves no trace.
#![cfg(not(feature = "enabled"))]

use std::path::{Path, PathBuf};
use std::process::Command;

use chaos::chaos;
use object::{Object, ObjectSymbol};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[chaos(error = "would always fail", rate = 1.0)]
fn always_failing() -> Result<u32, Error> {
    Ok(7)
}

#[chaos(panic = "would always panic")]
fn always_panicking() -> u32 {
    7
}

#[test]
fn no_fault_ever_fires() {
    const { assert!(!chaos::ENABLED) };
    for _ in 0..1_000 {
        assert_eq!(always_failing().unwrap(), 7);
        assert_eq!(always_panicking(), 7);
    }
}

#[chaos(latency_ms = 100..=300, error = "x", one_in = 3)]
async fn annotated_future(x: u64) -> Result<u64, Error> {
    let doubled = x * 2;
    tokio::task::yield_now().await;
    Ok(doubled + 1)
}

async fn plain_twin(x: u64) -> Result<u64, Error> {
    let doubled = x * 2;
    tokio::task::yield_now().await;
    Ok(doubled + 1)
}

#[test]
fn future_size_matches_an_unannotated_twin() {
    assert_eq!(
        std::mem::size_of_val(&annotated_future(1)),
        std::mem::size_of_val(&plain_twin(1))
    );
}

/// Builds `examples/compiled_out.rs` in release with the given features, in a target directory of
/// its own (the outer `cargo test` holds the lock on the usual one), and returns the binary.
fn build_example(features: &[&str]) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target_dir = root.join("target").join("compiled-out-check");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--example",
            "compiled_out",
            "--target-dir",
        ])
        .arg(&target_dir);
    if !features.is_empty() {
        command.args(["--features", &features.join(",")]);
    }
    let status = command.status().expect("cargo runs");
    assert!(status.success(), "building the example failed: {status}");
    target_dir
        .join("release")
        .join("examples")
        .join(format!("compiled_out{}", std::env::consts::EXE_SUFFIX))
}

struct Binary {
    data: Vec<u8>,
}

impl Binary {
    fn read(path: &Path) -> Binary {
        Binary {
            data: std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        }
    }

    /// Every symbol name, demangled.
    fn symbols(&self) -> Vec<String> {
        let file = object::File::parse(&*self.data).expect("an object file");
        file.symbols()
            .chain(file.dynamic_symbols())
            .filter_map(|s| {
                s.name()
                    .ok()
                    .map(|n| format!("{:#}", rustc_demangle::demangle(n)))
            })
            .collect()
    }

    /// The machine code of the function named `name`.
    fn function_bytes(&self, name: &str) -> Vec<u8> {
        let file = object::File::parse(&*self.data).expect("an object file");
        let symbol = file
            .symbols()
            .find(|s| s.name() == Ok(name))
            .unwrap_or_else(|| panic!("no symbol {name}"));
        let section = file
            .section_by_index(symbol.section_index().expect("a defined symbol"))
            .unwrap();
        let bytes = object::ObjectSection::data_range(&section, symbol.address(), symbol.size())
            .expect("section data")
            .expect("the symbol inside its section");
        assert!(!bytes.is_empty(), "{name} has no code");
        bytes.to_vec()
    }
}

fn chaos_symbols(symbols: &[String]) -> Vec<&String> {
    symbols
        .iter()
        .filter(|s| {
            s.starts_with("chaos::") || s.contains("chaos_core::") || s.contains("chaos_macros::")
        })
        .collect()
}

// The symbol and section checks read ELF files.
#[cfg(target_os = "linux")]
#[test]
fn release_binary_holds_no_chaos_symbol_and_twins_have_the_same_machine_code() {
    let off = Binary::read(&build_example(&[]));
    let symbols = off.symbols();
    assert!(
        symbols.iter().any(|s| s == "twin_chaos_result"),
        "the symbol table is readable"
    );
    assert_eq!(chaos_symbols(&symbols), Vec::<&String>::new());
    for (plain, annotated) in [
        ("twin_plain_result", "twin_chaos_result"),
        ("twin_plain_sum", "twin_chaos_sum"),
    ] {
        assert_eq!(
            off.function_bytes(plain),
            off.function_bytes(annotated),
            "{plain} vs {annotated}"
        );
    }

    // The same checks on the same example with chaos compiled in must see it: otherwise they
    // would pass whatever the attribute emitted.
    let on = Binary::read(&build_example(&["enabled"]));
    assert!(
        !chaos_symbols(&on.symbols()).is_empty(),
        "chaos_core symbols in the enabled build"
    );
    assert_ne!(
        on.function_bytes("twin_plain_result"),
        on.function_bytes("twin_chaos_result")
    );
}
