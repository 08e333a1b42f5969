//! The contract: its storage and its public interface (the ABI), in the order of a channel's life.

use crate::checks::{credit, low_u128, only_payer, u64_word};
use crate::{
    ByteVec, Channel, ChannelState, Eip712DomainReturn, Error, SettleItem, ALLOWANCE, MAX_AMOUNT,
    MAX_GRACE_PERIOD_SECS, MIN_GRACE_PERIOD_SECS, PERMIT, TOKEN_OF, TRANSFER_FROM_WITH_KEY,
};
use alloc::vec::Vec;
use alloy_primitives::{Address, Uint, B256, U256};
use alloy_sol_types::SolEvent;
use paratii_common::{call_returning_true, revert_data};
use paratii_contracts::channels::{
    ChannelAvatarTokenMismatch, ChannelCloseAlreadyRequested, ChannelCloseAuthorizationExpired,
    ChannelCloseNotRequested, ChannelCloseRequested, ChannelDepositTooLarge,
    ChannelGracePeriodActive, ChannelImmutablesMismatch, ChannelInvalidCloseAuthorization,
    ChannelInvalidGracePeriod, ChannelNotPayee, ChannelToppedUp, ChannelZeroTopUp,
};
use paratii_contracts::ecdsa::{Signature, SignatureError};
use paratii_contracts::eip712;
use paratii_contracts::eip712::{CHANNELS_NAME_HASH, TOKEN_VERSION_HASH};
use paratii_contracts::signature::ECDSAInvalidSignatureLength;
use paratii_contracts::words::{address_word, calldata, uint_word};
use stylus_sdk::call::call;
use stylus_sdk::prelude::*;
use stylus_sdk::storage::{StorageAddress, StorageB256, StorageMap, StorageU64};

/// Adjudicator storage: PTI and the grace period (one word, read by every operation), the
/// avatar spending keys open through, and one word per channel id.
#[storage]
#[entrypoint]
pub struct PaymentChannels {
    pub(crate) token: StorageAddress,
    pub(crate) grace_period: StorageU64,
    pub(crate) avatar: StorageAddress,
    pub(crate) channels: StorageMap<B256, StorageB256>,
}

/// A voucher that passed every check of a settle: the channel's state before and the amount due
/// to the payee now.
pub(crate) struct Due {
    pub(crate) state: ChannelState,
    pub(crate) amount: U256,
}

/// The `PaymentChannels` interface.
#[public]
impl PaymentChannels {
    /// Sets the `ParatiiAvatar` spending keys open channels through, the PTI token deposits are
    /// escrowed in, and the grace period (seconds) between a payer's close request and its
    /// withdrawal, all fixed for the contract's life.
    ///
    /// # Errors
    /// In order: [`ChannelInvalidGracePeriod`] unless [`MIN_GRACE_PERIOD_SECS`] ≤ `grace_period` ≤
    /// [`MAX_GRACE_PERIOD_SECS`]; [`ChannelAvatarTokenMismatch`] unless the avatar's `token()`
    /// answers `token`; [`ChannelImmutablesMismatch`] (carrying the module's values) when a
    /// deployer baked the three into the module ([`paratii_contracts::immutables`]) and they
    /// differ from these arguments. A module deployed as built reads them from storage instead.
    #[constructor]
    pub fn constructor(
        &mut self,
        avatar: Address,
        token: Address,
        grace_period: u64,
    ) -> Result<(), Error> {
        if !(MIN_GRACE_PERIOD_SECS..=MAX_GRACE_PERIOD_SECS).contains(&grace_period) {
            return Err(Error::InvalidGracePeriod(ChannelInvalidGracePeriod {
                gracePeriod: grace_period,
                min: MIN_GRACE_PERIOD_SECS,
                max: MAX_GRACE_PERIOD_SECS,
            }));
        }
        let avatar_token = self
            .read_uint(avatar, &TOKEN_OF)
            .map(|word| Address::from_word(B256::from(word)))
            .unwrap_or_default();
        if avatar_token != token {
            return Err(Error::AvatarTokenMismatch(ChannelAvatarTokenMismatch {
                avatar,
                avatarToken: avatar_token,
                token,
            }));
        }
        if let Some(baked) = crate::baked::baked() {
            if (baked.avatar, baked.token, baked.grace_period) != (avatar, token, grace_period) {
                return Err(Error::ImmutablesMismatch(ChannelImmutablesMismatch {
                    avatar: baked.avatar,
                    token: baked.token,
                    gracePeriod: baked.grace_period,
                }));
            }
        }
        self.avatar.set(avatar);
        self.token.set(token);
        self.grace_period.set(Uint::from(grace_period));
        Ok(())
    }

