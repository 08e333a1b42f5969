//! `ArbWasmCache` (`0x72`), `ArbOwnerPublic` (`0x6b`) and the `CacheManager`: an auction for
//! room in the cache, whose winners' entries are priced as cached.

use std::rc::Rc;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;

use super::{
    abi::{
        ArbOwnerPublic as O, ArbWasm::ProgramNotActivated, ArbWasmCache as C, CacheManager as M,
    },
    answered, emit, log_gas, precompile_gas, reverted, static_violation, unknown,
    wasm::asm_size,
    Bid, CACHE_MANAGER, NETWORK_FEE_ACCOUNT, SOLIDITY_OVERHEAD_GAS, STORAGE_READ_GAS,
    STORAGE_WRITE_GAS,
};
use crate::{
    host::{CallRequest, FrameResult},
    Shared,
};

/// The cache's room, bytes of estimated native code (about 16 programs of this suite's size).
pub const CACHE_SIZE: u64 = 16 * 1024 * 1024;

/// The chain owner nitro-devnode sets up (its dev account), reported by `ArbOwnerPublic`.
const CHAIN_OWNER: Address =
    alloy_primitives::address!("0x3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E");

fn selector(request: &CallRequest) -> Option<[u8; 4]> {
    request.calldata.get(..4).and_then(|s| s.try_into().ok())
}

/// Answers `ArbWasmCache`.
pub(super) fn arb_wasm_cache(shared: &Rc<Shared>, request: &CallRequest) -> FrameResult {
    let data = &request.calldata;
    let output = match selector(request) {
        Some(C::allCacheManagersCall::SELECTOR) => {
            C::allCacheManagersCall::abi_encode_returns(&vec![CACHE_MANAGER])
        }
        Some(C::isCacheManagerCall::SELECTOR) => match C::isCacheManagerCall::abi_decode(data) {
            Ok(call) => C::isCacheManagerCall::abi_encode_returns(&(call.manager == CACHE_MANAGER)),
            Err(_) => return unknown(request),
        },
        Some(C::codehashIsCachedCall::SELECTOR) => {
            match C::codehashIsCachedCall::abi_decode(data) {
                Ok(call) => C::codehashIsCachedCall::abi_encode_returns(
                    &shared.world.borrow().is_cached(call.codehash),
                ),
                Err(_) => return unknown(request),
            }
        }
        _ => return unknown(request),
    };
    let gas = precompile_gas(request, &output, 1, 0);
    answered(request, output, gas)
}

/// Answers `ArbOwnerPublic`. This chain runs no fragmented contracts (`0xEFF001`/`0xEFF002`),
/// so it allows none: a contract over 24 KiB compressed is refused before it is sent.
pub(super) fn arb_owner_public(request: &CallRequest) -> FrameResult {
    let data = &request.calldata;
    let output = match selector(request) {
        Some(O::getMaxStylusContractFragmentsCall::SELECTOR) => {
            O::getMaxStylusContractFragmentsCall::abi_encode_returns(&0)
        }
        Some(O::getNetworkFeeAccountCall::SELECTOR) => {
            O::getNetworkFeeAccountCall::abi_encode_returns(&NETWORK_FEE_ACCOUNT)
        }
        Some(O::getAllChainOwnersCall::SELECTOR) => {
            O::getAllChainOwnersCall::abi_encode_returns(&vec![CHAIN_OWNER])
        }
        Some(O::isChainOwnerCall::SELECTOR) => match O::isChainOwnerCall::abi_decode(data) {
            Ok(call) => O::isChainOwnerCall::abi_encode_returns(&(call.addr == CHAIN_OWNER)),
            Err(_) => return unknown(request),
        },
        _ => return unknown(request),
    };
    let gas = precompile_gas(request, &output, 1, 0);
    answered(request, output, gas)
}

/// The bids to evict, lowest first, so that `size` more bytes fit; `None` when `size` cannot fit
/// at all. The minimum bid is the highest evicted one (zero when nothing must go).
fn make_space(bids: &[Bid], size: u64) -> Option<(Vec<Bid>, U256)> {
    if size > CACHE_SIZE {
        return None;
    }
    let mut sorted = bids.to_vec();
    sorted.sort_by_key(|b| b.bid);
    let mut used: u64 = bids.iter().map(|b| b.size).sum();
    let mut evicted = Vec::new();
    let mut min = U256::ZERO;
    for bid in sorted {
        if used + size <= CACHE_SIZE {
            break;
        }
        used -= bid.size;
        min = min.max(bid.bid);
        evicted.push(bid);
    }
    Some((evicted, min))
}

