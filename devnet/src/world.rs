//! The chain's state: accounts, storage, transient storage, logs, block values, and a journal that
//! undoes everything a reverted call frame did.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use alloy_primitives::{Address, B256, U256};

use crate::Program;

/// An emitted log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// The emitting contract.
    pub address: Address,
    /// Up to four topics.
    pub topics: Vec<B256>,
    /// The data.
    pub data: Vec<u8>,
}

/// Block and transaction values the host functions report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Block {
    /// `block_number` (on Arbitrum, the L1 block estimate).
    pub number: u64,
    /// `block_timestamp`, unix seconds.
    pub timestamp: u64,
    /// `chainid`.
    pub chain_id: u64,
    /// `block_basefee`, wei.
    pub basefee: U256,
    /// `block_coinbase`.
    pub coinbase: Address,
    /// `block_gas_limit`.
    pub gas_limit: u64,
    /// `tx_gas_price`, wei.
    pub gas_price: U256,
}

impl Default for Block {
    fn default() -> Self {
        Self {
            number: 1,
            timestamp: 1_700_000_000,
            chain_id: 412_346,
            basefee: U256::from(100_000_000u64),
            coinbase: Address::ZERO,
            gas_limit: 32_000_000,
            gas_price: U256::from(100_000_000u64),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Account {
    pub(crate) balance: U256,
    pub(crate) nonce: u64,
    pub(crate) code: Option<Code>,
    pub(crate) storage: HashMap<U256, B256>,
}

/// Code at an address (any bytes: Stylus code, or EVM bytecode this chain does not run) and its
/// keccak, the key its activation is kept under.
#[derive(Debug, Clone)]
pub(crate) struct Code {
    pub(crate) hash: B256,
    pub(crate) bytes: Arc<[u8]>,
}

/// A program activated for a code hash (as `ArbOS` keeps them: per code hash, not per address),
/// at a Stylus version, compiled once.
#[derive(Debug, Clone)]
pub(crate) struct Activation {
    pub(crate) version: u16,
    pub(crate) program: Arc<Program>,
}

/// What a call to an address meets.
pub(crate) enum Callee {
    /// No code: a plain value transfer.
    Empty,
    /// An activated Stylus program, priced cached or not.
    Program(Arc<Program>, bool),
    /// Stylus code never activated (or activated for another version): `ProgramNotActivated`.
    NotActivated,
    /// Code this chain cannot run (EVM bytecode).
    Foreign,
}

/// One undoable change.
#[derive(Debug)]
enum Entry {
    Storage { address: Address, key: U256, previous: B256 },
    Transient { address: Address, key: U256, previous: B256 },
    Balance { address: Address, previous: U256 },
    Nonce { address: Address, previous: u64 },
    Code { address: Address, previous: Option<Code> },
    Activation { hash: B256, previous: Option<Activation> },
    Cached { hash: B256, was: bool },
    Arbos(Box<crate::arbos::ArbosState>),
    Log,
    WarmAccount(Address),
    WarmSlot(Address, U256),
    Refund(i64),
}

/// What one transaction tracks for pricing: EIP-2929 access sets, slots' values at its start,
/// the refund counter, and Stylus pages.
#[derive(Debug, Default)]
pub(crate) struct TxState {
    warm_accounts: HashSet<Address>,
    warm_slots: HashSet<(Address, U256)>,
    originals: HashMap<(Address, U256), B256>,
    pub(crate) refund: i64,
    /// Stylus pages open now, and at most, in this transaction.
    pub(crate) pages_open: u16,
    pub(crate) pages_ever: u16,
}

/// World state with a journal: [`crate::Devnet::snapshot`] marks a point, and
/// [`crate::Devnet::revert_to`] undoes every change made since.
#[derive(Debug, Default)]
pub struct World {
    accounts: HashMap<Address, Account>,
    transient: HashMap<(Address, U256), B256>,
    logs: Vec<Log>,
    journal: Vec<Entry>,
    /// Block and transaction values.
    pub block: Block,
    /// Addresses of the open call frames, outermost first (for `msg_reentrant`).
    pub(crate) frames: Vec<Address>,
    pub(crate) tx: TxState,
    /// Activated programs by code hash.
    activations: HashMap<B256, Activation>,
    /// Code hashes whose entry is priced as cached (in the `CacheManager`).
    cached: HashSet<B256>,
    /// The data pricer and the cache's bids.
    arbos: crate::arbos::ArbosState,
}

impl World {
    /// A mark to revert to.
    pub(crate) fn checkpoint(&self) -> usize {
        self.journal.len()
    }

    /// Undoes every change made since `checkpoint`.
    pub(crate) fn revert_to(&mut self, checkpoint: usize) {
        while self.journal.len() > checkpoint {
            match self.journal.pop().expect("should be longer than the checkpoint") {
                Entry::Storage { address, key, previous } => {
                    self.account_mut(address).storage.insert(key, previous);
                }
                Entry::Transient { address, key, previous } => {
                    self.transient.insert((address, key), previous);
                }
                Entry::Balance { address, previous } => {
                    self.account_mut(address).balance = previous;
                }
                Entry::Nonce { address, previous } => self.account_mut(address).nonce = previous,
                Entry::Code { address, previous } => self.account_mut(address).code = previous,
                Entry::Activation { hash, previous } => {
                    match previous {
                        Some(activation) => self.activations.insert(hash, activation),
                        None => self.activations.remove(&hash),
                    };
                }
                Entry::Arbos(previous) => self.arbos = *previous,
                Entry::Cached { hash, was } => {
                    if was {
                        self.cached.insert(hash);
                    } else {
                        self.cached.remove(&hash);
                    }
                }
                Entry::Log => {
                    self.logs.pop();
                }
                Entry::WarmAccount(address) => {
                    self.tx.warm_accounts.remove(&address);
                }
                Entry::WarmSlot(address, key) => {
                    self.tx.warm_slots.remove(&(address, key));
                }
                Entry::Refund(previous) => self.tx.refund = previous,
            }
        }
    }

    /// Ends a transaction: transient storage empties (journaled, so a snapshot taken before the
    /// transaction still restores exactly).
    pub(crate) fn end_transaction(&mut self) {
        let live: Vec<(Address, U256)> =
            self.transient.iter().filter(|(_, v)| !v.is_zero()).map(|(k, _)| *k).collect();
        for (address, key) in live {
            self.set_transient(address, key, B256::ZERO);
        }
    }

    fn account_mut(&mut self, address: Address) -> &mut Account {
        self.accounts.entry(address).or_default()
    }

    /// What `address`'s program entry cost depends on, if it has an activated program.
    #[must_use]
    pub fn program_shape(&self, address: Address) -> Option<crate::pricing::ProgramShape> {
        self.program(address).map(|p| p.shape)
    }

    /// The activated program at `address`, if any.
    pub(crate) fn program(&self, address: Address) -> Option<Arc<Program>> {
        match self.callee(address) {
            Callee::Program(program, _) => Some(program),
            _ => None,
        }
    }

    /// What a call to `address` meets: nothing, an activated program (and whether its entry is
    /// priced cached), Stylus code not activated for the current version, or foreign code.
    pub(crate) fn callee(&self, address: Address) -> Callee {
        let Some(code) = self.accounts.get(&address).and_then(|a| a.code.as_ref()) else {
            return Callee::Empty;
        };
        match self.activations.get(&code.hash) {
            Some(a) if a.version == crate::arbos::STYLUS_VERSION => {
                Callee::Program(a.program.clone(), self.cached.contains(&code.hash))
            }
            _ if code.bytes.starts_with(&crate::STYLUS_PREFIX[..2]) => Callee::NotActivated,
            _ => Callee::Foreign,
        }
    }

    /// `address`'s code (empty without any).
    #[must_use]
    pub fn code(&self, address: Address) -> &[u8] {
        self.accounts.get(&address).and_then(|a| a.code.as_ref()).map_or(&[], |c| &c.bytes)
    }

    /// The keccak of `address`'s code, or `None` without code.
    #[must_use]
    pub fn code_hash(&self, address: Address) -> Option<B256> {
        self.accounts.get(&address).and_then(|a| a.code.as_ref()).map(|c| c.hash)
    }

    /// Places `bytes` at `address` as they are: nothing is activated (journaled).
    pub(crate) fn set_code(&mut self, address: Address, bytes: &[u8]) {
        let code = (!bytes.is_empty())
            .then(|| Code { hash: alloy_primitives::keccak256(bytes), bytes: bytes.into() });
        let previous = std::mem::replace(&mut self.account_mut(address).code, code);
        self.journal.push(Entry::Code { address, previous });
    }

    /// Every activated code hash and its version, in hash order.
    pub(crate) fn activation_list(&self) -> Vec<(B256, u16)> {
        let mut list: Vec<(B256, u16)> =
            self.activations.iter().map(|(h, a)| (*h, a.version)).collect();
        list.sort_unstable();
        list
    }

    /// Every cached code hash, in order.
    pub(crate) fn cached_list(&self) -> Vec<B256> {
        let mut list: Vec<B256> = self.cached.iter().copied().collect();
        list.sort_unstable();
        list
    }

    /// The Stylus version `hash` is activated at, if any.
    #[must_use]
    pub fn activation_version(&self, hash: B256) -> Option<u16> {
        self.activations.get(&hash).map(|a| a.version)
    }

    /// The program activated for `hash`, if any.
    pub(crate) fn activated(&self, hash: B256) -> Option<Arc<Program>> {
        self.activations.get(&hash).map(|a| a.program.clone())
    }

    /// Records `program` as activated for `hash` at `version` (journaled).
    pub(crate) fn activate(&mut self, hash: B256, version: u16, program: Arc<Program>) {
        let previous = self.activations.insert(hash, Activation { version, program });
        self.journal.push(Entry::Activation { hash, previous });
    }

    /// `ArbOS` state: the data pricer and the cache's bids.
    #[must_use]
    pub fn arbos(&self) -> &crate::arbos::ArbosState {
        &self.arbos
    }

    /// `ArbOS` state to change (the whole of it journaled first: it is small).
    pub(crate) fn arbos_mut(&mut self) -> &mut crate::arbos::ArbosState {
        self.journal.push(Entry::Arbos(Box::new(self.arbos.clone())));
        &mut self.arbos
    }

    /// Whether the program with code hash `hash` is priced cached.
    #[must_use]
    pub fn is_cached(&self, hash: B256) -> bool {
        self.cached.contains(&hash)
    }

    /// Prices the code hash's entry as cached or not (journaled).
    pub(crate) fn set_cached(&mut self, hash: B256, cached: bool) {
        let was = if cached { !self.cached.insert(hash) } else { self.cached.remove(&hash) };
        self.journal.push(Entry::Cached { hash, was });
    }

    /// Places `program`'s code at `address` and activates it (what a deployment through
    /// [`crate::Devnet`]'s API does in one step; journaled).
    pub(crate) fn set_program(&mut self, address: Address, program: Arc<Program>) {
        self.set_code(address, &program.code);
        let hash = alloy_primitives::keccak256(&program.code);
        if self.activation_version(hash) != Some(crate::arbos::STYLUS_VERSION) {
            self.activate(hash, crate::arbos::STYLUS_VERSION, program);
        }
    }

    /// Every account that holds anything (ETH, a nonce, code or storage), in address order.
    #[must_use]
    pub fn accounts(&self) -> Vec<Address> {
        let mut listed: Vec<Address> = self
            .accounts
            .iter()
            .filter(|(_, a)| {
                !a.balance.is_zero()
                    || a.nonce != 0
                    || a.code.is_some()
                    || a.storage.values().any(|v| !v.is_zero())
            })
            .map(|(address, _)| *address)
            .collect();
        listed.sort_unstable();
        listed
    }

    /// `address`'s non-zero storage slots, in key order.
    #[must_use]
    pub fn storage_of(&self, address: Address) -> Vec<(U256, B256)> {
        let mut slots: Vec<(U256, B256)> = self
            .accounts
            .get(&address)
            .map(|a| {
                a.storage.iter().filter(|(_, v)| !v.is_zero()).map(|(k, v)| (*k, *v)).collect()
            })
            .unwrap_or_default();
        slots.sort_unstable();
        slots
    }

    /// A digest of the whole state (every account's balance, nonce, code and non-zero storage,
    /// in address and key order, then the activated and cached code hashes; not the logs or the
    /// block): equal digests mean equal states, so
    /// a test proves a reverted call changed nothing by comparing the digests before and after.
    #[must_use]
    pub fn state_digest(&self) -> B256 {
        let mut bytes = Vec::new();
        for address in self.accounts() {
            let account = &self.accounts[&address];
            bytes.extend_from_slice(address.as_slice());
            bytes.extend_from_slice(&account.balance.to_be_bytes::<32>());
            bytes.extend_from_slice(&account.nonce.to_be_bytes());
            let code = account.code.as_ref().map_or(&[][..], |c| &c.bytes);
            bytes.extend_from_slice(alloy_primitives::keccak256(code).as_slice());
            for (key, value) in self.storage_of(address) {
                bytes.extend_from_slice(&key.to_be_bytes::<32>());
                bytes.extend_from_slice(value.as_slice());
            }
        }
        let mut activated: Vec<(B256, u16, bool)> = self
            .activations
            .iter()
            .map(|(hash, a)| (*hash, a.version, self.cached.contains(hash)))
            .collect();
        activated.sort_unstable();
        for (hash, version, cached) in activated {
            bytes.extend_from_slice(hash.as_slice());
            bytes.extend_from_slice(&version.to_be_bytes());
            bytes.push(u8::from(cached));
        }
        alloy_primitives::keccak256(bytes)
    }

    /// `address`'s storage slot `key`.
    #[must_use]
    pub fn storage(&self, address: Address, key: U256) -> B256 {
        self.accounts.get(&address).and_then(|a| a.storage.get(&key).copied()).unwrap_or_default()
    }

    pub(crate) fn set_storage(&mut self, address: Address, key: U256, value: B256) {
        let previous = self.account_mut(address).storage.insert(key, value).unwrap_or_default();
        self.tx.originals.entry((address, key)).or_insert(previous);
        self.journal.push(Entry::Storage { address, key, previous });
    }

    /// Starts a transaction from `origin` to `to`: fresh access sets (origin, target and the
    /// `ecrecover` precompile warm), originals, refund counter and pages.
    pub(crate) fn begin_transaction(&mut self, origin: Address, to: Address) {
        self.tx = TxState::default();
        for address in [origin, to, paratii_contracts::ecdsa::ECRECOVER] {
            self.tx.warm_accounts.insert(address);
        }
    }

    /// EIP-2929: 2,600 gas the first time the transaction touches `address`, then 100.
    pub(crate) fn access_account(&mut self, address: Address) -> u64 {
        if self.tx.warm_accounts.insert(address) {
            self.journal.push(Entry::WarmAccount(address));
            crate::pricing::COLD_ACCOUNT_GAS
        } else {
            crate::pricing::WARM_ACCESS_GAS
        }
    }

    /// Whether the slot was cold (and warms it).
    fn warm_slot(&mut self, address: Address, key: U256) -> bool {
        let cold = self.tx.warm_slots.insert((address, key));
        if cold {
            self.journal.push(Entry::WarmSlot(address, key));
        }
        cold
    }

    /// The EVM gas of loading a slot (`WasmStateLoadCost`): 2,100 cold, 100 warm.
    pub(crate) fn load_cost(&mut self, address: Address, key: U256) -> u64 {
        if self.warm_slot(address, key) {
            crate::pricing::COLD_SLOAD_GAS
        } else {
            crate::pricing::WARM_ACCESS_GAS
        }
    }

    fn add_refund(&mut self, delta: i64) {
        self.journal.push(Entry::Refund(self.tx.refund));
        self.tx.refund += delta;
    }

    /// The EVM gas of storing `value` (`WasmStateStoreCost`: EIP-2929 + EIP-2200 with EIP-3529
    /// refunds), booking the refund. Call before [`World::set_storage`].
    pub(crate) fn store_cost(&mut self, address: Address, key: U256, value: B256) -> u64 {
        use crate::pricing::{
            COLD_SLOAD_GAS, SSTORE_CLEARS_REFUND, SSTORE_RESET_GAS, SSTORE_SET_GAS, WARM_ACCESS_GAS,
        };
        let refund = |gas: u64| i64::try_from(gas).expect("should be a small gas amount");
        let mut cost = if self.warm_slot(address, key) { COLD_SLOAD_GAS } else { 0 };
        let current = self.storage(address, key);
        let original = self.tx.originals.get(&(address, key)).copied().unwrap_or(current);
        if current == value {
            return cost + WARM_ACCESS_GAS;
        }
        if original == current {
            if original.is_zero() {
                return cost + SSTORE_SET_GAS;
            }
            if value.is_zero() {
                self.add_refund(refund(SSTORE_CLEARS_REFUND));
            }
            return cost + SSTORE_RESET_GAS;
        }
        cost += WARM_ACCESS_GAS;
        if !original.is_zero() {
            if current.is_zero() {
                self.add_refund(-refund(SSTORE_CLEARS_REFUND));
            } else if value.is_zero() {
                self.add_refund(refund(SSTORE_CLEARS_REFUND));
            }
        }
        if original == value {
            let restored = if original.is_zero() { SSTORE_SET_GAS } else { SSTORE_RESET_GAS };
            self.add_refund(refund(restored - WARM_ACCESS_GAS));
        }
        cost
    }

    /// Whether `address` is empty (EIP-161: no balance, nonce or program).
    pub(crate) fn is_empty(&self, address: Address) -> bool {
        self.accounts
            .get(&address)
            .is_none_or(|a| a.balance.is_zero() && a.nonce == 0 && a.code.is_none())
    }

    pub(crate) fn transient(&self, address: Address, key: U256) -> B256 {
        self.transient.get(&(address, key)).copied().unwrap_or_default()
    }

    pub(crate) fn set_transient(&mut self, address: Address, key: U256, value: B256) {
        let previous = self.transient.insert((address, key), value).unwrap_or_default();
        self.journal.push(Entry::Transient { address, key, previous });
    }

    /// `address`'s ETH balance, wei.
    #[must_use]
    pub fn balance(&self, address: Address) -> U256 {
        self.accounts.get(&address).map(|a| a.balance).unwrap_or_default()
    }

    pub(crate) fn set_balance(&mut self, address: Address, balance: U256) {
        let account = self.account_mut(address);
        let previous = std::mem::replace(&mut account.balance, balance);
        self.journal.push(Entry::Balance { address, previous });
    }

    /// Moves `value` wei; `false` (and no change) when `from` has too little.
    pub(crate) fn transfer(&mut self, from: Address, to: Address, value: U256) -> bool {
        if value.is_zero() {
            return true;
        }
        let Some(debited) = self.balance(from).checked_sub(value) else {
            return false;
        };
        self.set_balance(from, debited);
        // Cannot overflow: total ETH is far below 2²⁵⁶ (funding is by explicit test amounts).
        let credited = self.balance(to).saturating_add(value);
        self.set_balance(to, credited);
        true
    }

    pub(crate) fn nonce(&self, address: Address) -> u64 {
        self.accounts.get(&address).map(|a| a.nonce).unwrap_or_default()
    }

    pub(crate) fn set_nonce(&mut self, address: Address, nonce: u64) {
        let previous = std::mem::replace(&mut self.account_mut(address).nonce, nonce);
        self.journal.push(Entry::Nonce { address, previous });
    }

    pub(crate) fn bump_nonce(&mut self, address: Address) {
        let account = self.account_mut(address);
        let previous = account.nonce;
        account.nonce += 1;
        self.journal.push(Entry::Nonce { address, previous });
    }

    pub(crate) fn push_log(&mut self, log: Log) {
        self.logs.push(log);
        self.journal.push(Entry::Log);
    }

    /// Every log emitted and not reverted, oldest first.
    #[must_use]
    pub fn logs(&self) -> &[Log] {
        &self.logs
    }

    pub(crate) fn log_count(&self) -> usize {
        self.logs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Address = Address::repeat_byte(0xa);
    const B: Address = Address::repeat_byte(0xb);

    #[test]
    fn revert_to_undoes_storage_balance_transient_and_logs() {
        let mut w = World::default();
        w.set_balance(A, U256::from(10));
        w.set_storage(A, U256::from(1), B256::repeat_byte(1));
        let cp = w.checkpoint();
        w.set_storage(A, U256::from(1), B256::repeat_byte(2));
        w.set_storage(A, U256::from(2), B256::repeat_byte(3));
        w.set_transient(A, U256::from(1), B256::repeat_byte(4));
        assert!(w.transfer(A, B, U256::from(4)));
        w.push_log(Log { address: A, topics: vec![], data: vec![1] });
        w.revert_to(cp);
        assert_eq!(w.storage(A, U256::from(1)), B256::repeat_byte(1));
        assert_eq!(w.storage(A, U256::from(2)), B256::ZERO);
        assert_eq!(w.transient(A, U256::from(1)), B256::ZERO);
        assert_eq!((w.balance(A), w.balance(B)), (U256::from(10), U256::ZERO));
        assert!(w.logs().is_empty());
    }

    #[test]
    fn transfer_fails_without_change_when_balance_short() {
        let mut w = World::default();
        w.set_balance(A, U256::from(3));
        assert!(!w.transfer(A, B, U256::from(4)));
        assert_eq!((w.balance(A), w.balance(B)), (U256::from(3), U256::ZERO));
    }
}
