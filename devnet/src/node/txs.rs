//! Signed transactions: decoded (EIP-2718 types 0, 1 and 2), checked as a node checks them
//! (signature, chain id, nonce, fee, gas, balance), run, charged and mined one per block, with
//! the receipts, transactions and blocks alloy and cast read.

use std::collections::HashMap;

use alloy_consensus::{transaction::SignerRecoverable, Transaction, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{hex, keccak256, Address, Bloom, BloomInput, TxKind, B256, U256};
use serde_json::{json, Value};

use super::{
    chain::ChainState,
    rpc::{quantity, RpcError},
};
use crate::{Log, Status};

/// secp256k1's order over two: a transaction signature's `s` must not exceed it (EIP-2).
const HALF_ORDER: U256 = U256::from_limbs([
    0xdfe9_2f46_681b_20a0,
    0x5d57_6e73_57a4_501d,
    0xffff_ffff_ffff_ffff,
    0x7fff_ffff_ffff_ffff,
]);

/// A mined transaction and its outcome.
pub(crate) struct MinedTx {
    envelope: TxEnvelope,
    from: Address,
    block: u64,
    success: bool,
    gas_used: u64,
    effective_gas_price: u128,
    /// Its logs; one transaction per block, so their log indexes start at 0.
    logs: Vec<Log>,
    /// The address a successful creation placed code at.
    contract_address: Option<Address>,
    /// Where the gas went (entry, compute, host I/O, EVM gas, refund), for transactions mined
    /// since the node started (a state file does not keep it).
    breakdown: Option<crate::GasReport>,
}

/// A mined block: one transaction, or none (genesis, `evm_mine`).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct MinedBlock {
    number: u64,
    hash: B256,
    parent: B256,
    timestamp: u64,
    transactions: Vec<B256>,
    gas_used: u64,
    base_fee: u128,
    gas_limit: u64,
}

/// The node's history: blocks in order and mined transactions by hash.
#[derive(Default)]
pub(crate) struct Ledger {
    blocks: Vec<MinedBlock>,
    txs: HashMap<B256, MinedTx>,
}

/// A mined transaction as a state file keeps it: the signed bytes (EIP-2718) and the outcome.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct TxFile {
    raw: alloy_primitives::Bytes,
    from: Address,
    block: u64,
    success: bool,
    gas_used: u64,
    effective_gas_price: u128,
    logs: Vec<LogFile>,
    contract_address: Option<Address>,
}

/// A log as a state file keeps it.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct LogFile {
    address: Address,
    topics: Vec<B256>,
    data: alloy_primitives::Bytes,
}

/// The ledger as a state file keeps it.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct LedgerFile {
    blocks: Vec<MinedBlock>,
    transactions: Vec<TxFile>,
}

impl Ledger {
    /// The ledger as a state file keeps it, transactions in block order.
    pub(crate) fn to_file(&self) -> LedgerFile {
        use alloy_eips::eip2718::Encodable2718;
        let transactions = self
            .blocks
            .iter()
            .flat_map(|b| &b.transactions)
            .filter_map(|h| self.txs.get(h))
            .map(|tx| TxFile {
                raw: tx.envelope.encoded_2718().into(),
                from: tx.from,
                block: tx.block,
                success: tx.success,
                gas_used: tx.gas_used,
                effective_gas_price: tx.effective_gas_price,
                logs: tx
                    .logs
                    .iter()
                    .map(|l| LogFile {
                        address: l.address,
                        topics: l.topics.clone(),
                        data: l.data.clone().into(),
                    })
                    .collect(),
                contract_address: tx.contract_address,
            })
            .collect();
        let blocks = self.blocks.clone();
        LedgerFile { blocks, transactions }
    }

