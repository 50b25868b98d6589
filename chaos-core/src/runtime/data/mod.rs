//! The data plane: what a call does. A point decides from the published snapshot (or its
//! task's scope), and a faulted call gets an [`Injection`]: a delay, a permit under
//! `max_concurrency`, a disk fill as the point sees it, an outcome. It reads what the control
//! plane publishes and never imports it.

mod alarms;
pub(crate) mod delay;
pub(crate) mod disk;
mod faulted;
mod hot;
mod injection;
mod instrumented;
mod permit;
mod point;
pub(crate) mod scoped;
mod settle;

pub use faulted::{FaultAfter, Faulted, WaitBefore, fault_after, wait_before};
pub use instrumented::Instrumented;
pub use permit::Permit;
pub use point::{Point, Site};
pub use settle::{Keep, Settle, Settled, decide_then_settle, settle};