    /// Opens `channel`, whose payer is the caller, escrowing `deposit` PTI wei pulled from the
    /// caller with `transferFrom` (approved beforehand); returns the channel id.
    ///
    /// # Errors
    /// In order: [`ChannelNotPayer(id, caller)`][ChannelNotPayer] (the payer is not the caller);
    /// [`ChannelInvalidPayee`] (zero, or the payer); [`ChannelInvalidPrice`] (zero or above 2⁹⁶ −
    /// 1); [`ChannelAlreadyExists`] (the id was used, finalized included);
    /// [`ChannelDepositTooSmall`] (below one segment's price); [`ChannelDepositTooLarge`]; then,
    /// unchanged, the token's errors ([`ERC20InsufficientAllowance`],
    /// [`ERC20InsufficientBalance`]), or [`PeerCallReturnedFalse`].
    ///
    /// # Events
    /// `ChannelOpened` (and the token's `Transfer`).
    ///
    /// [ChannelNotPayer]: paratii_contracts::channels::ChannelNotPayer
    /// [`ChannelAlreadyExists`]: paratii_contracts::channels::ChannelAlreadyExists
    /// [`ChannelDepositTooSmall`]: paratii_contracts::channels::ChannelDepositTooSmall
    /// [`ChannelInvalidPayee`]: paratii_contracts::channels::ChannelInvalidPayee
    /// [`ChannelInvalidPrice`]: paratii_contracts::channels::ChannelInvalidPrice
    /// [`ERC20InsufficientAllowance`]: paratii_contracts::token::ERC20InsufficientAllowance
    /// [`ERC20InsufficientBalance`]: paratii_contracts::token::ERC20InsufficientBalance
    /// [`PeerCallReturnedFalse`]: paratii_contracts::peers::PeerCallReturnedFalse
    pub fn open(&mut self, channel: Channel, deposit: U256) -> Result<B256, Vec<u8>> {
        let payer = self.vm().msg_sender();
        let id = self.check_open(&channel, deposit, Some(payer))?;
        let token = self.token_address();
        self.record_open(id, deposit);
        self.pull(token, payer, deposit)?;
        self.log_opened(id, &channel, deposit);
        Ok(id)
    }

    /// [`Self::open`] with an EIP-2612 permit of `deposit` for this contract, signed by the
    /// caller (`deadline`, `v`, `r`, `s`): a first channel in one transaction.
    ///
    /// The permit is tried after the checks; if it fails (for example because someone submitted
    /// it first, a known griefing of permits), the open goes on when the allowance already
    /// covers the deposit, and otherwise reverts with the permit's own error.
    ///
    /// # Errors
    /// As [`Self::open`]; the token's permit errors when the allowance does not cover the
    /// deposit.
    ///
    /// # Events
    /// As [`Self::open`], plus the token's `Approval`.
    #[allow(clippy::too_many_arguments)]
    pub fn open_with_permit(
        &mut self,
        channel: Channel,
        deposit: U256,
        deadline: U256,
        v: u8,
        r: B256,
        s: B256,
    ) -> Result<B256, Vec<u8>> {
        let payer = self.vm().msg_sender();
        let id = self.check_open(&channel, deposit, Some(payer))?;
        let token = self.token_address();
        self.record_open(id, deposit);
        let this = self.vm().contract_address();
        // The same permit-then-allowance fallback as the store's `buyVideoWithPermit`, on purpose: shared in
        // `paratii-common` it cost the store 533 and the channel 255 raw WASM bytes, +69 and +30
        // gas on every uncached call (measured with `gas-report`).
        let permit = calldata(
            PERMIT,
            &[
                address_word(payer),
                address_word(this),
                uint_word(deposit),
                uint_word(deadline),
                uint_word(U256::from(v)),
                r,
                s,
            ],
        );
        let ctx = Call::new_mutating(self);
        if let Err(permit_error) = call(self.vm(), ctx, token, &permit) {
            let query = calldata(ALLOWANCE, &[address_word(payer), address_word(this)]);
            let allowance = self.read_uint(token, &query).unwrap_or_default();
            if allowance < deposit {
                return Err(revert_data(permit_error));
            }
        }
        self.pull(token, payer, deposit)?;
        self.log_opened(id, &channel, deposit);
        Ok(id)
    }

