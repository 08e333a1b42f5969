//! # `ParatiiRegistry` — where the suite's contracts find each other
//!
//! Named addresses, numbers and strings, stored under `keccak256(name)`. The suite's contracts look
//! their peers and parameters up here **at call time** (the names and their precomputed keys are
//! in [`paratii_contracts::names`]), so a redeployed peer takes effect with one registry write and
//! deployment order does not matter.
//!
//! **Roles.** The owner (two-step transfer: `transferOwnership` then `acceptOwnership` by the new
//! owner; `renounceOwnership` freezes the registry) registers and unregisters entries. Anyone reads,
//! and anyone applies a scheduled change once it is due.
//!
//! **Changes that reach funds wait.** The suite's contracts pay whoever the registry names (the
//! store pays the owner the `VideoRegistry` reports, splits by `VideoRedistributionPoolShare`,
//! and goes through the registered `ParatiiAvatar`), so re-pointing an entry is a power over
//! users' money. The registry bounds it with a **change delay** fixed at deployment (one to
//! thirty days): replacing or unregistering an address, and every change of a number, is only
//! scheduled (`AddressChangeScheduled`, `UintChangeScheduled`, announcing the value and when it
//! takes effect) and takes effect when anyone applies it after the delay
//! (`applyAddressChange`, `applyUintChange`); until then lookups answer the current value, and
//! users (or watchtowers for them) can stop buying, close channels or revoke approvals. The owner
//! may cancel a scheduled change (`cancelChange`); a new schedule replaces a pending one and
//! restarts its clock. Two writes take effect at once: the **first address** of a name (an
//! unregistered peer makes every call that needs it fail, so filling it harms nobody; an
//! unregistration is delayed, so "unregister, then register at once" still waits the delay), and
//! **strings** (descriptive settings; no contract reads them to move funds).
//!
//! **Rules.** Names are non-empty. An address entry is never the zero address and a string entry
//! never empty (unregister instead), so "zero / empty" always means "not registered" — which is
//! what the getters return for unknown names, as the original did. A number may be registered as
//! 0 (it then reads like an unregistered one, and cannot be unregistered). Unregistering what is not
//! registered reverts.
//!
//! **Events.** One per change, past tense, indexed by key: `AddressRegistered`,
//! `AddressUnregistered`, `UintRegistered`, `UintUnregistered` (when a value takes effect),
//! `AddressChangeScheduled`, `UintChangeScheduled`, `ChangeCancelled`, `StringRegistered`,
//! `StringUnregistered`, plus the ownership events (`contracts/sol/Registry.sol`, `Ownable.sol`).
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
// `#[entrypoint]` (outside tests) and `export-abi` generate undocumented items; the plain test
// build has neither, so `clippy --all-targets` still enforces docs on every public item.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
// The public methods are the contract's ABI, called through the router, not from Rust.
#![allow(clippy::must_use_candidate)]
// ABI arguments arrive decoded and owned; the router passes them by value.
#![allow(clippy::needless_pass_by_value)]
extern crate alloc;

use alloc::{string::String, vec::Vec};
use alloy_primitives::{keccak256, Address, B256, U256};
use paratii_common::{impl_from_ownable_error, Ownable2Step};
use paratii_contracts::{
    ownable::{OwnableInvalidOwner, OwnableUnauthorizedAccount},
    registry::{
        AddressChangeScheduled, AddressRegistered, AddressUnregistered, ChangeCancelled,
        RegistryChangeNotDue, RegistryEmptyName, RegistryEmptyString, RegistryInvalidDelay,
        RegistryNoPendingChange, RegistryNotRegistered, RegistryStringTooLong, RegistryZeroAddress,
        StringRegistered, StringUnregistered, UintChangeScheduled, UintRegistered,
        UintUnregistered,
    },
};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageB256, StorageMap, StorageU256, StorageU32, StorageU64},
};

