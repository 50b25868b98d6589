//! What the data plane sees of task scopes: the table of the scope the current task runs in,
//! looked up by the point's address, and the count of running scopes in the state word (while none runs,
//! the hot path skips the lookup). The control plane's `Scope` builds the tables.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use crate::runtime::effective::Effective;
use crate::runtime::snapshot;

tokio::task_local! {
    static CURRENT: Arc<Table>;
}

/// One scope's configuration, ready for the hot path.
#[derive(Debug)]
pub(crate) struct Table {
    /// The scope turns every point off.
    all_off: bool,
    /// By the address of the point's `static`: no name lookup on the hot path.
    points: HashMap<usize, Effective>,
}

impl Table {
    pub(crate) fn new(all_off: bool, points: HashMap<usize, Effective>) -> Table {
        Table { all_off, points }
    }

    /// What the table says of the point at `address`: `None` when it does not cover it,
    /// `Some(None)` when it turns the point off, `Some(Some(effective))` otherwise.
    fn lookup(&self, address: usize) -> Option<Option<&Effective>> {
        if self.all_off {
            return Some(None);
        }
        self.points.get(&address).map(Some)
    }
}

/// Runs `future` inside the scope of `table`.
pub(crate) async fn run<F: Future>(table: Arc<Table>, future: F) -> F::Output {
    let _active = Active::enter();
    CURRENT.scope(table, future).await
}

/// Runs `f` inside the scope of `table`, on this thread.
pub(crate) fn run_sync<R>(table: Arc<Table>, f: impl FnOnce() -> R) -> R {
    let _active = Active::enter();
    CURRENT.sync_scope(table, f)
}

/// Counts a running scope (in the state word every call reads) for as long as it lives,
/// cancellation and panics included.
struct Active;

impl Active {
    fn enter() -> Active {
        snapshot::scope_entered();
        Active
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        snapshot::scope_left();
    }
}

/// `f` applied to what the current task's scope says of the point at `address` (`None` for a
/// point it turns off), if the task runs in a scope that covers it.
#[cold]
pub(crate) fn with<T>(address: usize, f: impl FnOnce(Option<&Effective>) -> T) -> Option<T> {
    CURRENT
        .try_with(|table| table.lookup(address).map(f))
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::effective::Globals;
    use crate::spec::{SpecInput, validate};

    fn effective() -> Effective {
        let spec = validate(&SpecInput {
            status: Some(503),
            ..SpecInput::default()
        })
        .unwrap();
        Effective::of(&spec, None, Globals::default())
    }

    #[test]
    fn a_scope_covers_its_points_only_inside_and_turns_all_off_when_it_says_so() {
        assert_eq!(with(1, |e| e.is_some()), None, "outside any scope");
        let table = Arc::new(Table::new(false, HashMap::from([(1, effective())])));
        let inside = run_sync(table, || {
            assert!(snapshot::state().scoped());
            (with(1, |e| e.is_some()), with(2, |e| e.is_some()))
        });
        assert_eq!(inside, (Some(true), None), "point 1 covered, point 2 not");
        let off = Arc::new(Table::new(true, HashMap::new()));
        assert_eq!(run_sync(off, || with(2, |e| e.is_some())), Some(false));
    }
}
