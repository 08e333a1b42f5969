//! Property tests: random sequences of transfer / approve / transferFrom / allowance changes /
//! permit over a few actors, run against the contract and a reference model side by side.
//!
//! After every operation: the contract's result (success, or the exact typed error) equals the
//! model's; every balance, allowance and nonce equals the model's; `Σ balances == totalSupply`.
//! Because the model only lets a spender move what it was allowed, agreement with it proves that
//! allowances are never exceeded. 1,000 cases per property, each up to 40 operations.

use std::collections::HashMap;

use alloy_primitives::{Address, U256};
use alloy_sol_types::{eip712_domain, SolStruct};
use paratii_common::testing::{high_s_twin, PrecompileHost, Signer};
use paratii_contracts::{
    ecdsa::Signature,
    signature::ECDSAInvalidSignatureS,
    token::{
        ERC20AllowanceOverflow, ERC20FailedDecreaseAllowance, ERC20InsufficientAllowance,
        ERC20InsufficientBalance, ERC20InvalidReceiver, ERC2612ExpiredSignature,
        ERC2612InvalidSigner, Permit,
    },
};
use paratii_token::{Error, ParatiiToken, INITIAL_SUPPLY};
use proptest::prelude::*;
use stylus_sdk::stylus_core::host::AccountAccess;

const ACTORS: usize = 4;
const CHAIN_ID: u64 = 42_161;
const NOW: u64 = 1_800_000_000;

#[derive(Debug, Clone)]
enum Op {
    Transfer { from: usize, to: Option<usize>, value: U256 },
    Approve { owner: usize, spender: usize, value: U256 },
    TransferFrom { spender: usize, from: usize, to: Option<usize>, value: U256 },
    IncreaseAllowance { owner: usize, spender: usize, value: U256 },
    DecreaseAllowance { owner: usize, spender: usize, value: U256 },
    DecreaseApproval { owner: usize, spender: usize, value: U256 },
    Permit { owner: usize, spender: usize, value: U256, signer: usize, expired: bool, high_s: bool },
}

fn value() -> impl Strategy<Value = U256> {
    prop_oneof![
        4 => (0u128..=25_000_000u128).prop_map(|n| U256::from(n) * U256::from(10u128.pow(18))),
        2 => (0u64..1_000).prop_map(U256::from),
        1 => Just(U256::MAX),
        1 => any::<[u8; 32]>().prop_map(U256::from_be_bytes),
    ]
}

fn actor() -> impl Strategy<Value = usize> {
    0..ACTORS
}

/// A receiver: an actor, or (rarely) the zero address.
fn receiver() -> impl Strategy<Value = Option<usize>> {
    prop_oneof![9 => actor().prop_map(Some), 1 => Just(None)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (actor(), receiver(), value()).prop_map(|(from, to, value)| Op::Transfer { from, to, value }),
        2 => (actor(), actor(), value()).prop_map(|(owner, spender, value)| Op::Approve { owner, spender, value }),
        3 => (actor(), actor(), receiver(), value())
            .prop_map(|(spender, from, to, value)| Op::TransferFrom { spender, from, to, value }),
        1 => (actor(), actor(), value()).prop_map(|(owner, spender, value)| Op::IncreaseAllowance { owner, spender, value }),
        1 => (actor(), actor(), value()).prop_map(|(owner, spender, value)| Op::DecreaseAllowance { owner, spender, value }),
        1 => (actor(), actor(), value()).prop_map(|(owner, spender, value)| Op::DecreaseApproval { owner, spender, value }),
        2 => (actor(), actor(), value(), actor(), prop::bool::weighted(0.15), prop::bool::weighted(0.15))
            .prop_map(|(owner, spender, value, signer, expired, high_s)| Op::Permit { owner, spender, value, signer, expired, high_s }),
    ]
}

/// The reference model: plain maps and the ERC-20/EIP-2612 rules written out directly.
#[derive(Default)]
struct Model {
    balances: HashMap<Address, U256>,
    allowances: HashMap<(Address, Address), U256>,
    nonces: HashMap<Address, U256>,
}

