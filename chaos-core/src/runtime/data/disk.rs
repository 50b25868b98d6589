//! `disk_fill_mb`: a full `/tmp`, as a function that writes scratch files meets it.
//!
//! A fill is one file per point in the temp directory, its blocks reserved with `fallocate`
//! (so the space is really taken, unlike a sparse file) and capped at the free space less a
//! safety margin. The file is anonymous (`O_TMPFILE` on Linux, unlinked at once elsewhere on
//! Unix): no name is ever visible, and the operating system frees it when it is closed, which
//! happens when the fault is turned off and, whatever way the process ends, at exit. A fill that
//! fails is dropped whole, so no partial file is left behind.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use fs4::FileExt;

use crate::runtime::events;
use crate::runtime::snapshot::{self, Snapshot};
use crate::runtime::stats::Counters;
use crate::spec::FaultSpec;

const MIB: u64 = 1 << 20;

/// Space left free whatever `disk_fill_mb` asks: the process itself, its logs and the rest of
/// the machine keep room to work and to report what happened.
pub const SAFETY_MARGIN_BYTES: u64 = 64 * MIB;

/// One point's fill, or its failure (kept, so that a fill that cannot be done is reported once
/// per configuration rather than retried on every call).
enum Held {
    Filled { bytes: u64, _file: File },
    Failed,
}

/// Where one point's fill stands, kept in the point so that a faulted call reads it in one load.
#[derive(Debug)]
pub(crate) struct Slot {
    /// The `disk_fill_mb` the fill was made (or failed) for; 0 while the point holds none.
    settled_mb: AtomicU64,
    /// The configuration epoch at which a fill the point asked for was found not in force
    /// process-wide (as when a scope's spec differs): later calls of that epoch skip the lock.
    refused_epoch: AtomicU64,
}

impl Slot {
    pub(crate) const fn new() -> Slot {
        Slot {
            settled_mb: AtomicU64::new(0),
            refused_epoch: AtomicU64::new(u64::MAX),
        }
    }
}

/// What this module needs to know of the point that holds a fill.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Holder {
    pub(crate) name: &'static str,
    pub(crate) declared: &'static FaultSpec,
    pub(crate) slot: &'static Slot,
    pub(crate) counters: &'static Counters,
}

struct Fill {
    holder: Holder,
    requested_mb: u64,
    held: Held,
}

static FILLS: Mutex<Vec<Fill>> = Mutex::new(Vec::new());

