//! # `ParatiiAvatar` — the user's on-chain agent and the redistribution pool
//!
//! Users approve PTI to the avatar once (or `permit` it on the token); action contracts the owner
//! whitelisted (the video store, the payment channels) then pull approved PTI through it. A user
//! may also authorise **spending keys** (a "small wallet"): a key with a PTI cap and an expiry,
//! through which whitelisted contracts act for the user when *their* caller is that key. Every
//! pull through a key is charged to its remaining cap, so a player can pay without prompting while
//! the main wallet risks only the cap and can revoke the key at once.
//!
//! The avatar also holds the **redistribution pool**: its own PTI balance and its ETH. It accepts
//! ETH sent to it, and the owner pays the pool out (PTI or ETH) with an event per payout. The
//! original avatar could never pay out.
//!
//! **Roles.**
//! - The contract owner (two-step transfer) whitelists action contracts and disburses the pool.
//!   Being the owner moves nobody's funds: only whitelisted contracts pull users' PTI, and a
//!   contract the owner whitelists can pull only **after the whitelist delay** (set at
//!   deployment, one to thirty days), announced at once by `WhitelistUpdated(account, true,
//!   effectiveAt)`. Users (or their watchtowers) who distrust a newly scheduled contract have the
//!   whole delay to lower their PTI allowance to the avatar and revoke their spending keys.
//!   Removals take effect at once (they only take power away), and removing a scheduled
//!   contract cancels it. The contracts named at construction (the suite's store, deployed
//!   before the avatar) are whitelisted from the start: nobody can have approved PTI to an
//!   avatar that does not exist yet. The payment channels take the avatar at construction, so
//!   they come after it and wait the delay like any later addition.
//! - A whitelisted contract pulls PTI a user approved to the avatar, from that user to anyone
//!   (`transferFrom`), or charges a spending key of the user (`transferFromWithKey`), passing its
//!   own caller as the key. `pay` / `payWithKey` do a sale's two parts (the seller's and the
//!   pool's) in one call and, for a key, one charge for the whole price. A whitelisted
//!   contract can pull any approved PTI, so keys limit what a key holder spends, not what a
//!   whitelisted contract can do: the delay is what protects users from the owner.
//! - A user authorises, replaces and revokes their own spending keys.
//!
//! **Invariants.** A spending key is authorised iff its stored expiry is non-zero (authorising
//! requires an expiry after the current block, revoking erases it); it can spend iff
//! `block.timestamp < expiry`; its remaining cap fits in 96 bits (PTI's whole supply does) and
//! only decreases, by exactly the amount pulled, until it is replaced or revoked. A contract pulls
//! only from the time stored for it on (`block.timestamp ≥ effectiveAt`), and that time is at
//! least the whitelist delay after the owner's call. The PTI token is **fixed at construction**:
//! it is the token users approve, and no registry entry can re-point the avatar's pulls to a
//! token that reports transfers it never made. An ETH disbursement checks that the pool covers
//! the sum of its payouts before paying anyone.
//!
//! **Why a delay, not a per-user opt-in.** An opt-in (each user allowing each action contract)
//! would remove the owner's power entirely, but costs every user a transaction and a new slot
//! (~45k gas) per contract before a first purchase, and one more whenever the suite adds a
//! contract. The delay keeps "approve once" and gives every user the same window to leave,
//! which watchtowers can act on for them.
//!
//! **Storage.** Ownership (two slots), PTI and the whitelist delay (one slot), the whitelist
//! (`account → effectiveAt`, unix seconds, zero when not whitelisted, one slot per account) and the spending keys (`user → key → (remaining, expiry)`, one slot per key:
//! the 96-bit remaining cap and the 64-bit expiry are packed together).
//!
//! **One file.** About 700 lines, a third of them docs: the contract stays in one module because
//! moving a contract's code between modules reorders its functions in the WASM and moves its
//! bytes and entry gas (the channel's split moved it by 3 raw bytes).
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
// `#[entrypoint]` (outside tests) and `export-abi` generate undocumented items; the plain test
// build has neither, so `clippy --all-targets` still enforces docs on every public item.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
// The public methods are the contract's ABI, called through the router, not from Rust.
#![allow(clippy::must_use_candidate)]
// ABI arguments arrive decoded and owned; the router passes them by value.
#![allow(clippy::needless_pass_by_value)]
extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{Address, Uint, U256};
use alloy_sol_types::SolCall;
use paratii_common::{call_returning_true, impl_from_ownable_error, Ownable2Step};
use paratii_contracts::{
    amounts::{to_u96, U96},
    avatar::{
        AvatarCapTooHigh, AvatarEtherRefused, AvatarExpiryNotInFuture, AvatarImmutablesMismatch,
        AvatarInsufficientEther, AvatarInvalidAccount, AvatarInvalidRecipient,
        AvatarInvalidSpendingKey, AvatarInvalidWhitelistDelay, AvatarLengthMismatch,
        AvatarNotWhitelisted, AvatarSpendingCapExceeded, AvatarSpendingKeyExpired,
        AvatarUnknownSpendingKey, PoolDisbursed, PoolEtherReceived, SpendingKeyAuthorized,
        SpendingKeyCharged, SpendingKeyRevoked, WhitelistUpdated,
    },
    immutables::{AvatarImmutables, AVATAR_PLACEHOLDER},
    ownable::{OwnableInvalidOwner, OwnableUnauthorizedAccount},
};
use stylus_sdk::{
    call::transfer::transfer_eth,
    prelude::*,
    storage::{StorageAddress, StorageMap, StorageU64, StorageU96},
};