    /// The ledger a state file kept, checked: blocks numbered contiguously and chained by
    /// their parents' hashes, every listed transaction present and decoding to its hash.
    ///
    /// # Errors
    /// What is inconsistent.
    pub(crate) fn from_file(file: LedgerFile) -> Result<Self, String> {
        let mut txs = HashMap::new();
        for tx in file.transactions {
            let envelope = TxEnvelope::decode_2718(&mut &tx.raw[..])
                .map_err(|e| format!("a transaction does not decode: {e}"))?;
            let logs = tx
                .logs
                .into_iter()
                .map(|l| Log { address: l.address, topics: l.topics, data: l.data.to_vec() })
                .collect();
            txs.insert(
                *envelope.tx_hash(),
                MinedTx {
                    envelope,
                    from: tx.from,
                    block: tx.block,
                    success: tx.success,
                    gas_used: tx.gas_used,
                    effective_gas_price: tx.effective_gas_price,
                    logs,
                    contract_address: tx.contract_address,
                    breakdown: None,
                },
            );
        }
        for pair in file.blocks.windows(2) {
            if pair[1].number != pair[0].number + 1 || pair[1].parent != pair[0].hash {
                return Err(format!(
                    "block {} does not follow block {}",
                    pair[1].number, pair[0].number
                ));
            }
        }
        for block in &file.blocks {
            if let Some(missing) = block.transactions.iter().find(|h| !txs.contains_key(*h)) {
                return Err(format!(
                    "block {} lists transaction {missing}, which is missing",
                    block.number
                ));
            }
        }
        if file.blocks.is_empty() {
            return Err("no blocks (not even genesis)".into());
        }
        Ok(Self { blocks: file.blocks, txs })
    }

    /// The ledger of a new chain: its genesis block, at the devnet's current block values.
    pub(crate) fn genesis(state: &crate::Devnet) -> Self {
        let mut ledger = Self::default();
        ledger.seal(&state.block(), Vec::new(), 0);
        ledger
    }

    /// Appends the block the devnet's block `values` describe, holding `transactions`; its
    /// parent is the last block, its hash commits to parent, number, time and transactions.
    fn seal(&mut self, values: &crate::Block, transactions: Vec<B256>, gas_used: u64) {
        let mut block = MinedBlock {
            number: values.number,
            hash: B256::ZERO,
            parent: self.blocks.last().map_or(B256::ZERO, |b| b.hash),
            timestamp: values.timestamp,
            transactions,
            gas_used,
            base_fee: values.basefee.to(),
            gas_limit: values.gas_limit,
        };
        let mut preimage = block.parent.to_vec();
        preimage.extend_from_slice(&block.number.to_be_bytes());
        preimage.extend_from_slice(&block.timestamp.to_be_bytes());
        for tx in &block.transactions {
            preimage.extend_from_slice(tx.as_slice());
        }
        block.hash = keccak256(preimage);
        self.blocks.push(block);
    }

    /// How many blocks there are (for a snapshot).
    pub(crate) fn height(&self) -> usize {
        self.blocks.len()
    }

    /// Drops every block above `height` and its transactions (`evm_revert`).
    pub(crate) fn truncate(&mut self, height: usize) {
        for block in self.blocks.drain(height..) {
            for tx in block.transactions {
                self.txs.remove(&tx);
            }
        }
    }

    /// The hashes of the blocks numbered above `after`, oldest first.
    pub(crate) fn hashes_after(&self, after: u64) -> Vec<B256> {
        self.blocks.iter().filter(|b| b.number > after).map(|b| b.hash).collect()
    }

    /// The latest block.
    pub(crate) fn latest(&self) -> u64 {
        self.blocks.last().map_or(0, |b| b.number)
    }

    fn block_by_number(&self, number: u64) -> Option<&MinedBlock> {
        let first = self.blocks.first()?.number;
        self.blocks.get(usize::try_from(number.checked_sub(first)?).ok()?)
    }

    fn block_by_hash(&self, hash: B256) -> Option<&MinedBlock> {
        self.blocks.iter().find(|b| b.hash == hash)
    }
}

