//! The headline promise: without the `enabled` feature, `#[chaos]` leaves no trace.
#![cfg(not(feature = "enabled"))]

use std::path::{Path, PathBuf};
use std::process::Command;

use chaos::chaos;
use object::{Object, ObjectSection, ObjectSymbol};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[chaos(error = "would always fail", rate = 1.0)]
fn always_failing() -> Result<u32, Error> {
    Ok(7)
}

#[chaos(panic = "would always panic")]
fn always_panicking() -> u32 {
    7
}

#[chaos(value = String::from("no-such-table"), rate = 1.0)]
fn always_wrong() -> String {
    String::from("orders")
}

#[chaos(value = Ok(0), when = "after")]
async fn always_wrong_after(x: u64) -> Result<u64, Error> {
    tokio::task::yield_now().await;
    Ok(x)
}

async fn plain_after_twin(x: u64) -> Result<u64, Error> {
    tokio::task::yield_now().await;
    Ok(x)
}

#[test]
fn no_fault_ever_fires() {
    const { assert!(!chaos::ENABLED) };
    for _ in 0..1_000 {
        assert_eq!(always_failing().unwrap(), 7);
        assert_eq!(always_panicking(), 7);
        assert_eq!(always_wrong(), "orders");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(always_wrong_after(7)).unwrap(), 7);
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
    assert_eq!(
        std::mem::size_of_val(&always_wrong_after(1)),
        std::mem::size_of_val(&plain_after_twin(1))
    );
}

/// Builds `examples/compiled_out.rs` in release with the given features, in a target directory of
/// its own (the outer `cargo test` holds the lock on the usual one), and returns the binary. The
/// linker keeps its relocations (`--emit-relocs`), so that the test knows which bytes are
/// addresses it filled in.
fn build_example(features: &[&str]) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target_dir = root.join("target").join("compiled-out-check");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args([
            "rustc",
            "--release",
            "--example",
            "compiled_out",
            "--target-dir",
        ])
        .arg(&target_dir);
    if !features.is_empty() {
        command.args(["--features", &features.join(",")]);
    }
    command.args(["--", "-C", "link-arg=-Wl,--emit-relocs"]);
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

/// A function's machine code, with the bytes the linker filled in (addresses of what it calls
/// and reads) zeroed, and where those were.
#[derive(Debug, PartialEq, Eq)]
struct Code {
    bytes: Vec<u8>,
    relocated_at: Vec<u64>,
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
            .filter_map(|s| s.name().ok().map(demangle))
            .collect()
    }

    /// The machine code of the function whose demangled name is `name`.
    fn code(&self, name: &str) -> Code {
        let file = object::File::parse(&*self.data).expect("an object file");
        let symbol = file
            .symbols()
            .find(|s| s.name().map(demangle).as_deref() == Ok(name))
            .unwrap_or_else(|| panic!("no symbol {name}"));
        let section = file
            .section_by_index(symbol.section_index().expect("a defined symbol"))
            .unwrap();
        let (start, size) = (symbol.address(), symbol.size());
        let mut bytes = section
            .data_range(start, size)
            .expect("section data")
            .expect("the symbol inside its section")
            .to_vec();
        assert!(!bytes.is_empty(), "{name} has no code");
        // With `--emit-relocs` an executable's relocation offsets are addresses.
        let mut relocated_at = Vec::new();
        for (offset, relocation) in section.relocations() {
            if (start..start + size).contains(&offset) {
                let at = offset - start;
                // A relocation of unknown size patches bits of one instruction word.
                let width = match relocation.size() {
                    0 => 4,
                    bits => usize::from(bits / 8),
                };
                let from = usize::try_from(at).unwrap();
                let to = (from + width).min(bytes.len());
                bytes[from..to].fill(0);
                relocated_at.push(at);
            }
        }
        relocated_at.sort_unstable();
        Code {
            bytes,
            relocated_at,
        }
    }
}

fn demangle(name: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(name))
}

/// Whether a demangled symbol name has a path into one of the chaos crates anywhere: at its
/// start (`chaos::init`), as the type of a trait impl (`<chaos::X as core::fmt::Debug>::fmt`),
/// or as a generic argument or trait (`drop_in_place<chaos_core::Config>`,
/// `<u32 as chaos_core::FaultReturn>::from_fault`).
fn names_a_chaos_crate(symbol: &str) -> bool {
    ["chaos::", "chaos_core::", "chaos_macros::"]
        .iter()
        .any(|krate| {
            symbol.match_indices(krate).any(|(at, _)| {
                symbol[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
            })
        })
}

fn chaos_symbols(symbols: &[String]) -> Vec<&String> {
    symbols.iter().filter(|s| names_a_chaos_crate(s)).collect()
}

#[test]
fn the_symbol_filter_sees_every_spelling_of_a_chaos_path() {
    for name in [
        "chaos::init",
        "chaos_core::registry::points",
        "chaos_macros::chaos",
        "<chaos::Thing as core::fmt::Debug>::fmt",
        "<chaos_core::fault::Fault as core::fmt::Display>::fmt",
        "<u32 as chaos_core::fault_return::FaultReturn>::from_fault",
        "core::ptr::drop_in_place<chaos_core::config::Config>",
        "<&chaos::Thing as core::fmt::Debug>::fmt",
    ] {
        assert!(names_a_chaos_crate(name), "{name}");
    }
    for name in [
        "twin_chaos_result",
        "compiled_out::twin_chaos_async::{{closure}}",
        "core::ptr::drop_in_place<compiled_out::twin_chaos_async::{{closure}}>",
        "my_chaos::run",
        "std::rt::lang_start",
    ] {
        assert!(!names_a_chaos_crate(name), "{name}");
    }
}

/// Each twin pair of the example, plain first, by demangled name.
const TWINS: [(&str, &str); 5] = [
    ("twin_plain_result", "twin_chaos_result"),
    ("twin_plain_sum", "twin_chaos_sum"),
    ("twin_plain_value", "twin_chaos_value"),
    ("twin_plain_method", "twin_chaos_method"),
    // The poll function of the `async fn`'s future, where its body runs. (The `async fn` itself
    // only stores its arguments and the initial state, the same code compiled in or out; the
    // future's size is checked above.)
    (
        "compiled_out::twin_plain_async::{{closure}}",
        "compiled_out::twin_chaos_async::{{closure}}",
    ),
];

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
    for (plain, annotated) in TWINS {
        assert_eq!(
            off.code(plain),
            off.code(annotated),
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
    for (plain, annotated) in TWINS {
        assert_ne!(on.code(plain), on.code(annotated), "{plain} vs {annotated}");
    }
}
