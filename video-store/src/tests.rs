//! Unit tests on the SDK's `TestVM`: the original purchase scenario (30 % / 70 %), the
//! original's bugs as negative tests (unknown video, double purchase, misconfigured share), the
//! key and permit paths, and exact outgoing calls. Peers are answered by [`PrecompileHost`], their calls encoded from the published interfaces
//! (`contracts/abi/*.sol`); the
//! real contracts buy through each other in the devnet tests (`test/tests/purchase.rs`).

use super::*;
use alloy_primitives::{address, b256, uint};
use alloy_sol_types::{SolCall, SolError, SolEvent};
use paratii_common::testing::{MadeCall, PrecompileHost};
use paratii_contracts::{
    interfaces::{
        IParatiiAvatar::{payCall, payWithKeyCall},
        IParatiiRegistry::getByKeysCall,
        IParatiiToken::{allowanceCall, permitCall},
        IUserRegistry::recordAcquisitionCall,
        IVideoRegistry::{recordViewCall, saleTermsCall},
    },
    peers::PeerCallReturnedFalse,
    token::ERC20InsufficientAllowance,
    video_registry::VideoRegistryUnknownVideo,
};

const REGISTRY: Address = address!("0x00000000000000000000000000000000000000b0");
const VIDEOS: Address = address!("0x00000000000000000000000000000000000000b1");
const AVATAR: Address = address!("0x00000000000000000000000000000000000000b2");
const USERS: Address = address!("0x00000000000000000000000000000000000000b3");
const TOKEN: Address = address!("0x00000000000000000000000000000000000000b4");
const CREATOR: Address = address!("0x00000000000000000000000000000000000000c0");
const BUYER: Address = address!("0x00000000000000000000000000000000000000d0");
const KEY: Address = address!("0x00000000000000000000000000000000000000d1");
const VIDEO: B256 = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");
const PROOF: B256 = b256!("0x2222222222222222222222222222222222222222222222222222222222222222");
/// The original test's price: 14 PTI.
const PRICE: U256 = uint!(14_000_000_000_000_000_000_U256);
/// The original fixture's pool share: 0.3e18.
const SHARE: U256 = uint!(300_000_000_000_000_000_U256);

/// The registry's answer to the store's one lookup call (with or without PTI for a permit).
fn answer_peers(host: &PrecompileHost, peers: [Address; 4], share: U256) {
    for count in [3, 4] {
        host.answer_static_call(
            REGISTRY,
            getByKeysCall {
                contract_keys: PEERS[..count].to_vec(),
                uint_keys: vec![names::VIDEO_REDISTRIBUTION_POOL_SHARE.key],
            }
            .abi_encode(),
            getByKeysCall::abi_encode_returns_tuple(&(peers[..count].to_vec(), vec![share])),
        );
    }
}

/// A store whose registry knows every peer, with `VIDEO` at `price` and the pool share `share`.
fn deploy(price: U256, share: U256) -> (PrecompileHost, VideoStore) {
    let host = PrecompileHost::new();
    answer_peers(&host, [VIDEOS, AVATAR, USERS, TOKEN], share);
    host.answer_static_call(
        VIDEOS,
        saleTermsCall { video_id: VIDEO }.abi_encode(),
        saleTermsCall::abi_encode_returns_tuple(&(CREATOR, price)),
    );
    host.vm.set_block_timestamp(1_700_000_000);
    let mut store = VideoStore::from(&host);
    store.constructor(REGISTRY).unwrap();
    (host, store)
}

fn made(to: Address, data: Vec<u8>) -> MadeCall {
    MadeCall { to, data, value: U256::ZERO }
}

/// The avatar call paying `owner_part` to the creator and `pool` to the pool.
fn pay(from: Address, owner_part: U256, pool: U256) -> MadeCall {
    made(AVATAR, payCall { from, to: CREATOR, amount: owner_part, to_pool: pool }.abi_encode())
}

