//! `ArbWasm` (`0x71`): activation, its gas and data fee, and program information.

use std::rc::Rc;

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::{SolCall, SolError};

use super::{
    abi::ArbWasm::{self as A},
    answered, precompile_gas, reverted, static_violation, unknown, NETWORK_FEE_ACCOUNT,
    STORAGE_WRITE_GAS, STYLUS_VERSION,
};
use crate::{
    host::{CallRequest, FrameResult},
    pricing::{self, ProgramShape},
    Shared,
};

/// The fixed part of every activation's gas (Nitro's `TestWasmActivationGasCharge`; Arbitrum's
/// gas-metering documentation).
pub const ACTIVATION_FIXED_GAS: u64 = 1_659_168;
/// Gas per estimated microsecond of compilation.
pub const ACTIVATION_GAS_PER_MICROSECOND: u64 = 28;

/// The gas an activation costs: [`ACTIVATION_FIXED_GAS`] plus
/// [`ACTIVATION_GAS_PER_MICROSECOND`] per estimated microsecond of compilation, the estimate being
/// 0.317 µs per WASM byte, 0.173 per function, 0.174 per data byte, 2,217 per memory page and
/// 0.535 per code operator (Nitro's `Module::activate`).
#[must_use]
pub fn activation_gas(shape: &ProgramShape, code_ops: u64) -> u64 {
    let microseconds = (317 * shape.wasm_bytes
        + 173 * shape.funcs
        + 174 * shape.data_bytes
        + 2_217_000 * u64::from(shape.footprint)
        + 535 * code_ops)
        .div_ceil(1000);
    ACTIVATION_FIXED_GAS + ACTIVATION_GAS_PER_MICROSECOND * microseconds
}

/// The estimated size of the program's native code, bytes (Nitro's `WasmBinary::instrument`):
/// 512,000 + 0.996829 per function + 11.416 per type entry + 6.2628 per WASM byte. It sizes the
/// data fee and the program's room in the cache.
#[must_use]
pub fn asm_estimate(shape: &ProgramShape) -> u64 {
    512_000
        + shape.funcs * 996_829 / 1000
        + shape.type_len * 11_416 / 1000
        + shape.wasm_bytes * 62_628 / 10_000
}

/// The estimate as `ArbOS` stores it: whole KiB, so [`ArbWasm::codehashAsmSizeCall`] answers a
/// multiple of 1,024.
pub(crate) fn asm_size(shape: &ProgramShape) -> u64 {
    asm_estimate(shape).div_ceil(1024) * 1024
}

/// Nitro's activation data pricer (`arbos/programs/data_pricer.go`): demand in bytes, drained
/// at a steady rate, priced exponentially above a floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataPricer {
    /// Outstanding demand, bytes.
    pub demand: u32,
    /// The time demand is drained from.
    pub last_update: u64,
}

impl Default for DataPricer {
    fn default() -> Self {
        Self { demand: 0, last_update: 1_421_388_000 }
    }
}

/// 4 TiB a year, drained each second: `4 · 2⁴⁰ / (365 · 24) / 3600` in integers.
pub(super) const BYTES_PER_SECOND: u32 = 139_461;
/// The floor, wei per byte ("5 MB = $1").
const MIN_PRICE: u64 = 82_928_201;
/// Demand at which the price has grown by e.
const INERTIA: i64 = 70_177_364;

impl DataPricer {
    /// Adds `bytes` of demand at `time` and returns the data fee in wei, as Nitro's
    /// `updateModel` does (which, in the source read, drains from `last_update` without moving
    /// it).
    pub fn update(&mut self, bytes: u32, time: u64) -> U256 {
        let elapsed = u32::try_from(time.saturating_sub(self.last_update)).unwrap_or(u32::MAX);
        let credit = BYTES_PER_SECOND.saturating_mul(elapsed);
        self.demand = self.demand.saturating_sub(credit).saturating_add(bytes);
        let exponent = 10_000 * i64::from(self.demand) / INERTIA;
        let multiplier = approx_exp_bips(exponent.unsigned_abs(), 12);
        let per_byte = MIN_PRICE.saturating_mul(multiplier);
        U256::from(per_byte.saturating_mul(u64::from(bytes)) / 10_000)
    }
}

