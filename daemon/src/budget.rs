//! The in-flight budget: how many input bytes may be between a worker taking a file and the
//! sinks committing its record.
//!
//! A file's record, its JSON and the sinks' copies of it take several times the file's size
//! until the batch is committed. The queue bounds how many files are in flight, not how large
//! they are: without a budget, a backlog holding many large files would now and then have
//! several of them in flight at once, and the daemon's peak memory would grow with the
//! backlog. With it, peak memory follows `max_inflight_bytes` (or the largest single file,
//! which is always let in once nothing else is in flight), whatever waits in the drop folder.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Input bytes in flight, and the most there may be.
pub struct Budget {
    limit: u64,
    usage: Mutex<Usage>,
    room: Condvar,
}

/// The budget's state, under one lock.
#[derive(Default)]
struct Usage {
    /// Bytes in flight.
    used: u64,
    /// Threads waiting for room: a permit given back wakes them only when there are any (a
    /// wake-up is a system call, and a batch commit gives back hundreds of permits).
    waiting: u32,
}

/// Room for one file's bytes, given back when dropped (once its record is committed, or the
/// file failed or was left for later).
pub struct Permit {
    budget: Arc<Budget>,
    bytes: u64,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub fn new(limit: u64) -> Arc<Budget> {
        Arc::new(Budget {
            limit,
            usage: Mutex::new(Usage::default()),
            room: Condvar::new(),
        })
    }

    /// Wait until `bytes` fit in the budget, or nothing else is in flight (a file larger than
    /// the budget runs alone). `None` once `give_up` is set while waiting.
    pub fn acquire(self: &Arc<Self>, bytes: u64, give_up: &AtomicBool) -> Option<Permit> {
        /// How often a wait looks at `give_up`.
        const LOOK: Duration = Duration::from_millis(100);
        let mut usage = self.usage();
        while usage.used > 0 && usage.used.saturating_add(bytes) > self.limit {
            if give_up.load(Ordering::SeqCst) {
                return None;
            }
            usage.waiting += 1;
            usage = match self.room.wait_timeout(usage, LOOK) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
            usage.waiting -= 1;
        }
        usage.used += bytes;
        Some(Permit {
            budget: self.clone(),
            bytes,
        })
    }

    /// Bytes in flight now.
    pub fn in_flight(&self) -> u64 {
        self.usage().used
    }

    fn usage(&self) -> MutexGuard<'_, Usage> {
        // The counts stay right whatever panicked while holding the lock: they are plain
        // numbers, each changed in one step.
        self.usage
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut usage = self.budget.usage();
        usage.used = usage.used.saturating_sub(self.bytes);
        let waiting = usage.waiting > 0;
        drop(usage);
        if waiting {
            self.budget.room.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_file_waits_for_room_and_gets_in_once_a_permit_is_given_back() {
        let budget = Budget::new(10);
        let never = AtomicBool::new(false);
        let first = budget.acquire(6, &never).unwrap();
        let second = budget.acquire(4, &never).unwrap();
        assert_eq!(budget.in_flight(), 10);
        let (tx, rx) = mpsc::channel();
        let waiter = {
            let budget = budget.clone();
            std::thread::spawn(move || {
                let never = AtomicBool::new(false);
                let permit = budget.acquire(5, &never).unwrap();
                tx.send(()).unwrap();
                drop(permit);
            })
        };
        assert!(
            rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "no room for 5 more bytes yet"
        );
        drop(first);
        rx.recv().unwrap();
        waiter.join().unwrap();
        drop(second);
        assert_eq!(budget.in_flight(), 0);
    }

    #[test]
    fn a_file_larger_than_the_budget_runs_alone() {
        let budget = Budget::new(10);
        let never = AtomicBool::new(false);
        let big = budget.acquire(1000, &never).unwrap();
        assert_eq!(budget.in_flight(), 1000);
        let give_up = AtomicBool::new(true);
        assert!(
            budget.acquire(1, &give_up).is_none(),
            "nothing else fits beside it"
        );
        drop(big);
        assert!(budget.acquire(1, &give_up).is_some());
    }
}
