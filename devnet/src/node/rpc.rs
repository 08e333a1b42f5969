//! JSON-RPC 2.0 over the chain: request validation, batches, the error codes tools expect
//! (-32700 parse, -32600 invalid request, -32601 unknown method, -32602 bad params, 3 revert),
//! and the methods.

use alloy_primitives::{hex, Address, Bytes, B256, U256};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::{
    chain::{ChainHandle, ChainState, ChainStopped},
    filters,
    txs::{self, BlockRef},
};
use crate::{Devnet, DevnetError, Status};

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// The code: -32700 parse, -32600 invalid request, -32601 unknown method, -32602 bad params,
    /// -32603 internal, -32000 refused by the chain, 3 execution reverted.
    pub code: i64,
    /// What went wrong, naming the offending value.
    pub message: String,
    /// The revert data (`0x…`) of a reverted call.
    pub data: Option<Value>,
}

impl RpcError {
    fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), data: None }
    }

    /// -32700: the body is not JSON.
    pub(crate) fn parse(e: &serde_json::Error) -> Self {
        Self::new(-32700, format!("parse error: {e}"))
    }

    /// -32600: not a JSON-RPC 2.0 request.
    pub(crate) fn invalid_request(why: impl Into<String>) -> Self {
        Self::new(-32600, format!("invalid request: {}", why.into()))
    }

    /// -32602: a parameter is missing or malformed.
    pub(crate) fn params(why: impl Into<String>) -> Self {
        Self::new(-32602, format!("invalid params: {}", why.into()))
    }

    /// -32000: the chain refused the request.
    pub(crate) fn refused(why: impl Into<String>) -> Self {
        Self::new(-32000, why.into())
    }

    /// 3: the call reverted with `output`, which goes in `data` (where alloy and cast decode it).
    fn reverted(output: &[u8]) -> Self {
        Self {
            code: 3,
            message: "execution reverted".into(),
            data: Some(Value::String(hex::encode_prefixed(output))),
        }
    }

    /// -32000: the call failed (a trap, a limit, a broken rule) for `reason`.
    fn failed(reason: &str) -> Self {
        Self::refused(format!("execution failed: {reason}"))
    }

    fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        error
    }
}

impl From<ChainStopped> for RpcError {
    fn from(_: ChainStopped) -> Self {
        Self::new(-32603, "internal error: the chain stopped serving this request")
    }
}

/// Answers a request body: one request or a batch. `None` for a batch of notifications only.
/// The most requests one batch may hold.
pub const MAX_BATCH: usize = 1_000;

/// The answer to a request refused because too many are in flight: JSON-RPC's -32005 ("limit
/// exceeded", EIP-1474), for the HTTP 429 that carries it.
pub(crate) fn over_limit(in_flight: usize) -> Value {
    response(
        &Value::Null,
        Err(RpcError::new(
            -32005,
            format!("limit exceeded: {in_flight} requests already in flight; retry shortly"),
        )),
    )
}

pub(crate) async fn handle_body(chain: &ChainHandle, body: &[u8]) -> Option<Value> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return Some(response(&Value::Null, Err(RpcError::parse(&e)))),
    };
    match value {
        Value::Array(requests) if requests.is_empty() => {
            Some(response(&Value::Null, Err(RpcError::invalid_request("an empty batch"))))
        }
        Value::Array(requests) if requests.len() > MAX_BATCH => Some(response(
            &Value::Null,
            Err(RpcError::invalid_request(format!(
                "a batch of {} requests, over the {MAX_BATCH} this node answers at once",
                requests.len()
            ))),
        )),
        Value::Array(requests) => {
            let mut answers = Vec::with_capacity(requests.len());
            for request in &requests {
                if let Some(answer) = handle_one(chain, request).await {
                    answers.push(answer);
                }
            }
            (!answers.is_empty()).then_some(Value::Array(answers))
        }
        request => handle_one(chain, &request).await,
    }
}

