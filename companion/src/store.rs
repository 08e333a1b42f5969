//! The channel store: channels, their on-chain state, every voucher signed or received (the
//! history, not only the latest), and pending transactions — behind [`ChannelStore`], so a
//! producer who outgrows one machine can put several stateless servers on a shared database
//! later. [`SqliteStore`] is the embedded default: SQLite in WAL mode with `synchronous=FULL` (a
//! commit has reached the disk when it returns), one process at a time (an exclusive lock file),
//! refusing a file that is not its own.
//!
//! A voucher is recorded in one transaction that first checks it is above every voucher of the
//! same direction already recorded, so two writers can never record a lower count after a higher
//! one, and a refused write leaves the store exactly as it was.

use std::{
    fs,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use alloy_primitives::{Address, B256, U256};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// The `format` a store records in its `meta` table.
pub const STORE_FORMAT: &str = "paratii-channel-store";
/// The schema version this companion reads and writes.
pub const STORE_VERSION: i64 = 2;

/// Why the store refused or failed. A refused write changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the store.
    #[error("store {0} is in use by another process (its lock file is held)")]
    Locked(PathBuf),
    /// The file is not a channel store of this version.
    #[error("{path} is not a channel store this companion can open: {why}")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// No such channel.
    #[error("unknown channel {0}")]
    UnknownChannel(B256),
    /// A voucher not above the highest of its direction already recorded.
    #[error("voucher for {segments} segments of {channel}, not above the {recorded} recorded")]
    NotAbove {
        /// The channel.
        channel: B256,
        /// The voucher's count.
        segments: u64,
        /// The highest count recorded.
        recorded: u64,
    },
    /// A count SQLite cannot hold (above 2⁶³ − 1).
    #[error("{0} segments is beyond what the store holds (2⁶³ − 1)")]
    TooLarge(u64),
    /// The database failed.
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The group write holding this voucher failed (nothing of it was recorded).
    #[error("store: the batch write failed: {0}")]
    Write(String),
    /// The lock file could not be created.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        error: std::io::Error,
    },
}

/// Which side of a channel this store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// We pay: we sign vouchers.
    Payer,
    /// We are paid: we receive vouchers.
    Payee,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Self::Payer => "payer",
            Self::Payee => "payee",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "payer" => Some(Self::Payer),
            "payee" => Some(Self::Payee),
            _ => None,
        }
    }
}

/// A channel as the store keeps it: its terms and the on-chain state last reconciled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChannel {
    /// The channel's id.
    pub id: B256,
    /// Our side.
    pub role: Role,
    /// The chain.
    pub chain_id: u64,
    /// The adjudicator.
    pub adjudicator: Address,
    /// Who pays.
    pub payer: Address,
    /// Who is paid.
    pub payee: Address,
    /// The channel's `signer` parameter: who signs the vouchers, zero for the payer itself
    /// ([`StoredChannel::voucher_signer`]).
    pub signer: Address,
    /// The video.
    pub video_id: B256,
    /// PTI wei per segment.
    pub price_per_segment: U256,
    /// The salt that tells apart channels with equal other parameters.
    pub salt: B256,
    /// The escrow on chain, PTI wei.
    pub deposit: U256,
    /// Segments settled on chain.
    pub settled: u64,
    /// When a close was requested on chain, if it was.
    pub close_requested_at: Option<u64>,
    /// Whether the channel is finalised on chain.
    pub finalized: bool,
}

impl StoredChannel {
    /// Who must sign the channel's vouchers: its `signer`, or the payer when that is zero.
    #[must_use]
    pub fn voucher_signer(&self) -> Address {
        if self.signer.is_zero() {
            self.payer
        } else {
            self.signer
        }
    }
}

/// A voucher in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVoucher {
    /// Its count.
    pub segments: u64,
    /// Its packed signature.
    pub signature: Vec<u8>,
    /// When it was recorded, unix seconds.
    pub recorded_at: u64,
}

/// A transaction sent and not yet known mined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingTx {
    /// Its hash.
    pub hash: B256,
    /// The channel it acts on, if one.
    pub channel: Option<B256>,
    /// What it does (`open`, `settle`, `close`, …).
    pub kind: String,
    /// The signed bytes, to send again after a restart.
    pub raw: Vec<u8>,
}