/// e^(x / 10,000) in basis points, by `accuracy` terms of its Taylor series in Horner form
/// (Nitro's `arbmath.ApproxExpBasisPoints` for a non-negative exponent).
fn approx_exp_bips(x: u64, accuracy: u64) -> u64 {
    let one = 10_000u64;
    let mut result = one + x / accuracy;
    for i in 1..accuracy {
        result = one + result.saturating_mul(x) / ((accuracy - i) * one);
    }
    result
}

/// Counts the operators in every function body (what the activation estimate charges for).
fn code_ops(wasm: &[u8]) -> u64 {
    let mut ops = 0u64;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::CodeSectionEntry(body)) = payload {
            if let Ok(reader) = body.get_operators_reader() {
                ops += reader.into_iter().flatten().count() as u64;
            }
        }
    }
    ops
}

/// Answers `ArbWasm`.
pub(super) fn arb_wasm(shared: &Rc<Shared>, request: &CallRequest) -> FrameResult {
    let data = &request.calldata;
    let Some(selector) = data.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok()) else {
        return unknown(request);
    };
    if selector == A::activateProgramCall::SELECTOR {
        return match A::activateProgramCall::abi_decode(data) {
            Ok(call) => activate_call(shared, request, call.program),
            Err(_) => unknown(request),
        };
    }
    let world = shared.world.borrow();
    // An activated program's shape by code hash, or the revert saying why there is none.
    let shape_of = |hash: Option<B256>| -> Result<ProgramShape, FrameResult> {
        let gas = precompile_gas(request, &[], 2, 0);
        match hash.and_then(|h| world.activation_version(h).map(|v| (h, v))) {
            Some((h, STYLUS_VERSION)) => {
                Ok(world.activated(h).expect("should be activated: its version was read").shape)
            }
            Some((_, version)) => Err(reverted(
                request,
                &A::ProgramNeedsUpgrade { version, stylusVersion: STYLUS_VERSION },
                gas,
            )),
            None => Err(reverted(request, &A::ProgramNotActivated {}, gas)),
        }
    };
    let answer = |output: Vec<u8>, reads: u64| {
        let gas = precompile_gas(request, &output, reads, 0);
        answered(request, output, gas)
    };
    match selector {
        A::stylusVersionCall::SELECTOR => {
            answer(A::stylusVersionCall::abi_encode_returns(&STYLUS_VERSION), 1)
        }
        A::inkPriceCall::SELECTOR => answer(
            A::inkPriceCall::abi_encode_returns(
                &u32::try_from(pricing::INK_PRICE).unwrap_or(u32::MAX),
            ),
            1,
        ),
        A::freePagesCall::SELECTOR => {
            answer(A::freePagesCall::abi_encode_returns(&pricing::FREE_PAGES), 1)
        }
        A::pageGasCall::SELECTOR => answer(
            A::pageGasCall::abi_encode_returns(
                &u16::try_from(pricing::PAGE_GAS).unwrap_or(u16::MAX),
            ),
            1,
        ),
        A::pageLimitCall::SELECTOR => answer(
            A::pageLimitCall::abi_encode_returns(
                &u16::try_from(paratii_build::validate::MAX_MEMORY_PAGES).unwrap_or(u16::MAX),
            ),
            1,
        ),
        A::activationGasCall::SELECTOR => answer(A::activationGasCall::abi_encode_returns(&0), 1),
        _ => {
            let hash = match selector {
                A::codehashVersionCall::SELECTOR | A::codehashAsmSizeCall::SELECTOR => {
                    match A::codehashVersionCall::abi_decode_raw(&data[4..]) {
                        Ok(call) => Some(call.codehash),
                        Err(_) => return unknown(request),
                    }
                }
                A::programVersionCall::SELECTOR
                | A::programInitGasCall::SELECTOR
                | A::programMemoryFootprintCall::SELECTOR => {
                    match A::programVersionCall::abi_decode_raw(&data[4..]) {
                        Ok(call) => world.code_hash(call.program),
                        Err(_) => return unknown(request),
                    }
                }
                _ => return unknown(request),
            };
            let shape = match shape_of(hash) {
                Ok(shape) => shape,
                Err(revert) => return revert,
            };
            let output = match selector {
                A::codehashAsmSizeCall::SELECTOR => A::codehashAsmSizeCall::abi_encode_returns(
                    &u32::try_from(asm_size(&shape)).unwrap_or(u32::MAX),
                ),
                A::programInitGasCall::SELECTOR => {
                    A::programInitGasCall::abi_encode_returns(&A::programInitGasReturn {
                        gas: shape.entry_gas(false),
                        gasWhenCached: shape.entry_gas(true),
                    })
                }
                A::programMemoryFootprintCall::SELECTOR => {
                    A::programMemoryFootprintCall::abi_encode_returns(&shape.footprint)
                }
                _ => A::codehashVersionCall::abi_encode_returns(&STYLUS_VERSION),
            };
            answer(output, 2)
        }
    }
}

