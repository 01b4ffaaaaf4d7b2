//! A gate for slow, CPU-bound work (password hashing, receipt checks): a few run at a
//! time on the blocking pool and a bounded queue waits; beyond it callers are refused.

/// Slow work (argon2id) on the blocking pool, at most `permits` at once, with at most
/// `queue` callers waiting for a turn. Past that, [`Gate::run`] answers [`Busy`] at once
/// instead of piling up: a flood costs its senders a refusal, not everyone else the CPU.
/// The async workers never run the work themselves, so pages and the hotline keep
/// answering while a gate is full.
pub struct Gate {
    permits: tokio::sync::Semaphore,
    waiting: tokio::sync::Semaphore,
}

/// A gate's queue is full; try again in a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gate({} free)", self.permits.available_permits())
    }
}

impl Gate {
    pub fn new(permits: usize, queue: usize) -> Self {
        Gate {
            permits: tokio::sync::Semaphore::new(permits.max(1)),
            waiting: tokio::sync::Semaphore::new(queue.max(1)),
        }
    }

    /// Half the machine's cores (at least one), and 32 waiting callers per permit.
    pub fn half_the_cores() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let permits = (cores / 2).max(1);
        Gate::new(permits, permits * 32)
    }

    /// Runs `work` on the blocking pool when a permit is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, GateError> {
        let Ok(_place) = self.waiting.try_acquire() else {
            return Err(GateError::Busy(Busy));
        };
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| GateError::Busy(Busy))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(GateError::Join)
    }

    /// Takes every permit (tests: a gate held full by a flood).
    pub async fn hold_all(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        let n = u32::try_from(self.permits.available_permits()).ok()?;
        self.permits.acquire_many(n).await.ok()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error("too many requests are waiting for slow work")]
    Busy(Busy),
    #[error("slow work panicked: {0}")]
    Join(tokio::task::JoinError),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flood that fills a gate's permits and its queue is refused at once; what was
    /// queued runs when a permit frees.
    #[tokio::test]
    async fn a_full_gate_queues_then_refuses_then_runs_what_waited() {
        let g = std::sync::Arc::new(Gate::new(1, 2));
        let held = g.hold_all().await.unwrap();
        let queued: Vec<_> = (0..2)
            .map(|i| {
                let g = g.clone();
                tokio::spawn(async move { g.run(move || i * 10).await })
            })
            .collect();
        while g.waiting.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(g.run(|| 7).await, Err(GateError::Busy(Busy))));
        drop(held);
        let mut done = Vec::new();
        for q in queued {
            done.push(q.await.unwrap().unwrap());
        }
        assert_eq!(done, vec![0, 10]);
        assert_eq!(g.run(|| 7).await.unwrap(), 7);
    }
}