/// The shortest whitelist delay a deployment may set: one day, in seconds.
pub const MIN_WHITELIST_DELAY_SECS: u64 = 24 * 60 * 60;
/// The longest whitelist delay a deployment may set: thirty days, in seconds.
pub const MAX_WHITELIST_DELAY_SECS: u64 = 30 * 24 * 60 * 60;

/// The largest spending cap, in PTI wei: `2⁹⁶ − 1` (PTI's whole supply is below it).
pub const MAX_SPENDING_CAP: U256 = U256::from_limbs([u64::MAX, u32::MAX as u64, 0, 0]);

/// The PTI token functions the avatar calls.
mod token {
    alloy_sol_types::sol! {
        function transfer(address to, uint256 value) external returns (bool);
        function transferFrom(address from, address to, uint256 value) external returns (bool);
    }
}

/// Every way a `ParatiiAvatar` call can fail; each variant is the Solidity error it reverts with.
#[derive(SolidityError, Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The caller is not the contract owner (or pending owner).
    UnauthorizedAccount(OwnableUnauthorizedAccount),
    /// The zero address cannot own the contract.
    InvalidOwner(OwnableInvalidOwner),
    /// The caller is not a whitelisted action contract.
    NotWhitelisted(AvatarNotWhitelisted),
    /// The zero address cannot be whitelisted.
    InvalidAccount(AvatarInvalidAccount),
    /// The key is the zero address or the user itself.
    InvalidSpendingKey(AvatarInvalidSpendingKey),
    /// The cap does not fit in 96 bits.
    CapTooHigh(AvatarCapTooHigh),
    /// The expiry is not after the current block.
    ExpiryNotInFuture(AvatarExpiryNotInFuture),
    /// The key is not (or no longer) a spending key of the user.
    UnknownSpendingKey(AvatarUnknownSpendingKey),
    /// The key has expired.
    SpendingKeyExpired(AvatarSpendingKeyExpired),
    /// The key's remaining cap is below the amount.
    SpendingCapExceeded(AvatarSpendingCapExceeded),
    /// Recipients and amounts differ in number.
    LengthMismatch(AvatarLengthMismatch),
    /// A recipient is the zero address.
    InvalidRecipient(AvatarInvalidRecipient),
    /// The pool's ETH does not cover the payouts.
    InsufficientEther(AvatarInsufficientEther),
    /// A recipient refused its ETH.
    EtherRefused(AvatarEtherRefused),
    /// The constructor's whitelist delay is out of range.
    InvalidWhitelistDelay(AvatarInvalidWhitelistDelay),
    /// The constructor's arguments differ from the values baked into the module.
    ImmutablesMismatch(AvatarImmutablesMismatch),
}