    /// Opens `channel` for its payer, called by one of the payer's spending keys: the avatar
    /// pulls `deposit` PTI wei of the payer's (approved to the avatar) and charges the key's
    /// cap. This contract must be whitelisted in the avatar.
    ///
    /// The avatar is the one fixed at construction (its PTI checked equal to this contract's), so
    /// its `true` means the deposit arrived; no registry entry is consulted.
    ///
    /// # Errors
    /// In order: [`ChannelInvalidPayer`] (zero); then as [`Self::open`] from
    /// [`ChannelInvalidPayee`] on, then the avatar's errors unchanged ([`AvatarNotWhitelisted`],
    /// [`AvatarUnknownSpendingKey`], [`AvatarSpendingKeyExpired`], [`AvatarSpendingCapExceeded`],
    /// the token's).
    ///
    /// # Events
    /// `ChannelOpened` (and the avatar's `SpendingKeyCharged`, the token's `Transfer`).
    ///
    /// [`AvatarNotWhitelisted`]: paratii_contracts::avatar::AvatarNotWhitelisted
    /// [`AvatarSpendingCapExceeded`]: paratii_contracts::avatar::AvatarSpendingCapExceeded
    /// [`AvatarSpendingKeyExpired`]: paratii_contracts::avatar::AvatarSpendingKeyExpired
    /// [`AvatarUnknownSpendingKey`]: paratii_contracts::avatar::AvatarUnknownSpendingKey
    /// [`ChannelInvalidPayee`]: paratii_contracts::channels::ChannelInvalidPayee
    /// [`ChannelInvalidPayer`]: paratii_contracts::channels::ChannelInvalidPayer
    pub fn open_for(&mut self, channel: Channel, deposit: U256) -> Result<B256, Vec<u8>> {
        let key = self.vm().msg_sender();
        let id = self.check_open(&channel, deposit, None)?;
        let avatar = self.avatar_address();
        let this = self.vm().contract_address();
        self.record_open(id, deposit);
        let data = calldata(
            TRANSFER_FROM_WITH_KEY,
            &[
                address_word(channel.payer),
                address_word(key),
                address_word(this),
                uint_word(deposit),
            ],
        );
        let ctx = Call::new_mutating(self);
        call_returning_true(self.vm(), ctx, avatar, &data)?;
        self.log_opened(id, &channel, deposit);
        Ok(id)
    }