/// The shortest change delay a deployment may set: one day, in seconds.
pub const MIN_CHANGE_DELAY_SECS: u64 = 24 * 60 * 60;
/// The longest change delay a deployment may set: thirty days, in seconds.
pub const MAX_CHANGE_DELAY_SECS: u64 = 30 * 24 * 60 * 60;

/// Longest string entry, in bytes (a registry holds names and short settings, not documents).
pub const MAX_STRING_BYTES: usize = 1024;

/// Every way a registry call can fail; each variant is the Solidity error it reverts with.
#[derive(SolidityError, Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The caller is not the owner (or not the pending owner, for `acceptOwnership`).
    UnauthorizedAccount(OwnableUnauthorizedAccount),
    /// The zero address cannot own the registry.
    InvalidOwner(OwnableInvalidOwner),
    /// The name is empty.
    EmptyName(RegistryEmptyName),
    /// A string entry is longer than [`MAX_STRING_BYTES`].
    StringTooLong(RegistryStringTooLong),
    /// An address entry cannot be the zero address.
    ZeroAddress(RegistryZeroAddress),
    /// A string entry cannot be empty.
    EmptyString(RegistryEmptyString),
    /// Nothing of that kind is registered under the name.
    NotRegistered(RegistryNotRegistered),
    /// The constructor's change delay is out of range.
    InvalidDelay(RegistryInvalidDelay),
    /// No change of that kind is scheduled under the name.
    NoPendingChange(RegistryNoPendingChange),
    /// The scheduled change is not due yet.
    ChangeNotDue(RegistryChangeNotDue),
}

impl_from_ownable_error!(Error);

/// A scheduled address change: the new value (zero to unregister) and when it may be applied
/// (unix seconds; zero when nothing is scheduled). One slot.
#[storage]
pub struct PendingAddress {
    value: StorageAddress,
    at: StorageU64,
}

/// A scheduled number change: the new value (zero to unregister) and when it may be applied
/// (unix seconds; zero when nothing is scheduled).
#[storage]
pub struct PendingUint {
    value: StorageU256,
    at: StorageU64,
}

/// Registry storage: the owner, the change delay, one map per kind of entry, keyed by
/// `keccak256(name)`, and the scheduled changes.
///
/// Strings are stored as a byte length and 32-byte words rather than as a `StorageString`, whose
/// length decoding divides a `U256` and would pull ~8 KB of division code into the contract.
#[storage]
#[entrypoint]
pub struct ParatiiRegistry {
    ownership: Ownable2Step,
    addresses: StorageMap<B256, StorageAddress>,
    uints: StorageMap<B256, StorageU256>,
    string_lengths: StorageMap<B256, StorageU32>,
    string_words: StorageMap<B256, StorageMap<u32, StorageB256>>,
    change_delay: StorageU64,
    pending_addresses: StorageMap<B256, PendingAddress>,
    pending_uints: StorageMap<B256, PendingUint>,
}

/// The registry's interface: owner-only writes, public reads.
#[public]
impl ParatiiRegistry {
    /// Sets the first owner (explicit: a deployer factory is `msg.sender` at construction) and
    /// the change delay (seconds) of addresses and numbers.
    ///
    /// # Errors
    /// In order: [`RegistryInvalidDelay`] unless [`MIN_CHANGE_DELAY_SECS`] ≤ `change_delay` ≤
    /// [`MAX_CHANGE_DELAY_SECS`]; [`OwnableInvalidOwner(0)`](OwnableInvalidOwner) when `owner` is
    /// zero.
    ///
    /// # Events
    /// `OwnershipTransferred(0, owner)`.
    #[constructor]
    pub fn constructor(&mut self, owner: Address, change_delay: u64) -> Result<(), Error> {
        if !(MIN_CHANGE_DELAY_SECS..=MAX_CHANGE_DELAY_SECS).contains(&change_delay) {
            return Err(Error::InvalidDelay(RegistryInvalidDelay {
                delay: change_delay,
                min: MIN_CHANGE_DELAY_SECS,
                max: MAX_CHANGE_DELAY_SECS,
            }));
        }
        self.change_delay.set(alloy_primitives::U64::from(change_delay));
        Ok(self.ownership.init(owner)?)
    }

