//! The checks every operation makes, in the crate's documented order, and the arithmetic they
//! rest on.

use crate::contract::Due;
use crate::{Channel, ChannelState, Error, PaymentChannels, Phase, MAX_AMOUNT};
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};
use paratii_common::recover;
use paratii_contracts::channels::{
    ChannelAlreadyExists, ChannelDepositTooLarge, ChannelDepositTooSmall, ChannelFinalized,
    ChannelInvalidPayee, ChannelInvalidPayer, ChannelInvalidPrice, ChannelInvalidSigner,
    ChannelNotFound, ChannelNotPayer, ChannelStaleVoucher, ChannelVoucherExceedsDeposit,
};
use paratii_contracts::ecdsa::{Signature, SignatureError};
use paratii_contracts::eip712;
use stylus_sdk::prelude::*;

impl PaymentChannels {
    /// The id of `channel` on this chain and contract.
    pub(crate) fn id(&self, c: &Channel) -> B256 {
        eip712::channel_id(self.vm().chain_id(), self.vm().contract_address(), &c.to_sol())
    }

    pub(crate) fn load(&self, id: B256) -> ChannelState {
        ChannelState::from_word(self.channels.get(id))
    }

    pub(crate) fn store(&mut self, id: B256, state: ChannelState) {
        self.channels.setter(id).set(state.to_word());
    }

    /// Checks 1 and 2 of every call on an opened channel: it exists and is not finalized.
    #[inline(never)]
    pub(crate) fn live(&self, c: &Channel) -> Result<(B256, ChannelState), Error> {
        let id = self.id(c);
        Ok((id, self.when_live(id)?))
    }

    /// The state of channel `id` when it exists and is not finalized (checks 1 and 2).
    pub(crate) fn when_live(&self, id: B256) -> Result<ChannelState, Error> {
        let state = self.load(id);
        match state.phase() {
            Phase::None => Err(Error::NotFound(ChannelNotFound { channelId: id })),
            Phase::Finalized => Err(Error::Finalized(ChannelFinalized { channelId: id })),
            Phase::Open | Phase::CloseRequested => Ok(state),
        }
    }

    /// Every check of an open, in the documented order; `payer` is the caller the payer must
    /// be, or `None` for a spending key's open.
    pub(crate) fn check_open(
        &self,
        c: &Channel,
        deposit: U256,
        payer: Option<Address>,
    ) -> Result<B256, Error> {
        let id = self.id(c);
        match payer {
            Some(caller) if caller != c.payer => {
                return Err(Error::NotPayer(ChannelNotPayer { channelId: id, caller }));
            }
            None if c.payer.is_zero() => {
                return Err(Error::InvalidPayer(ChannelInvalidPayer { payer: c.payer }));
            }
            _ => {}
        }
        if c.payee.is_zero() || c.payee == c.payer {
            return Err(Error::InvalidPayee(ChannelInvalidPayee {
                payer: c.payer,
                payee: c.payee,
            }));
        }
        if c.price_per_segment.is_zero() || c.price_per_segment > MAX_AMOUNT {
            return Err(Error::InvalidPrice(ChannelInvalidPrice {
                pricePerSegment: c.price_per_segment,
                max: MAX_AMOUNT,
            }));
        }
        if self.load(id).is_opened() {
            return Err(Error::AlreadyExists(ChannelAlreadyExists { channelId: id }));
        }
        if deposit < c.price_per_segment {
            return Err(Error::DepositTooSmall(ChannelDepositTooSmall {
                deposit,
                minimum: c.price_per_segment,
            }));
        }
        if deposit > MAX_AMOUNT {
            return Err(Error::DepositTooLarge(ChannelDepositTooLarge {
                deposit,
                max: MAX_AMOUNT,
            }));
        }
        Ok(id)
    }

    /// Every check of a settle, in the documented order, for the channel `id` of `c`, under the
    /// EIP-712 `domain` separator.
    pub(crate) fn check_settle(
        &self,
        domain: B256,
        id: B256,
        c: &Channel,
        segments: u64,
        signature: Result<Signature, SignatureError>,
    ) -> Result<Due, Error> {
        let state = self.when_live(id)?;
        self.verify_voucher(domain, id, c, segments, signature)?;
        if segments <= state.settled {
            return Err(Error::StaleVoucher(ChannelStaleVoucher {
                channelId: id,
                segments,
                settled: state.settled,
            }));
        }
        within_deposit(id, c, state, segments)?;
        Ok(Due {
            state,
            // Cannot underflow: segments > settled, checked above.
            amount: value(segments - state.settled, c.price_per_segment),
        })
    }