/// Moves the chain to a new block (number + 1, the clock at least one second on) and returns
/// its number.
fn open_block(state: &mut ChainState) -> u64 {
    let last = state.ledger.blocks.last().map_or((0, 0), |b| (b.number, b.timestamp));
    let mut block = state.net.block();
    block.number = last.0 + 1;
    block.timestamp = block.timestamp.max(last.1 + 1);
    let number = block.number;
    state.net.set_block(block).expect("the chain thread holds no reader");
    number
}

/// `evm_mine`: an empty block.
pub(crate) fn mine_empty(state: &mut ChainState) -> u64 {
    let number = open_block(state);
    state.ledger.seal(&state.net.block(), Vec::new(), 0);
    number
}

/// Calldata gas: 4 per zero byte, 16 per other.
pub(crate) fn calldata_gas(data: &[u8]) -> u64 {
    data.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum()
}

/// Intrinsic gas: 21,000, calldata ([`calldata_gas`]), the access list, and for a creation
/// 32,000 plus 2 per word of init code (EIP-3860).
fn intrinsic_gas(envelope: &TxEnvelope) -> u64 {
    let input = envelope.input();
    let calldata = calldata_gas(input);
    let access = envelope.access_list().map_or(0, |list| {
        list.iter().map(|item| 2_400 + 1_900 * item.storage_keys.len() as u64).sum()
    });
    let creation = if envelope.kind().is_create() {
        crate::pricing::CREATE_GAS
            + crate::pricing::INIT_CODE_WORD_GAS * (input.len() as u64).div_ceil(32)
    } else {
        0
    };
    21_000 + calldata + access + creation
}

/// A transaction that passed every check, ready to run.
struct Checked {
    envelope: TxEnvelope,
    hash: B256,
    from: Address,
    /// The callee, or `None` for a creation.
    to: Option<Address>,
    intrinsic: u64,
    price: u128,
}

/// `eth_sendRawTransaction`: decodes, checks, runs, charges and mines `raw`; returns its hash.
/// A refused transaction changes nothing; a reverted one is mined (status 0), charged and
/// bumps the nonce, as on any chain.
pub(crate) fn send_raw(state: &mut ChainState, raw: &[u8]) -> Result<B256, RpcError> {
    let checked = check(state, raw)?;
    Ok(execute(state, checked))
}

/// Decodes `raw` and checks it as a node does: type, signature (low s, recoverable), chain id,
/// nonce, gas, fee cap, balance, and for a creation init code this chain can run.
fn check(state: &ChainState, raw: &[u8]) -> Result<Checked, RpcError> {
    let envelope = TxEnvelope::decode_2718(&mut &raw[..])
        .map_err(|e| RpcError::params(format!("transaction: not an EIP-2718 transaction: {e}")))?;
    if !matches!(envelope, TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) | TxEnvelope::Eip1559(_))
    {
        return Err(RpcError::refused(format!(
            "transaction type {} is not supported (types 0, 1 and 2 are)",
            u8::from(envelope.tx_type())
        )));
    }
    let hash = *envelope.tx_hash();
    if state.ledger.txs.contains_key(&hash) {
        return Err(RpcError::refused(format!("transaction {hash} is already mined")));
    }
    if envelope.signature().s() > HALF_ORDER {
        return Err(RpcError::refused("invalid signature: s is in the upper half (EIP-2)"));
    }
    let from = envelope
        .recover_signer()
        .map_err(|e| RpcError::refused(format!("invalid signature: {e}")))?;
    let block = state.net.block();
    match envelope.chain_id() {
        None => {
            return Err(RpcError::refused(
                "transaction without a chain id (pre-EIP-155): refused, it could be replayed on any chain",
            ))
        }
        Some(id) if id != block.chain_id => {
            return Err(RpcError::refused(format!(
                "wrong chain id: the transaction is for {id}, this chain is {}",
                block.chain_id
            )))
        }
        Some(_) => {}
    }
    let expected = state.net.world().nonce(from);
    if envelope.nonce() != expected {
        let which = if envelope.nonce() < expected { "low" } else { "high" };
        return Err(RpcError::refused(format!(
            "nonce too {which}: {from}'s next nonce is {expected}, the transaction has {}",
            envelope.nonce()
        )));
    }
    let gas_limit = envelope.gas_limit();
    let intrinsic = intrinsic_gas(&envelope);
    if gas_limit < intrinsic {
        return Err(RpcError::refused(format!(
            "intrinsic gas too low: gas limit {gas_limit}, intrinsic gas {intrinsic}"
        )));
    }
    if gas_limit > block.gas_limit {
        return Err(RpcError::refused(format!(
            "gas limit {gas_limit} above the block gas limit {}",
            block.gas_limit
        )));
    }
    let base_fee: u128 = block.basefee.to();
    let fee_cap = envelope.max_fee_per_gas();
    if fee_cap < base_fee {
        return Err(RpcError::refused(format!(
            "max fee per gas {fee_cap} is below the base fee {base_fee}"
        )));
    }
    let price = envelope.effective_gas_price(u64::try_from(base_fee).ok());
    let balance = state.net.world().balance(from);
    // gas × cap < 2¹⁹²; only the value can overflow, and then no balance covers it.
    let cost = (U256::from(gas_limit) * U256::from(fee_cap)).checked_add(envelope.value());
    if cost.is_none_or(|cost| balance < cost) {
        let cost = cost.map_or_else(|| "more than 2²⁵⁶ − 1".to_owned(), |c| c.to_string());
        return Err(RpcError::refused(format!(
            "insufficient funds: {from} holds {balance} wei, the transaction may cost {cost}"
        )));
    }
    let to = match envelope.kind() {
        TxKind::Call(to) => Some(to),
        TxKind::Create if crate::code_from_init_prelude(envelope.input()).is_none() => {
            return Err(RpcError::from(crate::DevnetError::EvmInitCode));
        }
        TxKind::Create => None,
    };
    Ok(Checked { envelope, hash, from, to, intrinsic, price })
}

