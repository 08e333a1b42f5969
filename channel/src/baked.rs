//! The adjudicator's deploy-time constants, read from the module itself when a deployer baked
//! them in ([`paratii_contracts::immutables`]), else from storage.

use crate::PaymentChannels;
use alloy_primitives::Address;
use paratii_contracts::immutables::{ChannelImmutables, CHANNEL_PLACEHOLDER};

paratii_common::deploy_time_constants!(CHANNEL_PLACEHOLDER => ChannelImmutables);

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
