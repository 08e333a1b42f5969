//! # paratii-devnet — an in-process Stylus chain
//!
//! Runs the suite's **real deployable WASM** (`target/wasm/*.wasm`, as `paratii-build wasm` and
//! this crate's build script write it) through the Stylus host ABI (`vm_hooks`), with no node and no Docker: deploy programs, call
//! them with calldata and value, read receipts (status, return or revert data, logs), and let
//! programs call each other.
//!
//! Semantics follow Nitro: every call frame gets a fresh instance (fresh memory); the entry point is
//! `user_entrypoint(len) -> status` (0 success, 1 revert; `exit_early` ends with a status; a trap
//! is a failure with no data); storage goes through a per-frame cache that
//! `storage_flush_cache` writes back; static calls cannot write (storage, transient storage, logs,
//! value); a frame that does not succeed leaves no trace (storage, balances, logs, nonces), because
//! every change is journaled; call depth is capped at 1024; deployment validates the module with
//! the build tool's offline activation checks (`paratii_build::validate`), so a module Stylus would
//! reject fails here with the same rule name.
//!
//! **Gas**, per Nitro's rules pinned in [`pricing`] (`ArbOS` 50, Stylus v2): modules are
//! instrumented with the opcode ink meter ([`instrument`]); host functions charge host-I/O ink
//! and EVM gas as Nitro's `user-host-trait` does (storage through the per-frame cache with its
//! read/write tiers, `SSTORE` at flush with EIP-2929/2200/3529 pricing and refunds, logs, account
//! access, calls with the 63/64 rule, value and stipend, pages through the memory model); entry
//! pays the memory model for the footprint plus init costs, cached or not ([`Devnet::set_cached`]);
//! returned data pays at least its EVM memory cost; running out fails the frame and burns its
//! budget. Receipts break the cost down ([`GasReport`]).
//!
//! **Creation.** This chain runs no EVM, so `create1`/`create2` take the new program's code
//! directly as their "init code" — on-chain Stylus code (`0xEFF000`, dictionary 0, brotli) or raw
//! WASM — and deploy it (validated like any deployment) at the CREATE / CREATE2 address, priced
//! as Nitro prices a creation whose init code returns at once (32,000, plus 6 per word for
//! CREATE2). EVM init code that computes the code is not run: such a creation fails.
//!
//! **Not here:** L1 data fees; the depth checker's native-stack model.
//!
//! The `ecrecover` precompile (`0x01`) is answered natively (k256), with Ethereum's rules.

pub mod arbos;
mod code;
mod error;
mod host;
pub mod instrument;
pub mod node;
pub mod pricing;
mod receipt;
mod world;

use std::{
    cell::{Ref, RefCell, RefMut},
    collections::HashMap,
    fmt,
    rc::Rc,
    sync::Arc,
};

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::SolCall;
use paratii_build::validate::{self, Summary, Violation};
use wasmi::{Engine, Linker, Module};

pub use code::{
    code_from_init_prelude, create2_address, create_address, init_code_prelude, wasm_from_code,
    STYLUS_PREFIX,
};
pub use error::{CallError, DevnetError};
pub use paratii_build::wasm::stylus_code;
pub use receipt::{GasReport, Receipt, Status};
pub use world::{Block, Log, World};

/// Deepest call stack Nitro allows.
pub const MAX_CALL_DEPTH: usize = 1024;
pub use pricing::INK_PRICE;
/// Gas budget a call gets when the caller does not choose one.
pub const DEFAULT_GAS: u64 = 30_000_000;
/// `keccak256("stylus_constructor()")[..4]`: the selector the SDK routes to the constructor.
pub const CONSTRUCTOR_SELECTOR: [u8; 4] = {
    let h = keccak_const::Keccak256::new().update(b"stylus_constructor()").finalize();
    [h[0], h[1], h[2], h[3]]
};