/// Runs a checked transaction in a new block, charges its gas and records it.
fn execute(state: &mut ChainState, tx: Checked) -> B256 {
    let Checked { envelope, hash, from, to, intrinsic, price } = tx;
    let gas_limit = envelope.gas_limit();
    let number = open_block(state);
    let budget = gas_limit - intrinsic;
    let (receipt, contract_address) = if let Some(to) = to {
        state.net.world_mut().expect("the chain thread holds no reader").bump_nonce(from);
        let receipt = state
            .net
            .transaction(from, to, envelope.input(), envelope.value(), budget)
            .expect("the chain thread holds no reader");
        (receipt, None)
    } else {
        let creation = state
            .net
            .create(from, envelope.input(), envelope.value(), budget)
            .expect("the init code was checked and no reader is alive");
        (creation.receipt, creation.address)
    };
    let success = receipt.status == Status::Success;
    let gas_used = (intrinsic + receipt.gas.used).min(gas_limit);
    let breakdown = Some(receipt.gas);
    let logs = receipt.logs;
    let fee = U256::from(gas_used) * U256::from(price);
    {
        let mut world = state.net.world_mut().expect("the chain thread holds no reader");
        let left = world.balance(from).saturating_sub(fee);
        world.set_balance(from, left);
    }
    state.ledger.txs.insert(
        hash,
        MinedTx {
            envelope,
            from,
            block: number,
            success,
            gas_used,
            effective_gas_price: price,
            logs,
            contract_address,
            breakdown,
        },
    );
    state.ledger.seal(&state.net.block(), vec![hash], gas_used);
    hash
}

fn logs_json(tx: &MinedTx, block_hash: B256) -> Vec<Value> {
    tx.logs
        .iter()
        .enumerate()
        .map(|(i, log)| {
            json!({
                "address": log.address,
                "topics": log.topics,
                "data": hex::encode_prefixed(&log.data),
                "blockNumber": quantity(tx.block),
                "blockHash": block_hash,
                "transactionHash": tx.envelope.tx_hash(),
                "transactionIndex": "0x0",
                "logIndex": quantity(i),
                "removed": false,
            })
        })
        .collect()
}

