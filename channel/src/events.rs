//! The events, encoded by hand.

use crate::checks::u64_word;
use crate::{Channel, PaymentChannels};
use alloc::vec::Vec;
use alloy_primitives::{B256, U256};
use alloy_sol_types::SolEvent;
use paratii_contracts::channels::{
    ChannelClosed, ChannelOpened, ChannelSettleSkipped, ChannelSettled,
};
use paratii_contracts::words::{address_word, uint_word};
use stylus_sdk::prelude::*;

impl PaymentChannels {
    /// Logs an event whose fields are all static, encoded by hand (the SDK's typed `log` costs
    /// ~1.5 KiB per event; the tests decode every event with alloy): `topics` (the event's
    /// signature hash first, then the indexed fields) and the data words.
    pub(crate) fn emit(&self, topics: &[B256], data: &[B256]) {
        let mut bytes = Vec::with_capacity(32 * (topics.len() + data.len()));
        for word in topics.iter().chain(data) {
            bytes.extend_from_slice(word.as_slice());
        }
        self.vm().emit_log(&bytes, topics.len());
    }

    pub(crate) fn log_opened(&self, id: B256, c: &Channel, deposit: U256) {
        self.emit(
            &[ChannelOpened::SIGNATURE_HASH, id, address_word(c.payer), address_word(c.payee)],
            &[
                address_word(c.signer),
                c.video_id,
                uint_word(c.price_per_segment),
                c.salt,
                uint_word(deposit),
            ],
        );
    }

    pub(crate) fn log_settled(&self, id: B256, segments: u64, amount: U256) {
        self.emit(&[ChannelSettled::SIGNATURE_HASH, id], &[u64_word(segments), uint_word(amount)]);
    }

    /// `ChannelSettleSkipped(id, index, reason)`: the one event with dynamic data (`bytes`).
    pub(crate) fn log_skipped(&self, id: B256, index: usize, reason: &[u8]) {
        let mut bytes = Vec::with_capacity(32 * 5 + reason.len() + 31);
        for word in [
            ChannelSettleSkipped::SIGNATURE_HASH,
            id,
            uint_word(U256::from(index)),
            u64_word(0x40),
            uint_word(U256::from(reason.len())),
        ] {
            bytes.extend_from_slice(word.as_slice());
        }
        bytes.extend_from_slice(reason);
        bytes.resize(bytes.len().next_multiple_of(32), 0);
        self.vm().emit_log(&bytes, 2);
    }

    pub(crate) fn log_closed(
        &self,
        id: B256,
        c: &Channel,
        segments: u64,
        paid: U256,
        refunded: U256,
    ) {
        self.emit(
            &[ChannelClosed::SIGNATURE_HASH, id, address_word(c.payer), address_word(c.payee)],
            &[c.video_id, u64_word(segments), uint_word(paid), uint_word(refunded)],
        );
    }
}