impl Model {
    fn balance(&self, a: Address) -> U256 {
        self.balances.get(&a).copied().unwrap_or_default()
    }
    fn allowance(&self, o: Address, s: Address) -> U256 {
        self.allowances.get(&(o, s)).copied().unwrap_or_default()
    }
    fn nonce(&self, a: Address) -> U256 {
        self.nonces.get(&a).copied().unwrap_or_default()
    }
    fn transfer(&mut self, from: Address, to: Address, value: U256) -> Result<(), Error> {
        if to.is_zero() {
            return Err(Error::InvalidReceiver(ERC20InvalidReceiver { receiver: to }));
        }
        let balance = self.balance(from);
        if balance < value {
            return Err(Error::InsufficientBalance(ERC20InsufficientBalance {
                sender: from,
                balance,
                needed: value,
            }));
        }
        self.balances.insert(from, balance - value);
        let to_balance = self.balance(to);
        self.balances.insert(to, to_balance + value);
        Ok(())
    }
}

struct World {
    host: PrecompileHost,
    token: ParatiiToken,
    model: Model,
    signers: Vec<Signer>,
}

impl World {
    fn new() -> Self {
        let host = PrecompileHost::new();
        host.vm.set_chain_id(CHAIN_ID);
        host.vm.set_block_timestamp(NOW);
        let signers: Vec<Signer> = (1..=ACTORS as u64).map(Signer::from_seed).collect();
        let mut token = ParatiiToken::from(&host);
        token.constructor(signers[0].address()).unwrap();
        let mut model = Model::default();
        model.balances.insert(signers[0].address(), INITIAL_SUPPLY);
        Self { host, token, model, signers }
    }

    fn addr(&self, i: usize) -> Address {
        self.signers[i].address()
    }

    fn as_sender(&self, i: usize) {
        self.host.vm.set_sender(self.addr(i));
    }

    fn permit_signature(
        &self,
        owner: Address,
        spender: Address,
        value: U256,
        deadline: U256,
        signer: usize,
    ) -> Signature {
        let permit = Permit { owner, spender, value, nonce: self.model.nonce(owner), deadline };
        let domain = eip712_domain! {
            name: "Paratii", version: "1", chain_id: CHAIN_ID,
            verifying_contract: self.host.vm.contract_address(),
        };
        self.signers[signer].sign(permit.eip712_signing_hash(&domain))
    }