    /// Adds `amount` PTI wei (pulled from the payer with `transferFrom`) to `channel`'s
    /// deposit; cancels a pending close request. Only the payer may.
    ///
    /// # Errors
    /// In order: [`ChannelNotFound`]; [`ChannelFinalized`]; [`ChannelNotPayer`];
    /// [`ChannelZeroTopUp`]; [`ChannelDepositTooLarge`] (the new deposit, saturated at 2²⁵⁶ − 1,
    /// above 2⁹⁶ − 1); then the token's errors, unchanged, or [`PeerCallReturnedFalse`].
    ///
    /// # Events
    /// `ChannelToppedUp` (and the token's `Transfer`).
    ///
    /// [`ChannelFinalized`]: paratii_contracts::channels::ChannelFinalized
    /// [`ChannelNotFound`]: paratii_contracts::channels::ChannelNotFound
    /// [`ChannelNotPayer`]: paratii_contracts::channels::ChannelNotPayer
    /// [`PeerCallReturnedFalse`]: paratii_contracts::peers::PeerCallReturnedFalse
    pub fn top_up(&mut self, channel: Channel, amount: U256) -> Result<(), Vec<u8>> {
        let caller = self.vm().msg_sender();
        let (id, mut state) = self.live(&channel)?;
        only_payer(id, &channel, caller)?;
        if amount.is_zero() {
            return Err(Error::ZeroTopUp(ChannelZeroTopUp { channelId: id }).into());
        }
        let deposit = U256::from(state.deposit)
            .checked_add(amount)
            .filter(|d| *d <= MAX_AMOUNT)
            .ok_or_else(|| {
                Error::DepositTooLarge(ChannelDepositTooLarge {
                    deposit: U256::from(state.deposit).saturating_add(amount),
                    max: MAX_AMOUNT,
                })
            })?;
        let token = self.token_address();
        let close_cancelled = state.close_requested_at != 0;
        state.deposit = low_u128(deposit);
        state.close_requested_at = 0;
        self.store(id, state);
        self.pull(token, caller, amount)?;
        self.emit(
            &[ChannelToppedUp::SIGNATURE_HASH, id],
            &[uint_word(amount), uint_word(deposit), u64_word(u64::from(close_cancelled))],
        );
        Ok(())
    }

    /// Settles a voucher for `segments` segments in total, signed by `channel`'s signer: pays
    /// the payee `(segments − settled) × pricePerSegment`. Anyone may submit it; the channel
    /// stays open (and a pending close stays pending).
    ///
    /// # Errors
    /// In order: [`ChannelNotFound`]; [`ChannelFinalized`]; [`ECDSAInvalidSignatureLength`],
    /// [`ECDSAInvalidSignatureV`], [`ECDSAInvalidSignatureS`], [`ECDSAInvalidSignature`];
    /// [`ChannelInvalidSigner`] (another key signed, or another chain, contract, channel or type);
    /// [`ChannelStaleVoucher`] (not above the settled count); [`ChannelVoucherExceedsDeposit`];
    /// then the token's errors, unchanged, or [`PeerCallReturnedFalse`].
    ///
    /// # Events
    /// `ChannelSettled` (and the token's `Transfer`).
    ///
    /// [`ChannelFinalized`]: paratii_contracts::channels::ChannelFinalized
    /// [`ChannelInvalidSigner`]: paratii_contracts::channels::ChannelInvalidSigner
    /// [`ChannelNotFound`]: paratii_contracts::channels::ChannelNotFound
    /// [`ChannelStaleVoucher`]: paratii_contracts::channels::ChannelStaleVoucher
    /// [`ChannelVoucherExceedsDeposit`]: paratii_contracts::channels::ChannelVoucherExceedsDeposit
    /// [`ECDSAInvalidSignatureS`]: paratii_contracts::signature::ECDSAInvalidSignatureS
    /// [`ECDSAInvalidSignatureV`]: paratii_contracts::signature::ECDSAInvalidSignatureV
    /// [`ECDSAInvalidSignature`]: paratii_contracts::signature::ECDSAInvalidSignature
    /// [`PeerCallReturnedFalse`]: paratii_contracts::peers::PeerCallReturnedFalse
    // The router decodes `bytes` into an owned value; the signature is only read.
    #[allow(clippy::needless_pass_by_value)]
    pub fn settle(
        &mut self,
        channel: Channel,
        segments: u64,
        voucher_signature: ByteVec,
    ) -> Result<(), Vec<u8>> {
        let id = self.id(&channel);
        let domain = self.domain_separator();
        let due = self.check_settle(
            domain,
            id,
            &channel,
            segments,
            Signature::from_packed(&voucher_signature),
        )?;
        let token = self.token_address();
        self.store(id, ChannelState { settled: segments, ..due.state });
        self.transfer(token, channel.payee, due.amount)?;
        self.log_settled(id, segments, due.amount);
        Ok(())
    }

