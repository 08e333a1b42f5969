//! # PTI — the Paratii token
//!
//! A fixed-supply ERC-20 ("Paratii", "PTI", 18 decimals) with EIP-2612 `permit`, so a viewer's
//! first purchase or channel opening needs no separate `approve` transaction.
//!
//! **Supply.** [`INITIAL_SUPPLY`] (21,000,000 × 10¹⁸) is minted once, in the constructor, to the
//! `holder` it is given (a deployer factory is `msg.sender` at construction, so the holder is
//! explicit). There is no mint, burn or pause; `totalSupply` is a constant.
//!
//! **Allowances.** `approve`, `increaseAllowance`/`decreaseAllowance` (revert on overflow /
//! underflow) and the original Paratii token's `increaseApproval`/`decreaseApproval`
//! (`decreaseApproval` keeps the original's semantics: it floors at zero instead of reverting, so a
//! "revoke what is left" call cannot be front-run into a failure). An allowance of `2²⁵⁶ − 1` is
//! infinite: `transferFrom` does not decrease it.
//!
//! **Permit.** EIP-712 domain: name "Paratii", version "1", the chain id, this contract
//! (`DOMAIN_SEPARATOR()`, and EIP-5267 `eip712Domain()`). A permit is refused when its deadline has
//! passed, its signature is malformed (`v` ∉ {27, 28}), malleable (high-s) or unrecoverable, or it
//! was not signed by `owner`; each with a typed error. Each owner's nonce is used once, in order.
//!
//! **Storage.** One word per account: the permit nonce in the high 128 bits, the balance in the
//! low 128 (every balance is at most [`INITIAL_SUPPLY`] < 2⁸⁵). A first permit therefore updates
//! the word its owner's balance already occupies instead of creating a nonce slot (22.1k gas), and
//! the transfer that follows it in the same transaction writes that word again for 100.
//!
//! **Invariants.** `Σ balanceOf == totalSupply == INITIAL_SUPPLY`; a `transferFrom` never moves more
//! than the allowance; every balance or allowance change emits exactly one `Transfer` or `Approval`.
//!
//! **Errors.** ERC-6093 (`ERC20InsufficientBalance`, …), EIP-2612 (`ERC2612ExpiredSignature`,
//! `ERC2612InvalidSigner`), the suite's signature errors, and `ERC20AllowanceOverflow` /
//! `ERC20FailedDecreaseAllowance` — all declared in `contracts/sol/Token.sol`.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
// `#[entrypoint]` (outside tests) and `export-abi` generate undocumented items; the plain test
// build has neither, so `clippy --all-targets` still enforces docs on every public item.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
// The public methods are the contract's ABI, called through the router, not from Rust.
#![allow(clippy::must_use_candidate)]
extern crate alloc;

use alloc::{string::String, vec::Vec};
use alloy_primitives::{uint, Address, B256, U256};
use paratii_contracts::{
    ecdsa::{Signature, SignatureError},
    eip712::{self, TOKEN_NAME, TOKEN_NAME_HASH, TOKEN_VERSION, TOKEN_VERSION_HASH},
    signature::{ECDSAInvalidSignature, ECDSAInvalidSignatureS, ECDSAInvalidSignatureV},
    token::{
        Approval, ERC20AllowanceOverflow, ERC20FailedDecreaseAllowance, ERC20InsufficientAllowance,
        ERC20InsufficientBalance, ERC20InvalidReceiver, ERC20InvalidSender, ERC20InvalidSpender,
        ERC2612ExpiredSignature, ERC2612InvalidSigner, Transfer,
    },
};
use stylus_sdk::{
    prelude::*,
    storage::{StorageMap, StorageU256},
};

/// Token name.
pub const NAME: &str = "Paratii";
/// Token symbol.
pub const SYMBOL: &str = "PTI";
/// Decimals: one PTI is 10¹⁸ base units.
pub const DECIMALS: u8 = 18;
/// The whole supply, in base units: 21,000,000 PTI × 10¹⁸.
pub const INITIAL_SUPPLY: U256 = uint!(21_000_000_000_000_000_000_000_000_U256);