fn bookkeeping(buyer: Address) -> [MadeCall; 2] {
    [
        made(USERS, recordAcquisitionCall { user: buyer, video_id: VIDEO }.abi_encode()),
        made(VIDEOS, recordViewCall { video_id: VIDEO }.abi_encode()),
    ]
}

fn last_bought(host: &PrecompileHost) -> VideoBought {
    let (topics, data) = host.vm.get_emitted_logs().pop().expect("should have logged");
    VideoBought::decode_raw_log(topics, &data).expect("should be VideoBought")
}

fn buy(host: &PrecompileHost, store: &mut VideoStore) -> Result<(), Vec<u8>> {
    host.vm.set_sender(BUYER);
    store.buy_video(VIDEO, PROOF, PRICE)
}

// --- the original scenario ---

#[test]
fn buy_video_pays_30_percent_to_pool_and_70_to_owner_then_records() {
    let (host, mut store) = deploy(PRICE, SHARE);
    buy(&host, &mut store).unwrap();
    let pool = uint!(4_200_000_000_000_000_000_U256);
    let owner = uint!(9_800_000_000_000_000_000_U256);
    let mut expected = vec![pay(BUYER, owner, pool)];
    expected.extend(bookkeeping(BUYER));
    assert_eq!(host.calls(), expected);
    assert_eq!(store.get_sale(BUYER, VIDEO), (true, PRICE, PROOF, 1_700_000_000));
    assert!(store.has_bought(BUYER, VIDEO));
    assert_eq!(
        last_bought(&host),
        VideoBought {
            videoId: VIDEO,
            buyer: BUYER,
            owner: CREATOR,
            price: PRICE,
            poolShare: pool,
            proofOfBuy: PROOF,
            key: Address::ZERO,
        }
    );
}

#[test]
fn buy_video_rounds_pool_share_down_and_owner_gets_remainder() {
    // 10 wei × 0.33 = 3.3 → the pool gets 3, the owner 7.
    let (host, mut store) = deploy(U256::from(10), uint!(330_000_000_000_000_000_U256));
    buy(&host, &mut store).unwrap();
    assert_eq!(host.calls()[0], pay(BUYER, U256::from(7), U256::from(3)));
}

#[test]
fn buy_video_pays_everything_to_pool_when_share_is_exactly_one() {
    let (host, mut store) = deploy(PRICE, SHARE_SCALE);
    buy(&host, &mut store).unwrap();
    let mut expected = vec![pay(BUYER, U256::ZERO, PRICE)];
    expected.extend(bookkeeping(BUYER));
    assert_eq!(host.calls(), expected);
}

#[test]
fn buy_video_makes_no_payment_when_price_is_zero() {
    // Gen-2 "should be possible to buy a video with a price of 0".
    let (host, mut store) = deploy(U256::ZERO, SHARE);
    buy(&host, &mut store).unwrap();
    assert_eq!(host.calls(), bookkeeping(BUYER).to_vec());
    assert_eq!(store.get_sale(BUYER, VIDEO), (true, U256::ZERO, PROOF, 1_700_000_000));
}

#[test]
fn buy_video_leaves_proof_empty_when_none_given() {
    let (host, mut store) = deploy(PRICE, SHARE);
    host.vm.set_sender(BUYER);
    store.buy_video(VIDEO, B256::ZERO, PRICE).unwrap();
    assert_eq!(store.get_sale(BUYER, VIDEO), (true, PRICE, B256::ZERO, 1_700_000_000));
}

// --- the original's bugs (§4 bugs 4 and 5) as negative tests ---

#[test]
fn buy_video_fails_when_bought_twice() {
    let (host, mut store) = deploy(PRICE, SHARE);
    buy(&host, &mut store).unwrap();
    let calls = host.calls().len();
    assert_eq!(
        buy(&host, &mut store).unwrap_err(),
        Vec::<u8>::from(Error::AlreadyBought(VideoStoreAlreadyBought {
            buyer: BUYER,
            videoId: VIDEO
        }))
    );
    assert_eq!(host.calls().len(), calls, "no second payment");
}