/// Answers one request; `None` for a notification (no `id`).
async fn handle_one(chain: &ChainHandle, request: &Value) -> Option<Value> {
    let Value::Object(fields) = request else {
        return Some(response(&Value::Null, Err(RpcError::invalid_request("not an object"))));
    };
    let id = fields.get("id").cloned();
    let reply_id = id.clone().unwrap_or(Value::Null);
    if fields.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Some(response(
            &reply_id,
            Err(RpcError::invalid_request("jsonrpc must be \"2.0\"")),
        ));
    }
    let Some(method) = fields.get("method").and_then(Value::as_str) else {
        return Some(response(&reply_id, Err(RpcError::invalid_request("no method name"))));
    };
    let params = match fields.get("params") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(params)) => params.clone(),
        Some(_) => {
            return Some(response(
                &reply_id,
                Err(RpcError::params("params must be an array (by-position)")),
            ))
        }
    };
    let result = dispatch(chain, method, &params).await;
    id.map(|id| response(&id, result))
}

fn response(id: &Value, result: Result<Value, RpcError>) -> Value {
    match result {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(error) => json!({ "jsonrpc": "2.0", "id": id, "error": error.to_json() }),
    }
}

/// Parameter `index` of `params` as a `T`; `name` says which in the error.
fn param<T: DeserializeOwned>(params: &[Value], index: usize, name: &str) -> Result<T, RpcError> {
    let value = params.get(index).ok_or_else(|| RpcError::params(format!("missing {name}")))?;
    serde_json::from_value(value.clone()).map_err(|e| RpcError::params(format!("{name}: {e}")))
}

/// Checks that at most `max` parameters were given.
fn at_most(params: &[Value], max: usize) -> Result<(), RpcError> {
    if params.len() > max {
        return Err(RpcError::params(format!(
            "expected at most {max} parameters, got {}",
            params.len()
        )));
    }
    Ok(())
}

/// A block parameter: this node keeps only the current state, so any tag naming it is
/// accepted (`latest`, `pending`, `safe`, `finalized`, the current number, or an EIP-1898
/// object with that number) and anything older is refused, never answered from the wrong state.
async fn current_block(
    chain: &ChainHandle,
    params: &[Value],
    index: usize,
) -> Result<(), RpcError> {
    let Some(tag) = params.get(index) else { return Ok(()) };
    let number = match tag {
        Value::Null => return Ok(()),
        Value::String(s) if matches!(s.as_str(), "latest" | "pending" | "safe" | "finalized") => {
            return Ok(())
        }
        Value::String(s) => parse_quantity(s)
            .ok_or_else(|| RpcError::params(format!("block: {s:?} is not a tag or a quantity")))?,
        Value::Object(o) => match o.get("blockNumber").and_then(Value::as_str) {
            Some(s) => parse_quantity(s)
                .ok_or_else(|| RpcError::params(format!("blockNumber: {s:?} is not a quantity")))?,
            None => {
                return Err(RpcError::params(
                    "block: only {\"blockNumber\": …} objects are supported",
                ))
            }
        },
        other => {
            return Err(RpcError::params(format!("block: {other} is not a tag or a quantity")))
        }
    };
    let current = chain.run(|s| s.ledger.latest()).await?;
    if number == current {
        Ok(())
    } else {
        Err(RpcError::refused(format!(
            "state at block {number} is not kept (this node keeps the current state, block {current})"
        )))
    }
}

fn parse_quantity(s: &str) -> Option<u64> {
    let digits = s.strip_prefix("0x")?;
    if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

/// A hex quantity (`0x0`, `0x1a`), as JSON-RPC writes numbers.
pub(crate) fn quantity(n: impl std::fmt::LowerHex) -> Value {
    Value::String(format!("{n:#x}"))
}

/// The fields of a call object this node reads (`data` and `input` both accepted).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallRequest {
    from: Option<Address>,
    to: Option<Address>,
    input: Option<Bytes>,
    data: Option<Bytes>,
    value: Option<U256>,
    gas: Option<U256>,
}