paratii_common::deploy_time_constants!(AVATAR_PLACEHOLDER => AvatarImmutables);

impl_from_ownable_error!(Error);

/// A user's spending key: what is left of its cap and when it expires (one slot).
#[storage]
pub struct SpendingKey {
    remaining: StorageU96,
    expiry: StorageU64,
}

/// Avatar storage: ownership, PTI and the whitelist delay (one word), when each whitelisted
/// contract may pull from, the spending keys by user and key.
#[storage]
#[entrypoint]
pub struct ParatiiAvatar {
    ownership: Ownable2Step,
    token: StorageAddress,
    whitelist_delay: StorageU64,
    whitelist: StorageMap<Address, StorageU64>,
    spending_keys: StorageMap<Address, StorageMap<Address, SpendingKey>>,
}

/// The `ParatiiAvatar` interface.
#[public]
impl ParatiiAvatar {
    /// Sets the owner, the PTI token (fixed for the avatar's life), the delay (seconds) before
    /// a contract the owner whitelists may pull, and the action contracts whitelisted from the
    /// start (`whitelist`: the suite's store).
    ///
    /// # Errors
    /// In order: [`AvatarInvalidWhitelistDelay`] unless [`MIN_WHITELIST_DELAY_SECS`] ≤
    /// `whitelist_delay` ≤ [`MAX_WHITELIST_DELAY_SECS`]; [`AvatarImmutablesMismatch`] (carrying
    /// the module's values) when a deployer baked the token and delay into the module
    /// ([`paratii_contracts::immutables`]) and they differ from these arguments (a module
    /// deployed as built reads them from storage instead);
    /// [`AvatarInvalidAccount(0)`](AvatarInvalidAccount) for a zero entry of `whitelist`;
    /// [`OwnableInvalidOwner(0)`](OwnableInvalidOwner) when `owner` is zero.
    ///
    /// # Events
    /// `WhitelistUpdated(account, true, now)` per entry of `whitelist`;
    /// `OwnershipTransferred(0, owner)`.
    #[constructor]
    pub fn constructor(
        &mut self,
        owner: Address,
        token: Address,
        whitelist_delay: u64,
        whitelist: Vec<Address>,
    ) -> Result<(), Error> {
        if !(MIN_WHITELIST_DELAY_SECS..=MAX_WHITELIST_DELAY_SECS).contains(&whitelist_delay) {
            return Err(Error::InvalidWhitelistDelay(AvatarInvalidWhitelistDelay {
                delay: whitelist_delay,
                min: MIN_WHITELIST_DELAY_SECS,
                max: MAX_WHITELIST_DELAY_SECS,
            }));
        }
        if let Some(baked) = baked() {
            if (baked.token, baked.whitelist_delay) != (token, whitelist_delay) {
                return Err(Error::ImmutablesMismatch(AvatarImmutablesMismatch {
                    token: baked.token,
                    whitelistDelay: baked.whitelist_delay,
                }));
            }
        }
        self.token.set(token);
        self.whitelist_delay.set(Uint::from(whitelist_delay));
        let now = self.vm().block_timestamp();
        for account in whitelist {
            self.schedule(account, now)?;
        }
        Ok(self.ownership.init(owner)?)
    }