fn bloom(logs: &[Log]) -> Bloom {
    let mut bloom = Bloom::ZERO;
    for log in logs {
        bloom.accrue(BloomInput::Raw(log.address.as_slice()));
        for topic in &log.topics {
            bloom.accrue(BloomInput::Raw(topic.as_slice()));
        }
    }
    bloom
}

/// `eth_getTransactionReceipt`: the receipt, or null for an unknown hash.
pub(crate) fn receipt(state: &ChainState, hash: B256) -> Value {
    let Some(tx) = state.ledger.txs.get(&hash) else { return Value::Null };
    let block_hash = state.ledger.block_by_number(tx.block).map_or(B256::ZERO, |b| b.hash);
    json!({
        "type": quantity(u8::from(tx.envelope.tx_type())),
        "status": if tx.success { "0x1" } else { "0x0" },
        "cumulativeGasUsed": quantity(tx.gas_used),
        "gasUsed": quantity(tx.gas_used),
        "effectiveGasPrice": quantity(tx.effective_gas_price),
        "logs": logs_json(tx, block_hash),
        "logsBloom": bloom(&tx.logs),
        "transactionHash": hash,
        "transactionIndex": "0x0",
        "blockHash": block_hash,
        "blockNumber": quantity(tx.block),
        "from": tx.from,
        "to": tx.envelope.to(),
        "contractAddress": tx.contract_address,
        // Not a standard field (clients ignore it): where a Stylus transaction's gas went.
        "stylusGas": tx.breakdown.map(|g| json!({
            "intrinsic": g.intrinsic,
            "entry": g.entry,
            "compute": g.compute_gas(),
            "hostio": g.hostio_gas(),
            "evm": g.evm,
            "refund": g.refund,
        })),
    })
}

/// `eth_getTransactionByHash`: the transaction, or null for an unknown hash.
pub(crate) fn transaction(state: &ChainState, hash: B256) -> Value {
    let Some(tx) = state.ledger.txs.get(&hash) else { return Value::Null };
    let block_hash = state.ledger.block_by_number(tx.block).map_or(B256::ZERO, |b| b.hash);
    tx_json(tx, block_hash)
}

fn tx_json(tx: &MinedTx, block_hash: B256) -> Value {
    let e = &tx.envelope;
    let sig = e.signature();
    let mut value = json!({
        "hash": e.tx_hash(),
        "type": quantity(u8::from(e.tx_type())),
        "nonce": quantity(e.nonce()),
        "blockHash": block_hash,
        "blockNumber": quantity(tx.block),
        "transactionIndex": "0x0",
        "from": tx.from,
        "to": e.to(),
        "value": quantity(e.value()),
        "gas": quantity(e.gas_limit()),
        "input": hex::encode_prefixed(e.input()),
        "r": quantity(sig.r()),
        "s": quantity(sig.s()),
        "yParity": if sig.v() { "0x1" } else { "0x0" },
        "gasPrice": quantity(tx.effective_gas_price),
    });
    if let Some(chain_id) = e.chain_id() {
        value["chainId"] = quantity(chain_id);
    }
    if let TxEnvelope::Legacy(_) = e {
        let v = e.chain_id().map_or(27 + u64::from(sig.v()), |id| id * 2 + 35 + u64::from(sig.v()));
        value["v"] = quantity(v);
    } else {
        value["v"] = quantity(u64::from(sig.v()));
        let list: Vec<Value> = e.access_list().map_or_else(Vec::new, |l| {
            l.iter()
                .map(|item| json!({ "address": item.address, "storageKeys": item.storage_keys }))
                .collect()
        });
        value["accessList"] = Value::Array(list);
    }
    if let TxEnvelope::Eip1559(_) = e {
        value["maxFeePerGas"] = quantity(e.max_fee_per_gas());
        value["maxPriorityFeePerGas"] = quantity(e.max_priority_fee_per_gas().unwrap_or_default());
    }
    value
}

