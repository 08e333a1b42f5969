//! Property test over the real wired suite on the devnet: random sequences of video
//! registrations (some copied by the other creator, as a front-runner would) and removals,
//! purchases (some with a maximum price below the current one), votes and PTI transfers by a few
//! creators and users, run against a reference model.
//!
//! After every operation: the outcome (success or the exact refusal) equals the model's; every
//! actor's PTI equals the model's; **PTI is conserved** (Σ over every holder, the pool and the
//! contracts == total supply, and no contract but the avatar ever holds PTI); and for every video
//! the registry's like/dislike counters equal **the number of users currently liking/disliking
//! it**, counted from the user registry's per-user flags (independently of the model) and from
//! the model. `PROPTEST_CASES` sets the number of cases (default 300, each up to 40 operations).

mod common;

use std::{cell::RefCell, collections::HashMap};

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::{SolCall, SolError};
use common::{ADMIN, HOLDER};
use paratii_devnet::{Devnet, Snapshot, Status};
use paratii_test::{
    interfaces::{IParatiiToken, IUserRegistry, IVideoRegistry, IVideoStore},
    Suite, POOL_SHARE, PTI,
};
use proptest::prelude::*;

const CREATORS: [Address; 2] = [
    address!("0x00000000000000000000000000000000000000c0"),
    address!("0x00000000000000000000000000000000000000c1"),
];
const USERS: [Address; 4] = [
    address!("0x00000000000000000000000000000000000000d0"),
    address!("0x00000000000000000000000000000000000000d1"),
    address!("0x00000000000000000000000000000000000000d2"),
    address!("0x00000000000000000000000000000000000000d3"),
];
const SLOTS: u8 = 3;
/// Each user starts with this much PTI, approved to the avatar.
const START: u64 = 50;

/// Slot `slot`'s video belongs to creator `slot % 2`.
fn owner_of(slot: u8) -> Address {
    CREATORS[usize::from(slot) % CREATORS.len()]
}

/// The salt slot `slot`'s video is registered with.
fn salt(slot: u8) -> B256 {
    B256::repeat_byte(0x10 + slot)
}

/// Slot `slot`'s video id, bound to its owner.
fn video(slot: u8) -> B256 {
    paratii_contracts::video_id(owner_of(slot), salt(slot))
}

#[derive(Debug, Clone)]
enum Op {
    Register {
        creator: usize,
        slot: u8,
        price: U256,
    },
    Remove {
        creator: usize,
        slot: u8,
    },
    Buy {
        user: usize,
        slot: u8,
        /// The buyer's maximum is one wei below the price (a price rose after the quote).
        short: bool,
    },
    Vote {
        user: usize,
        slot: u8,
        liked: bool,
    },
    Transfer {
        from: usize,
        to: usize,
        value: U256,
    },
}

fn op() -> impl Strategy<Value = Op> {
    // Prices up to 30 PTI in odd wei amounts (rounding of the pool share matters), some free.
    let price = prop_oneof![
        Just(U256::ZERO),
        (1u64..30_000_000).prop_map(|milli| U256::from(milli) * U256::from(1_000_000_000_000u64)),
    ];
    prop_oneof![
        1 => (0..CREATORS.len(), 0..SLOTS, price).prop_map(|(creator, slot, price)| Op::Register {
            creator,
            slot,
            price
        }),
        1 => (0..CREATORS.len(), 0..SLOTS).prop_map(|(creator, slot)| Op::Remove { creator, slot }),
        3 => (0..USERS.len(), 0..SLOTS, prop::bool::weighted(0.2))
            .prop_map(|(user, slot, short)| Op::Buy { user, slot, short }),
        3 => (0..USERS.len(), 0..SLOTS, any::<bool>())
            .prop_map(|(user, slot, liked)| Op::Vote { user, slot, liked }),
        1 => (0..USERS.len(), 0..USERS.len(), 0u64..60)
            .prop_map(|(from, to, n)| Op::Transfer { from, to, value: PTI * U256::from(n) }),
    ]
}

/// The reference model.
#[derive(Default)]
struct Model {
    /// Registered videos: owner and price.
    videos: HashMap<u8, (Address, U256)>,
    /// Removed videos: their ids are never reused.
    removed: Vec<u8>,
    bought: HashMap<(usize, u8), bool>,
    /// 1 like, 2 dislike.
    votes: HashMap<(usize, u8), u8>,
    pti: HashMap<Address, U256>,
}

impl Model {
    fn pti(&self, who: Address) -> U256 {
        self.pti.get(&who).copied().unwrap_or_default()
    }

    fn count(&self, slot: u8, code: u8) -> u64 {
        (0..USERS.len()).filter(|u| self.votes.get(&(*u, slot)) == Some(&code)).count() as u64
    }
}

struct Fixture {
    net: Devnet,
    suite: Suite,
    start: Snapshot,
}