    /// Whitelists the action contract `account` from `block.timestamp + whitelistDelay` on
    /// (announced now, so users can leave before it may pull); an account already whitelisted
    /// or scheduled keeps its time.
    ///
    /// # Errors
    /// In order: [`OwnableUnauthorizedAccount`] unless the caller is the owner;
    /// [`AvatarInvalidAccount`] when `account` is zero.
    ///
    /// # Events
    /// `WhitelistUpdated(account, true, effectiveAt)` when it was neither whitelisted nor
    /// scheduled.
    pub fn add_to_whitelist(&mut self, account: Address) -> Result<(), Error> {
        self.ownership.only_owner()?;
        let at = self.vm().block_timestamp().saturating_add(self.whitelist_delay());
        self.schedule(account, at)
    }

    /// Removes `account` from the whitelist at once, or cancels its scheduled whitelisting;
    /// removing an account not on it changes nothing.
    ///
    /// # Errors
    /// [`OwnableUnauthorizedAccount`] unless the caller is the owner.
    ///
    /// # Events
    /// `WhitelistUpdated(account, false, now)` when it was whitelisted or scheduled.
    pub fn remove_from_whitelist(&mut self, account: Address) -> Result<(), Error> {
        self.ownership.only_owner()?;
        if self.whitelisted_from(account) == 0 {
            return Ok(());
        }
        self.whitelist.setter(account).set(Uint::ZERO);
        self.vm().log(WhitelistUpdated {
            account,
            whitelisted: false,
            effectiveAt: self.vm().block_timestamp(),
        });
        Ok(())
    }

    /// Whether `account` is a whitelisted action contract now (its delay has passed).
    pub fn is_on_whitelist(&self, account: Address) -> bool {
        let from = self.whitelisted_from(account);
        from != 0 && self.vm().block_timestamp() >= from
    }

    /// From when `account` may pull (unix seconds; zero when it is neither whitelisted nor
    /// scheduled).
    pub fn whitelisted_from(&self, account: Address) -> u64 {
        self.whitelist.get(account).to()
    }

    /// The delay (seconds) between the owner whitelisting a contract and its first pull.
    pub fn whitelist_delay(&self) -> u64 {
        baked().map_or_else(|| self.whitelist_delay.get().to(), |b| b.whitelist_delay)
    }

    /// The PTI token users approve to the avatar (fixed at construction).
    pub fn token(&self) -> Address {
        self.token_address()
    }