/// A deployed program: the validated module, compiled once.
#[derive(Debug)]
pub struct Program {
    module: Module,
    /// What the validator found in it.
    pub summary: Summary,
    /// What its entry cost depends on.
    pub shape: pricing::ProgramShape,
    /// The on-chain code: `0xEF 0xF0 0x00`, dictionary byte 0, brotli(wasm).
    pub code: Vec<u8>,
}

/// What the host functions share across frames.
pub(crate) struct Shared {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<host::Frame>,
    pub(crate) world: RefCell<World>,
    pub(crate) spent: host::SpentCell,
    /// Compiled programs by the keccak of their WASM.
    programs: RefCell<HashMap<B256, Arc<Program>>>,
}

impl Shared {
    /// Validates (the build tool's offline activation checks, size gate included), instruments
    /// and compiles `wasm`, once per distinct module.
    pub(crate) fn compile(&self, wasm: &[u8]) -> Result<Arc<Program>, DevnetError> {
        let hash = keccak256(wasm);
        if let Some(program) = self.programs.borrow().get(&hash) {
            return Ok(program.clone());
        }
        let code = paratii_build::wasm::stylus_code(wasm);
        let compressed = &code[paratii_build::wasm::STYLUS_CODE_PREFIX.len()..];
        let summary =
            validate::validate_compressed(wasm, compressed).map_err(DevnetError::Invalid)?;
        let metered = instrument::instrument(wasm).map_err(DevnetError::Compile)?;
        let module =
            Module::new(&self.engine, &metered).map_err(|e| DevnetError::Compile(e.to_string()))?;
        let shape = instrument::shape(wasm, &summary).map_err(DevnetError::Compile)?;
        let program = Arc::new(Program { module, summary, shape, code });
        self.programs.borrow_mut().insert(hash, program.clone());
        Ok(program)
    }
}

/// A mark to return the whole chain to with [`Devnet::revert_to`]: its state and its block
/// values (time, number, chain id, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    checkpoint: usize,
    block: Block,
}

/// A creation transaction's outcome ([`Devnet::create`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creation {
    /// Where the code was placed; `None` when the creation failed.
    pub address: Option<Address>,
    /// Status, failure reason and gas (intrinsic included in [`GasReport::total`]).
    pub receipt: Receipt,
}

/// The chain.
pub struct Devnet {
    shared: Rc<Shared>,
}

impl Default for Devnet {
    fn default() -> Self {
        Self::new()
    }
}

impl Devnet {
    /// An empty chain with default block values ([`Block::default`]).
    #[must_use]
    pub fn new() -> Self {
        let engine = Engine::default();
        let linker = host::linker(&engine);
        Self {
            shared: Rc::new(Shared {
                engine,
                linker,
                world: RefCell::new(World::default()),
                spent: RefCell::default(),
                programs: RefCell::default(),
            }),
        }
    }

