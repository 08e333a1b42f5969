//! The two sides of a channel over a store: the payee accepts a voucher only after it is durably
//! recorded (so what it serves next is paid for even if it crashes a moment later), and the payer
//! records each voucher before it sends it. Acceptance is serialised per channel; different
//! channels proceed in parallel (their signatures are checked concurrently; only the short write
//! is serialised, by the store).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use alloy_primitives::B256;

use crate::{
    keys::UnlockedKey,
    store::{ChannelStore, Role, StoreError},
    voucher::{self, Channel, CloseAuthorization, Domain, Message, Voucher, VoucherError},
};

/// Why a voucher was not accepted, or not signed. The store is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    /// The voucher itself is refused.
    #[error(transparent)]
    Voucher(#[from] VoucherError),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The channel is known, but on the other side.
    #[error("channel {0} is not ours on this side (we are its {1})")]
    WrongRole(B256, &'static str),
}

/// One lock per channel, created on first use.
#[derive(Default)]
struct ChannelLocks(Mutex<HashMap<B256, Arc<Mutex<()>>>>);

impl ChannelLocks {
    fn of(&self, channel: B256) -> Arc<Mutex<()>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).entry(channel).or_default().clone()
    }
}

/// A channel's domain, terms and highest recorded count, if the store holds it on our `role`'s
/// side.
fn terms<S: ChannelStore>(
    store: &S,
    channel: B256,
    role: Role,
) -> Result<(Domain, Channel, u64), AcceptError> {
    let stored = store.channel(channel)?.ok_or(StoreError::UnknownChannel(channel))?;
    if stored.role != role {
        let side = if stored.role == Role::Payer { "payer" } else { "payee" };
        return Err(AcceptError::WrongRole(channel, side));
    }
    let last = store.best_voucher(channel)?.map_or(0, |v| v.segments);
    let domain = Domain { chain_id: stored.chain_id, adjudicator: stored.adjudicator };
    let terms = Channel {
        id: channel,
        signer: stored.voucher_signer(),
        price_per_segment: stored.price_per_segment,
        deposit: stored.deposit,
    };
    Ok((domain, terms, last))
}

/// The paid side: accepts vouchers into a store.
pub struct Payee<S> {
    store: S,
    locks: ChannelLocks,
}

impl<S: ChannelStore> Payee<S> {
    /// A payee over `store`.
    pub fn new(store: S) -> Self {
        Self { store, locks: ChannelLocks::default() }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Checks a voucher as the adjudicator will (and above the last accepted) and records it
    /// durably; returns the accepted count once it is on disk.
    ///
    /// # Errors
    /// [`AcceptError`]: a refused voucher, an unknown channel, a store failure.
    pub fn accept(
        &self,
        channel: B256,
        segments: u64,
        signature: &[u8],
    ) -> Result<u64, AcceptError> {
        let lock = self.locks.of(channel);
        let _serialised = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let (domain, terms, last) = terms(&self.store, channel, Role::Payee)?;
        let voucher = Voucher { channel_id: channel, segments };
        voucher::accept(&domain, &terms, last, &voucher, signature)?;
        self.store.record_voucher(channel, segments, signature)?;
        Ok(segments)
    }
}

impl<S: ChannelStore> Payee<S> {
    /// Signs, with the payee's `key`, a `CloseAuthorization` at the best voucher accepted for
    /// `channel`, valid until `deadline` (unix seconds): with it anyone — the payer, a relayer —
    /// may close the channel for the payee, which then needs no ether. Returns the count and the
    /// signature.
    ///
    /// # Errors
    /// [`AcceptError`]: an unknown channel or one we pay, no voucher accepted yet, a key that is
    /// not the channel's payee, a store failure.
    pub fn close_authorization(
        &self,
        channel: B256,
        key: &UnlockedKey,
        deadline: u64,
    ) -> Result<(u64, [u8; 65]), AcceptError> {
        let lock = self.locks.of(channel);
        let _serialised = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let stored = self.store.channel(channel)?.ok_or(StoreError::UnknownChannel(channel))?;
        if stored.role != Role::Payee {
            return Err(AcceptError::WrongRole(channel, "payer"));
        }
        if key.address() != stored.payee {
            let recovered = key.address();
            return Err(VoucherError::WrongSigner { expected: stored.payee, recovered }.into());
        }
        let best = self.store.best_voucher(channel)?.map_or(0, |v| v.segments);
        let domain = Domain { chain_id: stored.chain_id, adjudicator: stored.adjudicator };
        let message =
            Message::Close(CloseAuthorization { channel_id: channel, segments: best, deadline });
        Ok((best, message.sign(&domain, key)))
    }
}

/// The paying side: signs vouchers, recording each before it is sent.
pub struct Payer<S> {
    store: S,
    locks: ChannelLocks,
}

impl<S: ChannelStore> Payer<S> {
    /// A payer over `store`.
    pub fn new(store: S) -> Self {
        Self { store, locks: ChannelLocks::default() }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Signs the voucher for `segments` segments of `channel` with `key`, records it durably and
    /// returns the signature to send.
    ///
    /// # Errors
    /// [`AcceptError`]: an unknown channel, a count not above the last signed, a value above the
    /// deposit, a key that is not the channel's signer, a store failure.
    pub fn sign(
        &self,
        channel: B256,
        segments: u64,
        key: &UnlockedKey,
    ) -> Result<[u8; 65], AcceptError> {
        let lock = self.locks.of(channel);
        let _serialised = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let (domain, terms, last) = terms(&self.store, channel, Role::Payer)?;
        if key.address() != terms.signer {
            let recovered = key.address();
            return Err(VoucherError::WrongSigner { expected: terms.signer, recovered }.into());
        }
        let voucher = Voucher { channel_id: channel, segments };
        let signature = Message::Voucher(voucher).sign(&domain, key);
        voucher::accept(&domain, &terms, last, &voucher, &signature)?;
        self.store.record_voucher(channel, segments, &signature)?;
        Ok(signature)
    }
}