    /// Moves `amount` PTI wei that `from` approved to the avatar from `from` to `to`; only a
    /// whitelisted contract may.
    ///
    /// # Errors
    /// In order: [`AvatarNotWhitelisted(caller)`](AvatarNotWhitelisted) (also before its whitelist
    /// delay has passed); the token's revert data, unchanged (e.g. [`ERC20InsufficientAllowance`]);
    /// [`PeerCallReturnedFalse(token)`][PeerCallReturnedFalse] when the token returns `false`.
    ///
    /// # Events
    /// None of the avatar's; the token logs `Transfer`.
    ///
    /// [PeerCallReturnedFalse]: paratii_contracts::peers::PeerCallReturnedFalse
    /// [`ERC20InsufficientAllowance`]: paratii_contracts::token::ERC20InsufficientAllowance
    pub fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        amount: U256,
    ) -> Result<bool, Vec<u8>> {
        self.only_whitelisted()?;
        let token = self.token_address();
        self.pull(token, from, to, amount)?;
        Ok(true)
    }

    /// Moves `amount` PTI wei of `user`'s to `to`, charged to `user`'s spending key `key`; only
    /// a whitelisted contract may, passing its own caller as `key`.
    ///
    /// # Errors
    /// In order: [`AvatarNotWhitelisted(caller)`](AvatarNotWhitelisted);
    /// [`AvatarUnknownSpendingKey(user, key)`](AvatarUnknownSpendingKey);
    /// [`AvatarSpendingKeyExpired(user, key, expiry)`](AvatarSpendingKeyExpired) from
    /// `block.timestamp == expiry` on; [`AvatarSpendingCapExceeded(user, key, amount,
    /// remaining)`](AvatarSpendingCapExceeded); the token's revert data, unchanged;
    /// [`PeerCallReturnedFalse(token)`][PeerCallReturnedFalse].
    ///
    /// # Events
    /// `SpendingKeyCharged(user, key, caller, amount, remaining)` with the cap left after the
    /// pull; the token logs `Transfer`.
    ///
    /// [PeerCallReturnedFalse]: paratii_contracts::peers::PeerCallReturnedFalse
    pub fn transfer_from_with_key(
        &mut self,
        user: Address,
        key: Address,
        to: Address,
        amount: U256,
    ) -> Result<bool, Vec<u8>> {
        let spender = self.only_whitelisted()?;
        let remaining = self.when_spendable(user, key)?;
        let token = self.token_address();
        self.charge(spender, user, key, remaining, amount)?;
        self.pull(token, user, to, amount)?;
        Ok(true)
    }

    /// A sale's two parts in one call: moves `amount` PTI wei of `from`'s to `to` and `to_pool`
    /// more into the pool (this contract), looking PTI up once; only a whitelisted contract may.
    /// A zero part makes no transfer.
    ///
    /// # Errors
    /// As [`Self::transfer_from`]; the pool's part is pulled first.
    ///
    /// # Events
    /// None of the avatar's; the token logs a `Transfer` per part.
    pub fn pay(
        &mut self,
        from: Address,
        to: Address,
        amount: U256,
        to_pool: U256,
    ) -> Result<bool, Vec<u8>> {
        self.only_whitelisted()?;
        let token = self.token_address();
        self.pull_parts(token, from, to, amount, to_pool)?;
        Ok(true)
    }

    /// [`Self::pay`] charged to `user`'s spending key `key`: the whole `amount + to_pool` is
    /// charged to the cap at once, so a key never pays half a sale.
    ///
    /// # Errors
    /// As [`Self::transfer_from_with_key`], for the total (`amount` `U256::MAX` in
    /// [`AvatarSpendingCapExceeded`] when the total overflows).
    ///
    /// # Events
    /// One `SpendingKeyCharged` for the total; the token logs a `Transfer` per part.
    pub fn pay_with_key(
        &mut self,
        user: Address,
        key: Address,
        to: Address,
        amount: U256,
        to_pool: U256,
    ) -> Result<bool, Vec<u8>> {
        let spender = self.only_whitelisted()?;
        let total = amount.checked_add(to_pool).unwrap_or(U256::MAX);
        let remaining = self.when_spendable(user, key)?;
        let token = self.token_address();
        self.charge(spender, user, key, remaining, total)?;
        self.pull_parts(token, user, to, amount, to_pool)?;
        Ok(true)
    }

    /// Authorises `key` to spend up to `cap` PTI wei of the caller's through whitelisted
    /// contracts until `expiry` (unix seconds, exclusive), replacing any earlier authorisation of
    /// `key` (its remaining cap included).
    ///
    /// # Errors
    /// In order: [`AvatarInvalidSpendingKey(user, key)`](AvatarInvalidSpendingKey) when `key` is
    /// zero or the caller; [`AvatarCapTooHigh(cap, max)`](AvatarCapTooHigh) when `cap` is above
    /// [`MAX_SPENDING_CAP`]; [`AvatarExpiryNotInFuture(expiry, now)`](AvatarExpiryNotInFuture) when
    /// `expiry <= block.timestamp`.
    ///
    /// # Events
    /// `SpendingKeyAuthorized(user, key, cap, expiry)`.
    pub fn authorize_spending_key(
        &mut self,
        key: Address,
        cap: U256,
        expiry: u64,
    ) -> Result<(), Error> {
        let user = self.vm().msg_sender();
        if key.is_zero() || key == user {
            return Err(Error::InvalidSpendingKey(AvatarInvalidSpendingKey { user, key }));
        }
        let cap96 = to_u96(cap)
            .ok_or(Error::CapTooHigh(AvatarCapTooHigh { cap, max: MAX_SPENDING_CAP }))?;
        let now = self.vm().block_timestamp();
        if expiry <= now {
            return Err(Error::ExpiryNotInFuture(AvatarExpiryNotInFuture { expiry, now }));
        }
        let mut slot = self.spending_keys.setter(user);
        let mut spending_key = slot.setter(key);
        spending_key.remaining.set(cap96);
        spending_key.expiry.set(Uint::from(expiry));
        self.vm().log(SpendingKeyAuthorized { user, key, cap, expiry });
        Ok(())
    }

    /// Revokes the caller's spending key `key` at once (an expired one too).
    ///
    /// # Errors
    /// [`AvatarUnknownSpendingKey(user, key)`](AvatarUnknownSpendingKey) when `key` is not
    /// authorised.
    ///
    /// # Events
    /// `SpendingKeyRevoked(user, key)`.
    pub fn revoke_spending_key(&mut self, key: Address) -> Result<(), Error> {
        let user = self.vm().msg_sender();
        self.when_authorized(user, key)?;
        let mut slot = self.spending_keys.setter(user);
        let mut spending_key = slot.setter(key);
        spending_key.remaining.erase();
        spending_key.expiry.erase();
        self.vm().log(SpendingKeyRevoked { user, key });
        Ok(())
    }

    /// `user`'s spending key `key`: its remaining cap (PTI wei) and expiry (unix seconds); zeros
    /// when it is not authorised. An expired key still reads its values until revoked.
    pub fn spending_key(&self, user: Address, key: Address) -> (U256, u64) {
        let slot = self.spending_keys.getter(user);
        let spending_key = slot.getter(key);
        (U256::from(spending_key.remaining.get()), spending_key.expiry.get().to())
    }

    /// Whether `key` is an authorised, unexpired spending key of `user`.
    pub fn is_spending_key(&self, user: Address, key: Address) -> bool {
        // An unauthorised key reads expiry 0, which no timestamp is below.
        self.vm().block_timestamp() < self.key_of(user, key).0
    }

    /// Pays `amounts[i]` PTI wei of the pool to `recipients[i]`, for each `i`; all or nothing.
    ///
    /// # Errors
    /// In order: [`OwnableUnauthorizedAccount`] unless the caller is the owner;
    /// [`AvatarLengthMismatch(recipients, amounts)`](AvatarLengthMismatch);
    /// [`AvatarInvalidRecipient(0)`](AvatarInvalidRecipient); the token's revert data, unchanged
    /// (e.g. [`ERC20InsufficientBalance`] when the pool is short);
    /// [`PeerCallReturnedFalse(token)`][PeerCallReturnedFalse].
    ///
    /// # Events
    /// `PoolDisbursed(token, to, amount)` per payout.
    ///
    /// [PeerCallReturnedFalse]: paratii_contracts::peers::PeerCallReturnedFalse
    /// [`ERC20InsufficientBalance`]: paratii_contracts::token::ERC20InsufficientBalance
    pub fn disburse(
        &mut self,
        recipients: Vec<Address>,
        amounts: Vec<U256>,
    ) -> Result<(), Vec<u8>> {
        self.only_owner()?;
        check_payouts(&recipients, &amounts)?;
        let token = self.token_address();
        for (&to, &amount) in recipients.iter().zip(&amounts) {
            let ctx = Call::new_mutating(self);
            let calldata = token::transferCall { to, value: amount }.abi_encode();
            call_returning_true(self.vm(), ctx, token, &calldata)?;
            self.vm().log(PoolDisbursed { token, to, amount });
        }
        Ok(())
    }

    /// Pays `amounts[i]` wei of the pool's ETH to `recipients[i]`, for each `i`, each with a full
    /// call (all gas but the 1/64th kept, not a 2,300-gas stipend); all or nothing.
    ///
    /// # Errors
    /// In order: [`OwnableUnauthorizedAccount`] unless the caller is the owner;
    /// [`AvatarLengthMismatch(recipients, amounts)`](AvatarLengthMismatch);
    /// [`AvatarInvalidRecipient(0)`](AvatarInvalidRecipient); [`AvatarInsufficientEther(balance,
    /// needed)`](AvatarInsufficientEther) before any payout when the pool's ETH does not cover the
    /// sum (`needed` saturates at `2²⁵⁶ − 1` if the sum overflows); [`AvatarEtherRefused(to,
    /// amount)`](AvatarEtherRefused) when a recipient's code reverts or runs out of gas.
    ///
    /// # Events
    /// `PoolDisbursed(0, to, amount)` per payout.
    pub fn disburse_ether(
        &mut self,
        recipients: Vec<Address>,
        amounts: Vec<U256>,
    ) -> Result<(), Error> {
        self.only_owner()?;
        check_payouts(&recipients, &amounts)?;
        let balance = self.vm().balance(self.vm().contract_address());
        let needed = amounts.iter().try_fold(U256::ZERO, |sum, amount| sum.checked_add(*amount));
        match needed {
            Some(needed) if needed <= balance => {}
            needed => {
                return Err(Error::InsufficientEther(AvatarInsufficientEther {
                    balance,
                    needed: needed.unwrap_or(U256::MAX),
                }));
            }
        }
        for (&to, &amount) in recipients.iter().zip(&amounts) {
            transfer_eth(self.vm(), to, amount)
                .map_err(|_| Error::EtherRefused(AvatarEtherRefused { to, amount }))?;
            self.vm().log(PoolDisbursed { token: Address::ZERO, to, amount });
        }
        Ok(())
    }

    /// Accepts ETH into the pool.
    ///
    /// # Errors
    /// None.
    ///
    /// # Events
    /// `PoolEtherReceived(from, amount)`.
    #[receive]
    pub fn receive(&mut self) -> Result<(), Vec<u8>> {
        let (from, amount) = (self.vm().msg_sender(), self.vm().msg_value());
        self.vm().log(PoolEtherReceived { from, amount });
        Ok(())
    }

    /// The contract owner.
    pub fn owner(&self) -> Address {
        self.ownership.owner()
    }

    /// The address that may accept ownership (zero when none).
    pub fn pending_owner(&self) -> Address {
        self.ownership.pending_owner()
    }

    /// Starts handing the contract to `new_owner`, who must accept; zero cancels.
    ///
    /// # Errors
    /// [`OwnableUnauthorizedAccount`] unless the caller is the owner.
    ///
    /// # Events
    /// `OwnershipTransferStarted`.
    pub fn transfer_ownership(&mut self, new_owner: Address) -> Result<(), Error> {
        Ok(self.ownership.transfer_ownership(new_owner)?)
    }

    /// Completes a transfer: the caller, the pending owner, becomes the owner.
    ///
    /// # Errors
    /// [`OwnableUnauthorizedAccount`] unless the caller is the pending owner.
    ///
    /// # Events
    /// `OwnershipTransferred`.
    pub fn accept_ownership(&mut self) -> Result<(), Error> {
        Ok(self.ownership.accept_ownership()?)
    }

    /// Gives up ownership for good: the whitelist is frozen and the pool can no longer be
    /// disbursed.
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

