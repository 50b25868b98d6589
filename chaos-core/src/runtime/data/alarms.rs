//! The time of async delays outside tokio: one helper thread for the whole process keeps every
//! such delay's deadline in a queue, sleeps until the earliest, and wakes its task. (A thread per
//! delay would make a thousand delayed calls a thousand threads.)

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::task::Waker;
use std::time::{Duration, Instant};

/// One delay's alarm, shared between its task and the helper thread.
#[derive(Debug, Default)]
pub(crate) struct Alarm {
    rung: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Alarm {
    /// Whether the deadline has passed; if not, `waker` is woken when it does.
    pub(crate) fn rung_or_wake(&self, waker: &Waker) -> bool {
        if self.rung.load(Ordering::Acquire) {
            return true;
        }
        *self.waker.lock().unwrap_or_else(|p| p.into_inner()) = Some(waker.clone());
        // Rung between the check and the registration: the thread found no waker.
        self.rung.load(Ordering::Acquire)
    }

    fn ring(&self) {
        self.rung.store(true, Ordering::Release);
        let waker = self.waker.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// A deadline in the queue, earliest first; `order` keeps equal deadlines in arrival order.
struct Due {
    at: Instant,
    order: u64,
    alarm: Arc<Alarm>,
}

impl PartialEq for Due {
    fn eq(&self, other: &Due) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Due) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    fn cmp(&self, other: &Due) -> std::cmp::Ordering {
        (self.at, self.order).cmp(&(other.at, other.order))
    }
}

#[derive(Default)]
struct Queue {
    due: BinaryHeap<Reverse<Due>>,
    next_order: u64,
}

struct Alarms {
    queue: Mutex<Queue>,
    changed: Condvar,
}

impl Alarms {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Pushes and pops only: whole after a panic elsewhere.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The helper thread: rings every alarm whose deadline passed, then sleeps until the next.
    fn run(&self) {
        let mut queue = self.lock();
        loop {
            let now = Instant::now();
            while queue.due.peek().is_some_and(|Reverse(due)| due.at <= now) {
                if let Some(Reverse(due)) = queue.due.pop() {
                    due.alarm.ring();
                }
            }
            queue = match queue.due.peek().map(|Reverse(due)| due.at - now) {
                Some(wait) => {
                    self.changed
                        .wait_timeout(queue, wait)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
                None => self.changed.wait(queue).unwrap_or_else(|p| p.into_inner()),
            };
        }
    }
}

/// The helper thread's queue, the thread started at the first use; `None` if it could not be.
fn alarms() -> Option<&'static Alarms> {
    static ALARMS: OnceLock<Option<&'static Alarms>> = OnceLock::new();
    *ALARMS.get_or_init(|| {
        let alarms: &'static Alarms = Box::leak(Box::new(Alarms {
            queue: Mutex::new(Queue::default()),
            changed: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("chaos-delays".into())
            .spawn(move || alarms.run())
            .ok()
            .map(|_| alarms)
    })
}

/// An alarm that rings after `duration`. Without a helper thread (none could be started) the
/// delay blocks this thread rather than being skipped, and the alarm has rung when it returns.
pub(crate) fn set(duration: Duration) -> Arc<Alarm> {
    let alarm = Arc::new(Alarm::default());
    let Some(alarms) = alarms() else {
        std::thread::sleep(duration);
        alarm.rung.store(true, Ordering::Release);
        return alarm;
    };
    let mut queue = alarms.lock();
    let order = queue.next_order;
    queue.next_order += 1;
    queue.due.push(Reverse(Due {
        at: Instant::now() + duration,
        order,
        alarm: Arc::clone(&alarm),
    }));
    drop(queue);
    alarms.changed.notify_one();
    alarm
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn many_alarms_ring_on_one_helper_thread_and_wake_their_tasks() {
        let woken = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&woken));
        let started = Instant::now();
        // Set latest first: the queue, not the order of arrival, decides.
        let alarms: Vec<Arc<Alarm>> = (0..200)
            .rev()
            .map(|i| set(Duration::from_millis(20 + i % 10)))
            .collect();
        // While they wait, one helper thread keeps them all (a thread per delay would be 200).
        if let Ok(threads) = std::fs::read_dir("/proc/self/task").map(|d| d.count()) {
            assert!(threads < 50, "{threads} threads for 200 delays");
        }
        let pending = alarms
            .iter()
            .filter(|alarm| !alarm.rung_or_wake(&waker))
            .count();
        while !alarms.iter().all(|a| a.rung.load(Ordering::Acquire)) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "alarms not rung"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(started.elapsed() >= Duration::from_millis(20));
        // Every task that waited is woken, once.
        while woken.0.load(Ordering::SeqCst) < pending {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "tasks not woken"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(woken.0.load(Ordering::SeqCst), pending);
    }
}