    /// Settles many vouchers in one transaction, each as [`Self::settle`], in order (several
    /// items of one channel settle in turn). Each item carries its voucher's signature as
    /// `(v, r, s)`, so an item is a static tuple (cheaper calldata and decoding); the signature
    /// rules are the same. An item that fails a check is skipped with a `ChannelSettleSkipped`
    /// event carrying the error it would have reverted with; the rest settle. Payouts to the
    /// same payee are summed into one token transfer, after every item's effects. Returns the
    /// number of items settled.
    ///
    /// # Errors
    /// None of the items' (they are skipped); when at least one item settles, the token's errors,
    /// unchanged, or [`PeerCallReturnedFalse`], reverting the whole batch (PTI refuses no transfer
    /// to a non-zero address it can cover, so only a broken invariant could).
    ///
    /// # Events
    /// One `ChannelSettleSkipped` per skipped item as it is found (a skip changes nothing), then
    /// one `ChannelSettled` per settled item, in item order, after the transfers (and the token's
    /// `Transfer`s).
    ///
    /// [`PeerCallReturnedFalse`]: paratii_contracts::peers::PeerCallReturnedFalse
    // The router decodes the items into an owned vector; they are only read.
    #[allow(clippy::needless_pass_by_value)]
    pub fn settle_batch(&mut self, items: Vec<SettleItem>) -> Result<U256, Vec<u8>> {
        let mut payouts: Vec<(Address, U256)> = Vec::new();
        let mut settled: Vec<(B256, u64, U256)> = Vec::with_capacity(items.len());
        let domain = self.domain_separator();
        for (index, item) in items.iter().enumerate() {
            let id = self.id(&item.channel);
            let signature = Signature::new(item.v, item.r, item.s);
            match self.check_settle(domain, id, &item.channel, item.segments, signature) {
                Ok(due) => {
                    self.store(id, ChannelState { settled: item.segments, ..due.state });
                    credit(&mut payouts, item.channel.payee, due.amount);
                    settled.push((id, item.segments, due.amount));
                }
                // A skipped item changes nothing, so it is logged at once.
                Err(error) => self.log_skipped(id, index, &Vec::from(error)),
            }
        }
        if !payouts.is_empty() {
            let token = self.token_address();
            for (payee, amount) in payouts {
                self.transfer(token, payee, amount)?;
            }
        }
        for (id, segments, amount) in &settled {
            self.log_settled(*id, *segments, *amount);
        }
        Ok(U256::from(settled.len()))
    }

    /// Closes `channel`, called by its payee, at `segments` segments in total: pays the payee
    /// what the voucher adds to the settled count, refunds the rest of the deposit to the payer
    /// and finalizes. The voucher is checked only when it raises the count; with `segments` at
    /// or below the settled count the close keeps the settled count and ignores the signature
    /// (so a payee can release a payer without any voucher).
    ///
    /// # Errors
    /// In order: [`ChannelNotFound`]; [`ChannelFinalized`]; [`ChannelNotPayee`]; when `segments`
    /// exceeds the settled count, the voucher's signature errors and [`ChannelInvalidSigner`], then
    /// [`ChannelVoucherExceedsDeposit`]; then the token's errors, unchanged, or
    /// [`PeerCallReturnedFalse`].
    ///
    /// # Events
    /// `ChannelClosed` (and the token's `Transfer`s).
    ///
    /// [`ChannelFinalized`]: paratii_contracts::channels::ChannelFinalized
    /// [`ChannelInvalidSigner`]: paratii_contracts::channels::ChannelInvalidSigner
    /// [`ChannelNotFound`]: paratii_contracts::channels::ChannelNotFound
    /// [`ChannelVoucherExceedsDeposit`]: paratii_contracts::channels::ChannelVoucherExceedsDeposit
    /// [`PeerCallReturnedFalse`]: paratii_contracts::peers::PeerCallReturnedFalse
    #[allow(clippy::needless_pass_by_value)]
    pub fn close(
        &mut self,
        channel: Channel,
        segments: u64,
        voucher_signature: ByteVec,
    ) -> Result<(), Vec<u8>> {
        let caller = self.vm().msg_sender();
        let (id, state) = self.live(&channel)?;
        if caller != channel.payee {
            return Err(Error::NotPayee(ChannelNotPayee { channelId: id, caller }).into());
        }
        let signature = Signature::from_packed(&voucher_signature);
        self.finish_close(None, id, &channel, state, segments, signature)
    }