impl ParatiiAvatar {
    /// The PTI token: baked into the module, else stored (a cold `SLOAD` per payment).
    fn token_address(&self) -> Address {
        baked().map_or_else(|| self.token.get(), |b| b.token)
    }

    /// Guard: the caller is the owner.
    fn only_owner(&self) -> Result<(), Error> {
        Ok(self.ownership.only_owner()?)
    }

    /// Guard: the caller is whitelisted and its delay has passed; returns it.
    fn only_whitelisted(&self) -> Result<Address, Error> {
        let caller = self.vm().msg_sender();
        if !self.is_on_whitelist(caller) {
            return Err(Error::NotWhitelisted(AvatarNotWhitelisted { caller }));
        }
        Ok(caller)
    }

    /// Guard: `key` is an authorised spending key of `user`; returns its expiry and remaining
    /// cap.
    fn when_authorized(&self, user: Address, key: Address) -> Result<(u64, U96), Error> {
        let (expiry, remaining) = self.key_of(user, key);
        if expiry == 0 {
            return Err(Error::UnknownSpendingKey(AvatarUnknownSpendingKey { user, key }));
        }
        Ok((expiry, remaining))
    }

    /// Guard: `key` is an authorised, unexpired spending key of `user`; returns its remaining
    /// cap.
    fn when_spendable(&self, user: Address, key: Address) -> Result<U96, Error> {
        let (expiry, remaining) = self.when_authorized(user, key)?;
        if self.vm().block_timestamp() >= expiry {
            return Err(Error::SpendingKeyExpired(AvatarSpendingKeyExpired { user, key, expiry }));
        }
        Ok(remaining)
    }

