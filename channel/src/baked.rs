//! The adjudicator's deploy-time constants, read from the module itself when a deployer baked
//! them in ([`paratii_contracts::immutables`]), else from storage.

use crate::PaymentChannels;
use alloy_primitives::Address;
use paratii_contracts::immutables::{ChannelImmutables, CHANNEL_PLACEHOLDER};

/// The placeholder a deployer overwrites with the avatar, token and grace period.
#[used]
static IMMUTABLES: [u8; CHANNEL_PLACEHOLDER.len()] = CHANNEL_PLACEHOLDER;

/// Where [`IMMUTABLES`] is, read with a volatile load so the compiler cannot see through it: a
/// plain read of the static would be folded into its compiled (unset) contents.
static PLACEHOLDER: &[u8; CHANNEL_PLACEHOLDER.len()] = &IMMUTABLES;

/// The values baked into this module; `None` when it was deployed as built.
#[inline(never)]
pub(crate) fn baked() -> Option<ChannelImmutables> {
    // SAFETY: `PLACEHOLDER` is a valid, aligned, initialised static that nothing writes.
    let placeholder = unsafe { core::ptr::read_volatile(&raw const PLACEHOLDER) };
    ChannelImmutables::decode(placeholder)
}

impl PaymentChannels {
    /// The PTI token: baked, else stored.
    pub(crate) fn token_address(&self) -> Address {
        baked().map_or_else(|| self.token.get(), |b| b.token)
    }

    /// The avatar: baked, else stored.
    pub(crate) fn avatar_address(&self) -> Address {
        baked().map_or_else(|| self.avatar.get(), |b| b.avatar)
    }

    /// The grace period, seconds: baked, else stored.
    pub(crate) fn grace(&self) -> u64 {
        baked().map_or_else(|| self.grace_period.get().to(), |b| b.grace_period)
    }
}