fn fills() -> std::sync::MutexGuard<'static, Vec<Fill>> {
    FILLS.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether the process-wide configuration has `holder` hold `mb` now (fills follow it alone: a
/// task scope cannot ask for one, since the disk is shared by every task).
fn in_force(snapshot: &Snapshot, holder: Holder, mb: u64) -> bool {
    let effective = snapshot.effective_for(holder.name, holder.declared);
    effective.active && !effective.dry_run && effective.disk_fill_mb == mb
}

/// Makes sure `holder` holds a fill of `requested_mb` (called on a faulted call). Made once and
/// kept while the fault is in force: later calls find it settled with one atomic load.
pub(crate) fn ensure(holder: Holder, requested_mb: u64) {
    // Read before the snapshot: a change after it moves the epoch, so a stale refusal never
    // matches a newer configuration.
    let epoch = snapshot::state().epoch();
    let slot = holder.slot;
    if slot.settled_mb.load(Ordering::Acquire) == requested_mb
        || slot.refused_epoch.load(Ordering::Acquire) == epoch
    {
        return;
    }
    let mut fills = fills();
    // Checked under the lock: a change that turned the fill off meanwhile has either been seen
    // here, or its `reconcile` waits for this lock and then frees what this call made.
    if !in_force(&snapshot::load(), holder, requested_mb) {
        slot.refused_epoch.store(epoch, Ordering::Release);
        return;
    }
    if let Some(existing) = fills.iter().position(|f| std::ptr::eq(f.holder.slot, slot)) {
        if fills[existing].requested_mb == requested_mb {
            return;
        }
        // A new size: free the old fill first, so its space counts as free for the new one.
        fills.swap_remove(existing);
    }
    let dir = std::env::temp_dir();
    let held = match fill(&dir, requested_mb * MIB) {
        Ok((file, bytes)) => {
            events::disk_filled(holder.name, &dir, bytes, requested_mb * MIB);
            holder.counters.record_disk_fill();
            Held::Filled { bytes, _file: file }
        }
        Err(error) => {
            events::disk_fill_failed(holder.name, &dir, &error);
            holder.counters.record_disk_fill_failed();
            Held::Failed
        }
    };
    fills.push(Fill {
        holder,
        requested_mb,
        held,
    });
    slot.settled_mb.store(requested_mb, Ordering::Release);
}

/// Frees the fills the process-wide configuration no longer has in force (switched off, a dry
/// run, another size, none): called after every change of it. Always takes the lock, so that it
/// cannot miss a fill being made while the change was published.
pub(crate) fn reconcile() {
    let snapshot = snapshot::load();
    fills().retain(|fill| {
        let keep = in_force(&snapshot, fill.holder, fill.requested_mb);
        if !keep {
            fill.holder.slot.settled_mb.store(0, Ordering::Release);
        }
        keep
    });
}

/// The fills held right now: each point's name and the bytes it reserved, by name.
///
/// ```
/// // Nothing is held until a `disk_fill_mb` fault fires.
/// assert!(chaos_core::disk_fills().is_empty());
/// ```
pub fn disk_fills() -> Vec<(&'static str, u64)> {
    let mut held: Vec<_> = fills()
        .iter()
        .filter_map(|fill| match fill.held {
            Held::Filled { bytes, .. } => Some((fill.holder.name, bytes)),
            Held::Failed => None,
        })
        .collect();
    held.sort_unstable();
    held
}

/// Why a fill could not be made.
#[derive(Debug)]
pub(crate) enum FillError {
    /// Less free space than the safety margin.
    NoRoom { available: u64 },
    /// The temp directory could not be used.
    Io(io::Error),
}

impl std::fmt::Display for FillError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FillError::NoRoom { available } => write!(
                f,
                "only {} MiB free, not more than the {} MiB kept free for safety",
                available / MIB,
                SAFETY_MARGIN_BYTES / MIB
            ),
            FillError::Io(error) => write!(f, "{error}"),
        }
    }
}

/// How many bytes to reserve: the request, capped at what is available less the margin.
pub(crate) fn plan(requested: u64, available: u64) -> Result<u64, FillError> {
    let room = available.saturating_sub(SAFETY_MARGIN_BYTES);
    if room == 0 {
        return Err(FillError::NoRoom { available });
    }
    Ok(requested.min(room))
}

/// An anonymous file in `dir` with `requested` bytes (or fewer, see [`plan`]) reserved.
fn fill(dir: &Path, requested: u64) -> Result<(File, u64), FillError> {
    let available = fs4::available_space(dir).map_err(FillError::Io)?;
    let bytes = plan(requested, available)?;
    let file = tempfile::tempfile_in(dir).map_err(FillError::Io)?;
    // On failure the file is dropped here, and with it every block it got.
    file.allocate(bytes).map_err(FillError::Io)?;
    Ok((file, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_caps_at_free_space_less_the_margin() {
        let gib = 1024 * MIB;
        assert_eq!(plan(100 * MIB, 10 * gib).unwrap(), 100 * MIB);
        assert_eq!(
            plan(20 * gib, 10 * gib).unwrap(),
            10 * gib - SAFETY_MARGIN_BYTES
        );
        assert!(matches!(
            plan(MIB, SAFETY_MARGIN_BYTES),
            Err(FillError::NoRoom { .. })
        ));
        assert!(matches!(plan(MIB, 0), Err(FillError::NoRoom { .. })));
    }

    #[test]
    fn a_fill_reserves_real_blocks_and_a_bad_directory_is_an_error() {
        let (file, bytes) = fill(&std::env::temp_dir(), 4 * MIB).unwrap();
        assert_eq!(bytes, 4 * MIB);
        assert!(file.allocated_size().unwrap() >= 4 * MIB);
        let missing = std::env::temp_dir().join("chaos-no-such-directory/inner");
        assert!(matches!(fill(&missing, MIB), Err(FillError::Io(_))));
    }
}