    /// [`Self::close`] by anyone carrying the payee's EIP-712 `CloseAuthorization(channelId,
    /// segments, deadline)` signature (`close_authorization`), so a relayer can close for a
    /// payee without ETH, until `deadline` (unix seconds, inclusive). The deadline is what
    /// stops an authorization the payee has outgrown from being replayed: a payee signs one
    /// with a short deadline and accepts no voucher above `segments` before it passes.
    ///
    /// # Errors
    /// In order: [`ChannelNotFound`]; [`ChannelFinalized`]; [`ChannelCloseAuthorizationExpired`]
    /// (`block.timestamp > deadline`); the authorization's signature errors and
    /// [`ChannelInvalidCloseAuthorization`] (not signed by the payee, or for another count,
    /// deadline, channel, chain, contract or type); then as [`Self::close`] from the voucher on.
    ///
    /// # Events
    /// As [`Self::close`].
    ///
    /// [`ChannelFinalized`]: paratii_contracts::channels::ChannelFinalized
    /// [`ChannelNotFound`]: paratii_contracts::channels::ChannelNotFound
    #[allow(clippy::needless_pass_by_value)]
    pub fn close_with_authorization(
        &mut self,
        channel: Channel,
        segments: u64,
        deadline: u64,
        voucher_signature: ByteVec,
        close_authorization: ByteVec,
    ) -> Result<(), Vec<u8>> {
        let (id, state) = self.live(&channel)?;
        let now = self.vm().block_timestamp();
        if now > deadline {
            return Err(Error::CloseAuthorizationExpired(ChannelCloseAuthorizationExpired {
                channelId: id,
                deadline,
                now,
            })
            .into());
        }
        let domain = self.domain_separator();
        let digest = eip712::typed_data_digest(
            domain,
            eip712::close_authorization_struct_hash(id, segments, deadline),
        );
        let signer = self.signer_of(digest, Signature::from_packed(&close_authorization))?;
        if signer != channel.payee {
            return Err(Error::InvalidCloseAuthorization(ChannelInvalidCloseAuthorization {
                channelId: id,
                signer,
                payee: channel.payee,
            })
            .into());
        }
        let signature = Signature::from_packed(&voucher_signature);
        self.finish_close(Some(domain), id, &channel, state, segments, signature)
    }

    /// Starts the grace period of `channel`, called by its payer: from
    /// `block.timestamp + gracePeriod` on the payer may [`Self::withdraw`]; until then (and
    /// after, until the withdrawal) the payee may settle or close.
    ///
    /// # Errors
    /// In order: [`ChannelNotFound`]; [`ChannelFinalized`]; [`ChannelCloseAlreadyRequested`] (a
    /// second request would restart the clock for nothing: the error says when it ends);
    /// [`ChannelNotPayer`].
    ///
    /// # Events
    /// `ChannelCloseRequested`.
    ///
    /// [`ChannelFinalized`]: paratii_contracts::channels::ChannelFinalized
    /// [`ChannelNotFound`]: paratii_contracts::channels::ChannelNotFound
    /// [`ChannelNotPayer`]: paratii_contracts::channels::ChannelNotPayer
    pub fn request_close(&mut self, channel: Channel) -> Result<(), Error> {
        let caller = self.vm().msg_sender();
        let (id, mut state) = self.live(&channel)?;
        let grace = self.grace_period();
        if state.close_requested_at != 0 {
            return Err(Error::CloseAlreadyRequested(ChannelCloseAlreadyRequested {
                channelId: id,
                until: state.closes_at(grace),
            }));
        }
        only_payer(id, &channel, caller)?;
        state.close_requested_at = self.vm().block_timestamp();
        self.store(id, state);
        self.emit(
            &[ChannelCloseRequested::SIGNATURE_HASH, id],
            &[u64_word(state.closes_at(grace))],
        );
        Ok(())
    }