async fn dispatch(chain: &ChainHandle, method: &str, params: &[Value]) -> Result<Value, RpcError> {
    match method {
        "web3_clientVersion" => {
            at_most(params, 0)?;
            Ok(Value::String(format!("paratii-devnet/{}", env!("CARGO_PKG_VERSION"))))
        }
        "eth_chainId" => {
            at_most(params, 0)?;
            Ok(quantity(chain.run(|s| s.net.block().chain_id).await?))
        }
        "net_version" => {
            at_most(params, 0)?;
            Ok(Value::String(chain.run(|s| s.net.block().chain_id).await?.to_string()))
        }
        "eth_blockNumber" => {
            at_most(params, 0)?;
            Ok(quantity(chain.run(|s| s.ledger.latest()).await?))
        }
        "eth_gasPrice" => {
            at_most(params, 0)?;
            Ok(quantity(chain.run(|s| s.net.block().gas_price).await?))
        }
        "eth_getBalance" | "eth_getCode" | "eth_getTransactionCount" => {
            at_most(params, 2)?;
            let address: Address = param(params, 0, "address")?;
            current_block(chain, params, 1).await?;
            let method = method.to_owned();
            Ok(chain
                .run(move |s| {
                    let world = s.net.world();
                    match method.as_str() {
                        "eth_getBalance" => quantity(world.balance(address)),
                        "eth_getCode" => Value::String(hex::encode_prefixed(world.code(address))),
                        _ => quantity(world.nonce(address)),
                    }
                })
                .await?)
        }
        "eth_maxPriorityFeePerGas" => {
            at_most(params, 0)?;
            Ok(quantity(0))
        }
        "eth_call" => {
            at_most(params, 4)?;
            let call: CallRequest = param(params, 0, "call")?;
            current_block(chain, params, 1).await?;
            let overrides = Overrides::parse(params.get(2), params.get(3))?;
            eth_call(chain, call, overrides).await
        }
        _ => transactions(chain, method, params).await,
    }
}

/// Signed transactions, receipts, blocks, logs, fees and gas estimates.
async fn transactions(
    chain: &ChainHandle,
    method: &str,
    params: &[Value],
) -> Result<Value, RpcError> {
    match method {
        "eth_sendRawTransaction" => {
            at_most(params, 1)?;
            let raw: Bytes = param(params, 0, "transaction")?;
            let hash = chain.run(move |s| txs::send_raw(s, &raw)).await??;
            Ok(json!(hash))
        }
        "eth_getTransactionReceipt" | "eth_getTransactionByHash" => {
            at_most(params, 1)?;
            let hash: B256 = param(params, 0, "transaction hash")?;
            let receipt = method == "eth_getTransactionReceipt";
            Ok(chain
                .run(
                    move |s| {
                        if receipt {
                            txs::receipt(s, hash)
                        } else {
                            txs::transaction(s, hash)
                        }
                    },
                )
                .await?)
        }
        "eth_getBlockByNumber" | "eth_getBlockByHash" => {
            at_most(params, 2)?;
            let which = if method == "eth_getBlockByHash" {
                BlockRef::Hash(param(params, 0, "block hash")?)
            } else {
                block_ref(params.first().ok_or_else(|| RpcError::params("missing block"))?)?
            };
            let full = match params.get(1) {
                None => false,
                Some(_) => param::<bool>(params, 1, "full transactions flag")?,
            };
            Ok(chain.run(move |s| txs::block(s, which, full)).await?)
        }
        "eth_feeHistory" => {
            at_most(params, 3)?;
            let count: U256 = param(params, 0, "block count")?;
            let count = usize::try_from(count.min(U256::from(1024))).unwrap_or(1024);
            let percentiles: Vec<f64> = match params.get(2) {
                None => Vec::new(),
                Some(_) => param(params, 2, "reward percentiles")?,
            };
            let (latest, base_fee) =
                chain.run(|s| (s.ledger.latest(), s.net.block().basefee)).await?;
            let count = count.min(usize::try_from(latest + 1).unwrap_or(usize::MAX));
            let oldest = latest + 1 - count as u64;
            Ok(json!({
                "oldestBlock": quantity(oldest),
                "baseFeePerGas": vec![quantity(base_fee); count + 1],
                "gasUsedRatio": vec![0.0; count],
                "reward": vec![vec![quantity(0); percentiles.len()]; count],
            }))
        }
        "eth_getLogs" => {
            at_most(params, 1)?;
            let filter =
                log_filter(params.first().ok_or_else(|| RpcError::params("missing filter"))?)?;
            chain.run(move |s| txs::logs(s, &filter)).await?
        }
        "eth_estimateGas" => {
            at_most(params, 3)?;
            let call: CallRequest = param(params, 0, "call")?;
            current_block(chain, params, 1).await?;
            let overrides = Overrides::parse(params.get(2), None)?;
            estimate_gas(chain, call, overrides).await
        }
        _ => filter_methods(chain, method, params).await,
    }
}