#[test]
fn buy_video_fails_with_the_registry_error_when_video_unknown() {
    let (host, mut store) = deploy(PRICE, SHARE);
    let unknown = VideoRegistryUnknownVideo { videoId: VIDEO }.abi_encode();
    host.revert_static_call(
        VIDEOS,
        saleTermsCall { video_id: VIDEO }.abi_encode(),
        unknown.clone(),
    );
    assert_eq!(buy(&host, &mut store).unwrap_err(), unknown);
    assert!(host.calls().is_empty());
    assert!(!store.has_bought(BUYER, VIDEO));
}

#[test]
fn buy_video_fails_when_pool_share_is_the_migrations_3000_percent() {
    let thirty = uint!(30_000_000_000_000_000_000_U256);
    let (host, mut store) = deploy(PRICE, thirty);
    assert_eq!(
        buy(&host, &mut store).unwrap_err(),
        Vec::<u8>::from(Error::InvalidPoolShare(VideoStoreInvalidPoolShare {
            share: thirty,
            max: SHARE_SCALE
        }))
    );
    assert!(host.calls().is_empty());
}

#[test]
fn buy_video_fails_when_pool_share_is_one_wei_above_one() {
    let share = SHARE_SCALE + U256::from(1);
    let (host, mut store) = deploy(PRICE, share);
    assert_eq!(
        buy(&host, &mut store).unwrap_err(),
        Vec::<u8>::from(Error::InvalidPoolShare(VideoStoreInvalidPoolShare {
            share,
            max: SHARE_SCALE
        }))
    );
    assert!(host.calls().is_empty());
}

#[test]
fn buy_video_fails_when_price_does_not_fit_96_bits() {
    let price = U256::from(1) << 96;
    let (host, mut store) = deploy(price, SHARE);
    assert_eq!(
        buy(&host, &mut store).unwrap_err(),
        Vec::<u8>::from(Error::PriceTooHigh(VideoRegistryPriceTooHigh {
            price,
            max: U256::from(U96::MAX)
        }))
    );
}

#[test]
fn buy_video_bubbles_payment_error_unchanged() {
    let (host, mut store) = deploy(PRICE, SHARE);
    let short = ERC20InsufficientAllowance {
        spender: AVATAR,
        allowance: U256::ZERO,
        needed: uint!(4_200_000_000_000_000_000_U256),
    }
    .abi_encode();
    let payment =
        pay(BUYER, uint!(9_800_000_000_000_000_000_U256), uint!(4_200_000_000_000_000_000_U256));
    host.answer_call(AVATAR, payment.data, Err(short.clone()));
    assert_eq!(buy(&host, &mut store).unwrap_err(), short);
}

#[test]
fn buy_video_fails_when_avatar_returns_false() {
    let (host, mut store) = deploy(PRICE, SHARE);
    let payment =
        pay(BUYER, uint!(9_800_000_000_000_000_000_U256), uint!(4_200_000_000_000_000_000_U256));
    host.answer_call(AVATAR, payment.data, Ok(U256::ZERO.to_be_bytes::<32>().to_vec()));
    assert_eq!(
        buy(&host, &mut store).unwrap_err(),
        PeerCallReturnedFalse { target: AVATAR }.abi_encode()
    );
}

#[test]
fn buy_video_bubbles_acquisition_and_view_errors() {
    for (to, data) in bookkeeping(BUYER).map(|c| (c.to, c.data)) {
        let (host, mut store) = deploy(PRICE, SHARE);
        host.answer_call(to, data, Err(vec![0xde, 0xad]));
        assert_eq!(buy(&host, &mut store).unwrap_err(), vec![0xde, 0xad]);
    }
}