    /// `user`'s key `key`: its stored expiry (0 when not authorised) and remaining cap, both
    /// from one lookup of the pair.
    #[inline(never)]
    fn key_of(&self, user: Address, key: Address) -> (u64, U96) {
        let keys = self.spending_keys.getter(user);
        let entry = keys.getter(key);
        (entry.expiry.get().to(), entry.remaining.get())
    }

    /// Whitelists `account` from `at` on, unless it is whitelisted or scheduled already.
    fn schedule(&mut self, account: Address, at: u64) -> Result<(), Error> {
        if account.is_zero() {
            return Err(Error::InvalidAccount(AvatarInvalidAccount { account }));
        }
        if self.whitelisted_from(account) != 0 {
            return Ok(());
        }
        self.whitelist.setter(account).set(Uint::from(at));
        self.vm().log(WhitelistUpdated { account, whitelisted: true, effectiveAt: at });
        Ok(())
    }

    /// Checks `amount` fits in `remaining`, the cap left on `user`'s live key `key`, lowers the
    /// cap and logs the charge (effects before any transfer).
    fn charge(
        &mut self,
        spender: Address,
        user: Address,
        key: Address,
        remaining: U96,
        amount: U256,
    ) -> Result<(), Error> {
        let left = to_u96(amount).and_then(|amount| remaining.checked_sub(amount)).ok_or(
            Error::SpendingCapExceeded(AvatarSpendingCapExceeded {
                user,
                key,
                amount,
                remaining: U256::from(remaining),
            }),
        )?;
        self.spending_keys.setter(user).setter(key).remaining.set(left);
        self.vm().log(SpendingKeyCharged {
            user,
            key,
            spender,
            amount,
            remaining: U256::from(left),
        });
        Ok(())
    }