/// Polled filters.
async fn filter_methods(
    chain: &ChainHandle,
    method: &str,
    params: &[Value],
) -> Result<Value, RpcError> {
    let id = || -> Result<u64, RpcError> {
        at_most(params, 1)?;
        let id: U256 = param(params, 0, "filter id")?;
        u64::try_from(id).map_err(|_| RpcError::params("filter id: above 2⁶⁴ − 1"))
    };
    match method {
        "eth_newFilter" => {
            at_most(params, 1)?;
            let filter =
                log_filter(params.first().ok_or_else(|| RpcError::params("missing filter"))?)?;
            Ok(chain.run(move |s| filters::new_logs(s, filter)).await?)
        }
        "eth_newBlockFilter" => {
            at_most(params, 0)?;
            Ok(chain.run(filters::new_blocks).await?)
        }
        "eth_newPendingTransactionFilter" => {
            at_most(params, 0)?;
            Ok(chain.run(filters::new_pending).await?)
        }
        "eth_getFilterChanges" => {
            let id = id()?;
            chain.run(move |s| filters::changes(s, id)).await?
        }
        "eth_getFilterLogs" => {
            let id = id()?;
            chain.run(move |s| filters::logs(s, id)).await?
        }
        "eth_uninstallFilter" => {
            let id = id()?;
            Ok(chain.run(move |s| filters::uninstall(s, id)).await?)
        }
        _ => control(chain, method, params).await,
    }
}

/// The test controls anvil offers (`anvil_*`, `evm_*`).
async fn control(chain: &ChainHandle, method: &str, params: &[Value]) -> Result<Value, RpcError> {
    match method {
        "anvil_setBalance" => {
            at_most(params, 2)?;
            let address: Address = param(params, 0, "address")?;
            let balance: U256 = param(params, 1, "balance")?;
            chain.run(move |s| s.net.fund(address, balance)).await?.map_err(RpcError::from)?;
            Ok(Value::Null)
        }
        "anvil_setCode" => {
            at_most(params, 2)?;
            let address: Address = param(params, 0, "address")?;
            let code: Bytes = param(params, 1, "code")?;
            let wasm = crate::wasm_from_code(&code).ok_or_else(|| {
                RpcError::params(
                    "code: neither Stylus code (0xEFF000, dictionary 0, brotli) nor WASM; this node runs no EVM bytecode",
                )
            })?;
            chain.run(move |s| s.net.set_code(address, &wasm)).await?.map_err(RpcError::from)?;
            Ok(Value::Null)
        }
        "evm_snapshot" => {
            at_most(params, 0)?;
            let id = chain
                .run(|s| {
                    let snapshot = s.net.snapshot();
                    s.snapshots.push((snapshot, s.ledger.height()));
                    s.snapshots.len() - 1
                })
                .await?;
            Ok(quantity(id as u64))
        }
        "evm_revert" => {
            at_most(params, 1)?;
            let id: U256 = param(params, 0, "snapshot id")?;
            let id = usize::try_from(id).map_err(|_| RpcError::params("snapshot id: too large"))?;
            chain
                .run(move |s| -> Result<bool, RpcError> {
                    let Some((snapshot, height)) = s.snapshots.get(id) else { return Ok(false) };
                    s.net.revert_to(snapshot).map_err(RpcError::from)?;
                    s.ledger.truncate(*height);
                    s.snapshots.truncate(id);
                    Ok(true)
                })
                .await?
                .map(Value::Bool)
        }
        "evm_mine" => {
            at_most(params, 1)?;
            let number = chain.run(txs::mine_empty).await?;
            Ok(quantity(number))
        }
        "evm_increaseTime" => {
            at_most(params, 1)?;
            let seconds: U256 = param(params, 0, "seconds")?;
            let seconds =
                u64::try_from(seconds).map_err(|_| RpcError::params("seconds: above 2⁶⁴ − 1"))?;
            let now = chain
                .run(move |s| s.net.advance_time(seconds).map(|()| s.net.block().timestamp))
                .await?
                .map_err(RpcError::from)?;
            Ok(quantity(now))
        }
        "anvil_dumpState" => {
            at_most(params, 0)?;
            chain
                .run(|s| {
                    let bytes = super::state::dump(s);
                    if let Some(path) = &s.state_file {
                        super::state::write_atomically(path, &bytes)
                            .map_err(|e| RpcError::failed(&e.to_string()))?;
                    }
                    Ok(Value::String(hex::encode_prefixed(bytes)))
                })
                .await?
        }
        "anvil_loadState" => {
            at_most(params, 1)?;
            let bytes: Bytes = param(params, 0, "state")?;
            chain
                .run(move |s| {
                    let (net, ledger) =
                        super::state::load(&bytes, std::path::Path::new("anvil_loadState"))
                            .map_err(|e| RpcError::params(e.to_string()))?;
                    s.net = net;
                    s.ledger = ledger;
                    s.snapshots.clear();
                    s.filters = super::filters::Filters::default();
                    Ok(Value::Bool(true))
                })
                .await?
        }
        _ => Err(RpcError::new(-32601, format!("method not found: {method}"))),
    }
}

