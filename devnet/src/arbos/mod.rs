//! `ArbOS`'s Stylus surface, answered natively (this chain runs no EVM): the `ArbWasm` (`0x71`),
//! `ArbWasmCache` (`0x72`) and `ArbOwnerPublic` (`0x6b`) precompiles, a `CacheManager` whose
//! `placeBid` really switches a program to cached pricing, and the `StylusDeployer` at its
//! canonical address. Together with [`crate::init_code_prelude`] creations they are what
//! `cargo stylus check|deploy|activate|cache` call.
//!
//! **The seam for an EVM.** A call frame asks this module first; an address answered here never
//! reaches the WASM runner. An EVM interpreter (revm) would plug in the same way: frames whose
//! code is EVM bytecode ([`crate::World`] reports it as foreign code today) would go to it
//! instead of failing, and these native contracts could then be replaced by their Solidity
//! originals.
//!
//! **Gas.** Activation costs what Nitro charges (a fixed 1,659,168 plus 28 gas per estimated
//! microsecond of compilation, see [`wasm::activation_gas`]) and the data fee in wei follows
//! Nitro's data pricer. The precompiles' bookkeeping is priced as Nitro prices precompiles
//! (3 gas per word of arguments and results, 800 per `ArbOS` storage read, 20,000 per write).
//! The two native contracts, which are Solidity on Nitro, charge those same storage prices plus
//! [`SOLIDITY_OVERHEAD_GAS`], an estimate of the original's ABI decoding and checks.

mod abi;
mod cache;
mod deployer;
mod wasm;

use std::rc::Rc;

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::SolError;

pub use abi::{ArbOwnerPublic, ArbWasm, ArbWasmCache, CacheManager, StylusDeployer};
pub use cache::CACHE_SIZE;
pub use deployer::deployed_address;
pub use wasm::{
    activation_gas, asm_estimate, DataPricer, ACTIVATION_FIXED_GAS, ACTIVATION_GAS_PER_MICROSECOND,
};

use crate::{
    host::{CallRequest, FrameResult},
    Shared,
};

/// `ArbWasm`: activation and program information.
pub const ARB_WASM: Address = address!("0x0000000000000000000000000000000000000071");
/// `ArbWasmCache`: the cache managers and what is cached.
pub const ARB_WASM_CACHE: Address = address!("0x0000000000000000000000000000000000000072");
/// `ArbOwnerPublic`: the chain's public configuration.
pub const ARB_OWNER_PUBLIC: Address = address!("0x000000000000000000000000000000000000006b");
/// The `CacheManager` this chain runs (`ArbWasmCache.allCacheManagers` lists it).
pub const CACHE_MANAGER: Address = address!("0x0000000000000000000000000000000000CAC4E0");
/// The `StylusDeployer`, at the address `OffchainLabs` use on every network (cargo-stylus's
/// default `--deployer-address`).
pub const STYLUS_DEPLOYER: Address = address!("0xcEcba2F1DC234f70Dd89F2041029807F8D03A990");
/// Where activation data fees go (Nitro's network fee account); nobody holds its key here.
pub const NETWORK_FEE_ACCOUNT: Address = address!("0x00000000000000000000000000000000000A4B05");

/// The Stylus version programs are activated at (`ArbOS` 50's: Stylus v2).
pub const STYLUS_VERSION: u16 = 2;

/// The gas a native Solidity contract's own work is estimated at, beyond its storage and calls:
/// calldata copying, ABI decoding, balance checks (no EVM runs it here to count them).
pub const SOLIDITY_OVERHEAD_GAS: u64 = 2_000;

/// 3 gas per word copied in or out of a precompile (go-ethereum's `CopyGas`).
const COPY_GAS: u64 = 3;
/// An `ArbOS` storage read (`params.SloadGasEIP2200`).
const STORAGE_READ_GAS: u64 = 800;
/// An `ArbOS` storage write (`params.SstoreSetGasEIP2200`).
const STORAGE_WRITE_GAS: u64 = 20_000;