    /// Pulls `to_pool` into the pool, then `amount` to `to`, skipping zero parts.
    fn pull_parts(
        &mut self,
        token: Address,
        from: Address,
        to: Address,
        amount: U256,
        to_pool: U256,
    ) -> Result<(), Vec<u8>> {
        if !to_pool.is_zero() {
            let pool = self.vm().contract_address();
            self.pull(token, from, pool, to_pool)?;
        }
        if !amount.is_zero() {
            self.pull(token, from, to, amount)?;
        }
        Ok(())
    }

    /// Calls `token.transferFrom(from, to, amount)`, requiring success and `true`.
    fn pull(
        &mut self,
        token: Address,
        from: Address,
        to: Address,
        amount: U256,
    ) -> Result<(), Vec<u8>> {
        let ctx = Call::new_mutating(self);
        let calldata = token::transferFromCall { from, to, value: amount }.abi_encode();
        call_returning_true(self.vm(), ctx, token, &calldata)
    }
}

/// Checks a disbursement's shape: as many amounts as recipients, no zero recipient.
fn check_payouts(recipients: &[Address], amounts: &[U256]) -> Result<(), Error> {
    if recipients.len() != amounts.len() {
        return Err(Error::LengthMismatch(AvatarLengthMismatch {
            recipients: U256::from(recipients.len()),
            amounts: U256::from(amounts.len()),
        }));
    }
    if let Some(&to) = recipients.iter().find(|to| to.is_zero()) {
        return Err(Error::InvalidRecipient(AvatarInvalidRecipient { to }));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