impl From<DevnetError> for RpcError {
    /// -32000, with the devnet's reason (a Stylus rule's name, a missing program, …).
    fn from(e: DevnetError) -> Self {
        Self::refused(e.to_string())
    }
}

/// A call object resolved: defaults filled; no `to` means a creation.
#[derive(Clone)]
struct Call {
    from: Address,
    to: Option<Address>,
    data: Bytes,
    value: U256,
    gas: u64,
}

impl CallRequest {
    /// Resolves the request (`input` and `data` must agree when both are given).
    fn resolve(self) -> Result<Call, RpcError> {
        if self.input.is_some() && self.data.is_some() && self.input != self.data {
            return Err(RpcError::params("call: input and data differ"));
        }
        let gas = match self.gas {
            Some(gas) => u64::try_from(gas).map_err(|_| RpcError::params("gas: above 2⁶⁴ − 1"))?,
            None => crate::DEFAULT_GAS,
        };
        Ok(Call {
            from: self.from.unwrap_or_default(),
            to: self.to,
            data: self.input.or(self.data).unwrap_or_default(),
            value: self.value.unwrap_or_default(),
            gas,
        })
    }
}

/// One account's state override (geth's `eth_call` third parameter).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccountOverride {
    balance: Option<U256>,
    nonce: Option<U256>,
    code: Option<Bytes>,
    state: Option<std::collections::HashMap<U256, B256>>,
    state_diff: Option<std::collections::HashMap<U256, B256>>,
}

/// Block values a call sees instead of the current ones (geth's fourth parameter).
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct BlockOverride {
    number: Option<U256>,
    time: Option<U256>,
    gas_limit: Option<U256>,
    coinbase: Option<Address>,
    base_fee: Option<U256>,
}

/// What an `eth_call` or `eth_estimateGas` runs on instead of the current state: accounts'
/// balance, nonce, code (placed as is, not activated: exactly what `cargo stylus check` needs to
/// price an activation) and storage, and block values. Applied inside the call's snapshot, so
/// they vanish with it.
#[derive(Default)]
pub(crate) struct Overrides {
    accounts: Vec<(Address, AccountOverride)>,
    block: BlockOverride,
}