/// Every way a PTI call can fail; each variant is the Solidity error it reverts with.
#[derive(SolidityError, Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The sender's balance is below the amount.
    InsufficientBalance(ERC20InsufficientBalance),
    /// Tokens cannot come from the zero address.
    InvalidSender(ERC20InvalidSender),
    /// Tokens cannot go to the zero address.
    InvalidReceiver(ERC20InvalidReceiver),
    /// The spender's allowance is below the amount.
    InsufficientAllowance(ERC20InsufficientAllowance),
    /// The zero address cannot be approved.
    InvalidSpender(ERC20InvalidSpender),
    /// Raising the allowance would overflow.
    AllowanceOverflow(ERC20AllowanceOverflow),
    /// Lowering the allowance would go below zero.
    FailedDecreaseAllowance(ERC20FailedDecreaseAllowance),
    /// The permit's deadline has passed.
    ExpiredSignature(ERC2612ExpiredSignature),
    /// The permit was not signed by its owner.
    InvalidSigner(ERC2612InvalidSigner),
    /// The permit's signature recovers no address.
    InvalidSignature(ECDSAInvalidSignature),
    /// The permit's signature is malleable (high-s).
    InvalidSignatureS(ECDSAInvalidSignatureS),
    /// The permit's `v` is not 27 or 28.
    InvalidSignatureV(ECDSAInvalidSignatureV),
}

impl From<SignatureError> for Error {
    fn from(e: SignatureError) -> Self {
        match e {
            SignatureError::Invalid(e) => Self::InvalidSignature(e),
            SignatureError::S(e) => Self::InvalidSignatureS(e),
            SignatureError::V(e) => Self::InvalidSignatureV(e),
            // Cannot happen: permit signatures arrive as (v, r, s), never packed.
            SignatureError::Length(_) => Self::InvalidSignature(ECDSAInvalidSignature {}),
        }
    }
}

/// The balance's bits in an account word; the nonce is above them.
const BALANCE_BITS: usize = 128;
/// The balance part of an account word.
const BALANCE_MASK: U256 = U256::from_limbs([u64::MAX, u64::MAX, 0, 0]);
/// One permit nonce step in an account word.
const NONCE_ONE: U256 = U256::from_limbs([0, 0, 1, 0]);

/// PTI storage: each account's word (nonce ‖ balance) and the allowances. The supply is a
/// constant.
#[storage]
#[entrypoint]
pub struct ParatiiToken {
    accounts: StorageMap<Address, StorageU256>,
    allowances: StorageMap<Address, StorageMap<Address, StorageU256>>,
}

/// The ERC-20 + EIP-2612 interface. Functions return `true` on success as ERC-20 requires and
/// revert (never return `false`) on failure.
#[public]
impl ParatiiToken {
    /// Mints [`INITIAL_SUPPLY`] to `holder`.
    ///
    /// # Errors
    /// [`ERC20InvalidReceiver(0)`](ERC20InvalidReceiver) when `holder` is zero.
    ///
    /// # Events
    /// `Transfer(0, holder, INITIAL_SUPPLY)`.
    #[constructor]
    pub fn constructor(&mut self, holder: Address) -> Result<(), Error> {
        if holder.is_zero() {
            return Err(Error::InvalidReceiver(ERC20InvalidReceiver { receiver: holder }));
        }
        self.accounts.setter(holder).set(INITIAL_SUPPLY);
        self.vm().log(Transfer { from: Address::ZERO, to: holder, value: INITIAL_SUPPLY });
        Ok(())
    }

    /// "Paratii".
    pub fn name(&self) -> String {
        NAME.into()
    }

    /// "PTI".
    pub fn symbol(&self) -> String {
        SYMBOL.into()
    }

    /// 18.
    pub fn decimals(&self) -> u8 {
        DECIMALS
    }

    /// [`INITIAL_SUPPLY`]: the supply never changes.
    pub fn total_supply(&self) -> U256 {
        INITIAL_SUPPLY
    }

    /// `owner`'s balance.
    pub fn balance_of(&self, owner: Address) -> U256 {
        balance(self.accounts.get(owner))
    }

