//! A channel's stored word ([`ChannelState`]) and its phase ([`Phase`]), the one derivation the
//! guards and the `channelState` view share.

use crate::{
    FINALIZED_BIT, PHASE_CLOSING, PHASE_FINALIZED, PHASE_NONE, PHASE_OPEN, PHASE_WITHDRAWABLE,
};
use alloy_primitives::B256;

/// A channel's stored state, one storage word (as a big-endian number): bits 0–95 the deposit,
/// bit 127 the finalized flag, bits 128–191 the settled segments, bits 192–255 the close
/// request's time. A never-opened
/// channel is the zero word (every opened channel has a non-zero deposit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChannelState {
    /// PTI wei escrowed over the channel's life (the opening deposit plus top-ups), at most
    /// 2⁹⁶ − 1. It never decreases: payouts are `settled × pricePerSegment`.
    pub deposit: u128,
    /// The cumulative segment count paid to the payee.
    pub settled: u64,
    /// When the payer requested to close (unix seconds), zero when no close is pending.
    pub close_requested_at: u64,
    /// Whether the channel is finalized (closed or withdrawn).
    pub finalized: bool,
}

impl ChannelState {
    /// Decodes a storage word.
    #[must_use]
    pub fn from_word(word: B256) -> Self {
        let limb = |i: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&word[i * 8..i * 8 + 8]);
            u64::from_be_bytes(bytes)
        };
        let (close_requested_at, settled, high, low) = (limb(0), limb(1), limb(2), limb(3));
        Self {
            deposit: u128::from(low) | (u128::from(high & !FINALIZED_BIT) << 64),
            settled,
            close_requested_at,
            finalized: high & FINALIZED_BIT != 0,
        }
    }

    /// Encodes the state as a storage word (the deposit must be below 2⁹⁶, as every stored one
    /// is).
    #[must_use]
    // Splits the deposit into its low and high 64-bit halves.
    #[allow(clippy::cast_possible_truncation)]
    pub fn to_word(self) -> B256 {
        let flag = if self.finalized { FINALIZED_BIT } else { 0 };
        let mut word = B256::ZERO;
        for (i, limb) in [
            self.close_requested_at,
            self.settled,
            (self.deposit >> 64) as u64 | flag,
            self.deposit as u64,
        ]
        .into_iter()
        .enumerate()
        {
            word[i * 8..i * 8 + 8].copy_from_slice(&limb.to_be_bytes());
        }
        word
    }

    /// Whether the channel was ever opened.
    #[must_use]
    pub fn is_opened(self) -> bool {
        self.deposit != 0
    }

    /// When the grace period of a pending close ends (unix seconds): `grace` seconds after the
    /// request (saturating: a grace period past the end of time never ends).
    #[must_use]
    pub fn closes_at(self, grace: u64) -> u64 {
        self.close_requested_at.saturating_add(grace)
    }

    /// The channel's phase, a pure function of the stored word: what the guards match on and
    /// what the `channelState` view reports ([`Phase::code`]).
    #[must_use]
    pub fn phase(self) -> Phase {
        if !self.is_opened() {
            Phase::None
        } else if self.finalized {
            Phase::Finalized
        } else if self.close_requested_at == 0 {
            Phase::Open
        } else {
            Phase::CloseRequested
        }
    }
}

/// Where a channel is in its life, from [`ChannelState::phase`]. The guards match on it; the
/// `channelState` view reports it with the clock applied ([`Phase::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    /// Never opened.
    None = PHASE_NONE,
    /// Open, no close requested.
    Open = PHASE_OPEN,
    /// The payer requested to close ([`ChannelState::close_requested_at`]); from
    /// [`ChannelState::closes_at`] on the payer may withdraw, and until the withdrawal the payee
    /// may still settle or close.
    CloseRequested = PHASE_CLOSING,
    /// Closed or withdrawn: nothing changes it any more.
    Finalized = PHASE_FINALIZED,
}

impl Phase {
    /// The phase as the `channelState` view reports it: one of the `PHASE_*` codes, a requested
    /// close being [`PHASE_CLOSING`] until `grace_over` ([`ChannelState::closes_at`] reached) and
    /// [`PHASE_WITHDRAWABLE`] from then on.
    #[must_use]
    pub fn code(self, grace_over: bool) -> u8 {
        if self == Self::CloseRequested && grace_over {
            PHASE_WITHDRAWABLE
        } else {
            self as u8
        }
    }
}