/// Answers the `CacheManager` (Solidity on Nitro; native here).
pub(super) fn cache_manager(shared: &Rc<Shared>, request: &CallRequest) -> FrameResult {
    let data = &request.calldata;
    let base = SOLIDITY_OVERHEAD_GAS + STORAGE_READ_GAS;
    let queue = || -> u64 { shared.world.borrow().arbos().bids.iter().map(|b| b.size).sum() };
    let too_large = |size: u64| M::AsmTooLarge {
        asm: U256::from(size),
        queueSize: U256::from(queue()),
        cacheSize: U256::from(CACHE_SIZE),
    };
    // The size of the program activated at `program`, or the revert.
    let program_size = |program: Address| -> Result<(B256, u64), FrameResult> {
        let world = shared.world.borrow();
        let hash = world.code_hash(program);
        match hash.and_then(|h| world.activated(h).map(|p| (h, p))) {
            Some((h, p)) if world.activation_version(h) == Some(super::STYLUS_VERSION) => {
                Ok((h, asm_size(&p.shape)))
            }
            _ => Err(reverted(request, &ProgramNotActivated {}, base + STORAGE_READ_GAS)),
        }
    };
    let output = match selector(request) {
        Some(M::isPausedCall::SELECTOR) => M::isPausedCall::abi_encode_returns(&false),
        Some(M::queueSizeCall::SELECTOR) => M::queueSizeCall::abi_encode_returns(&queue()),
        Some(M::cacheSizeCall::SELECTOR) => M::cacheSizeCall::abi_encode_returns(&CACHE_SIZE),
        Some(M::decayCall::SELECTOR) => M::decayCall::abi_encode_returns(&0),
        Some(sel @ (M::getMinBid_0Call::SELECTOR | M::getMinBid_1Call::SELECTOR)) => {
            let size = if sel == M::getMinBid_0Call::SELECTOR {
                match M::getMinBid_0Call::abi_decode(data) {
                    Ok(call) => call.size,
                    Err(_) => return unknown(request),
                }
            } else {
                match M::getMinBid_1Call::abi_decode(data).map(|c| program_size(c.program)) {
                    Ok(Ok((_, size))) => size,
                    Ok(Err(revert)) => return revert,
                    Err(_) => return unknown(request),
                }
            };
            match make_space(&shared.world.borrow().arbos().bids, size) {
                Some((_, min)) => M::getMinBid_0Call::abi_encode_returns(&min.to()),
                None => return reverted(request, &too_large(size), base),
            }
        }
        Some(M::placeBidCall::SELECTOR) => {
            return match M::placeBidCall::abi_decode(data) {
                Ok(call) => place_bid(shared, request, call.program, program_size),
                Err(_) => unknown(request),
            };
        }
        _ => return unknown(request),
    };
    answered(request, output, base)
}

/// `placeBid(program)`: evicts the lowest bids until the program fits, refuses a bid below the
/// highest evicted one, caches the program's code hash and keeps the bid.
fn place_bid(
    shared: &Rc<Shared>,
    request: &CallRequest,
    program: Address,
    program_size: impl Fn(Address) -> Result<(B256, u64), FrameResult>,
) -> FrameResult {
    if request.is_static {
        return static_violation(request);
    }
    let base = SOLIDITY_OVERHEAD_GAS + 2 * STORAGE_READ_GAS;
    let (codehash, size) = match program_size(program) {
        Ok(found) => found,
        Err(revert) => return revert,
    };
    if shared.world.borrow().is_cached(codehash) {
        return reverted(request, &M::AlreadyCached { codehash }, base);
    }
    let bid = request.value;
    let bids = shared.world.borrow().arbos().bids.clone();
    let queue: u64 = bids.iter().map(|b| b.size).sum();
    let Some((evicted, min)) = make_space(&bids, size) else {
        let error = M::AsmTooLarge {
            asm: U256::from(size),
            queueSize: U256::from(queue),
            cacheSize: U256::from(CACHE_SIZE),
        };
        return reverted(request, &error, base);
    };
    if bid < min || bid > U256::from(alloy_primitives::aliases::U192::MAX) {
        return reverted(request, &M::BidTooSmall { bid: bid.to(), min: min.to() }, base);
    }
    let gas = base
        + STORAGE_WRITE_GAS * (2 + 2 * evicted.len() as u64)
        + log_gas(1, 96)
        + log_gas(1, 64) * evicted.len() as u64;
    if gas > request.gas {
        return FrameResult::failure("out of gas", request.gas);
    }
    let mut world = shared.world.borrow_mut();
    for old in &evicted {
        world.arbos_mut().bids.retain(|b| b.codehash != old.codehash);
        world.set_cached(old.codehash, false);
        let event = M::DeleteBid { codehash: old.codehash, bid: old.bid.to(), size: old.size };
        emit(&mut world, CACHE_MANAGER, &event);
    }
    world.arbos_mut().bids.push(Bid { codehash, bid, size });
    world.set_cached(codehash, true);
    emit(&mut world, CACHE_MANAGER, &M::InsertBid { codehash, program, bid: bid.to(), size });
    FrameResult::success(Vec::new(), gas)
}