    /// How much `spender` may still move from `owner`.
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        self.allowances.getter(owner).get(spender)
    }

    /// Moves `value` from the caller to `to`.
    ///
    /// # Errors
    /// [`ERC20InvalidReceiver`] (zero `to`); [`ERC20InsufficientBalance`].
    ///
    /// # Events
    /// `Transfer`.
    pub fn transfer(&mut self, to: Address, value: U256) -> Result<bool, Error> {
        let from = self.vm().msg_sender();
        self.move_tokens(from, to, value)?;
        Ok(true)
    }

    /// Moves `value` from `from` to `to` on the caller's allowance, which decreases unless it is
    /// infinite (`2²⁵⁶ − 1`).
    ///
    /// # Errors
    /// Checked in this order, before any write: [`ERC20InsufficientAllowance`];
    /// [`ERC20InvalidSender`] / [`ERC20InvalidReceiver`] (zero addresses);
    /// [`ERC20InsufficientBalance`].
    ///
    /// # Events
    /// `Transfer` (no `Approval`: the allowance is readable with `allowance`).
    pub fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<bool, Error> {
        let spender = self.vm().msg_sender();
        let allowance = self.allowances.getter(from).get(spender);
        let Some(remaining) = allowance.checked_sub(value) else {
            return Err(Error::InsufficientAllowance(ERC20InsufficientAllowance {
                spender,
                allowance,
                needed: value,
            }));
        };
        self.move_tokens(from, to, value)?;
        if allowance != U256::MAX {
            self.allowances.setter(from).setter(spender).set(remaining);
        }
        Ok(true)
    }

    /// Lets `spender` move up to `value` of the caller's tokens, replacing any allowance.
    ///
    /// # Errors
    /// [`ERC20InvalidSpender`] (zero `spender`).
    ///
    /// # Events
    /// `Approval`.
    pub fn approve(&mut self, spender: Address, value: U256) -> Result<bool, Error> {
        let owner = self.vm().msg_sender();
        self.set_allowance(owner, spender, value)?;
        Ok(true)
    }

    /// Raises `spender`'s allowance by `added_value`.
    ///
    /// # Errors
    /// [`ERC20InvalidSpender`]; [`ERC20AllowanceOverflow`].
    ///
    /// # Events
    /// `Approval` with the new allowance.
    pub fn increase_allowance(
        &mut self,
        spender: Address,
        added_value: U256,
    ) -> Result<bool, Error> {
        let owner = self.vm().msg_sender();
        let allowance = self.allowances.getter(owner).get(spender);
        let Some(raised) = allowance.checked_add(added_value) else {
            return Err(Error::AllowanceOverflow(ERC20AllowanceOverflow {
                spender,
                allowance,
                added: added_value,
            }));
        };
        self.set_allowance(owner, spender, raised)?;
        Ok(true)
    }

    /// Lowers `spender`'s allowance by `subtracted_value`.
    ///
    /// # Errors
    /// [`ERC20InvalidSpender`]; [`ERC20FailedDecreaseAllowance`] when it would go below zero.
    ///
    /// # Events
    /// `Approval` with the new allowance.
    pub fn decrease_allowance(
        &mut self,
        spender: Address,
        subtracted_value: U256,
    ) -> Result<bool, Error> {
        let owner = self.vm().msg_sender();
        let allowance = self.allowances.getter(owner).get(spender);
        let Some(lowered) = allowance.checked_sub(subtracted_value) else {
            return Err(Error::FailedDecreaseAllowance(ERC20FailedDecreaseAllowance {
                spender,
                allowance,
                requestedDecrease: subtracted_value,
            }));
        };
        self.set_allowance(owner, spender, lowered)?;
        Ok(true)
    }

    /// The original Paratii token's name for [`ParatiiToken::increase_allowance`]; identical.
    ///
    /// # Errors
    /// [`ERC20InvalidSpender`]; [`ERC20AllowanceOverflow`].
    ///
    /// # Events
    /// `Approval` with the new allowance.
    pub fn increase_approval(
        &mut self,
        spender: Address,
        added_value: U256,
    ) -> Result<bool, Error> {
        self.increase_allowance(spender, added_value)
    }

    /// The original Paratii token's `decreaseApproval`: lowers `spender`'s allowance by
    /// `subtracted_value`, flooring at zero (the original's semantics; use
    /// [`ParatiiToken::decrease_allowance`] to revert instead).
    ///
    /// # Errors
    /// [`ERC20InvalidSpender`].
    ///
    /// # Events
    /// `Approval` with the new allowance.
    pub fn decrease_approval(
        &mut self,
        spender: Address,
        subtracted_value: U256,
    ) -> Result<bool, Error> {
        let owner = self.vm().msg_sender();
        let allowance = self.allowances.getter(owner).get(spender);
        self.set_allowance(owner, spender, allowance.saturating_sub(subtracted_value))?;
        Ok(true)
    }

    /// EIP-2612: sets `owner`'s allowance for `spender` to `value` on `owner`'s EIP-712 signature
    /// of `Permit(owner, spender, value, nonces(owner), deadline)`, and uses up the nonce.
    ///
    /// # Errors
    /// Checked in this order: [`ERC2612ExpiredSignature`] (`block.timestamp > deadline`);
    /// [`ECDSAInvalidSignatureV`]; [`ECDSAInvalidSignatureS`] (high-s); [`ECDSAInvalidSignature`]
    /// (nothing recovered); [`ERC2612InvalidSigner`] (recovered ≠ `owner`, including a replayed or
    /// out-of-order nonce); [`ERC20InvalidSpender`].
    ///
    /// # Events
    /// `Approval`.
    #[allow(clippy::too_many_arguments)]
    pub fn permit(
        &mut self,
        owner: Address,
        spender: Address,
        value: U256,
        deadline: U256,
        v: u8,
        r: B256,
        s: B256,
    ) -> Result<(), Error> {
        if U256::from(self.vm().block_timestamp()) > deadline {
            return Err(Error::ExpiredSignature(ERC2612ExpiredSignature { deadline }));
        }
        let signature = Signature::new(v, r, s)?;
        let account = self.accounts.get(owner);
        let nonce = account >> BALANCE_BITS;
        let digest = eip712::typed_data_digest(
            self.domain_separator(),
            eip712::permit_struct_hash(owner, spender, value, nonce, deadline),
        );
        let signer = paratii_common::recover(self.vm(), digest, &signature)?;
        if signer != owner {
            return Err(Error::InvalidSigner(ERC2612InvalidSigner { signer, owner }));
        }
        if spender.is_zero() {
            return Err(Error::InvalidSpender(ERC20InvalidSpender { spender }));
        }
        // A nonce grows by one per signed permit: 2¹²⁸ permits cannot be signed, so the sum never
        // overflows; were it to, the permit would be refused rather than the nonce reused.
        let Some(next) = account.checked_add(NONCE_ONE) else {
            return Err(Error::InvalidSigner(ERC2612InvalidSigner { signer, owner }));
        };
        self.accounts.setter(owner).set(next);
        self.set_allowance(owner, spender, value)
    }

    /// The next permit nonce of `owner`.
    pub fn nonces(&self, owner: Address) -> U256 {
        self.accounts.get(owner) >> BALANCE_BITS
    }

    /// The EIP-712 domain separator for permits on this chain and contract.
    #[selector(name = "DOMAIN_SEPARATOR")]
    pub fn domain_separator(&self) -> B256 {
        paratii_common::domain_separator(self.vm(), TOKEN_NAME_HASH, TOKEN_VERSION_HASH)
    }

    /// EIP-5267: the fields of the EIP-712 domain (name, version, chain id, this contract).
    pub fn eip712_domain(&self) -> paratii_common::Eip712Domain {
        paratii_common::eip712_domain(self.vm(), TOKEN_NAME, TOKEN_VERSION)
    }
}