thread_local! {
    static FIXTURE: RefCell<Option<Fixture>> = const { RefCell::new(None) };
}

fn setup() -> Fixture {
    let mut net = Devnet::new();
    let suite = Suite::deploy(&mut net, ADMIN, HOLDER).expect("suite should deploy");
    for user in USERS {
        let fund =
            IParatiiToken::transferCall { to: user, value: PTI * U256::from(START) }.abi_encode();
        let r = net.call(HOLDER, suite.token, &fund, U256::ZERO).unwrap();
        assert_eq!(r.status, Status::Success);
        let approve =
            IParatiiToken::approveCall { spender: suite.avatar, value: U256::MAX }.abi_encode();
        let r = net.call(user, suite.token, &approve, U256::ZERO).unwrap();
        assert_eq!(r.status, Status::Success);
    }
    let start = net.snapshot();
    Fixture { net, suite, start }
}

/// Runs one operation on chain and in the model; the outcomes must agree.
#[allow(clippy::too_many_lines)]
fn step(net: &Devnet, s: &Suite, m: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let (from, to, data, expected): (Address, Address, Vec<u8>, Result<(), Vec<u8>>) = match *op {
        Op::Register { creator, slot, price } => {
            let caller = CREATORS[creator];
            let owner = owner_of(slot);
            let expected = if caller != owner {
                // The other creator copying the owner's registration: refused.
                Err(IVideoRegistry::VideoRegistryNotApprovedRegistrar { caller, owner }
                    .abi_encode())
            } else if let Some((existing, _)) = m.videos.get(&slot) {
                Err(IVideoRegistry::VideoRegistryAlreadyRegistered {
                    videoId: video(slot),
                    owner: *existing,
                }
                .abi_encode())
            } else if m.removed.contains(&slot) {
                Err(IVideoRegistry::VideoRegistryRemoved { videoId: video(slot) }.abi_encode())
            } else {
                m.videos.insert(slot, (owner, price));
                Ok(())
            };
            let call = IVideoRegistry::registerVideoCall {
                salt: salt(slot),
                owner,
                price,
                original: B256::repeat_byte(1),
                transcoded: B256::ZERO,
                metadata: B256::ZERO,
            };
            (caller, s.videos, call.abi_encode(), expected)
        }
        Op::Remove { creator, slot } => {
            let caller = CREATORS[creator];
            let expected =
                match m.videos.get(&slot).copied() {
                    None => Err(IVideoRegistry::VideoRegistryUnknownVideo { videoId: video(slot) }
                        .abi_encode()),
                    Some((owner, _)) if owner != caller => {
                        Err(IVideoRegistry::VideoRegistryNotOwnerOrRegistrar {
                            videoId: video(slot),
                            caller,
                        }
                        .abi_encode())
                    }
                    Some(_) => {
                        m.videos.remove(&slot);
                        m.removed.push(slot);
                        Ok(())
                    }
                };
            let call = IVideoRegistry::removeVideoCall { video_id: video(slot) };
            (caller, s.videos, call.abi_encode(), expected)
        }
        Op::Buy { user, slot, short } => {
            let buyer = USERS[user];
            let price_now = m.videos.get(&slot).map(|v| v.1).unwrap_or_default();
            let max_price =
                if short && !price_now.is_zero() { price_now - U256::from(1) } else { price_now };
            let expected =
                match m.videos.get(&slot).copied() {
                    None => Err(IVideoRegistry::VideoRegistryUnknownVideo { videoId: video(slot) }
                        .abi_encode()),
                    Some(_) if m.bought.get(&(user, slot)).copied().unwrap_or(false) => {
                        Err(IVideoStore::VideoStoreAlreadyBought { buyer, videoId: video(slot) }
                            .abi_encode())
                    }
                    Some((_, price)) if price > max_price => {
                        Err(IVideoStore::VideoStorePriceAboveMax {
                            videoId: video(slot),
                            price,
                            maxPrice: max_price,
                        }
                        .abi_encode())
                    }
                    Some((owner, price)) => {
                        let pool = price * POOL_SHARE / PTI;
                        let balance = m.pti(buyer);
                        if balance < price {
                            // The first pull that does not fit fails with the token's error.
                            let (needed, have) = if balance < pool {
                                (pool, balance)
                            } else {
                                (price - pool, balance - pool)
                            };
                            Err(IParatiiToken::ERC20InsufficientBalance {
                                sender: buyer,
                                balance: have,
                                needed,
                            }
                            .abi_encode())
                        } else {
                            m.pti.insert(buyer, balance - price);
                            *m.pti.entry(s.avatar).or_default() += pool;
                            *m.pti.entry(owner).or_default() += price - pool;
                            m.bought.insert((user, slot), true);
                            Ok(())
                        }
                    }
                };
            let call = IVideoStore::buyVideoCall {
                video_id: video(slot),
                proof_of_buy: B256::ZERO,
                max_price,
            };
            (buyer, s.store, call.abi_encode(), expected)
        }
        Op::Vote { user, slot, liked } => {
            let code = if liked { 1 } else { 2 };
            // A repeat is a no-op the user registry answers without asking the video registry.
            let expected = if m.votes.get(&(user, slot)) == Some(&code) {
                Ok(())
            } else if m.videos.contains_key(&slot) {
                m.votes.insert((user, slot), code);
                Ok(())
            } else {
                Err(IVideoRegistry::VideoRegistryUnknownVideo { videoId: video(slot) }.abi_encode())
            };
            let call = IUserRegistry::likeVideoCall { video_id: video(slot), liked };
            (USERS[user], s.users, call.abi_encode(), expected)
        }
        Op::Transfer { from, to, value } => {
            let (a, b) = (USERS[from], USERS[to]);
            let balance = m.pti(a);
            let expected = if balance < value {
                Err(IParatiiToken::ERC20InsufficientBalance { sender: a, balance, needed: value }
                    .abi_encode())
            } else {
                m.pti.insert(a, balance - value);
                *m.pti.entry(b).or_default() += value;
                Ok(())
            };
            let call = IParatiiToken::transferCall { to: b, value };
            (a, s.token, call.abi_encode(), expected)
        }
    };
    let receipt = net.call(from, to, &data, U256::ZERO).unwrap();
    let actual = match receipt.status {
        Status::Success => Ok(()),
        Status::Revert => Err(receipt.output),
        Status::Failure => Err(receipt.failure.into_bytes()),
    };
    prop_assert_eq!(actual, expected, "{:?}", op);
    Ok(())
}

