//! Property test of the payment channels over the real suite on the devnet (the real PTI token,
//! real signatures through `ecrecover`): random sequences of opens (by the payer, or by its
//! spending key through the avatar, or by a stranger posing as a key), top-ups, settles (good,
//! stale, forged and over-deposit vouchers), closes, close requests, time warps and withdrawals
//! by payers, payees and strangers — and the review's attacker: the registry's owner re-pointing
//! `ParatiiAvatar` and `ParatiiToken` to a hostile contract that answers `true` to everything
//! (scheduled, the delay waited out, applied). After every operation, read from the chain:
//!
//! - PTI held by the adjudicator == Σ over channels (deposit − paid − refunded), from the
//!   adjudicator's own events (so it is never below what live channels owe, whatever the
//!   registry says);
//! - every finalized channel has `paid + refunded == deposit` and `paid == settled × price`;
//! - what a payee was paid never exceeds price × the highest count its payer's signer signed;
//! - settled segments never decrease, deposits never shrink, and a finalized channel's state
//!   never changes again.
//!
//! The unit-level property test (`channel/tests/properties.rs`, 1,000 cases) checks exact
//! outcomes against a model with a mocked token; this one checks the money with the real one.
//! `PROPTEST_CASES` sets the number of cases (default 100, each up to 30 operations).

mod common;

use std::cell::RefCell;

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::{eip712_domain, Eip712Domain, SolCall, SolStruct};
use common::{ADMIN, HOLDER};
use paratii_contracts::{channels::Voucher, names, signing::Signer};
use paratii_devnet::{Devnet, Receipt, Snapshot, Status};
use paratii_test::{
    interfaces::{
        IParatiiAvatar, IParatiiRegistry, IParatiiToken,
        IPaymentChannels::{self, Channel},
    },
    Suite, CHANGE_DELAY, GRACE_PERIOD, PTI,
};
use proptest::prelude::*;

const STRANGER: Address = address!("0x00000000000000000000000000000000000000e0");
const SLOTS: usize = 4;

fn payers() -> [Signer; 2] {
    [Signer::from_seed(501), Signer::from_seed(502)]
}

/// Each payer's spending key.
const KEYS: [Address; 2] = [
    address!("0x00000000000000000000000000000000000000d0"),
    address!("0x00000000000000000000000000000000000000d1"),
];

fn payees() -> [Address; 2] {
    [
        address!("0x00000000000000000000000000000000000000c0"),
        address!("0x00000000000000000000000000000000000000c1"),
    ]
}

/// Slot `i`'s channel: payer `i % 2`, payee `i / 2 % 2`, its own price.
fn channel(payers: &[Signer; 2], slot: usize) -> Channel {
    let prices = [1u64, 3, 1_000, 7_777];
    Channel {
        payer: payers[slot % 2].address(),
        payee: payees()[slot / 2 % 2],
        signer: Address::ZERO,
        videoId: B256::repeat_byte(0x11),
        pricePerSegment: U256::from(prices[slot]),
        salt: B256::with_last_byte(u8::try_from(slot).unwrap_or(0)),
    }
}

#[derive(Debug, Clone)]
enum Sig {
    Good,
    Forged,
}