impl Overrides {
    fn parse(state: Option<&Value>, block: Option<&Value>) -> Result<Self, RpcError> {
        let accounts = match state {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => {
                let map: std::collections::HashMap<Address, AccountOverride> =
                    serde_json::from_value(v.clone())
                        .map_err(|e| RpcError::params(format!("state override: {e}")))?;
                map.into_iter().collect()
            }
        };
        for (address, o) in &accounts {
            if o.state.is_some() && o.state_diff.is_some() {
                return Err(RpcError::params(format!(
                    "state override of {address}: both state and stateDiff"
                )));
            }
        }
        let block = match block {
            None | Some(Value::Null) => BlockOverride::default(),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|e| RpcError::params(format!("block override: {e}")))?,
        };
        Ok(Self { accounts, block })
    }

    fn apply(&self, net: &Devnet) -> Result<(), RpcError> {
        let too_big =
            |what: &str| RpcError::params(format!("block override: {what} above 2⁶⁴ − 1"));
        let mut block = net.block();
        let b = &self.block;
        if let Some(n) = b.number {
            block.number = u64::try_from(n).map_err(|_| too_big("number"))?;
        }
        if let Some(t) = b.time {
            block.timestamp = u64::try_from(t).map_err(|_| too_big("time"))?;
        }
        if let Some(g) = b.gas_limit {
            block.gas_limit = u64::try_from(g).map_err(|_| too_big("gasLimit"))?;
        }
        if let Some(c) = b.coinbase {
            block.coinbase = c;
        }
        if let Some(f) = b.base_fee {
            block.basefee = f;
        }
        net.set_block(block)?;
        for (address, o) in &self.accounts {
            let address = *address;
            if let Some(balance) = o.balance {
                net.fund(address, balance)?;
            }
            if let Some(nonce) = o.nonce {
                let nonce = u64::try_from(nonce)
                    .map_err(|_| RpcError::params("state override: nonce above 2⁶⁴ − 1"))?;
                net.set_nonce(address, nonce)?;
            }
            if let Some(code) = &o.code {
                net.place_code(address, code)?;
            }
            if let Some(state) = &o.state {
                net.clear_storage(address)?;
                for (key, value) in state {
                    net.set_storage(address, *key, *value)?;
                }
            }
            for (key, value) in o.state_diff.iter().flatten() {
                net.set_storage(address, *key, *value)?;
            }
        }
        Ok(())
    }
}

/// Runs `call` (or the creation) on the current state with `overrides`, and undoes it all; a
/// revert or failure is its RPC error.
fn simulate(
    s: &mut ChainState,
    call: &Call,
    overrides: &Overrides,
) -> Result<crate::Receipt, RpcError> {
    // The call's gas is a transaction's limit: execution gets what the intrinsic gas leaves,
    // exactly as when the transaction is mined.
    let intrinsic = match call.to {
        Some(_) => crate::pricing::intrinsic_gas(&call.data),
        None => crate::pricing::creation_intrinsic_gas(&call.data),
    };
    let budget = call.gas.checked_sub(intrinsic).ok_or_else(|| {
        RpcError::refused(format!(
            "intrinsic gas too low: gas limit {}, intrinsic gas {intrinsic}",
            call.gas
        ))
    })?;
    let snapshot = s.net.snapshot();
    let ran = overrides.apply(&s.net).and_then(|()| match call.to {
        Some(to) => Ok(s.net.transaction(call.from, to, &call.data, call.value, budget)?),
        None => Ok(s.net.create(call.from, &call.data, call.value, budget)?.receipt),
    });
    s.net.revert_to(&snapshot)?;
    let receipt = ran?;
    match receipt.status {
        Status::Success => Ok(receipt),
        Status::Revert => Err(RpcError::reverted(&receipt.output)),
        Status::Failure => Err(RpcError::failed(&receipt.failure)),
    }
}

/// `eth_call`: the call's output on the current state (with any overrides), which it leaves
/// unchanged. An account without code returns nothing, as on Ethereum.
async fn eth_call(
    chain: &ChainHandle,
    call: CallRequest,
    overrides: Overrides,
) -> Result<Value, RpcError> {
    let call = call.resolve()?;
    chain
        .run(move |s: &mut ChainState| {
            simulate(s, &call, &overrides).map(|r| Value::String(hex::encode_prefixed(&r.output)))
        })
        .await?
}