    /// Points `name` at the contract `value`: at once when `name` holds no address, otherwise
    /// from `block.timestamp + changeDelay` on, once applied ([`Self::apply_address_change`]).
    ///
    /// # Errors
    /// In order: [`OwnableUnauthorizedAccount`] (not the owner); [`RegistryEmptyName`];
    /// [`RegistryZeroAddress`] (use `unregisterAddress`).
    ///
    /// # Events
    /// `AddressRegistered(keccak256(name), name, value)` at once, or
    /// `AddressChangeScheduled(keccak256(name), name, value, effectiveAt)`.
    pub fn register_address(&mut self, name: String, value: Address) -> Result<(), Error> {
        let key = self.writable_key(&name)?;
        if value.is_zero() {
            return Err(Error::ZeroAddress(RegistryZeroAddress { name }));
        }
        if self.addresses.get(key).is_zero() {
            self.addresses.setter(key).set(value);
            self.vm().log(AddressRegistered { key, name, value });
        } else {
            self.schedule_address(key, name, value);
        }
        Ok(())
    }

    /// Schedules the removal of the address under `name`, from `block.timestamp + changeDelay`
    /// on, once applied ([`Self::apply_address_change`]).
    ///
    /// # Errors
    /// In order: [`OwnableUnauthorizedAccount`]; [`RegistryEmptyName`]; [`RegistryNotRegistered`].
    ///
    /// # Events
    /// `AddressChangeScheduled(keccak256(name), name, 0, effectiveAt)`.
    pub fn unregister_address(&mut self, name: String) -> Result<(), Error> {
        let key = self.writable_key(&name)?;
        if self.addresses.get(key).is_zero() {
            return Err(Error::NotRegistered(RegistryNotRegistered { name }));
        }
        self.schedule_address(key, name, Address::ZERO);
        Ok(())
    }

    /// Applies the address change scheduled under `name` once it is due; anyone may.
    ///
    /// # Errors
    /// In order: [`RegistryNoPendingChange`]; [`RegistryChangeNotDue(name, effectiveAt,
    /// now)`](RegistryChangeNotDue).
    ///
    /// # Events
    /// `AddressRegistered(keccak256(name), name, value)`, or `AddressUnregistered` for zero.
    pub fn apply_address_change(&mut self, name: String) -> Result<(), Error> {
        let key = keccak256(name.as_bytes());
        let pending = self.pending_addresses.getter(key);
        let (value, at) = (pending.value.get(), pending.at.get().to::<u64>());
        self.when_due(&name, at)?;
        self.clear_pending(key, true, false);
        self.addresses.setter(key).set(value);
        if value.is_zero() {
            self.vm().log(AddressUnregistered { key, name });
        } else {
            self.vm().log(AddressRegistered { key, name, value });
        }
        Ok(())
    }

    /// Schedules the number under `name` to become `value`, from `block.timestamp +
    /// changeDelay` on, once applied ([`Self::apply_uint_change`]). Every number change waits:
    /// zero is a live value (a pool share of zero), so not even a first setting is immediate.
    ///
    /// # Errors
    /// In order: [`OwnableUnauthorizedAccount`]; [`RegistryEmptyName`].
    ///
    /// # Events
    /// `UintChangeScheduled(keccak256(name), name, value, effectiveAt)`.
    pub fn register_uint(&mut self, name: String, value: U256) -> Result<(), Error> {
        let key = self.writable_key(&name)?;
        self.schedule_uint(key, name, value);
        Ok(())
    }

