//! PTI moving in and out: pulls, payouts and the one read of a token's answer.

use crate::{PaymentChannels, TRANSFER, TRANSFER_FROM};
use alloc::vec::Vec;
use alloy_primitives::{Address, U256};
use paratii_common::call_returning_true;
use paratii_contracts::words::{address_word, calldata, uint_at, uint_word};
use stylus_sdk::call::static_call;
use stylus_sdk::prelude::*;

impl PaymentChannels {
    /// Pulls `amount` PTI wei of `from`'s here with `transferFrom`.
    pub(crate) fn pull(
        &mut self,
        token: Address,
        from: Address,
        amount: U256,
    ) -> Result<(), Vec<u8>> {
        let this = self.vm().contract_address();
        let data =
            calldata(TRANSFER_FROM, &[address_word(from), address_word(this), uint_word(amount)]);
        let ctx = Call::new_mutating(self);
        call_returning_true(self.vm(), ctx, token, &data)
    }

    /// The first return word of a static call of `target` with `data`; `None` when the call
    /// fails or answers less than a word.
    #[inline(never)]
    pub(crate) fn read_uint(&self, target: Address, data: &[u8]) -> Option<U256> {
        static_call(self.vm(), Call::new(), target, data).ok().and_then(|out| uint_at(&out, 0))
    }

    /// Sends `amount` PTI wei to `to`; nothing to send, no call.
    pub(crate) fn transfer(
        &mut self,
        token: Address,
        to: Address,
        amount: U256,
    ) -> Result<(), Vec<u8>> {
        if amount.is_zero() {
            return Ok(());
        }
        let data = calldata(TRANSFER, &[address_word(to), uint_word(amount)]);
        let ctx = Call::new_mutating(self);
        call_returning_true(self.vm(), ctx, token, &data)
    }
}
