//! The Stylus host ABI (`vm_hooks`, and the debug `console` module) over the [`World`](crate::World), with
//! Nitro's prices ([`crate::pricing`]), and the frame runner that instantiates a program per call.
//!
//! Each host function charges exactly what Nitro's `user-host-trait` charges: its host-I/O ink,
//! the byte costs of what it copies, and the EVM gas of what it does (storage, logs, accounts,
//! calls, pages), in the same order and with the same "gas must be available" checks.
//!
//! This module holds a frame's state and the meters every host function charges through; each
//! capability links its own functions: [`memory`] (arguments, result, growth), [`storage`]
//! (persistent through the cache, transient), [`calls`] (calls, creations, return data),
//! [`context`] (accounts, block, transaction, message, meters), [`compute`] (`keccak256`,
//! 256-bit math) and [`logs`] (events, the debug console); [`frame`] runs one call frame.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use alloy_primitives::{keccak256, Address, B256, U256};
use paratii_contracts::{ecdsa::ECRECOVER, signing::ecrecover};
use wasmi::{Caller, Engine, Error, Extern, Global, Instance, Linker, Memory, Store, Val};

mod calls;
mod compute;
mod context;
mod frame;
mod logs;
mod memory;
mod storage;

#[cfg(test)]
pub(crate) use frame::run;
pub(crate) use frame::run_on_stack;
use frame::wasm_error;
use memory::{
    guest_len, len64, offset, read, read_address, read_u256, read_word, write, write_u32,
};

use crate::{
    instrument::{INK_LEFT, INK_STATUS},
    pricing::{self as p, HOSTIO_INK, INK_PRICE, PTR_INK},
    world::Log,
    Shared, Status, MAX_CALL_DEPTH,
};

/// Gas spent across a transaction's frames, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Spent {
    /// Program entry (memory model for the footprint + init costs).
    pub(crate) entry_gas: u64,
    /// Host-I/O ink (base costs and byte copies).
    pub(crate) hostio_ink: u64,
    /// EVM gas: storage, logs, account access, call base costs, pages, precompiles.
    pub(crate) evm_gas: u64,
    /// Ink of the instrumented code itself.
    pub(crate) compute_ink: u64,
}

/// One storage-cache slot: the value the program sees, and the value in the world if known.
#[derive(Debug, Clone, Copy)]
struct Slot {
    value: B256,
    known: Option<B256>,
}

/// The host-side state of one call frame (the wasmi store's data).
pub(crate) struct Frame {
    shared: Rc<Shared>,
    request: CallRequest,
    output: Vec<u8>,
    return_data: Vec<u8>,
    cache: HashMap<U256, Slot>,
    reads: u64,
    writes: u64,
    console: Vec<String>,
    /// Ink this frame bought through host functions (everything not compute).
    bought_ink: u64,
}

/// What a frame is asked to run.
#[derive(Debug, Clone)]
pub(crate) struct CallRequest {
    /// `msg.sender`.
    pub(crate) caller: Address,
    /// `tx.origin`.
    pub(crate) origin: Address,
    /// The storage and `contract_address` context.
    pub(crate) address: Address,
    /// Whose program runs (differs from `address` under `delegate_call`).
    pub(crate) code_address: Address,
    /// `msg.value`.
    pub(crate) value: U256,
    /// Wei moved from `caller` to `address` on entry (zero under `delegate_call`).
    pub(crate) transfer: U256,
    /// No writes allowed.
    pub(crate) is_static: bool,
    /// 0 for the transaction's frame.
    pub(crate) depth: usize,
    /// The calldata.
    pub(crate) calldata: Vec<u8>,
    /// The gas budget.
    pub(crate) gas: u64,
}

/// How a frame ended.
pub(crate) struct FrameResult {
    pub(crate) status: Status,
    pub(crate) output: Vec<u8>,
    pub(crate) failure: String,
    pub(crate) console: Vec<String>,
    /// Gas used, callees included (all of it on failure).
    pub(crate) gas_used: u64,
}

impl FrameResult {
    pub(crate) fn failure(reason: impl Into<String>, gas_used: u64) -> Self {
        Self {
            status: Status::Failure,
            output: Vec::new(),
            failure: reason.into(),
            console: vec![],
            gas_used,
        }
    }

    pub(crate) fn success(output: Vec<u8>, gas_used: u64) -> Self {
        Self { status: Status::Success, output, failure: String::new(), console: vec![], gas_used }
    }

    pub(crate) fn revert(output: Vec<u8>, gas_used: u64) -> Self {
        Self { status: Status::Revert, output, failure: String::new(), console: vec![], gas_used }
    }
}

type Ctx<'a> = Caller<'a, Frame>;

fn meter_global(caller: &Ctx<'_>, name: &str) -> Result<Global, Error> {
    caller
        .get_export(name)
        .and_then(Extern::into_global)
        .ok_or_else(|| Error::new(format!("the program was not instrumented ({name})")))
}

fn ink_left(caller: &Ctx<'_>) -> Result<u64, Error> {
    Ok(meter_global(caller, INK_LEFT)?.get(caller).i64().map_or(0, i64::cast_unsigned))
}

fn gas_left(caller: &Ctx<'_>) -> Result<u64, Error> {
    Ok(ink_left(caller)? / INK_PRICE)
}

fn out_of_ink(caller: &mut Ctx<'_>) -> Error {
    if let Ok(status) = meter_global(caller, INK_STATUS) {
        let _ = status.set(&mut *caller, Val::I32(1));
    }
    Error::new("out of ink")
}

/// Charges `ink`, or marks the frame out of ink and traps.
fn buy_ink(caller: &mut Ctx<'_>, ink: u64) -> Result<(), Error> {
    let left = ink_left(caller)?;
    if left < ink {
        return Err(out_of_ink(caller));
    }
    caller.data_mut().bought_ink += ink;
    meter_global(caller, INK_LEFT)?
        .set(caller, Val::I64((left - ink).cast_signed()))
        .map_err(wasm_error)
}

/// Host-I/O ink.
fn hostio(caller: &mut Ctx<'_>, ink: u64) -> Result<(), Error> {
    buy_ink(caller, ink)?;
    caller.data().shared.spent.borrow_mut().hostio_ink += ink;
    Ok(())
}

/// EVM gas.
fn buy_gas(caller: &mut Ctx<'_>, gas: u64) -> Result<(), Error> {
    buy_ink(caller, gas.saturating_mul(INK_PRICE))?;
    caller.data().shared.spent.borrow_mut().evm_gas += gas;
    Ok(())
}

/// Checks that `gas` is available without spending it.
fn require_gas(caller: &mut Ctx<'_>, gas: u64) -> Result<(), Error> {
    if ink_left(caller)? < gas.saturating_mul(INK_PRICE) {
        return Err(out_of_ink(caller));
    }
    Ok(())
}

fn in_static(caller: &Ctx<'_>, what: &str) -> Result<(), Error> {
    if caller.data().request.is_static {
        return Err(Error::new(format!("{what} in a static call")));
    }
    Ok(())
}

/// The linker with every `vm_hooks` import Nitro provides and the debug `console` module, each
/// capability linking its own functions.
pub(crate) fn linker(engine: &Engine) -> Linker<Frame> {
    let mut l = Linker::<Frame>::new(engine);
    memory::link(&mut l);
    storage::link(&mut l);
    calls::link(&mut l);
    context::link(&mut l);
    compute::link(&mut l);
    logs::link(&mut l);
    l
}

/// The gas spent so far in the current transaction, by kind, shared by every frame.
pub(crate) type SpentCell = RefCell<Spent>;