/// One voucher of a [`ChannelStore::record_vouchers`] batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherWrite {
    /// The channel.
    pub channel: B256,
    /// The cumulative segment count.
    pub segments: u64,
    /// The signature (65 bytes, checked before).
    pub signature: Vec<u8>,
}

/// Runs store work (a read, or a durable write that waits for its fsync) from async code that
/// holds the store by reference: on a multi-threaded runtime the worker first hands its other
/// tasks to another thread (`block_in_place`), so a slow disk delays only the caller; on any
/// other it runs inline. Code that owns an `Arc` of the store uses `spawn_blocking` instead.
pub(crate) fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) if runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// What every channel store does; [`SqliteStore`] is the embedded one.
pub trait ChannelStore: Send + Sync {
    /// Records a channel, or replaces its terms and on-chain state.
    ///
    /// # Errors
    /// [`StoreError`].
    fn put_channel(&self, channel: &StoredChannel) -> Result<(), StoreError>;

    /// A channel, if known.
    ///
    /// # Errors
    /// [`StoreError`].
    fn channel(&self, id: B256) -> Result<Option<StoredChannel>, StoreError>;

    /// Every channel, by id.
    ///
    /// # Errors
    /// [`StoreError`].
    fn channels(&self) -> Result<Vec<StoredChannel>, StoreError>;

    /// Records a voucher durably, refusing one not above the highest already recorded for the
    /// channel (a payer records each voucher before sending it; a payee before serving what it
    /// pays for).
    ///
    /// # Errors
    /// [`StoreError::UnknownChannel`], [`StoreError::NotAbove`], [`StoreError::TooLarge`].
    fn record_voucher(
        &self,
        channel: B256,
        segments: u64,
        signature: &[u8],
    ) -> Result<(), StoreError>;

    /// Records many vouchers in one durable write (group commit): each checked as
    /// [`ChannelStore::record_voucher`] checks it, against the store and the items before it,
    /// and all that pass made durable together. Returns each item's outcome, in order; a refused
    /// item refuses only itself.
    ///
    /// # Errors
    /// [`StoreError`] when the write itself fails: then none of the batch is recorded.
    fn record_vouchers(
        &self,
        batch: &[VoucherWrite],
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        Ok(batch.iter().map(|v| self.record_voucher(v.channel, v.segments, &v.signature)).collect())
    }

    /// The highest voucher recorded for the channel.
    ///
    /// # Errors
    /// [`StoreError`].
    fn best_voucher(&self, channel: B256) -> Result<Option<StoredVoucher>, StoreError>;

    /// Every voucher recorded for the channel, oldest first.
    ///
    /// # Errors
    /// [`StoreError`].
    fn vouchers(&self, channel: B256) -> Result<Vec<StoredVoucher>, StoreError>;

    /// Records a transaction sent.
    ///
    /// # Errors
    /// [`StoreError`].
    fn add_pending(&self, tx: &PendingTx) -> Result<(), StoreError>;

    /// Transactions sent and not yet resolved, oldest first.
    ///
    /// # Errors
    /// [`StoreError`].
    fn pending(&self) -> Result<Vec<PendingTx>, StoreError>;

    /// Forgets a pending transaction (mined or dropped).
    ///
    /// # Errors
    /// [`StoreError`].
    fn resolve_pending(&self, hash: B256) -> Result<(), StoreError>;
}