    /// Refunds the rest of `channel`'s deposit to its payer once the grace period of its close
    /// request is over, and finalizes (at the settled count). Only the payer may.
    ///
    /// # Errors
    /// In order: [`ChannelNotFound`]; [`ChannelFinalized`]; [`ChannelCloseNotRequested`];
    /// [`ChannelGracePeriodActive`]; [`ChannelNotPayer`]; then the token's errors, unchanged, or
    /// [`PeerCallReturnedFalse`].
    ///
    /// # Events
    /// `ChannelClosed` (and the token's `Transfer`).
    ///
    /// [`ChannelFinalized`]: paratii_contracts::channels::ChannelFinalized
    /// [`ChannelNotFound`]: paratii_contracts::channels::ChannelNotFound
    /// [`ChannelNotPayer`]: paratii_contracts::channels::ChannelNotPayer
    /// [`PeerCallReturnedFalse`]: paratii_contracts::peers::PeerCallReturnedFalse
    pub fn withdraw(&mut self, channel: Channel) -> Result<(), Vec<u8>> {
        let caller = self.vm().msg_sender();
        let (id, state) = self.live(&channel)?;
        if state.close_requested_at == 0 {
            return Err(Error::CloseNotRequested(ChannelCloseNotRequested { channelId: id }).into());
        }
        let until = state.closes_at(self.grace_period());
        let now = self.vm().block_timestamp();
        if now < until {
            return Err(Error::GracePeriodActive(ChannelGracePeriodActive {
                channelId: id,
                until,
                now,
            })
            .into());
        }
        only_payer(id, &channel, caller)?;
        // Zero segments: the settled count stands and no voucher is read.
        let no_voucher =
            Err(SignatureError::Length(ECDSAInvalidSignatureLength { length: U256::ZERO }));
        self.finish_close(None, id, &channel, state, 0, no_voucher)
    }

    /// The stored state of `channel_id`: the deposit (PTI wei, over the channel's life), the
    /// settled segments, when a close was requested (unix seconds, zero for none), whether it
    /// is finalized, and its phase now (`PHASE_*`: 0 none, 1 open, 2 closing, 3 withdrawable,
    /// 4 finalized).
    pub fn channel_state(&self, channel_id: B256) -> (U256, u64, u64, bool, u8) {
        let state = self.load(channel_id);
        let (now, grace) = (self.vm().block_timestamp(), self.grace_period());
        (
            U256::from(state.deposit),
            state.settled,
            state.close_requested_at,
            state.finalized,
            state.phase().code(now >= state.closes_at(grace)),
        )
    }

    /// The id of `channel` on this chain and contract.
    #[allow(clippy::needless_pass_by_value)]
    pub fn channel_id(&self, channel: Channel) -> B256 {
        self.id(&channel)
    }

    /// The EIP-712 digest a signer signs for a `Voucher(channel_id, segments)`.
    pub fn voucher_digest(&self, channel_id: B256, segments: u64) -> B256 {
        eip712::typed_data_digest(
            self.domain_separator(),
            eip712::voucher_struct_hash(channel_id, segments),
        )
    }

    /// The EIP-712 domain separator of vouchers and close authorizations on this chain and
    /// contract.
    #[selector(name = "DOMAIN_SEPARATOR")]
    pub fn domain_separator(&self) -> B256 {
        eip712::domain_separator(
            CHANNELS_NAME_HASH,
            TOKEN_VERSION_HASH,
            self.vm().chain_id(),
            self.vm().contract_address(),
        )
    }

    /// EIP-5267: the fields of the EIP-712 domain: `(bytes1 fields, string name, string
    /// version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)`
    /// = (0x0f, "Paratii Channels", "1", the chain id, this contract, 0, []). Encoded by hand
    /// rather than through `paratii_common::eip712_domain`, whose generic tuple encoder costs
    /// ~0.6 KiB brotli this contract cannot spare.
    pub fn eip712_domain(&self) -> Eip712DomainReturn {
        Eip712DomainReturn::channels(self.vm().chain_id(), self.vm().contract_address())
    }

    /// The grace period (seconds) between a close request and the payer's withdrawal.
    pub fn grace_period(&self) -> u64 {
        self.grace()
    }

    /// The `ParatiiAvatar` spending keys open channels through (fixed at construction).
    pub fn avatar(&self) -> Address {
        self.avatar_address()
    }

    /// The PTI token deposits are escrowed and paid in.
    pub fn token(&self) -> Address {
        self.token_address()
    }
}
