//! The `StylusDeployer` (nitro-contracts `src/stylus/StylusDeployer.sol`), answered natively
//! with the original's semantics: CREATE or CREATE2, activation when needed, the constructor
//! call with its value, the refund, `ContractDeployed`.

use std::rc::Rc;

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::{SolCall, SolError};

use super::{
    abi::StylusDeployer as D, emit, log_gas, reverted, static_violation, unknown, wasm::activate,
    SOLIDITY_OVERHEAD_GAS, STYLUS_DEPLOYER, STYLUS_VERSION,
};
use crate::{
    code::{create_from_prelude, CreateFailure},
    host::{run_on_stack, CallRequest, FrameResult},
    pricing as p, Shared, Status,
};

/// Solidity 0.8's `Panic(uint256)` for an arithmetic underflow (code 0x11): what the original
/// reverts with when `initValue` exceeds the value sent and activation is needed.
fn underflow_panic() -> Vec<u8> {
    alloy_sol_types::Panic::from(alloy_sol_types::PanicKind::UnderOverflow).abi_encode()
}

/// Answers `deploy(bytecode, initData, initValue, salt)`; the value has reached the deployer.
pub(super) fn deploy(shared: &Rc<Shared>, request: &CallRequest) -> FrameResult {
    let Ok(call) = D::deployCall::abi_decode(&request.calldata) else {
        return unknown(request);
    };
    if request.is_static {
        return static_violation(request);
    }
    let D::deployCall { bytecode, initData, initValue, salt } = call;
    let words = (bytecode.len() as u64).div_ceil(32);
    let mut gas = SOLIDITY_OVERHEAD_GAS
        + p::CREATE_GAS
        + p::INIT_CODE_WORD_GAS * words
        + p::COPY_GAS_PER_WORD * words;
    if bytecode.is_empty() {
        return reverted(request, &D::EmptyBytecode {}, gas);
    }
    let salt = (salt != B256::ZERO).then(|| {
        gas += p::KECCAK_WORD_GAS * words;
        let mut preimage = salt.to_vec();
        preimage.extend_from_slice(&initData);
        keccak256(preimage)
    });
    let created = create_from_prelude(
        &mut shared.world.borrow_mut(),
        STYLUS_DEPLOYER,
        &bytecode,
        salt,
        U256::ZERO,
    );
    let address = match created {
        Ok((address, creation_gas)) => {
            gas += creation_gas;
            address
        }
        Err(CreateFailure::NotPrelude) => {
            return FrameResult::failure(CreateFailure::NotPrelude.to_string(), request.gas);
        }
        Err(_) => {
            let error = D::ContractDeploymentError { bytecode: bytecode.clone() };
            return reverted(request, &error, gas);
        }
    };
    if gas > request.gas {
        return FrameResult::failure("out of gas", request.gas);
    }
    let needs_activation = {
        let world = shared.world.borrow();
        world.code_hash(address).and_then(|h| world.activation_version(h)) != Some(STYLUS_VERSION)
    };
    if needs_activation {
        let Some(activation_value) = request.value.checked_sub(initValue) else {
            return FrameResult::revert(underflow_panic(), gas);
        };
        let moved =
            shared.world.borrow_mut().transfer(STYLUS_DEPLOYER, super::ARB_WASM, activation_value);
        debug_assert!(moved, "the deployer holds at least the value it was sent");
        gas += p::WARM_ACCESS_GAS + p::CALL_VALUE_GAS;
        match activate(shared, STYLUS_DEPLOYER, address, activation_value, request.gas - gas) {
            Ok(activated) => gas += activated.gas,
            Err(failed) => {
                // A failed external call bubbles up: its revert data, and every gas it used.
                return FrameResult { gas_used: request.gas.min(gas + failed.gas_used), ..failed };
            }
        }
    }
    if !initData.is_empty() {
        match construct(shared, request, address, &initData, initValue, gas) {
            Ok(used) => gas += used,
            Err(failed) => return failed,
        }
    } else if !initValue.is_zero() {
        return reverted(request, &D::InitValueButNotInitData {}, gas);
    }
    let mut world = shared.world.borrow_mut();
    let balance = world.balance(STYLUS_DEPLOYER);
    if !balance.is_zero() {
        gas += p::CALL_VALUE_GAS;
        let refunded = world.transfer(STYLUS_DEPLOYER, request.caller, balance);
        debug_assert!(refunded, "the deployer sends what it holds");
    }
    emit(&mut world, STYLUS_DEPLOYER, &D::ContractDeployed { deployedContract: address });
    gas += log_gas(1, 32);
    if gas > request.gas {
        return FrameResult::failure("out of gas", request.gas);
    }
    FrameResult::success(D::deployCall::abi_encode_returns(&address), gas)
}

/// Calls the new contract's constructor with `init_data` and `init_value`, with the gas left
/// after `spent` (all but a 64th, plus the stipend with value); returns the gas it cost.
///
/// # Errors
/// The frame's `ContractInitializationError` revert, or out of gas.
fn construct(
    shared: &Rc<Shared>,
    request: &CallRequest,
    address: Address,
    init_data: &alloy_primitives::Bytes,
    init_value: U256,
    spent: u64,
) -> Result<u64, FrameResult> {
    let value_gas = if init_value.is_zero() { 0 } else { p::CALL_VALUE_GAS };
    let mut gas = p::COLD_ACCOUNT_GAS + value_gas;
    if spent + gas > request.gas {
        return Err(FrameResult::failure("out of gas", request.gas));
    }
    let left = request.gas - spent - gas;
    let stipend = if init_value.is_zero() { 0 } else { p::CALL_STIPEND };
    let frame = run_on_stack(
        shared,
        &CallRequest {
            caller: STYLUS_DEPLOYER,
            origin: request.origin,
            address,
            code_address: address,
            value: init_value,
            transfer: init_value,
            is_static: false,
            depth: request.depth + 1,
            calldata: init_data.to_vec(),
            gas: left - left / 64 + stipend,
        },
    );
    gas += frame.gas_used.min(left);
    if frame.status != Status::Success {
        let error =
            D::ContractInitializationError { newContract: address, data: init_data.clone() };
        return Err(reverted(request, &error, spent + gas));
    }
    Ok(gas)
}

/// The address a deployment through the `StylusDeployer` lands at, for a caller to know it in
/// advance: CREATE2 for a non-zero `salt` (salted with `init_data` as the original does), else
/// CREATE at the deployer's `nonce`.
#[must_use]
pub fn deployed_address(bytecode: &[u8], init_data: &[u8], salt: B256, nonce: u64) -> Address {
    if salt == B256::ZERO {
        return crate::create_address(STYLUS_DEPLOYER, nonce);
    }
    let mut preimage = salt.to_vec();
    preimage.extend_from_slice(init_data);
    crate::create2_address(STYLUS_DEPLOYER, keccak256(preimage), keccak256(bytecode))
}