/// `activateProgram(program)`: the value has reached `ArbWasm`; the data fee goes to the network
/// fee account and the rest back to the caller.
fn activate_call(shared: &Rc<Shared>, request: &CallRequest, program: Address) -> FrameResult {
    if request.is_static {
        return static_violation(request);
    }
    match activate(shared, request.caller, program, request.value, request.gas) {
        Ok(activated) => {
            let output = A::activateProgramCall::abi_encode_returns(&A::activateProgramReturn {
                version: STYLUS_VERSION,
                dataFee: activated.data_fee,
            });
            FrameResult::success(output, activated.gas)
        }
        Err(failed) => failed,
    }
}

/// A successful activation.
pub(super) struct Activated {
    /// The data fee paid, wei.
    pub(super) data_fee: U256,
    /// The gas it cost.
    pub(super) gas: u64,
}

/// Activates the code at `program` for `caller`, who sent `value` to `ArbWasm` (already moved
/// there): validates and compiles the WASM, charges the gas and the data fee, refunds the rest
/// of the value to `caller`, records the activation and emits `ProgramActivated`.
///
/// # Errors
/// The frame's revert or failure: `ProgramNotWasm`, `ProgramUpToDate`,
/// `ProgramInsufficientValue`, an `Error(string)` naming the Stylus rule a module breaks, or out
/// of gas.
pub(super) fn activate(
    shared: &Rc<Shared>,
    caller: Address,
    program: Address,
    value: U256,
    gas: u64,
) -> Result<Activated, FrameResult> {
    let fail = |error: Vec<u8>, used: u64| Err(FrameResult::revert(error, used.min(gas)));
    let (hash, code) = {
        let world = shared.world.borrow();
        (world.code_hash(program), world.code(program).to_vec())
    };
    let reads = 2 * super::STORAGE_READ_GAS;
    let Some(hash) = hash else { return fail(A::ProgramNotWasm {}.abi_encode(), reads) };
    let Some(wasm) = crate::wasm_from_code(&code) else {
        return fail(A::ProgramNotWasm {}.abi_encode(), reads);
    };
    if shared.world.borrow().activation_version(hash) == Some(STYLUS_VERSION) {
        return fail(A::ProgramUpToDate {}.abi_encode(), reads);
    }
    let compiled = match shared.compile(&wasm) {
        Ok(compiled) => compiled,
        Err(e) => {
            let reason = alloy_sol_types::Revert::from(format!("ProgramActivation: {e}"));
            return fail(reason.abi_encode(), reads);
        }
    };
    let used = activation_gas(&compiled.shape, code_ops(&wasm)) + reads + 4 * STORAGE_WRITE_GAS;
    if used + super::log_gas(1, 128) > gas {
        return Err(FrameResult::failure("out of gas in activation", gas));
    }
    let mut world = shared.world.borrow_mut();
    let bytes = u32::try_from(asm_estimate(&compiled.shape)).unwrap_or(u32::MAX);
    let time = world.block.timestamp;
    let data_fee = world.arbos_mut().pricer.update(bytes, time);
    if value < data_fee {
        drop(world);
        return fail(
            A::ProgramInsufficientValue { have: value, want: data_fee }.abi_encode(),
            used,
        );
    }
    let from = super::ARB_WASM;
    let moved = world.transfer(from, NETWORK_FEE_ACCOUNT, data_fee)
        && world.transfer(from, caller, value - data_fee);
    debug_assert!(moved, "ArbWasm holds the value it was sent");
    world.activate(hash, STYLUS_VERSION, compiled);
    let event = A::ProgramActivated {
        codehash: hash,
        moduleHash: keccak256(&wasm),
        program,
        dataFee: data_fee,
        version: STYLUS_VERSION,
    };
    super::emit(&mut world, super::ARB_WASM, &event);
    Ok(Activated { data_fee, gas: used + super::log_gas(1, 128) })
}