#[test]
fn buy_video_fails_when_a_peer_is_not_registered() {
    for (i, key) in PEERS[..3].iter().copied().enumerate() {
        let (host, mut store) = deploy(PRICE, SHARE);
        let mut peers = [VIDEOS, AVATAR, USERS, TOKEN];
        peers[i] = Address::ZERO;
        answer_peers(&host, peers, SHARE);
        assert_eq!(buy(&host, &mut store).unwrap_err(), PeerNotRegistered { key }.abi_encode());
        assert!(host.calls().is_empty());
    }
}

// --- spending keys ---

#[test]
fn buy_video_for_charges_the_callers_key_and_records_for_the_user() {
    let (host, mut store) = deploy(PRICE, SHARE);
    host.vm.set_sender(KEY);
    store.buy_video_for(BUYER, VIDEO, PROOF, PRICE).unwrap();
    let mut expected = vec![made(
        AVATAR,
        payWithKeyCall {
            user: BUYER,
            key: KEY,
            to: CREATOR,
            amount: uint!(9_800_000_000_000_000_000_U256),
            to_pool: uint!(4_200_000_000_000_000_000_U256),
        }
        .abi_encode(),
    )];
    expected.extend(bookkeeping(BUYER));
    assert_eq!(host.calls(), expected);
    assert!(store.has_bought(BUYER, VIDEO));
    assert!(!store.has_bought(KEY, VIDEO));
    assert_eq!(last_bought(&host).key, KEY);
}

#[test]
fn buy_video_for_fails_when_user_is_zero() {
    let (host, mut store) = deploy(PRICE, SHARE);
    host.vm.set_sender(KEY);
    assert_eq!(
        store.buy_video_for(Address::ZERO, VIDEO, PROOF, PRICE).unwrap_err(),
        Vec::<u8>::from(Error::InvalidBuyer(VideoStoreInvalidBuyer { user: Address::ZERO }))
    );
}

#[test]
fn buy_video_for_fails_when_user_already_bought() {
    let (host, mut store) = deploy(PRICE, SHARE);
    buy(&host, &mut store).unwrap();
    let calls = host.calls().len();
    host.vm.set_sender(KEY);
    assert_eq!(
        store.buy_video_for(BUYER, VIDEO, PROOF, PRICE).unwrap_err(),
        Vec::<u8>::from(Error::AlreadyBought(VideoStoreAlreadyBought {
            buyer: BUYER,
            videoId: VIDEO
        }))
    );
    assert_eq!(host.calls().len(), calls, "the key is not charged");
}

// --- permit ---

fn permit_call() -> MadeCall {
    made(
        TOKEN,
        permitCall {
            owner: BUYER,
            spender: AVATAR,
            value: PRICE,
            deadline: U256::MAX,
            v: 27,
            r: B256::repeat_byte(1),
            s: B256::repeat_byte(2),
        }
        .abi_encode(),
    )
}

fn buy_with_permit(host: &PrecompileHost, store: &mut VideoStore) -> Result<(), Vec<u8>> {
    host.vm.set_sender(BUYER);
    store.buy_video_with_permit(
        VIDEO,
        PROOF,
        PRICE,
        PRICE,
        U256::MAX,
        27,
        B256::repeat_byte(1),
        B256::repeat_byte(2),
    )
}

#[test]
fn buy_video_with_permit_submits_permit_for_avatar_then_pays() {
    let (host, mut store) = deploy(PRICE, SHARE);
    buy_with_permit(&host, &mut store).unwrap();
    let calls = host.calls();
    assert_eq!(calls[0], permit_call());
    assert_eq!(
        calls[1],
        pay(BUYER, uint!(9_800_000_000_000_000_000_U256), uint!(4_200_000_000_000_000_000_U256))
    );
    assert_eq!(calls.len(), 4);
    assert!(store.has_bought(BUYER, VIDEO));
}

#[test]
fn buy_video_with_permit_goes_on_when_permit_fails_but_allowance_covers_price() {
    let (host, mut store) = deploy(PRICE, SHARE);
    host.answer_call(TOKEN, permit_call().data, Err(vec![0x01]));
    host.answer_static_call(
        TOKEN,
        allowanceCall { owner: BUYER, spender: AVATAR }.abi_encode(),
        PRICE.to_be_bytes::<32>().to_vec(),
    );
    buy_with_permit(&host, &mut store).unwrap();
    assert!(store.has_bought(BUYER, VIDEO));
}