/// The code placed at each native address so `eth_getCode` answers as on Arbitrum: `0xfe` at
/// the precompiles (what Nitro installs there), and for the two contracts a short EVM stub of
/// this node's own (`PUSH1 0 DUP1 REVERT`): their behaviour is answered natively, not run.
#[must_use]
pub fn genesis_code() -> Vec<(Address, Vec<u8>)> {
    let stub = vec![0x60, 0x00, 0x80, 0xfd];
    vec![
        (ARB_WASM, vec![0xfe]),
        (ARB_WASM_CACHE, vec![0xfe]),
        (ARB_OWNER_PUBLIC, vec![0xfe]),
        (CACHE_MANAGER, stub.clone()),
        (STYLUS_DEPLOYER, stub),
    ]
}

/// `ArbOS` state beyond accounts: the data pricer and the cache's bids. Journaled as a whole
/// (it is small), so a reverted frame or snapshot restores it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArbosState {
    /// The activation data pricer.
    pub pricer: DataPricer,
    /// The `CacheManager`'s bids, in insertion order.
    pub bids: Vec<Bid>,
}

/// One bid in the `CacheManager`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bid {
    /// The cached code hash.
    pub codehash: B256,
    /// The bid, wei.
    pub bid: U256,
    /// The program's estimated native size, bytes (what it occupies in the cache).
    pub size: u64,
}

/// Answers a call frame whose code address is native here, or `None`. The value has already
/// moved to the callee; on anything but success the caller undoes the frame.
pub(crate) fn answer(shared: &Rc<Shared>, request: &CallRequest) -> Option<FrameResult> {
    let result = match request.code_address {
        ARB_WASM => wasm::arb_wasm(shared, request),
        ARB_WASM_CACHE => cache::arb_wasm_cache(shared, request),
        ARB_OWNER_PUBLIC => cache::arb_owner_public(request),
        CACHE_MANAGER => cache::cache_manager(shared, request),
        STYLUS_DEPLOYER => deployer::deploy(shared, request),
        _ => return None,
    };
    Some(result)
}

/// Precompile pricing: arguments and results by the word, `ArbOS` storage reads and writes.
fn precompile_gas(request: &CallRequest, output: &[u8], reads: u64, writes: u64) -> u64 {
    let words = |n: usize| (n as u64).div_ceil(32);
    COPY_GAS * (words(request.calldata.len().saturating_sub(4)) + words(output.len()))
        + STORAGE_READ_GAS * reads
        + STORAGE_WRITE_GAS * writes
}

/// A precompile's answer: `output` for `gas`, or out of gas.
fn answered(request: &CallRequest, output: Vec<u8>, gas: u64) -> FrameResult {
    if gas > request.gas {
        return FrameResult::failure("out of gas", request.gas);
    }
    FrameResult::success(output, gas)
}

/// A typed revert for `gas` (all of it when it exceeds the budget).
fn reverted(request: &CallRequest, error: &impl SolError, gas: u64) -> FrameResult {
    FrameResult::revert(error.abi_encode(), gas.min(request.gas))
}

/// A call with a selector this contract does not answer, or arguments that do not decode: a
/// revert without data, as a Solidity contract's fallback-less dispatcher does.
fn unknown(request: &CallRequest) -> FrameResult {
    FrameResult::revert(Vec::new(), precompile_gas(request, &[], 0, 0).min(request.gas))
}

/// A state change asked in a static call.
fn static_violation(request: &CallRequest) -> FrameResult {
    FrameResult::failure("state change in a static call", request.gas)
}

#[cfg(test)]
mod tests;

/// Appends `event`, emitted by `address`, to the world's logs (journaled).
fn emit(world: &mut crate::World, address: Address, event: &impl alloy_sol_types::SolEvent) {
    world.push_log(crate::world::Log {
        address,
        topics: event.encode_topics().into_iter().map(|t| B256::from(t.0)).collect(),
        data: event.encode_data(),
    });
}

/// The EVM's price of a log: 375, 375 per topic, 8 per data byte.
fn log_gas(topics: u64, data_bytes: u64) -> u64 {
    crate::pricing::LOG_TOPIC_GAS * (1 + topics) + crate::pricing::LOG_DATA_GAS * data_bytes
}