    /// The world state, to read balances, storage and logs. While the guard is alive the chain
    /// cannot change: every changing call returns [`DevnetError::WorldBorrowed`].
    #[must_use]
    pub fn world(&self) -> Ref<'_, World> {
        self.shared.world.borrow()
    }

    /// The block and transaction values the next call sees (number, timestamp, chain id, …).
    #[must_use]
    pub fn block(&self) -> Block {
        self.shared.world.borrow().block.clone()
    }

    /// Replaces the block and transaction values the next calls see.
    ///
    /// # Errors
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn set_block(&self, block: Block) -> Result<(), DevnetError> {
        self.world_mut()?.block = block;
        Ok(())
    }

    /// Moves the clock on by `seconds` (saturating).
    ///
    /// # Errors
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn advance_time(&self, seconds: u64) -> Result<(), DevnetError> {
        let mut world = self.world_mut()?;
        world.block.timestamp = world.block.timestamp.saturating_add(seconds);
        Ok(())
    }

    /// Sets the clock to `timestamp` (unix seconds; it may go back, for tests).
    ///
    /// # Errors
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn set_timestamp(&self, timestamp: u64) -> Result<(), DevnetError> {
        self.world_mut()?.block.timestamp = timestamp;
        Ok(())
    }

    /// The world for a change, or [`DevnetError::WorldBorrowed`] while a reader holds it: every
    /// public entry point that changes the chain goes through here first, so misuse is a typed
    /// error rather than a `RefCell` panic.
    fn world_mut(&self) -> Result<RefMut<'_, World>, DevnetError> {
        self.shared.world.try_borrow_mut().map_err(|_| DevnetError::WorldBorrowed)
    }

    /// Prices `program`'s entry as cached (in Nitro's `CacheManager`) or not (the default).
    /// As in `ArbOS`, caching is per code hash: every program with the same code follows.
    ///
    /// # Errors
    /// [`DevnetError::NoCode`] when `program` has no code;
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn set_cached(&self, program: Address, cached: bool) -> Result<(), DevnetError> {
        let mut world = self.world_mut()?;
        let hash = world.code_hash(program).ok_or(DevnetError::NoCode(program))?;
        world.set_cached(hash, cached);
        Ok(())
    }

    /// The entry gas a call to `program` pays first in a transaction (memory model for its
    /// footprint plus init costs, cached or not as set), or `None` without a program.
    #[must_use]
    pub fn entry_gas(&self, program: Address) -> Option<u64> {
        let world::Callee::Program(p, cached) = self.shared.world.borrow().callee(program) else {
            return None;
        };
        Some(pricing::memory_gas(p.shape.footprint, 0, 0) + p.shape.entry_gas(cached))
    }

    /// Sets `who`'s ETH balance.
    ///
    /// # Errors
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn fund(&self, who: Address, wei: U256) -> Result<(), DevnetError> {
        self.world_mut()?.set_balance(who, wei);
        Ok(())
    }

    /// Sets `who`'s nonce (journaled; for state overrides and tests).
    ///
    /// # Errors
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn set_nonce(&self, who: Address, nonce: u64) -> Result<(), DevnetError> {
        self.world_mut()?.set_nonce(who, nonce);
        Ok(())
    }

    /// Places `code` at `address` exactly as given, activating nothing (what a creation does on
    /// Nitro, and what an `eth_call` state override does); empty code removes it. A call to it
    /// then meets `ProgramNotActivated` until `ArbWasm.activateProgram` runs for its hash.
    ///
    /// # Errors
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn place_code(&self, address: Address, code: &[u8]) -> Result<(), DevnetError> {
        self.world_mut()?.set_code(address, code);
        Ok(())
    }

    /// Sets `address`'s storage slot `key` (journaled).
    ///
    /// # Errors
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn set_storage(&self, address: Address, key: U256, value: B256) -> Result<(), DevnetError> {
        self.world_mut()?.set_storage(address, key, value);
        Ok(())
    }

    /// Zeroes every storage slot of `address` (journaled).
    ///
    /// # Errors
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn clear_storage(&self, address: Address) -> Result<(), DevnetError> {
        let mut world = self.world_mut()?;
        for (key, _) in world.storage_of(address) {
            world.set_storage(address, key, B256::ZERO);
        }
        Ok(())
    }

    /// A mark of the current state and block values.
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        let world = self.shared.world.borrow();
        Snapshot { checkpoint: world.checkpoint(), block: world.block.clone() }
    }

    /// Returns the chain to `snapshot`: every later change is undone, and the block values
    /// (a clock moved on, a chain id changed) are those of the snapshot again.
    ///
    /// # Errors
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn revert_to(&self, snapshot: &Snapshot) -> Result<(), DevnetError> {
        let mut world = self.world_mut()?;
        world.revert_to(snapshot.checkpoint);
        world.block = snapshot.block.clone();
        Ok(())
    }

    /// Validates and compiles `wasm` (deployable bytes) and places it at `address` without a
    /// constructor, replacing any program there (as `anvil_setCode` does): a hostile peer or a
    /// test vector's fixed address. Journaled, so a snapshot undoes it.
    ///
    /// # Errors
    /// [`DevnetError::Invalid`] naming the broken activation rule; [`DevnetError::Compile`];
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn set_code(&self, address: Address, wasm: &[u8]) -> Result<(), DevnetError> {
        let program = self.shared.compile(wasm)?;
        self.world_mut()?.set_program(address, program);
        Ok(())
    }

    /// Validates and compiles `wasm` (the deployable bytes), deploys it at the CREATE address of
    /// `from` and its nonce, and runs the constructor with `constructor_args` (ABI-encoded,
    /// without selector) when given.
    ///
    /// # Errors
    /// [`DevnetError::Invalid`] naming the broken activation rule; [`DevnetError::Compile`];
    /// [`DevnetError::ConstructorFailed`] (nothing is deployed then).
    pub fn deploy(
        &mut self,
        from: Address,
        wasm: &[u8],
        constructor_args: Option<&[u8]>,
    ) -> Result<Address, DevnetError> {
        let program = self.shared.compile(wasm)?;
        let mut world = self.shared.world.borrow_mut();
        let checkpoint = world.checkpoint();
        let address = create_address(from, world.nonce(from));
        world.bump_nonce(from);
        world.set_program(address, program);
        // EIP-161: a contract starts at nonce 1.
        world.bump_nonce(address);
        drop(world);
        if let Some(args) = constructor_args {
            let mut calldata = CONSTRUCTOR_SELECTOR.to_vec();
            calldata.extend_from_slice(args);
            let receipt = self.transact(from, address, &calldata, U256::ZERO, false, DEFAULT_GAS);
            if !receipt.success() {
                self.shared.world.borrow_mut().revert_to(checkpoint);
                return Err(DevnetError::ConstructorFailed(Box::new(receipt)));
            }
        }
        Ok(address)
    }

    /// Places the code of `ArbOS`'s natively answered precompiles and contracts
    /// ([`arbos::genesis_code`]) so `eth_getCode` answers for them as on Arbitrum. Their
    /// behaviour does not depend on it: calls to those addresses are answered natively anyway.
    ///
    /// # Errors
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn install_arbos(&self) -> Result<(), DevnetError> {
        let mut world = self.world_mut()?;
        for (address, code) in arbos::genesis_code() {
            world.set_code(address, &code);
        }
        Ok(())
    }

    /// A creation transaction's execution: `from` (whose nonce picks the address, and is bumped)
    /// sends `init` with `value` and `gas` for execution (the intrinsic gas already paid).
    /// `init` must be cargo-stylus's deployment prelude around Stylus code
    /// ([`init_code_prelude`]); the code is placed without activation, as on Nitro. A creation
    /// that collides, carries code over 24,576 bytes, cannot pay its value or runs out of gas
    /// fails (every gas spent, only the nonce bumped).
    ///
    /// # Errors
    /// [`DevnetError::EvmInitCode`] (nothing changed) when `init` is not the prelude;
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn create(
        &self,
        from: Address,
        init: &[u8],
        value: U256,
        gas: u64,
    ) -> Result<Creation, DevnetError> {
        if code_from_init_prelude(init).is_none() {
            return Err(DevnetError::EvmInitCode);
        }
        let mut world = self.world_mut()?;
        let checkpoint = world.checkpoint();
        let intrinsic = pricing::creation_intrinsic_gas(init);
        let outcome = code::create_from_prelude(&mut world, from, init, None, value);
        let (status, failure, used, address) = match outcome {
            Ok((address, used)) if used <= gas => {
                (Status::Success, String::new(), used, Some(address))
            }
            Ok(_) => (Status::Failure, "out of gas depositing the code".to_owned(), gas, None),
            Err(e) => (Status::Failure, e.to_string(), gas, None),
        };
        if address.is_none() {
            world.revert_to(checkpoint);
            world.bump_nonce(from);
        }
        let receipt = Receipt {
            status,
            output: Vec::new(),
            failure,
            logs: Vec::new(),
            console: Vec::new(),
            gas: GasReport { used, intrinsic, evm: used, ..GasReport::default() },
        };
        Ok(Creation { address, receipt })
    }

    /// A transaction's call from `from` to `to`, whatever `to` holds: a program runs, an
    /// account without code just receives the value, a native precompile answers. Unlike
    /// [`Devnet::call_with_gas`], an address without a program is not an error.
    ///
    /// # Errors
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn transaction(
        &self,
        from: Address,
        to: Address,
        calldata: &[u8],
        value: U256,
        gas: u64,
    ) -> Result<Receipt, DevnetError> {
        drop(self.world_mut()?);
        Ok(self.transact(from, to, calldata, value, false, gas))
    }

    /// Sends a transaction: `from` calls `to` with `calldata` and `value` wei.
    ///
    /// # Errors
    /// [`DevnetError::NoCode`] when no program is deployed at `to`;
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn call(
        &self,
        from: Address,
        to: Address,
        calldata: &[u8],
        value: U256,
    ) -> Result<Receipt, DevnetError> {
        self.call_with_gas(from, to, calldata, value, DEFAULT_GAS)
    }

    /// [`Devnet::call`] with a gas budget: running out fails the call (all its changes undone).
    ///
    /// # Errors
    /// [`DevnetError::NoCode`] when no program is deployed at `to`;
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn call_with_gas(
        &self,
        from: Address,
        to: Address,
        calldata: &[u8],
        value: U256,
        gas: u64,
    ) -> Result<Receipt, DevnetError> {
        if self.world_mut()?.program(to).is_none() {
            return Err(DevnetError::NoCode(to));
        }
        Ok(self.transact(from, to, calldata, value, false, gas))
    }

    /// A read-only call: any write fails the call; nothing it does persists.
    ///
    /// # Errors
    /// [`DevnetError::NoCode`] when no program is deployed at `to`;
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn static_call(
        &self,
        from: Address,
        to: Address,
        calldata: &[u8],
    ) -> Result<Receipt, DevnetError> {
        if self.world_mut()?.program(to).is_none() {
            return Err(DevnetError::NoCode(to));
        }
        let snapshot = self.snapshot();
        let receipt = self.transact(from, to, calldata, U256::ZERO, true, DEFAULT_GAS);
        self.revert_to(&snapshot)?;
        Ok(receipt)
    }

    /// Sends a typed call and decodes its return value.
    ///
    /// # Errors
    /// [`CallError::Reverted`] with the revert data, [`CallError::Failed`], [`CallError::Devnet`],
    /// or [`CallError::Decode`].
    pub fn send<C: SolCall>(
        &self,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<C::Return, CallError> {
        let receipt =
            self.call(from, to, &call.abi_encode(), U256::ZERO).map_err(CallError::Devnet)?;
        decode::<C>(receipt)
    }

    /// Sends a typed call and returns its receipt (logs, gas) when it succeeded.
    ///
    /// # Errors
    /// [`CallError::Reverted`] with the revert data, [`CallError::Failed`], [`CallError::Devnet`].
    pub fn send_receipt<C: SolCall>(
        &self,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<Receipt, CallError> {
        let receipt =
            self.call(from, to, &call.abi_encode(), U256::ZERO).map_err(CallError::Devnet)?;
        match receipt.status {
            Status::Success => Ok(receipt),
            Status::Revert => Err(CallError::Reverted(receipt.output)),
            Status::Failure => Err(CallError::Failed(receipt.failure)),
        }
    }

    /// A typed read-only call.
    ///
    /// # Errors
    /// As [`Devnet::send`].
    pub fn view<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return, CallError> {
        self.view_from(Address::ZERO, to, call)
    }

    /// A typed read-only call as `from` (for views that answer by `msg.sender`).
    ///
    /// # Errors
    /// As [`Devnet::send`].
    pub fn view_from<C: SolCall>(
        &self,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<C::Return, CallError> {
        let receipt = self.static_call(from, to, &call.abi_encode()).map_err(CallError::Devnet)?;
        decode::<C>(receipt)
    }

    fn transact(
        &self,
        from: Address,
        to: Address,
        calldata: &[u8],
        value: U256,
        is_static: bool,
        gas: u64,
    ) -> Receipt {
        let first_log = self.shared.world.borrow().log_count();
        self.shared.world.borrow_mut().begin_transaction(from, to);
        *self.shared.spent.borrow_mut() = host::Spent::default();
        let frame = host::run_on_stack(
            &self.shared,
            &host::CallRequest {
                caller: from,
                origin: from,
                address: to,
                code_address: to,
                value,
                transfer: value,
                is_static,
                depth: 0,
                calldata: calldata.to_vec(),
                gas,
            },
        );
        let mut world = self.shared.world.borrow_mut();
        let intrinsic = pricing::intrinsic_gas(calldata);
        // EIP-3529 as Nitro applies it: at most a fifth of all the gas used, intrinsic
        // included (less the L1 part, which this chain does not charge).
        let refund = if frame.status == Status::Success {
            u64::try_from(world.tx.refund.max(0))
                .unwrap_or(0)
                .min((frame.gas_used + intrinsic) / pricing::MAX_REFUND_QUOTIENT)
        } else {
            0
        };
        world.end_transaction();
        let logs = world.logs()[first_log.min(world.logs().len())..].to_vec();
        let spent = *self.shared.spent.borrow();
        Receipt {
            status: frame.status,
            output: frame.output,
            failure: frame.failure,
            logs: if frame.status == Status::Success { logs } else { Vec::new() },
            console: frame.console,
            gas: GasReport {
                // The refund counter never exceeds what the stores that earned it cost.
                used: frame.gas_used.saturating_sub(refund),
                refund,
                intrinsic,
                entry: spent.entry_gas,
                compute_ink: spent.compute_ink,
                hostio_ink: spent.hostio_ink,
                evm: spent.evm_gas,
            },
        }
    }
}

fn decode<C: SolCall>(receipt: Receipt) -> Result<C::Return, CallError> {
    match receipt.status {
        Status::Success => {
            C::abi_decode_returns(&receipt.output).map_err(|e| CallError::Decode(e.to_string()))
        }
        Status::Revert => Err(CallError::Reverted(receipt.output)),
        Status::Failure => Err(CallError::Failed(receipt.failure)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    #[test]
    fn create_address_matches_known_deployments() {
        // anvil's dev key #0 deploying its first and second contract.
        let sender = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assert_eq!(
            create_address(sender, 0),
            address!("0x5FbDB2315678afecb367f032d93F642f64180aa3")
        );
        assert_eq!(
            create_address(sender, 1),
            address!("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512")
        );
    }

    #[test]
    fn frame_fails_when_deeper_than_1024() {
        let net = Devnet::new();
        let request = |depth| host::CallRequest {
            caller: Address::ZERO,
            origin: Address::ZERO,
            address: Address::repeat_byte(1),
            code_address: Address::repeat_byte(1),
            value: U256::ZERO,
            transfer: U256::ZERO,
            is_static: false,
            depth,
            calldata: Vec::new(),
            gas: 1_000,
        };
        assert_eq!(host::run(&net.shared, &request(MAX_CALL_DEPTH)).status, Status::Success);
        let too_deep = host::run(&net.shared, &request(MAX_CALL_DEPTH + 1));
        assert_eq!(too_deep.status, Status::Failure);
        assert_eq!(too_deep.failure, "call depth over 1024");
    }

    #[test]
    fn create2_address_matches_eip1014_example() {
        // EIP-1014 example 1: deployer 0x0, salt 0, init code 0x00.
        assert_eq!(
            create2_address(Address::ZERO, B256::ZERO, keccak256([0u8])),
            address!("0x4D1A2e2bB4F88F0250f26Ffff098B0b30B26BF38")
        );
    }

    #[test]
    fn constructor_selector_is_keccak_of_stylus_constructor() {
        assert_eq!(CONSTRUCTOR_SELECTOR, keccak256(b"stylus_constructor()")[..4]);
    }
}