#[test]
fn buy_video_with_permit_fails_with_permit_error_when_allowance_short() {
    let (host, mut store) = deploy(PRICE, SHARE);
    host.answer_call(TOKEN, permit_call().data, Err(vec![0x0b, 0xad]));
    host.answer_static_call(
        TOKEN,
        allowanceCall { owner: BUYER, spender: AVATAR }.abi_encode(),
        (PRICE - U256::from(1)).to_be_bytes::<32>().to_vec(),
    );
    assert_eq!(buy_with_permit(&host, &mut store).unwrap_err(), vec![0x0b, 0xad]);
    assert_eq!(host.calls(), vec![permit_call()], "no payment attempted");
}

// --- the buyer's price bound ---

fn above_max(price: U256, max_price: U256) -> Vec<u8> {
    Error::PriceAboveMax(VideoStorePriceAboveMax { videoId: VIDEO, price, maxPrice: max_price })
        .into()
}

/// Attack (review, high): the owner raised the price after the buyer's quote; the purchase
/// refuses to charge more than the buyer accepted, on every path, before any call.
#[test]
fn buy_video_reverts_when_price_rose_above_the_buyers_max() {
    let quoted = PRICE - U256::from(1);
    let (host, mut store) = deploy(PRICE, SHARE);
    host.vm.set_sender(BUYER);
    assert_eq!(store.buy_video(VIDEO, PROOF, quoted), Err(above_max(PRICE, quoted)));
    host.vm.set_sender(KEY);
    assert_eq!(store.buy_video_for(BUYER, VIDEO, PROOF, quoted), Err(above_max(PRICE, quoted)));
    host.vm.set_sender(BUYER);
    assert_eq!(
        store.buy_video_with_permit(
            VIDEO,
            PROOF,
            quoted,
            PRICE,
            U256::MAX,
            27,
            B256::repeat_byte(1),
            B256::repeat_byte(2),
        ),
        Err(above_max(PRICE, quoted))
    );
    assert!(host.calls().is_empty());
    assert!(!store.has_bought(BUYER, VIDEO));
}

#[test]
fn buy_video_succeeds_when_price_fell_below_the_buyers_max() {
    let (host, mut store) = deploy(PRICE, SHARE);
    host.vm.set_sender(BUYER);
    store.buy_video(VIDEO, PROOF, PRICE + U256::from(1)).unwrap();
    assert_eq!(store.get_sale(BUYER, VIDEO).1, PRICE);
    assert_eq!(last_bought(&host).price, PRICE);
}

proptest::proptest! {
    /// The store's 128-bit pool share equals `price × share / 1e18` in 256 bits, rounded down,
    /// over every price the store accepts (below 2⁹⁶) and every share (up to 1e18).
    #[test]
    fn pool_part_equals_wide_arithmetic(
        price in 0u128..(1u128 << 96),
        share in 0u64..=1_000_000_000_000_000_000,
    ) {
        let (price, share) = (U256::from(price), U256::from(share));
        let expected = price * share / SHARE_SCALE;
        proptest::prop_assert_eq!(U256::from(crate::pool_part(price, share)), expected);
    }
}

#[test]
fn pool_part_is_exact_at_the_bounds() {
    let max_price = U256::from((1u128 << 96) - 1);
    for (price, share) in [
        (max_price, SHARE_SCALE),
        (max_price, SHARE_SCALE - U256::from(1)),
        (max_price, U256::ZERO),
        (U256::from(1), SHARE_SCALE),
        (SHARE_SCALE - U256::from(1), SHARE_SCALE - U256::from(1)),
    ] {
        assert_eq!(U256::from(crate::pool_part(price, share)), price * share / SHARE_SCALE);
    }
}