    /// Schedules the removal of the number under `name` (as [`Self::register_uint`] with 0).
    ///
    /// # Errors
    /// In order: [`OwnableUnauthorizedAccount`]; [`RegistryEmptyName`]; [`RegistryNotRegistered`]
    /// (nothing, or 0, is registered).
    ///
    /// # Events
    /// `UintChangeScheduled(keccak256(name), name, 0, effectiveAt)`.
    pub fn unregister_uint(&mut self, name: String) -> Result<(), Error> {
        let key = self.writable_key(&name)?;
        if self.uints.get(key).is_zero() {
            return Err(Error::NotRegistered(RegistryNotRegistered { name }));
        }
        self.schedule_uint(key, name, U256::ZERO);
        Ok(())
    }

    /// Applies the number change scheduled under `name` once it is due; anyone may.
    ///
    /// # Errors
    /// In order: [`RegistryNoPendingChange`]; [`RegistryChangeNotDue(name, effectiveAt,
    /// now)`](RegistryChangeNotDue).
    ///
    /// # Events
    /// `UintRegistered(keccak256(name), name, value)`, or `UintUnregistered` for zero.
    pub fn apply_uint_change(&mut self, name: String) -> Result<(), Error> {
        let key = keccak256(name.as_bytes());
        let pending = self.pending_uints.getter(key);
        let (value, at) = (pending.value.get(), pending.at.get().to::<u64>());
        self.when_due(&name, at)?;
        self.clear_pending(key, false, true);
        self.uints.setter(key).set(value);
        if value.is_zero() {
            self.vm().log(UintUnregistered { key, name });
        } else {
            self.vm().log(UintRegistered { key, name, value });
        }
        Ok(())
    }

    /// Cancels the changes (address and number) scheduled under `name`.
    ///
    /// # Errors
    /// In order: [`OwnableUnauthorizedAccount`]; [`RegistryEmptyName`]; [`RegistryNoPendingChange`]
    /// when nothing is scheduled.
    ///
    /// # Events
    /// `ChangeCancelled(keccak256(name), name)`.
    pub fn cancel_change(&mut self, name: String) -> Result<(), Error> {
        let key = self.writable_key(&name)?;
        let address_at = self.pending_addresses.getter(key).at.get();
        let uint_at = self.pending_uints.getter(key).at.get();
        if address_at.is_zero() && uint_at.is_zero() {
            return Err(Error::NoPendingChange(RegistryNoPendingChange { name }));
        }
        self.clear_pending(key, true, true);
        self.vm().log(ChangeCancelled { key, name });
        Ok(())
    }

    /// The address change scheduled under `name`: the new value (zero: removal) and when it may
    /// be applied (unix seconds; zero when none is scheduled).
    pub fn pending_address(&self, name: String) -> (Address, u64) {
        let pending = self.pending_addresses.getter(keccak256(name.as_bytes()));
        (pending.value.get(), pending.at.get().to())
    }

    /// The number change scheduled under `name`: the new value and when it may be applied
    /// (unix seconds; zero when none is scheduled).
    pub fn pending_uint(&self, name: String) -> (U256, u64) {
        let pending = self.pending_uints.getter(keccak256(name.as_bytes()));
        (pending.value.get(), pending.at.get().to())
    }

    /// The delay (seconds) between scheduling an address or number change and applying it.
    pub fn change_delay(&self) -> u64 {
        self.change_delay.get().to()
    }

    /// Sets the string under `name`, replacing any previous one.
    ///
    /// # Errors
    /// In order: [`OwnableUnauthorizedAccount`]; [`RegistryEmptyName`]; [`RegistryEmptyString`]
    /// (use `unregisterString`); [`RegistryStringTooLong`] (over [`MAX_STRING_BYTES`]).
    ///
    /// # Events
    /// `StringRegistered(keccak256(name), name, value)`.
    pub fn register_string(&mut self, name: String, value: String) -> Result<(), Error> {
        let key = self.writable_key(&name)?;
        if value.is_empty() {
            return Err(Error::EmptyString(RegistryEmptyString { name }));
        }
        if value.len() > MAX_STRING_BYTES {
            return Err(Error::StringTooLong(RegistryStringTooLong {
                name,
                length: U256::from(value.len()),
                max: U256::from(MAX_STRING_BYTES),
            }));
        }
        self.store_string(key, value.as_bytes());
        self.vm().log(StringRegistered { key, name, value });
        Ok(())
    }