macro_rules! forward_store {
    ($($pointer:ty),*) => {$(
        /// A shared store is a store: the payer, the payee and the watchtower may hold one store
        /// through a reference or an `Arc`.
        impl<S: ChannelStore + ?Sized> ChannelStore for $pointer {
            fn put_channel(&self, channel: &StoredChannel) -> Result<(), StoreError> {
                (**self).put_channel(channel)
            }
            fn channel(&self, id: B256) -> Result<Option<StoredChannel>, StoreError> {
                (**self).channel(id)
            }
            fn channels(&self) -> Result<Vec<StoredChannel>, StoreError> {
                (**self).channels()
            }
            fn record_voucher(&self, channel: B256, segments: u64, signature: &[u8]) -> Result<(), StoreError> {
                (**self).record_voucher(channel, segments, signature)
            }
            fn record_vouchers(&self, batch: &[VoucherWrite]) -> Result<Vec<Result<(), StoreError>>, StoreError> {
                (**self).record_vouchers(batch)
            }
            fn best_voucher(&self, channel: B256) -> Result<Option<StoredVoucher>, StoreError> {
                (**self).best_voucher(channel)
            }
            fn vouchers(&self, channel: B256) -> Result<Vec<StoredVoucher>, StoreError> {
                (**self).vouchers(channel)
            }
            fn add_pending(&self, tx: &PendingTx) -> Result<(), StoreError> {
                (**self).add_pending(tx)
            }
            fn pending(&self) -> Result<Vec<PendingTx>, StoreError> {
                (**self).pending()
            }
            fn resolve_pending(&self, hash: B256) -> Result<(), StoreError> {
                (**self).resolve_pending(hash)
            }
        }
    )*};
}

forward_store!(&S, std::sync::Arc<S>);

/// The embedded store: one SQLite file, WAL, `synchronous=FULL`, one process at a time.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    _checkpointer: Checkpointer,
    // Held for the store's life: the OS releases it if the process dies.
    _lock: fs::File,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS channels (
  id BLOB PRIMARY KEY, role TEXT NOT NULL, chain_id INTEGER NOT NULL, adjudicator BLOB NOT NULL,
  payer BLOB NOT NULL, payee BLOB NOT NULL, signer BLOB NOT NULL, video_id BLOB NOT NULL,
  price TEXT NOT NULL, deposit TEXT NOT NULL, settled INTEGER NOT NULL,
  close_requested_at INTEGER, finalized INTEGER NOT NULL, salt BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS vouchers (
  channel_id BLOB NOT NULL REFERENCES channels(id), segments INTEGER NOT NULL,
  signature BLOB NOT NULL, recorded_at INTEGER NOT NULL, PRIMARY KEY (channel_id, segments)
) STRICT;
CREATE TABLE IF NOT EXISTS pending_txs (
  hash BLOB PRIMARY KEY, channel_id BLOB, kind TEXT NOT NULL, raw BLOB NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn count(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::TooLarge(n))
}

fn uncount(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

impl SqliteStore {
    /// Opens (or creates) the store at `path`, taking its lock file (`<path>.lock`).
    ///
    /// # Errors
    /// [`StoreError::Locked`] when another process holds it; [`StoreError::Corrupt`] for a file
    /// that is not a channel store of this version (left untouched); [`StoreError::Io`].
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let lock_path = path.with_extension("lock");
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|error| StoreError::Io { path: lock_path.clone(), error })?;
        if lock.try_lock().is_err() {
            return Err(StoreError::Locked(path.to_owned()));
        }
        let corrupt =
            |e: rusqlite::Error| StoreError::Corrupt { path: path.to_owned(), why: e.to_string() };
        let conn = Connection::open(path).map_err(corrupt)?;
        // The first statement that reads the file tells a foreign file from a store.
        conn.pragma_update(None, "journal_mode", "WAL").map_err(corrupt)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0))
            .map_err(corrupt)?;
        if tables == 0 {
            conn.execute_batch(SCHEMA)?;
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('format', ?1), ('version', ?2)",
                params![STORE_FORMAT, STORE_VERSION.to_string()],
            )?;
        }
        let meta = |key: &str| -> Option<String> {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).ok()
        };
        let (format, version) = (meta("format"), meta("version"));
        if format.as_deref() != Some(STORE_FORMAT) || version != Some(STORE_VERSION.to_string()) {
            return Err(StoreError::Corrupt {
                path: path.to_owned(),
                why: format!(
                    "format {format:?} version {version:?}, this companion reads {STORE_FORMAT:?} \
                     version {STORE_VERSION}"
                ),
            });
        }
        // Checkpoints copy the log into the database and sync it: on their own thread and
        // connection, so no commit waits for one.
        let checkpointer = Checkpointer::start(Connection::open(path).map_err(corrupt)?);
        if checkpointer.thread.is_some() {
            conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        }
        Ok(Self { conn: Mutex::new(conn), _checkpointer: checkpointer, _lock: lock })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut conn)
    }
}

