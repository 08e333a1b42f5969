//! Polled filters (`eth_newFilter`, `eth_newBlockFilter`, `eth_newPendingTransactionFilter`,
//! `eth_getFilterChanges`, `eth_getFilterLogs`, `eth_uninstallFilter`), as alloy's `watch_*`
//! use them: each poll answers what arrived since the previous one. A filter nobody polls for
//! five minutes is dropped, as geth drops it.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use serde_json::Value;

use super::{
    chain::ChainState,
    rpc::{quantity, RpcError},
    txs::{self, BlockRef, LogFilter},
};

/// How long an unpolled filter lives.
pub const FILTER_TIMEOUT: Duration = Duration::from_mins(5);

/// What a filter watches.
#[derive(Clone)]
enum Watch {
    /// Logs matching a filter.
    Logs(LogFilter),
    /// New blocks' hashes.
    Blocks,
    /// Pending transactions: always none here (every transaction is mined at once).
    Pending,
}

struct Filter {
    watch: Watch,
    /// The last block whose contents a poll has answered.
    seen: u64,
    polled: Instant,
}

/// The installed filters.
#[derive(Default)]
pub(crate) struct Filters {
    installed: HashMap<u64, Filter>,
    next: u64,
}

impl Filters {
    fn expire(&mut self) {
        self.installed.retain(|_, f| f.polled.elapsed() < FILTER_TIMEOUT);
    }
}

fn not_found(id: u64) -> RpcError {
    RpcError::refused(format!(
        "filter not found: {id:#x} (never installed, uninstalled, or unpolled for 5 minutes)"
    ))
}

fn install(state: &mut ChainState, watch: Watch) -> Value {
    let filters = &mut state.filters;
    filters.expire();
    filters.next += 1;
    let id = filters.next;
    let seen = state.ledger.latest();
    filters.installed.insert(id, Filter { watch, seen, polled: Instant::now() });
    quantity(id)
}

/// `eth_newFilter`: watches logs matching `filter` from the next block on.
pub(crate) fn new_logs(state: &mut ChainState, filter: LogFilter) -> Value {
    install(state, Watch::Logs(filter))
}

/// `eth_newBlockFilter`.
pub(crate) fn new_blocks(state: &mut ChainState) -> Value {
    install(state, Watch::Blocks)
}

/// `eth_newPendingTransactionFilter`.
pub(crate) fn new_pending(state: &mut ChainState) -> Value {
    install(state, Watch::Pending)
}

/// `eth_uninstallFilter`: whether there was such a filter.
pub(crate) fn uninstall(state: &mut ChainState, id: u64) -> Value {
    state.filters.expire();
    Value::Bool(state.filters.installed.remove(&id).is_some())
}

/// `eth_getFilterChanges`: what arrived since the last poll.
pub(crate) fn changes(state: &mut ChainState, id: u64) -> Result<Value, RpcError> {
    state.filters.expire();
    let latest = state.ledger.latest();
    let filter = state.filters.installed.get_mut(&id).ok_or_else(|| not_found(id))?;
    filter.polled = Instant::now();
    let seen = std::mem::replace(&mut filter.seen, latest);
    match filter.watch.clone() {
        Watch::Pending => Ok(Value::Array(Vec::new())),
        Watch::Blocks => Ok(serde_json::json!(state.ledger.hashes_after(seen))),
        Watch::Logs(f) => {
            // The blocks mined since the last poll, within the filter's own range. A filter
            // naming one block by hash names a block mined before it was installed: nothing new.
            let from = match f.from {
                BlockRef::Number(n) => n.max(seen + 1),
                BlockRef::Hash(_) => return Ok(Value::Array(Vec::new())),
                BlockRef::Latest | BlockRef::Earliest => seen + 1,
            };
            let to = match f.to {
                BlockRef::Number(n) => n.min(latest),
                _ => latest,
            };
            if from > to {
                return Ok(Value::Array(Vec::new()));
            }
            txs::logs(
                state,
                &LogFilter { from: BlockRef::Number(from), to: BlockRef::Number(to), ..f },
            )
        }
    }
}

/// `eth_getFilterLogs`: every log a log filter matches.
pub(crate) fn logs(state: &mut ChainState, id: u64) -> Result<Value, RpcError> {
    state.filters.expire();
    let filter = state.filters.installed.get_mut(&id).ok_or_else(|| not_found(id))?;
    filter.polled = Instant::now();
    match filter.watch.clone() {
        Watch::Logs(f) => txs::logs(state, &f),
        _ => Err(RpcError::refused(format!("filter {id:#x} is not a log filter"))),
    }
}