    /// Checks 3–5 of a close (the caller's role or the close authorization checked before),
    /// then the effects, transfers and event. The voucher `signature` is read, under `domain`
    /// (computed here when `None`), only when `segments` raises the settled count.
    pub(crate) fn finish_close(
        &mut self,
        domain: Option<B256>,
        id: B256,
        c: &Channel,
        mut state: ChannelState,
        segments: u64,
        signature: Result<Signature, SignatureError>,
    ) -> Result<(), Vec<u8>> {
        let previous = state.settled;
        if segments > previous {
            let domain = domain.unwrap_or_else(|| self.domain_separator());
            self.verify_voucher(domain, id, c, segments, signature)?;
            within_deposit(id, c, state, segments)?;
            state.settled = segments;
        }
        let paid = value(state.settled, c.price_per_segment);
        // Cannot underflow: settled × price ≤ deposit (checked above, or stored so).
        let refunded = U256::from(state.deposit) - paid;
        let token = self.token_address();
        state.finalized = true;
        self.store(id, state);
        // Cannot underflow: the settled count only rose above `previous`.
        self.transfer(token, c.payee, value(state.settled - previous, c.price_per_segment))?;
        self.transfer(token, c.payer, refunded)?;
        self.log_closed(id, c, state.settled, paid, refunded);
        Ok(())
    }

    /// Refuses a voucher not signed by `c`'s signer (the payer when the signer is zero).
    pub(crate) fn verify_voucher(
        &self,
        domain: B256,
        id: B256,
        c: &Channel,
        segments: u64,
        signature: Result<Signature, SignatureError>,
    ) -> Result<(), Error> {
        let digest = eip712::typed_data_digest(domain, eip712::voucher_struct_hash(id, segments));
        let signer = self.signer_of(digest, signature)?;
        let expected = if c.signer.is_zero() { c.payer } else { c.signer };
        if signer != expected {
            return Err(Error::InvalidSigner(ChannelInvalidSigner {
                channelId: id,
                signer,
                expected,
            }));
        }
        Ok(())
    }

    /// The non-zero signer of `digest`, under the suite's signature rules.
    pub(crate) fn signer_of(
        &self,
        digest: B256,
        signature: Result<Signature, SignatureError>,
    ) -> Result<Address, Error> {
        Ok(recover(self.vm(), digest, &signature?)?)
    }

    pub(crate) fn record_open(&mut self, id: B256, deposit: U256) {
        self.store(id, ChannelState { deposit: low_u128(deposit), ..ChannelState::default() });
    }
}

/// Refuses a caller that is not `c`'s payer.
pub(crate) fn only_payer(id: B256, c: &Channel, caller: Address) -> Result<(), Error> {
    if caller == c.payer {
        Ok(())
    } else {
        Err(Error::NotPayer(ChannelNotPayer { channelId: id, caller }))
    }
}

/// Refuses a voucher for `segments` worth more than `state`'s deposit.
pub(crate) fn within_deposit(
    id: B256,
    c: &Channel,
    state: ChannelState,
    segments: u64,
) -> Result<(), Error> {
    let amount = value(segments, c.price_per_segment);
    let deposit = U256::from(state.deposit);
    if amount > deposit {
        return Err(Error::VoucherExceedsDeposit(ChannelVoucherExceedsDeposit {
            channelId: id,
            segments,
            amount,
            deposit,
        }));
    }
    Ok(())
}

/// `segments × price`: what `segments` segments are worth.
pub(crate) fn value(segments: u64, price: U256) -> U256 {
    // Cannot overflow: segments < 2⁶⁴ and the price of an opened channel is below 2⁹⁶ (checked
    // at open; the channel id binds it), so the product is below 2¹⁶⁰.
    U256::from(segments) * price
}

/// An ABI word: a `uint64` (or `bool`, `uint8`) value.
pub(crate) fn u64_word(x: u64) -> B256 {
    let mut word = B256::ZERO;
    word[24..].copy_from_slice(&x.to_be_bytes());
    word
}

/// The low 128 bits of `x` (a deposit, below 2⁹⁶ once checked).
pub(crate) fn low_u128(x: U256) -> u128 {
    let limbs = x.as_limbs();
    u128::from(limbs[0]) | (u128::from(limbs[1]) << 64)
}

/// Adds `amount` to `payee`'s entry of `payouts` (or appends one).
pub(crate) fn credit(payouts: &mut Vec<(Address, U256)>, payee: Address, amount: U256) {
    match payouts.iter_mut().find(|(p, _)| *p == payee) {
        // Cannot overflow: the sum is at most the PTI held here, below 2⁹⁶.
        Some((_, total)) => *total += amount,
        None => payouts.push((payee, amount)),
    }
}
