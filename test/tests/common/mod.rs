//! What the end-to-end test files share: the wired suite on a fresh devnet, typed calls that must
//! succeed or revert, PTI balances and funding, and the property tests' case count.
// Each test file compiles this module on its own and uses a part of it.
#![allow(dead_code)]

use std::fmt::Write as _;

use alloy_primitives::{address, Address, U256};
use alloy_sol_types::SolCall;
use paratii_devnet::{CallError, Devnet, Receipt};
use paratii_test::{interfaces::IParatiiToken, Suite};

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
        self.net.view(self.s.token, &IParatiiToken::balanceOfCall { owner: who }).unwrap()
    }

    /// Gives `who` `amount` PTI from the holder.
    pub(crate) fn fund_pti(&self, who: Address, amount: U256) {
        self.ok(HOLDER, self.s.token, &IParatiiToken::transferCall { to: who, value: amount });
    }

    /// The current block's timestamp.
    pub(crate) fn now(&self) -> u64 {
        self.net.world().block.timestamp
    }
}

/// The property tests' case count: `PROPTEST_CASES`, or `default`.
pub(crate) fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `bytes` as a WAT data string (`\\ab\\cd…`).
pub(crate) fn wat_bytes(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "\\{b:02x}");
        out
    })
}

/// A Stylus program that answers every call, whatever its calldata, with the 32-byte `word`
/// (and never moves anything): a hostile peer that says `true` (`word` 1) to every
/// `transferFrom`, or a stub whose `token()` names an address.
pub(crate) fn answering(word: alloy_primitives::B256) -> Vec<u8> {
    let data = wat_bytes(word.as_slice());
    wat::parse_str(format!(
        r#"(module
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "{data}")
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $write_result (i32.const 64) (i32.const 32))
    (i32.const 0)))"#
    ))
    .expect("the stub should assemble")
}

/// A hostile peer answering `true` to every call.
pub(crate) fn always_true() -> Vec<u8> {
    answering(alloy_primitives::B256::with_last_byte(1))
}

impl Chain {
    /// The registry's owner re-points `name` to `value` the only way the registry allows:
    /// scheduled, the change delay waited out, then applied (by anyone).
    pub(crate) fn repoint(&self, name: &str, value: Address) {
        use paratii_test::interfaces::IParatiiRegistry;
        self.registry_change(
            &IParatiiRegistry::registerAddressCall { name: name.into(), value },
            &IParatiiRegistry::applyAddressChangeCall { name: name.into() },
        );
    }

    /// The registry's owner sets the number `name` to `value`: scheduled, the change delay
    /// waited out, then applied (by anyone).
    pub(crate) fn set_uint(&self, name: &str, value: U256) {
        use paratii_test::interfaces::IParatiiRegistry;
        self.registry_change(
            &IParatiiRegistry::registerUintCall { name: name.into(), value },
            &IParatiiRegistry::applyUintChangeCall { name: name.into() },
        );
    }

    /// The owner's `schedule` call, the change delay, then anyone's `apply` call.
    fn registry_change<S: SolCall, A: SolCall>(&self, schedule: &S, apply: &A) {
        self.ok(ADMIN, self.s.registry, schedule);
        self.net.advance_time(paratii_test::CHANGE_DELAY).unwrap();
        self.ok(HOLDER, self.s.registry, apply);
    }
}