    /// Runs `op` on the contract and the model; both must agree.
    #[allow(clippy::too_many_lines)]
    fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let to_addr = |w: &Self, to: Option<usize>| to.map_or(Address::ZERO, |i| w.addr(i));
        let (got, want): (Result<(), Error>, Result<(), Error>) = match *op {
            Op::Transfer { from, to, value } => {
                let (f, t) = (self.addr(from), to_addr(self, to));
                self.as_sender(from);
                (self.token.transfer(t, value).map(|_| ()), self.model.transfer(f, t, value))
            }
            Op::Approve { owner, spender, value } => {
                let (o, s) = (self.addr(owner), self.addr(spender));
                self.as_sender(owner);
                self.model.allowances.insert((o, s), value);
                (self.token.approve(s, value).map(|_| ()), Ok(()))
            }
            Op::TransferFrom { spender, from, to, value } => {
                let (s, f, t) = (self.addr(spender), self.addr(from), to_addr(self, to));
                self.as_sender(spender);
                let allowance = self.model.allowance(f, s);
                let want = if allowance < value {
                    Err(Error::InsufficientAllowance(ERC20InsufficientAllowance {
                        spender: s,
                        allowance,
                        needed: value,
                    }))
                } else {
                    self.model.transfer(f, t, value).map(|()| {
                        if allowance != U256::MAX {
                            self.model.allowances.insert((f, s), allowance - value);
                        }
                    })
                };
                (self.token.transfer_from(f, t, value).map(|_| ()), want)
            }
            Op::IncreaseAllowance { owner, spender, value } => {
                let (o, s) = (self.addr(owner), self.addr(spender));
                self.as_sender(owner);
                let allowance = self.model.allowance(o, s);
                let want = match allowance.checked_add(value) {
                    Some(v) => {
                        self.model.allowances.insert((o, s), v);
                        Ok(())
                    }
                    None => Err(Error::AllowanceOverflow(ERC20AllowanceOverflow {
                        spender: s,
                        allowance,
                        added: value,
                    })),
                };
                (self.token.increase_allowance(s, value).map(|_| ()), want)
            }
            Op::DecreaseAllowance { owner, spender, value } => {
                let (o, s) = (self.addr(owner), self.addr(spender));
                self.as_sender(owner);
                let allowance = self.model.allowance(o, s);
                let want = match allowance.checked_sub(value) {
                    Some(v) => {
                        self.model.allowances.insert((o, s), v);
                        Ok(())
                    }
                    None => Err(Error::FailedDecreaseAllowance(ERC20FailedDecreaseAllowance {
                        spender: s,
                        allowance,
                        requestedDecrease: value,
                    })),
                };
                (self.token.decrease_allowance(s, value).map(|_| ()), want)
            }
            Op::DecreaseApproval { owner, spender, value } => {
                let (o, s) = (self.addr(owner), self.addr(spender));
                self.as_sender(owner);
                let lowered = self.model.allowance(o, s).saturating_sub(value);
                self.model.allowances.insert((o, s), lowered);
                (self.token.decrease_approval(s, value).map(|_| ()), Ok(()))
            }
            Op::Permit { owner, spender, value, signer, expired, high_s } => {
                let (o, s) = (self.addr(owner), self.addr(spender));
                let deadline = U256::from(if expired { NOW - 1 } else { NOW + 3600 });
                let mut sig = self.permit_signature(o, s, value, deadline, signer);
                if high_s {
                    sig = high_s_twin(&sig);
                }
                // Relayed by a third party: the caller does not matter.
                self.as_sender((owner + 1) % ACTORS);
                let want = if expired {
                    Err(Error::ExpiredSignature(ERC2612ExpiredSignature { deadline }))
                } else if high_s {
                    Err(Error::InvalidSignatureS(ECDSAInvalidSignatureS { s: sig.s }))
                } else if signer != owner {
                    Err(Error::InvalidSigner(ERC2612InvalidSigner {
                        signer: self.addr(signer),
                        owner: o,
                    }))
                } else {
                    *self.model.nonces.entry(o).or_default() += U256::from(1);
                    self.model.allowances.insert((o, s), value);
                    Ok(())
                };
                (self.token.permit(o, s, value, deadline, sig.v, sig.r, sig.s), want)
            }
        };
        prop_assert_eq!(got, want, "{:?}", op);
        self.check_state()
    }

    fn check_state(&self) -> Result<(), TestCaseError> {
        let mut sum = U256::ZERO;
        for i in 0..ACTORS {
            let a = self.addr(i);
            let balance = self.token.balance_of(a);
            prop_assert_eq!(balance, self.model.balance(a));
            prop_assert_eq!(self.token.nonces(a), self.model.nonce(a));
            for j in 0..ACTORS {
                let s = self.addr(j);
                prop_assert_eq!(self.token.allowance(a, s), self.model.allowance(a, s));
            }
            sum += balance;
        }
        prop_assert_eq!(self.token.balance_of(Address::ZERO), U256::ZERO);
        prop_assert_eq!(sum, self.token.total_supply());
        prop_assert_eq!(sum, INITIAL_SUPPLY);
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Σ balances == totalSupply and every balance, allowance and nonce matches the model, after
    /// every operation of any sequence.
    #[test]
    fn random_sequences_conserve_supply_and_match_model(ops in prop::collection::vec(op(), 1..40)) {
        let mut world = World::new();
        for op in &ops {
            world.apply(op)?;
        }
    }

    /// A spender never moves more than it was allowed: over any sequence of approvals and
    /// transferFroms by one spender, the total moved never exceeds the total approved.
    #[test]
    fn transfer_from_never_exceeds_allowances(
        steps in prop::collection::vec((prop::bool::ANY, (0u64..5_000).prop_map(U256::from)), 1..40)
    ) {
        let mut world = World::new();
        let (owner, spender) = (world.addr(0), world.addr(1));
        let (mut approved, mut moved) = (U256::ZERO, U256::ZERO);
        for (approve, value) in steps {
            if approve {
                world.as_sender(0);
                let current = world.token.allowance(owner, spender);
                world.token.increase_allowance(spender, value).unwrap();
                approved += value;
                prop_assert_eq!(world.token.allowance(owner, spender), current + value);
            } else {
                world.as_sender(1);
                if world.token.transfer_from(owner, world.addr(2), value).is_ok() {
                    moved += value;
                }
            }
            prop_assert!(moved <= approved, "moved {} of {} approved", moved, approved);
            prop_assert_eq!(world.token.allowance(owner, spender), approved - moved);
            prop_assert_eq!(world.token.balance_of(world.addr(2)), moved);
        }
    }
}