/// `eth_getBlockByNumber` / `eth_getBlockByHash`: the block with its transaction hashes (or
/// objects, `full`), or null.
pub(crate) fn block(state: &ChainState, which: BlockRef, full: bool) -> Value {
    let block = match which {
        BlockRef::Latest => state.ledger.blocks.last(),
        BlockRef::Earliest => state.ledger.blocks.first(),
        BlockRef::Number(n) => state.ledger.block_by_number(n),
        BlockRef::Hash(h) => state.ledger.block_by_hash(h),
    };
    let Some(b) = block else { return Value::Null };
    let transactions: Vec<Value> = b
        .transactions
        .iter()
        .map(|h| match (full, state.ledger.txs.get(h)) {
            (true, Some(tx)) => tx_json(tx, b.hash),
            _ => json!(h),
        })
        .collect();
    let blooms: Vec<Bloom> = b
        .transactions
        .iter()
        .filter_map(|h| state.ledger.txs.get(h))
        .map(|t| bloom(&t.logs))
        .collect();
    let mut logs_bloom = Bloom::ZERO;
    for bl in &blooms {
        logs_bloom.accrue_bloom(bl);
    }
    json!({
        "hash": b.hash,
        "parentHash": b.parent,
        "sha3Uncles": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347",
        "miner": Address::ZERO,
        "stateRoot": B256::ZERO,
        "transactionsRoot": B256::ZERO,
        "receiptsRoot": B256::ZERO,
        "logsBloom": logs_bloom,
        "difficulty": "0x0",
        "number": quantity(b.number),
        "gasLimit": quantity(b.gas_limit),
        "gasUsed": quantity(b.gas_used),
        "timestamp": quantity(b.timestamp),
        "extraData": "0x",
        "mixHash": B256::ZERO,
        "nonce": "0x0000000000000000",
        "baseFeePerGas": quantity(b.base_fee),
        "size": "0x0",
        "uncles": [],
        "transactions": transactions,
    })
}

/// Which block a request names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockRef {
    /// `latest`, `pending`, `safe`, `finalized`.
    Latest,
    /// `earliest`.
    Earliest,
    /// A number.
    Number(u64),
    /// A hash.
    Hash(B256),
}

/// An `eth_getLogs` filter: a block range, addresses (any of), topics by position (any of; `None`
/// matches anything).
#[derive(Clone)]
pub(crate) struct LogFilter {
    pub(crate) from: BlockRef,
    pub(crate) to: BlockRef,
    pub(crate) addresses: Vec<Address>,
    pub(crate) topics: Vec<Option<Vec<B256>>>,
}

/// `eth_getLogs`: every log of a mined transaction in the range that matches, in chain order.
pub(crate) fn logs(state: &ChainState, filter: &LogFilter) -> Result<Value, RpcError> {
    let number = |r: BlockRef| match r {
        BlockRef::Latest => Ok(state.ledger.latest()),
        BlockRef::Earliest => Ok(state.ledger.blocks.first().map_or(0, |b| b.number)),
        BlockRef::Number(n) => Ok(n),
        BlockRef::Hash(h) => state
            .ledger
            .block_by_hash(h)
            .map(|b| b.number)
            .ok_or_else(|| RpcError::refused(format!("no block {h}"))),
    };
    let (from, to) = (number(filter.from)?, number(filter.to)?);
    if from > to {
        return Err(RpcError::params(format!("fromBlock {from} is after toBlock {to}")));
    }
    let mut out = Vec::new();
    for block in state.ledger.blocks.iter().filter(|b| (from..=to).contains(&b.number)) {
        for tx in block.transactions.iter().filter_map(|h| state.ledger.txs.get(h)) {
            for (log, json) in tx.logs.iter().zip(logs_json(tx, block.hash)) {
                let address_ok =
                    filter.addresses.is_empty() || filter.addresses.contains(&log.address);
                let topics_ok = filter.topics.iter().enumerate().all(|(i, wanted)| match wanted {
                    None => true,
                    Some(any) => log.topics.get(i).is_some_and(|t| any.contains(t)),
                });
                if address_ok && topics_ok {
                    out.push(json);
                }
            }
        }
    }
    Ok(Value::Array(out))
}
