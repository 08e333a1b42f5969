//! Group commit: one thread owns the store's writes and makes every voucher that queued while the
//! previous write was syncing durable in one transaction ([`ChannelStore::record_vouchers`]),
//! so thousands of sessions cost a few fsyncs a second, not one each. A request learns its
//! voucher's fate only after the batch holding it is on disk: nothing is served before that.

use std::sync::{mpsc, Arc};

use tokio::sync::oneshot;

use crate::store::{ChannelStore, StoreError, VoucherWrite};

/// The most vouchers one transaction takes.
pub const MAX_BATCH: usize = 4096;

struct Job {
    write: VoucherWrite,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// A handle to the committing thread; cloning shares the thread. The thread ends when every
/// handle is dropped, after committing what was queued.
#[derive(Clone)]
pub struct Committer {
    jobs: mpsc::Sender<Job>,
    stats: Arc<Stats>,
}

/// What the committing thread has done so far.
#[derive(Debug, Default)]
pub struct Stats {
    /// Durable writes (transactions, one fsync each).
    pub batches: std::sync::atomic::AtomicU64,
    /// Vouchers written in them.
    pub vouchers: std::sync::atomic::AtomicU64,
}

/// Why a voucher was not committed.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// The store refused it or the write failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The committing thread is gone (it panicked, or the server is stopping).
    #[error("the store's writer has stopped")]
    Stopped,
}

impl Committer {
    /// Starts the committing thread over `store`.
    ///
    /// # Panics
    /// When the OS refuses to start a thread (out of resources at start-up).
    #[must_use]
    pub fn start<S: ChannelStore + 'static>(store: Arc<S>) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let stats = Arc::new(Stats::default());
        let counted = Arc::clone(&stats);
        std::thread::Builder::new()
            .name("paratii-commit".into())
            .spawn(move || run(&*store, &queue, &counted))
            .expect("the OS should start a thread");
        Self { jobs, stats }
    }

    /// Durable writes and vouchers so far: the batching the load made possible.
    #[must_use]
    pub fn stats(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.stats.batches.load(Relaxed), self.stats.vouchers.load(Relaxed))
    }

    /// Records `write` durably, batched with whatever else is queued; resolves once it is on
    /// disk (or refused).
    ///
    /// # Errors
    /// [`CommitError::Store`] with the store's refusal ([`StoreError::NotAbove`] for a count
    /// already reached) or write failure; [`CommitError::Stopped`].
    pub async fn commit(&self, write: VoucherWrite) -> Result<(), CommitError> {
        let (done, outcome) = oneshot::channel();
        self.jobs.send(Job { write, done }).map_err(|_| CommitError::Stopped)?;
        outcome.await.map_err(|_| CommitError::Stopped)?.map_err(CommitError::Store)
    }
}

fn run<S: ChannelStore + ?Sized>(store: &S, queue: &mpsc::Receiver<Job>, stats: &Stats) {
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let writes: Vec<VoucherWrite> = jobs.iter().map(|j| j.write.clone()).collect();
        let written = store.record_vouchers(&writes);
        stats.batches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        stats.vouchers.fetch_add(writes.len() as u64, std::sync::atomic::Ordering::Relaxed);
        match written {
            Ok(outcomes) => {
                for (job, outcome) in jobs.into_iter().zip(outcomes) {
                    let _ = job.done.send(outcome);
                }
            }
            Err(error) => {
                tracing::error!(%error, vouchers = jobs.len(), "group commit failed");
                let why = error.to_string();
                for job in jobs {
                    let _ = job.done.send(Err(StoreError::Write(why.clone())));
                }
            }
        }
    }
}
