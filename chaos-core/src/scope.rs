//! Task-scoped configuration: overrides that apply only inside one future (or closure), so that
//! tests configuring chaos differently can run in parallel in one process.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::config::{Config, ConfigError};
use crate::effective::Effective;
use crate::point::{Injection, Point};
use crate::spec::Outcome;
use crate::{registry, spec};

tokio::task_local! {
    static CURRENT: Arc<Table>;
}

/// How many scopes are running anywhere: while none is, the hot path skips the lookup.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug)]
struct Table {
    all_off: bool,
    /// By the address of the point's `static`: no name lookup on the hot path.
    points: HashMap<usize, Effective>,
}

/// A configuration that applies only inside [`Scope::run`] (or [`Scope::run_sync`]), on top of
/// the attributes. Points it does not name follow the process-wide configuration; the process-wide
/// kill switch and dry run apply inside too. Tasks spawned inside do not inherit it, and a scope
/// run inside another replaces it (they do not merge). A `one_in` point counts its calls across
/// the whole process, scopes included. `seed` and `disk_fill_mb` are process-wide and refused.
///
/// ```
/// use chaos_core::{Config, Scope};
///
/// let scope = Scope::new(Config::new().enabled(false))?;
/// let answer = scope.run_sync(|| 42); // no point faults in here
/// assert_eq!(answer, 42);
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scope {
    table: Arc<Table>,
}

impl Scope {
    /// Checks `config` as [`configure`](crate::configure) would, and prepares it.
    /// `seed` is process-wide only and is refused here.
    pub fn new(config: Config) -> Result<Scope, ConfigError> {
        if config.seed.is_some() {
            return Err(ConfigError::one(
                "seed",
                "`seed` is process-wide: set it with `chaos::configure` or CHAOS_SEED, not in a scope",
            ));
        }
        for (name, point) in &config.points {
            if point.spec.disk_fill_mb.is_some() {
                return Err(ConfigError::one(
                    &format!("points.{name:?}.disk_fill_mb"),
                    "`disk_fill_mb` is process-wide (the disk is shared by every task): set it with `chaos::configure`, not in a scope",
                ));
            }
        }
        config.validate()?;
        let dry_run = config.dry_run.unwrap_or(false);
        let mut points = HashMap::new();
        for (name, over) in &config.points {
            for point in registry::named(name) {
                // `validate` above checked this very overlay; keep the point off should it not.
                let spec = spec::validate(&point.spec().to_input().overlay(&over.spec)).ok();
                let active = over.enabled != Some(false) && spec.is_some();
                let spec = spec.unwrap_or_else(|| point.spec().clone());
                let effective = Effective::new(&spec, active, false, dry_run, None);
                points.insert(std::ptr::from_ref(point) as usize, effective);
            }
        }
        Ok(Scope {
            table: Arc::new(Table {
                all_off: config.enabled == Some(false),
                points,
            }),
        })
    }

    /// Runs `future` with this configuration.
    pub async fn run<F: Future>(&self, future: F) -> F::Output {
        let _active = Active::enter();
        CURRENT.scope(Arc::clone(&self.table), future).await
    }

    /// Runs `f` with this configuration, on this thread.
    pub fn run_sync<R>(&self, f: impl FnOnce() -> R) -> R {
        let _active = Active::enter();
        CURRENT.sync_scope(Arc::clone(&self.table), f)
    }
}

/// Counts a running scope for as long as it lives, cancellation and panics included.
struct Active;

impl Active {
    fn enter() -> Active {
        ACTIVE.fetch_add(1, Ordering::SeqCst);
        Active
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

#[inline(always)]
pub(crate) fn any_active() -> bool {
    ACTIVE.load(Ordering::Relaxed) != 0
}

/// `(active, max_concurrency, dry_run)` of `point` in the current task's scope, if the scope
/// covers it (a scope that turns everything off covers every point).
#[cold]
pub(crate) fn limits_in_scope(point: &'static Point) -> Option<(bool, u64, bool)> {
    CURRENT
        .try_with(|table| {
            if table.all_off {
                return Some((false, 0, false));
            }
            let effective = table.points.get(&(std::ptr::from_ref(point) as usize))?;
            Some((
                effective.active,
                effective.max_concurrency,
                effective.dry_run,
            ))
        })
        .ok()
        .flatten()
}

/// `check` applied to the outcome of `point` in the current task's scope, if the scope covers it
/// (with no outcome when the scope turns everything off or the point is off in it).
#[cold]
pub(crate) fn with_outcome_in_scope<T>(
    point: &'static Point,
    check: impl FnOnce(Option<&Outcome>) -> T,
) -> Option<T> {
    CURRENT
        .try_with(|table| {
            if table.all_off {
                return Some(check(None));
            }
            let effective = table.points.get(&(std::ptr::from_ref(point) as usize))?;
            Some(check(
                effective.outcome.as_ref().filter(|_| effective.active),
            ))
        })
        .ok()
        .flatten()
}

/// The decision of the scope the current task runs in, if that scope covers `point`.
#[cold]
pub(crate) fn decide_in_scope(point: &'static Point, dry_run: bool) -> Option<Option<Injection>> {
    CURRENT
        .try_with(|table| {
            if table.all_off {
                return Some(None);
            }
            let effective = table.points.get(&(std::ptr::from_ref(point) as usize))?;
            Some(point.decide_with(effective, dry_run))
        })
        .ok()
        .flatten()
}