    /// Removes the string under `name`.
    ///
    /// # Errors
    /// In order: [`OwnableUnauthorizedAccount`]; [`RegistryEmptyName`]; [`RegistryNotRegistered`].
    ///
    /// # Events
    /// `StringUnregistered(keccak256(name), name)`.
    pub fn unregister_string(&mut self, name: String) -> Result<(), Error> {
        let key = self.writable_key(&name)?;
        if self.string_lengths.get(key).is_zero() {
            return Err(Error::NotRegistered(RegistryNotRegistered { name }));
        }
        self.store_string(key, &[]);
        self.vm().log(StringUnregistered { key, name });
        Ok(())
    }

    /// The contract registered under `name`, or the zero address.
    pub fn get_contract(&self, name: String) -> Address {
        self.addresses.get(keccak256(name.as_bytes()))
    }

    /// The number registered under `name`, or 0.
    pub fn get_uint(&self, name: String) -> U256 {
        self.uints.get(keccak256(name.as_bytes()))
    }

    /// The string registered under `name`, or "".
    pub fn get_string(&self, name: String) -> String {
        self.load_string(keccak256(name.as_bytes()))
    }

    /// The contract registered under `key = keccak256(name)`, or zero: the cheap lookup other
    /// contracts use, with keys from `paratii_contracts::names`.
    pub fn get_contract_by_key(&self, key: B256) -> Address {
        self.addresses.get(key)
    }

    /// The number registered under `key = keccak256(name)`, or 0.
    pub fn get_uint_by_key(&self, key: B256) -> U256 {
        self.uints.get(key)
    }

    /// Many lookups in one call, for contracts that need several peers per transaction (each
    /// call to a Stylus program pays its entry): the contracts under `contract_keys` and the
    /// numbers under `uint_keys`, in order, zero where nothing is registered.
    pub fn get_by_keys(
        &self,
        contract_keys: Vec<B256>,
        uint_keys: Vec<B256>,
    ) -> (Vec<Address>, Vec<U256>) {
        (
            contract_keys.iter().map(|key| self.addresses.get(*key)).collect(),
            uint_keys.iter().map(|key| self.uints.get(*key)).collect(),
        )
    }

    /// The owner (zero once renounced).
    pub fn owner(&self) -> Address {
        self.ownership.owner()
    }

    /// The address that may accept ownership (zero when none).
    pub fn pending_owner(&self) -> Address {
        self.ownership.pending_owner()
    }

    /// Starts handing the registry to `new_owner`, who must accept; zero cancels.
    ///
    /// # Errors
    /// [`OwnableUnauthorizedAccount`] unless the caller is the owner.
    ///
    /// # Events
    /// `OwnershipTransferStarted(owner, new_owner)`.
    pub fn transfer_ownership(&mut self, new_owner: Address) -> Result<(), Error> {
        Ok(self.ownership.transfer_ownership(new_owner)?)
    }

    /// Completes a transfer: the caller, the pending owner, becomes the owner.
    ///
    /// # Errors
    /// [`OwnableUnauthorizedAccount`] unless the caller is the pending owner.
    ///
    /// # Events
    /// `OwnershipTransferred(previous, caller)`.
    pub fn accept_ownership(&mut self) -> Result<(), Error> {
        Ok(self.ownership.accept_ownership()?)
    }

    /// Gives up ownership for good: the registry's entries become permanent.
    ///
    /// # Errors
    /// [`OwnableUnauthorizedAccount`] unless the caller is the owner.
    ///
    /// # Events
    /// `OwnershipTransferred(owner, 0)`.
    pub fn renounce_ownership(&mut self) -> Result<(), Error> {
        Ok(self.ownership.renounce_ownership()?)
    }
}

