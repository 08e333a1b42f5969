//! What the end-to-end test files share: the wired suite on a fresh devnet, typed calls that must
//! succeed or revert, PTI balances and funding, and the property tests' case count.
// Each test file compiles this module on its own and uses a part of it.
#![allow(dead_code)]

use alloy_primitives::{address, Address, U256};
use alloy_sol_types::SolCall;
use paratii_devnet::{suite::abi::IParatiiToken, suite::Suite, CallError, Devnet, Receipt};

/// The owner of every owned contract of the suite.
pub(crate) const ADMIN: Address = address!("0x00000000000000000000000000000000000000a0");
/// The holder of the whole PTI supply.
pub(crate) const HOLDER: Address = address!("0x00000000000000000000000000000000000000a1");

/// The suite deployed by [`ADMIN`], PTI held by [`HOLDER`].
pub(crate) struct Chain {
    pub(crate) net: Devnet,
    pub(crate) s: Suite,
}

impl Chain {
    pub(crate) fn new() -> Self {
        let mut net = Devnet::new();
        let s = Suite::deploy(&mut net, ADMIN, HOLDER).expect("suite should deploy");
        Self { net, s }
    }

    /// Sends `call`, which must succeed; returns the receipt.
    pub(crate) fn ok<C: SolCall>(&self, from: Address, to: Address, call: &C) -> Receipt {
        self.net
            .send_receipt(from, to, call)
            .unwrap_or_else(|e| panic!("{} should succeed: {e}", C::SIGNATURE))
    }

    /// Sends `call`, which must revert; returns the revert data.
    pub(crate) fn reverts<C: SolCall>(&self, from: Address, to: Address, call: &C) -> Vec<u8> {
        match self.net.send(from, to, call) {
            Err(CallError::Reverted(data)) => data,
            Err(other) => panic!("{} should revert, failed: {other}", C::SIGNATURE),
            Ok(_) => panic!("{} should revert, succeeded", C::SIGNATURE),
        }
    }

    /// `who`'s PTI balance.
    pub(crate) fn pti_of(&self, who: Address) -> U256 {
        self.net
            .view(self.s.token, &IParatiiToken::balanceOfCall { owner: who })
            .unwrap()
    }

    /// Gives `who` `amount` PTI from the holder.
    pub(crate) fn fund_pti(&self, who: Address, amount: U256) {
        self.ok(
            HOLDER,
            self.s.token,
            &IParatiiToken::transferCall {
                to: who,
                value: amount,
            },
        );
    }

    /// The current block's timestamp.
    pub(crate) fn now(&self) -> u64 {
        self.net.world().block.timestamp
    }
}

/// The property tests' case count: `PROPTEST_CASES`, or `default`.
pub(crate) fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