#[derive(Debug, Clone)]
enum Op {
    Open {
        slot: usize,
        segments: u64,
    },
    /// An open through the avatar, by the payer's spending key or by a stranger posing as one.
    OpenFor {
        slot: usize,
        segments: u64,
        by_key: bool,
    },
    /// The registry's owner re-points `ParatiiAvatar` (or `ParatiiToken`) to the hostile
    /// contract.
    Repoint {
        avatar: bool,
    },
    TopUp {
        slot: usize,
        segments: u64,
        stranger: bool,
    },
    Settle {
        slot: usize,
        segments: u64,
        sig: Sig,
    },
    Close {
        slot: usize,
        segments: u64,
        by_payee: bool,
    },
    RequestClose {
        slot: usize,
        stranger: bool,
    },
    Warp {
        secs: u64,
    },
    Withdraw {
        slot: usize,
        stranger: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let slot = 0..SLOTS;
    prop_oneof![
        1 => (slot.clone(), 1u64..200).prop_map(|(slot, segments)| Op::Open { slot, segments }),
        1 => (slot.clone(), 1u64..200, any::<bool>())
            .prop_map(|(slot, segments, by_key)| Op::OpenFor { slot, segments, by_key }),
        1 => any::<bool>().prop_map(|avatar| Op::Repoint { avatar }),
        1 => (slot.clone(), 1u64..50, any::<bool>()).prop_map(|(slot, segments, stranger)| Op::TopUp {
            slot,
            segments,
            stranger
        }),
        3 => (slot.clone(), 0u64..260, prop_oneof![4 => Just(Sig::Good), 1 => Just(Sig::Forged)])
            .prop_map(|(slot, segments, sig)| Op::Settle { slot, segments, sig }),
        1 => (slot.clone(), 0u64..260, any::<bool>())
            .prop_map(|(slot, segments, by_payee)| Op::Close { slot, segments, by_payee }),
        1 => (slot.clone(), any::<bool>()).prop_map(|(slot, stranger)| Op::RequestClose { slot, stranger }),
        1 => (0u64..2 * GRACE_PERIOD).prop_map(|secs| Op::Warp { secs }),
        1 => (slot, any::<bool>()).prop_map(|(slot, stranger)| Op::Withdraw { slot, stranger }),
    ]
}

/// What the adjudicator's events say each channel moved.
#[derive(Default, Clone, Copy)]
struct Books {
    deposit: U256,
    paid: U256,
    refunded: U256,
    /// The highest count the payer signed (the test signs only what it submits).
    signed: u64,
}

struct Fixture {
    net: Devnet,
    suite: Suite,
    domain: Eip712Domain,
    start: Snapshot,
    payers: [Signer; 2],
    /// A contract that answers `true` to every call and moves nothing.
    hostile: Address,
    /// Each slot's channel, and its id as the adjudicator computes it.
    channels: [Channel; SLOTS],
    ids: [B256; SLOTS],
}

thread_local! {
    static FIXTURE: RefCell<Option<Fixture>> = const { RefCell::new(None) };
}

fn setup() -> Fixture {
    let mut net = Devnet::new();
    let suite = Suite::deploy(&mut net, ADMIN, HOLDER).expect("suite should deploy");
    let hostile = net.deploy(ADMIN, &common::always_true(), None).unwrap();
    let expiry = net.world().block.timestamp + 10 * 365 * 86_400;
    for (payer, key) in payers().into_iter().zip(KEYS) {
        for (to, target, data) in [
            (
                payer.address(),
                suite.token,
                IParatiiToken::approveCall { spender: suite.avatar, value: U256::MAX }.abi_encode(),
            ),
            (
                payer.address(),
                suite.avatar,
                IParatiiAvatar::authorizeSpendingKeyCall { key, cap: PTI, expiry }.abi_encode(),
            ),
        ] {
            let r = net.call(to, target, &data, U256::ZERO).unwrap();
            assert_eq!(r.status, Status::Success);
        }
        for (to, data) in [
            (HOLDER, IParatiiToken::transferCall { to: payer.address(), value: PTI }.abi_encode()),
            (
                payer.address(),
                IParatiiToken::approveCall { spender: suite.channels, value: U256::MAX }
                    .abi_encode(),
            ),
        ] {
            let target = suite.token;
            let r = net.call(to, target, &data, U256::ZERO).unwrap();
            assert_eq!(r.status, Status::Success);
        }
    }
    let domain = eip712_domain! {
        name: "Paratii Channels", version: "1", chain_id: net.world().block.chain_id,
        verifying_contract: suite.channels,
    };
    let payers = payers();
    let channels: [Channel; SLOTS] = std::array::from_fn(|slot| channel(&payers, slot));
    let ids = channels.clone().map(|channel| {
        net.view(suite.channels, &IPaymentChannels::channelIdCall { channel }).unwrap()
    });
    let start = net.snapshot();
    Fixture { net, suite, domain, start, payers, hostile, channels, ids }
}

/// `(deposit, settled, close requested at, finalized)` of a slot's channel.
fn state(f: &Fixture, slot: usize) -> (U256, u64, u64, bool) {
    let s = f
        .net
        .view(f.suite.channels, &IPaymentChannels::channelStateCall { channel_id: f.ids[slot] })
        .unwrap();
    (s._0, s._1, s._2, s._3)
}

fn voucher(f: &Fixture, slot: usize, segments: u64, sig: &Sig, books: &mut Books) -> Vec<u8> {
    let voucher = Voucher { channelId: f.ids[slot], segments };
    let signer = match sig {
        Sig::Good => {
            books.signed = books.signed.max(segments);
            f.payers[slot % 2].clone()
        }
        Sig::Forged => Signer::from_seed(666),
    };
    signer.sign(voucher.eip712_signing_hash(&f.domain)).to_packed().to_vec()
}

/// The registry's owner schedules `ParatiiAvatar` (or `ParatiiToken`) to become the hostile
/// contract and the delay passes; returns the apply call (anyone's) that makes it so.
fn schedule_repoint(f: &Fixture, avatar: bool) -> (Address, Vec<u8>) {
    let name = if avatar { names::PARATII_AVATAR.name } else { names::PARATII_TOKEN.name };
    let schedule =
        IParatiiRegistry::registerAddressCall { name: name.into(), value: f.hostile }.abi_encode();
    let r = f.net.call(ADMIN, f.suite.registry, &schedule, U256::ZERO).unwrap();
    assert_eq!(r.status, Status::Success);
    f.net.advance_time(CHANGE_DELAY).unwrap();
    (STRANGER, IParatiiRegistry::applyAddressChangeCall { name: name.into() }.abi_encode())
}

/// Runs one operation; it may succeed or revert, but never fail otherwise.
fn step(f: &Fixture, books: &mut [Books; SLOTS], op: &Op) -> Receipt {
    let ch = |slot: usize| f.channels[slot].clone();
    let (from, data) = match op {
        Op::Open { slot, segments } => (
            ch(*slot).payer,
            IPaymentChannels::openCall {
                channel: ch(*slot),
                deposit: ch(*slot).pricePerSegment * U256::from(*segments),
            }
            .abi_encode(),
        ),
        Op::OpenFor { slot, segments, by_key } => (
            if *by_key { KEYS[slot % 2] } else { STRANGER },
            IPaymentChannels::openForCall {
                channel: ch(*slot),
                deposit: ch(*slot).pricePerSegment * U256::from(*segments),
            }
            .abi_encode(),
        ),
        Op::Repoint { avatar } => schedule_repoint(f, *avatar),
        Op::TopUp { slot, segments, stranger } => (
            if *stranger { STRANGER } else { ch(*slot).payer },
            IPaymentChannels::topUpCall {
                channel: ch(*slot),
                amount: ch(*slot).pricePerSegment * U256::from(*segments),
            }
            .abi_encode(),
        ),
        Op::Settle { slot, segments, sig } => (
            STRANGER,
            IPaymentChannels::settleCall {
                channel: ch(*slot),
                segments: *segments,
                voucher_signature: voucher(f, *slot, *segments, sig, &mut books[*slot]).into(),
            }
            .abi_encode(),
        ),
        Op::Close { slot, segments, by_payee } => (
            if *by_payee { ch(*slot).payee } else { STRANGER },
            IPaymentChannels::closeCall {
                channel: ch(*slot),
                segments: *segments,
                voucher_signature: voucher(f, *slot, *segments, &Sig::Good, &mut books[*slot])
                    .into(),
            }
            .abi_encode(),
        ),
        Op::RequestClose { slot, stranger } => (
            if *stranger { STRANGER } else { ch(*slot).payer },
            IPaymentChannels::requestCloseCall { channel: ch(*slot) }.abi_encode(),
        ),
        Op::Warp { secs } => {
            f.net.advance_time(*secs).unwrap();
            (STRANGER, IParatiiToken::totalSupplyCall {}.abi_encode())
        }
        Op::Withdraw { slot, stranger } => (
            if *stranger { STRANGER } else { ch(*slot).payer },
            IPaymentChannels::withdrawCall { channel: ch(*slot) }.abi_encode(),
        ),
    };
    let to = match op {
        Op::Warp { .. } => f.suite.token,
        Op::Repoint { .. } => f.suite.registry,
        _ => f.suite.channels,
    };
    f.net.call(from, to, &data, U256::ZERO).unwrap()
}

/// Books the adjudicator's events of a successful receipt into the slots they name.
fn book(f: &Fixture, books: &mut [Books; SLOTS], receipt: &Receipt) {
    let slot_of = |id: B256| f.ids.iter().position(|x| *x == id).expect("a known channel");
    let at = f.suite.channels;
    for e in receipt.events::<IPaymentChannels::ChannelOpened>(at) {
        books[slot_of(e.channelId)].deposit += e.deposit;
    }
    for e in receipt.events::<IPaymentChannels::ChannelToppedUp>(at) {
        books[slot_of(e.channelId)].deposit += e.amount;
    }
    for e in receipt.events::<IPaymentChannels::ChannelSettled>(at) {
        books[slot_of(e.channelId)].paid += e.amount;
    }
    for e in receipt.events::<IPaymentChannels::ChannelClosed>(at) {
        let b = &mut books[slot_of(e.channelId)];
        // `paid` in the close record is the channel's whole payout; any part not yet booked was
        // paid by this close.
        b.paid = e.paid;
        b.refunded = e.refunded;
    }
}

fn check(
    f: &Fixture,
    books: &[Books; SLOTS],
    before: &[(U256, u64, u64, bool); SLOTS],
) -> Result<[(U256, u64, u64, bool); SLOTS], TestCaseError> {
    let held = f
        .net
        .view(f.suite.token, &IParatiiToken::balanceOfCall { owner: f.suite.channels })
        .unwrap();
    let owed = books.iter().fold(U256::ZERO, |sum, b| sum + b.deposit - b.paid - b.refunded);
    prop_assert_eq!(held, owed, "PTI held == Σ (deposit − paid − refunded)");
    let mut now = [(U256::ZERO, 0, 0, false); SLOTS];
    for slot in 0..SLOTS {
        let s = state(f, slot);
        let b = books[slot];
        let price = f.channels[slot].pricePerSegment;
        prop_assert_eq!(s.0, b.deposit, "deposit of slot {}", slot);
        prop_assert_eq!(b.paid, price * U256::from(s.1), "paid == settled × price, slot {}", slot);
        prop_assert!(s.1 <= b.signed, "settled beyond what was signed, slot {}", slot);
        prop_assert!(s.1 >= before[slot].1, "settled decreased, slot {}", slot);
        prop_assert!(s.0 >= before[slot].0, "deposit shrank, slot {}", slot);
        if before[slot].3 {
            prop_assert_eq!(s, before[slot], "a finalized channel changed, slot {}", slot);
        }
        if s.3 {
            prop_assert_eq!(b.paid + b.refunded, b.deposit, "finalized slot {} books", slot);
        }
        now[slot] = s;
    }
    Ok(now)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: common::cases(100), ..ProptestConfig::default() })]

    #[test]
    fn channels_conserve_pti_and_pay_only_what_was_signed(
        ops in prop::collection::vec(op(), 1..30)
    ) {
        FIXTURE.with(|cell| {
            let mut slot = cell.borrow_mut();
            let f = slot.get_or_insert_with(setup);
            f.net.revert_to(&f.start).unwrap();
            let mut books = [Books::default(); SLOTS];
            let mut before = [(U256::ZERO, 0, 0, false); SLOTS];
            for op in &ops {
                let receipt = step(f, &mut books, op);
                prop_assert!(
                    receipt.status != Status::Failure,
                    "{:?} failed: {}", op, receipt.failure
                );
                if receipt.status == Status::Success {
                    book(f, &mut books, &receipt);
                }
                before = check(f, &books, &before)?;
            }
            Ok::<(), TestCaseError>(())
        })?;
    }
}
