//! [`Scope`]: a configuration that applies only inside one future (or closure), so that tests
//! configuring chaos differently can run in parallel in one process. Built here, against the
//! registry; looked up by the data plane (`data::scoped`).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use super::error::point_path;
use super::registry;
use super::{Config, ConfigError};
use crate::runtime::data::scoped::{self, Table};
use crate::runtime::effective::{Effective, Globals};

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
                    &format!("{}.disk_fill_mb", point_path(name)),
                    "`disk_fill_mb` is process-wide (the disk is shared by every task): set it with `chaos::configure`, not in a scope",
                ));
            }
        }
        config.validate()?;
        let globals = Globals {
            dry_run: config.dry_run.unwrap_or(false),
            ..Globals::default()
        };
        let mut points = HashMap::new();
        for (name, over) in &config.points {
            for point in registry::named(name) {
                let effective = Effective::of(point.spec(), Some(over), globals);
                points.insert(std::ptr::from_ref(point) as usize, effective);
            }
        }
        Ok(Scope {
            table: Arc::new(Table::new(config.enabled == Some(false), points)),
        })
    }

    /// Runs `future` with this configuration.
    pub async fn run<F: Future>(&self, future: F) -> F::Output {
        scoped::run(Arc::clone(&self.table), future).await
    }

    /// Runs `f` with this configuration, on this thread.
    pub fn run_sync<R>(&self, f: impl FnOnce() -> R) -> R {
        scoped::run_sync(Arc::clone(&self.table), f)
    }
}