/// The thread that checkpoints the write-ahead log every [`CHECKPOINT_EVERY`]: passive, so it
/// never blocks a writer; once the log is copied, the next commit starts it from its beginning.
struct Checkpointer {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How often the log is checkpointed.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

impl Checkpointer {
    fn start(conn: Connection) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("paratii-checkpoint".into())
            .spawn(move || {
                while !stopping.load(Ordering::Acquire) {
                    std::thread::park_timeout(CHECKPOINT_EVERY);
                    // A busy pass is retried at the next; the log stays valid meanwhile.
                    let pass = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    if let Err(error) = pass {
                        tracing::debug!(%error, "checkpoint deferred");
                    }
                }
            })
            .ok();
        Self { stop, thread }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

fn read_channel(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredChannel> {
    let bytes32 = |i: usize| -> rusqlite::Result<B256> {
        let b: Vec<u8> = row.get(i)?;
        Ok(B256::try_from(b.as_slice()).unwrap_or_default())
    };
    let address = |i: usize| -> rusqlite::Result<Address> {
        let b: Vec<u8> = row.get(i)?;
        Ok(Address::try_from(b.as_slice()).unwrap_or_default())
    };
    let amount = |i: usize| -> rusqlite::Result<U256> {
        let s: String = row.get(i)?;
        Ok(s.parse().unwrap_or_default())
    };
    let role: String = row.get(1)?;
    Ok(StoredChannel {
        id: bytes32(0)?,
        role: Role::parse(&role).unwrap_or(Role::Payee),
        chain_id: uncount(row.get(2)?),
        adjudicator: address(3)?,
        payer: address(4)?,
        payee: address(5)?,
        signer: address(6)?,
        video_id: bytes32(7)?,
        price_per_segment: amount(8)?,
        deposit: amount(9)?,
        settled: uncount(row.get(10)?),
        close_requested_at: row.get::<_, Option<i64>>(11)?.map(uncount),
        finalized: row.get::<_, i64>(12)? != 0,
        salt: bytes32(13)?,
    })
}

const CHANNEL_COLUMNS: &str = "id, role, chain_id, adjudicator, payer, payee, signer, video_id, \
                               price, deposit, settled, close_requested_at, finalized, salt";

impl ChannelStore for SqliteStore {
    fn put_channel(&self, c: &StoredChannel) -> Result<(), StoreError> {
        let (chain_id, settled) = (count(c.chain_id)?, count(c.settled)?);
        let requested = c.close_requested_at.map(count).transpose()?;
        self.with(|conn| {
            conn.execute(
                &format!(
                    "INSERT INTO channels ({CHANNEL_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, \
                     ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT(id) DO UPDATE SET deposit = ?10, \
                     settled = ?11, close_requested_at = ?12, finalized = ?13"
                ),
                params![
                    c.id.as_slice(),
                    c.role.as_str(),
                    chain_id,
                    c.adjudicator.as_slice(),
                    c.payer.as_slice(),
                    c.payee.as_slice(),
                    c.signer.as_slice(),
                    c.video_id.as_slice(),
                    c.price_per_segment.to_string(),
                    c.deposit.to_string(),
                    settled,
                    requested,
                    i64::from(c.finalized),
                    c.salt.as_slice(),
                ],
            )?;
            Ok(())
        })
    }

    fn channel(&self, id: B256) -> Result<Option<StoredChannel>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = ?1"),
                    [id.as_slice()],
                    read_channel,
                )
                .optional()?)
        })
    }

    fn channels(&self) -> Result<Vec<StoredChannel>, StoreError> {
        self.with(|conn| {
            let mut statement =
                conn.prepare(&format!("SELECT {CHANNEL_COLUMNS} FROM channels ORDER BY id"))?;
            let rows = statement.query_map([], read_channel)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn record_voucher(
        &self,
        channel: B256,
        segments: u64,
        signature: &[u8],
    ) -> Result<(), StoreError> {
        let write = VoucherWrite { channel, segments, signature: signature.to_vec() };
        self.with(|conn| {
            // IMMEDIATE: the write lock is taken before the check, so the check and the insert
            // are one step for every writer.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            insert_voucher(&tx, &write)?;
            tx.commit()?;
            Ok(())
        })
    }

    fn record_vouchers(
        &self,
        batch: &[VoucherWrite],
    ) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        self.with(|conn| {
            // One IMMEDIATE transaction, one commit, one fsync for the whole batch.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut outcomes = Vec::with_capacity(batch.len());
            for v in batch {
                outcomes.push(insert_voucher(&tx, v));
            }
            tx.commit()?;
            Ok(outcomes)
        })
    }

    fn best_voucher(&self, channel: B256) -> Result<Option<StoredVoucher>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    "SELECT segments, signature, recorded_at FROM vouchers WHERE channel_id = ?1 \
                     ORDER BY segments DESC LIMIT 1",
                    [channel.as_slice()],
                    read_voucher,
                )
                .optional()?)
        })
    }

    fn vouchers(&self, channel: B256) -> Result<Vec<StoredVoucher>, StoreError> {
        self.with(|conn| {
            let mut statement = conn.prepare(
                "SELECT segments, signature, recorded_at FROM vouchers WHERE channel_id = ?1 \
                 ORDER BY segments",
            )?;
            let rows = statement.query_map([channel.as_slice()], read_voucher)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn add_pending(&self, tx: &PendingTx) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.execute(
                "INSERT OR REPLACE INTO pending_txs (hash, channel_id, kind, raw, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![tx.hash.as_slice(), tx.channel.map(|c| c.to_vec()), tx.kind, tx.raw, now()],
            )?;
            Ok(())
        })
    }

    fn pending(&self) -> Result<Vec<PendingTx>, StoreError> {
        self.with(|conn| {
            let mut statement = conn.prepare(
                "SELECT hash, channel_id, kind, raw FROM pending_txs ORDER BY created_at, hash",
            )?;
            let rows = statement.query_map([], |row| {
                let hash: Vec<u8> = row.get(0)?;
                let channel: Option<Vec<u8>> = row.get(1)?;
                Ok(PendingTx {
                    hash: B256::try_from(hash.as_slice()).unwrap_or_default(),
                    channel: channel.and_then(|c| B256::try_from(c.as_slice()).ok()),
                    kind: row.get(2)?,
                    raw: row.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn resolve_pending(&self, hash: B256) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.execute("DELETE FROM pending_txs WHERE hash = ?1", [hash.as_slice()])?;
            Ok(())
        })
    }
}

/// One voucher's check and insert inside a batch's transaction: the channel must be known and
/// the count above every recorded one (the batch's earlier items included).
fn insert_voucher(tx: &rusqlite::Transaction<'_>, v: &VoucherWrite) -> Result<(), StoreError> {
    let n = count(v.segments)?;
    let channel = v.channel;
    let known: Option<i64> = tx
        .query_row("SELECT 1 FROM channels WHERE id = ?1", [channel.as_slice()], |r| r.get(0))
        .optional()?;
    if known.is_none() {
        return Err(StoreError::UnknownChannel(channel));
    }
    let recorded: Option<i64> = tx.query_row(
        "SELECT max(segments) FROM vouchers WHERE channel_id = ?1",
        [channel.as_slice()],
        |r| r.get(0),
    )?;
    if let Some(recorded) = recorded.filter(|r| *r >= n) {
        return Err(StoreError::NotAbove {
            channel,
            segments: v.segments,
            recorded: uncount(recorded),
        });
    }
    tx.execute(
        "INSERT INTO vouchers (channel_id, segments, signature, recorded_at) VALUES (?1, ?2, ?3, ?4)",
        params![channel.as_slice(), n, v.signature, now()],
    )?;
    Ok(())
}

fn read_voucher(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredVoucher> {
    Ok(StoredVoucher {
        segments: uncount(row.get(0)?),
        signature: row.get(1)?,
        recorded_at: uncount(row.get(2)?),
    })
}

#[cfg(test)]
mod tests;