impl ParatiiRegistry {
    /// Guard for every write: the caller owns the registry and the name is not empty. Returns the
    /// name's key.
    fn writable_key(&self, name: &str) -> Result<B256, Error> {
        self.ownership.only_owner()?;
        if name.is_empty() {
            return Err(Error::EmptyName(RegistryEmptyName {}));
        }
        Ok(keccak256(name.as_bytes()))
    }

    /// When a change scheduled now takes effect (unix seconds).
    fn effective_at(&self) -> u64 {
        self.vm().block_timestamp().saturating_add(self.change_delay())
    }

    /// Schedules `name`'s address to become `value` (zero: removal) after the delay.
    fn schedule_address(&mut self, key: B256, name: String, value: Address) {
        let at = self.effective_at();
        let mut slot = self.pending_addresses.setter(key);
        slot.value.set(value);
        slot.at.set(alloy_primitives::U64::from(at));
        self.vm().log(AddressChangeScheduled { key, name, value, effectiveAt: at });
    }

    /// Schedules `name`'s number to become `value` after the delay.
    fn schedule_uint(&mut self, key: B256, name: String, value: U256) {
        let at = self.effective_at();
        let mut slot = self.pending_uints.setter(key);
        slot.value.set(value);
        slot.at.set(alloy_primitives::U64::from(at));
        self.vm().log(UintChangeScheduled { key, name, value, effectiveAt: at });
    }

    /// Erases the scheduled address change and/or number change under `key`.
    fn clear_pending(&mut self, key: B256, address: bool, uint: bool) {
        if address {
            let mut slot = self.pending_addresses.setter(key);
            slot.value.erase();
            slot.at.erase();
        }
        if uint {
            let mut slot = self.pending_uints.setter(key);
            slot.value.erase();
            slot.at.erase();
        }
    }

    /// Guard of an apply: a change is scheduled (`at` non-zero) and due.
    fn when_due(&self, name: &str, at: u64) -> Result<(), Error> {
        if at == 0 {
            return Err(Error::NoPendingChange(RegistryNoPendingChange { name: name.into() }));
        }
        let now = self.vm().block_timestamp();
        if now < at {
            return Err(Error::ChangeNotDue(RegistryChangeNotDue {
                name: name.into(),
                effectiveAt: at,
                now,
            }));
        }
        Ok(())
    }

    /// Writes `bytes` as the string under `key` (empty = delete), clearing words the previous,
    /// longer value used.
    fn store_string(&mut self, key: B256, bytes: &[u8]) {
        // Cannot truncate: lengths are at most MAX_STRING_BYTES (checked by the callers).
        let old_words = (self.string_lengths.get(key).to::<usize>()).div_ceil(32);
        let mut words = self.string_words.setter(key);
        for (i, chunk) in bytes.chunks(32).enumerate() {
            let mut word = B256::ZERO;
            word[..chunk.len()].copy_from_slice(chunk);
            words.setter(index(i)).set(word);
        }
        for i in bytes.len().div_ceil(32)..old_words {
            words.delete(index(i));
        }
        self.string_lengths.setter(key).set(alloy_primitives::U32::from(bytes.len()));
    }

    /// The string under `key` ("" when none).
    fn load_string(&self, key: B256) -> String {
        let len = self.string_lengths.get(key).to::<usize>();
        let words = self.string_words.getter(key);
        let mut bytes = Vec::with_capacity(len.div_ceil(32) * 32);
        for i in 0..len.div_ceil(32) {
            bytes.extend_from_slice(words.get(index(i)).as_slice());
        }
        bytes.truncate(len);
        // Always UTF-8: the bytes were written from a decoded `String`.
        String::from_utf8(bytes).unwrap_or_default()
    }
}

/// A word index as a storage key. Cannot truncate: strings have at most 32 words.
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests;
