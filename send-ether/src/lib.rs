//! # `SendEther` — ETH payments with a note, as a public record
//!
//! `transfer(to, description)` forwards the attached ETH to `to` and logs
//! `EtherSent(from, to, value, description)`. It keeps no state and has no owner.
//!
//! **Fixes over the original.** The original forwarded with Solidity's `transfer` (a 2,300-gas
//! stipend), which fails for contract wallets that do anything on receipt; this forwards with a
//! full call (all gas but the 1/64th the caller keeps). A recipient that refuses makes the whole
//! call revert with `SendEtherRecipientRefused(to, value)`, so the sender keeps the ETH. ETH
//! sent without calling `transfer` is refused with `SendEtherPlainEtherRefused`, as the
//! original's fallback refused it, now with a typed error.
//!
//! **Invariants.** The contract's balance never changes: every wei that enters leaves in the same
//! call, or the call reverts. A re-entrant call from the recipient is refused by the SDK's entry
//! guard. Descriptions are the sender's public text: put no personal data in them.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
// `#[entrypoint]` (outside tests) and `export-abi` generate undocumented items; the plain test
// build has neither, so `clippy --all-targets` still enforces docs on every public item.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
// The public methods are the contract's ABI, called through the router, not from Rust.
#![allow(clippy::must_use_candidate)]
// ABI arguments arrive decoded and owned; the router passes them by value.
#![allow(clippy::needless_pass_by_value)]
extern crate alloc;

use alloc::{string::String, vec::Vec};
use alloy_primitives::Address;
use alloy_sol_types::SolError;
use paratii_contracts::send_ether::{
    EtherSent, SendEtherInvalidRecipient, SendEtherPlainEtherRefused, SendEtherRecipientRefused,
};
use stylus_sdk::{call::transfer::transfer_eth, prelude::*};

/// Every way a `SendEther` call can fail; each variant is the Solidity error it reverts with.
#[derive(SolidityError, Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The recipient is the zero address.
    InvalidRecipient(SendEtherInvalidRecipient),
    /// The recipient refused the ETH.
    RecipientRefused(SendEtherRecipientRefused),
    /// Plain ETH was sent without calling `transfer`.
    PlainEtherRefused(SendEtherPlainEtherRefused),
}

/// No state: `SendEther` only forwards and logs.
#[storage]
#[entrypoint]
pub struct SendEther {}

/// The `SendEther` interface.
#[public]
impl SendEther {
    /// Forwards the attached ETH to `to` with all available gas and logs the payment.
    ///
    /// # Errors
    /// [`SendEtherInvalidRecipient`] when `to` is zero; [`SendEtherRecipientRefused`] when the
    /// recipient's code reverts or runs out of gas.
    ///
    /// # Events
    /// `EtherSent(from, to, value, description)`.
    #[payable]
    pub fn transfer(&mut self, to: Address, description: String) -> Result<bool, Error> {
        if to.is_zero() {
            return Err(Error::InvalidRecipient(SendEtherInvalidRecipient { to }));
        }
        let (from, value) = (self.vm().msg_sender(), self.vm().msg_value());
        // Interaction last but for the log: nothing is stored, and a refusal reverts everything.
        transfer_eth(self.vm(), to, value)
            .map_err(|_| Error::RecipientRefused(SendEtherRecipientRefused { to, value }))?;
        self.vm().log(EtherSent { from, to, value, description });
        Ok(true)
    }

    /// Refuses ETH sent without calldata.
    ///
    /// # Errors
    /// Always [`SendEtherPlainEtherRefused(sender, value)`](SendEtherPlainEtherRefused).
    #[receive]
    pub fn receive(&mut self) -> Result<(), Vec<u8>> {
        let (sender, value) = (self.vm().msg_sender(), self.vm().msg_value());
        Err(SendEtherPlainEtherRefused { sender, value }.abi_encode())
    }
}

#[cfg(test)]
mod tests;