fn pti_of(net: &Devnet, s: &Suite, who: Address) -> U256 {
    net.view(s.token, &IParatiiToken::balanceOfCall { owner: who }).unwrap()
}

/// Every invariant, read from the chain.
fn check(net: &Devnet, s: &Suite, m: &Model) -> Result<(), TestCaseError> {
    let supply = net.view(s.token, &IParatiiToken::totalSupplyCall {}).unwrap();
    let mut holders = vec![HOLDER, s.avatar, s.store, s.users, s.videos, s.registry];
    holders.extend(CREATORS);
    holders.extend(USERS);
    // Each balance read once.
    let balances: HashMap<Address, U256> =
        holders.iter().map(|who| (*who, pti_of(net, s, *who))).collect();
    prop_assert_eq!(balances.len(), holders.len(), "holders are distinct");
    let sum = balances.values().fold(U256::ZERO, |sum, b| sum + b);
    prop_assert_eq!(sum, supply, "PTI is conserved");
    for contract in [s.store, s.users, s.videos, s.registry] {
        prop_assert_eq!(balances[&contract], U256::ZERO, "only the avatar holds PTI");
    }
    for who in CREATORS.iter().chain(USERS.iter()).chain([&s.avatar]) {
        prop_assert_eq!(balances[who], m.pti(*who), "balance of {}", who);
    }
    for slot in 0..SLOTS {
        if !m.videos.contains_key(&slot) {
            continue;
        }
        let id = video(slot);
        let stats = net.view(s.videos, &IVideoRegistry::getStatsCall { video_id: id }).unwrap();
        let mut liking = 0;
        let mut disliking = 0;
        for user in USERS {
            let likes = net
                .view(s.users, &IUserRegistry::userLikesVideoCall { user, video_id: id })
                .unwrap();
            let dislikes = net
                .view(s.users, &IUserRegistry::userDislikesVideoCall { user, video_id: id })
                .unwrap();
            prop_assert!(!(likes && dislikes), "a user both likes and dislikes");
            liking += u64::from(likes);
            disliking += u64::from(dislikes);
        }
        prop_assert_eq!((stats._1, stats._2), (liking, disliking), "video {}", slot);
        prop_assert_eq!(
            (stats._1, stats._2),
            (m.count(slot, 1), m.count(slot, 2)),
            "model, video {}",
            slot
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: common::cases(300), ..ProptestConfig::default() })]

    #[test]
    fn purchases_and_votes_conserve_pti_and_counters_equal_current_voters(
        ops in prop::collection::vec(op(), 1..40)
    ) {
        FIXTURE.with(|cell| {
            let mut slot = cell.borrow_mut();
            let f = slot.get_or_insert_with(setup);
            f.net.revert_to(&f.start).unwrap();
            let mut m = Model::default();
            for user in USERS {
                m.pti.insert(user, PTI * U256::from(START));
            }
            for op in &ops {
                step(&f.net, &f.suite, &mut m, op)?;
                check(&f.net, &f.suite, &m)?;
            }
            Ok::<(), TestCaseError>(())
        })?;
    }
}