/// The balance part of an account word.
fn balance(account: U256) -> U256 {
    account & BALANCE_MASK
}

impl ParatiiToken {
    /// Checks a move of `value` from `from` to `to` (both set, balance enough), then debits
    /// `from`, credits `to` and logs the transfer.
    fn move_tokens(&mut self, from: Address, to: Address, value: U256) -> Result<(), Error> {
        if from.is_zero() {
            return Err(Error::InvalidSender(ERC20InvalidSender { sender: from }));
        }
        if to.is_zero() {
            return Err(Error::InvalidReceiver(ERC20InvalidReceiver { receiver: to }));
        }
        let from_account = self.accounts.get(from);
        let from_balance = balance(from_account);
        // When the balance part covers `value`, the subtraction leaves the nonce alone.
        let (true, Some(debited)) = (from_balance >= value, from_account.checked_sub(value)) else {
            return Err(Error::InsufficientBalance(ERC20InsufficientBalance {
                sender: from,
                balance: from_balance,
                needed: value,
            }));
        };
        self.accounts.setter(from).set(debited);
        let to_account = self.accounts.get(to);
        // The balance part stays below 2¹²⁸: Σ balances == INITIAL_SUPPLY < 2⁸⁵ and `value` was
        // part of it, so the addition never carries into the nonce.
        self.accounts.setter(to).set(to_account + value);
        self.vm().log(Transfer { from, to, value });
        Ok(())
    }

    /// Sets an allowance and logs it.
    fn set_allowance(
        &mut self,
        owner: Address,
        spender: Address,
        value: U256,
    ) -> Result<(), Error> {
        // `owner` is the caller or a recovered signer, so never zero: only the spender is checked.
        if spender.is_zero() {
            return Err(Error::InvalidSpender(ERC20InvalidSpender { spender }));
        }
        self.allowances.setter(owner).setter(spender).set(value);
        self.vm().log(Approval { owner, spender, value });
        Ok(())
    }
}

#[cfg(test)]
mod tests;