/// A block tag or number as a [`BlockRef`].
fn block_ref(tag: &Value) -> Result<BlockRef, RpcError> {
    match tag.as_str() {
        Some("latest" | "pending" | "safe" | "finalized") => Ok(BlockRef::Latest),
        Some("earliest") => Ok(BlockRef::Earliest),
        Some(s) => parse_quantity(s)
            .map(BlockRef::Number)
            .ok_or_else(|| RpcError::params(format!("block: {s:?} is not a tag or a quantity"))),
        None => Err(RpcError::params(format!("block: {tag} is not a tag or a quantity"))),
    }
}

/// `eth_estimateGas`: the gas the call (or creation) needs, intrinsic included and refunds not
/// yet credited (what it must be given), plus 1/63 of it for a call that runs a program (the
/// 63/64 rule of nested calls); exact for a creation; a revert is the same error as `eth_call`'s.
async fn estimate_gas(
    chain: &ChainHandle,
    call: CallRequest,
    overrides: Overrides,
) -> Result<Value, RpcError> {
    let call = call.resolve()?;
    chain
        .run(move |s: &mut ChainState| {
            let r = simulate(s, &call, &overrides)?;
            let intrinsic = if call.to.is_some() {
                r.gas.intrinsic
            } else {
                crate::pricing::creation_intrinsic_gas(&call.data)
            };
            let needed = intrinsic + r.gas.used + r.gas.refund;
            // Only a call can nest calls that keep back a 64th; a creation runs no program.
            let margin = if r.gas.used == 0 || call.to.is_none() { 0 } else { needed.div_ceil(63) };
            let candidate = (needed + margin).min(call.gas);
            if call.to.is_none() || runs_within(s, &call, &overrides, candidate) {
                return Ok(quantity(candidate));
            }
            // Calls nested more than one deep, or a late call that needs a large share, keep
            // back more than one 64th: search for the least limit that succeeds, as geth does
            // (to within 1/64 of it).
            let (mut low, mut high) = (candidate, call.gas);
            while high - low > high / 64 {
                let mid = low + (high - low) / 2;
                if runs_within(s, &call, &overrides, mid) {
                    high = mid;
                } else {
                    low = mid;
                }
            }
            Ok(quantity(high))
        })
        .await?
}

/// Whether `call` succeeds with a gas limit of `gas`.
fn runs_within(s: &mut ChainState, call: &Call, overrides: &Overrides, gas: u64) -> bool {
    let limited = Call { gas, ..call.clone() };
    simulate(s, &limited, overrides).is_ok()
}

/// An `eth_getLogs` filter object: `fromBlock`/`toBlock` (default `latest`) or `blockHash`,
/// `address` (one or many), `topics` (by position: null, one, or any of many).
fn log_filter(value: &Value) -> Result<txs::LogFilter, RpcError> {
    let Value::Object(o) = value else {
        return Err(RpcError::params("filter: not an object"));
    };
    let tag = |key: &str| o.get(key).map_or(Ok(BlockRef::Latest), block_ref);
    let (from, to) = match o.get("blockHash") {
        Some(h) => {
            let hash: B256 = serde_json::from_value(h.clone())
                .map_err(|e| RpcError::params(format!("blockHash: {e}")))?;
            (BlockRef::Hash(hash), BlockRef::Hash(hash))
        }
        None => (tag("fromBlock")?, tag("toBlock")?),
    };
    let addresses = match o.get("address") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(many)) => serde_json::from_value(Value::Array(many.clone()))
            .map_err(|e| RpcError::params(format!("address: {e}")))?,
        Some(one) => vec![serde_json::from_value(one.clone())
            .map_err(|e| RpcError::params(format!("address: {e}")))?],
    };
    let topics = match o.get("topics") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(positions)) => positions
            .iter()
            .map(|p| match p {
                Value::Null => Ok(None),
                Value::Array(any) => serde_json::from_value(Value::Array(any.clone())).map(Some),
                one => serde_json::from_value(one.clone()).map(|t| Some(vec![t])),
            })
            .collect::<Result<_, _>>()
            .map_err(|e| RpcError::params(format!("topics: {e}")))?,
        Some(_) => return Err(RpcError::params("topics: not an array")),
    };
    Ok(txs::LogFilter { from, to, addresses, topics })
}
