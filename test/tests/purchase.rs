//! End to end on the devnet, through the generated ABI only: the whole suite deployed from its
//! deployable WASM and wired through the registry (`Suite::deploy`); a video registered, bought
//! (approve path, permit path, spending-key path), liked (directly and by a relayed signature of
//! a posting key a spending key authorised); balances, events and records checked; every refusal
//! rolls the whole transaction back.
//!
//! One file: each purchase path's journey and its refusals share one fixture and read as one
//! story.

mod common;

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::{eip712_domain, SolError, SolStruct};
use common::{Chain, ADMIN};
use paratii_contracts::{signing::Signer, token::Permit, user_registry::Vote};
use paratii_devnet::{Receipt, Status};
use paratii_test::{
    interfaces::{IParatiiAvatar, IParatiiToken, IUserRegistry, IVideoRegistry, IVideoStore},
    POOL_SHARE, PTI,
};

const CREATOR: Address = address!("0x00000000000000000000000000000000000000c0");
const STRANGER: Address = address!("0x00000000000000000000000000000000000000e0");
/// The salts the creator registers its two videos with.
const SALTS: [B256; 2] = [B256::repeat_byte(0x11), B256::repeat_byte(0x22)];
const PROOF: B256 = B256::repeat_byte(0x99);

/// The creator's first video's id.
fn video() -> B256 {
    paratii_contracts::video_id(CREATOR, SALTS[0])
}

/// The creator's second video's id.
fn video_2() -> B256 {
    paratii_contracts::video_id(CREATOR, SALTS[1])
}

fn pti(n: u64) -> U256 {
    PTI * U256::from(n)
}

/// 14 PTI: the original test's price.
fn price() -> U256 {
    pti(14)
}

impl Chain {
    /// The suite, with `video()` and `video_2()` registered by the creator at 14 PTI.
    fn with_videos() -> Self {
        let chain = Self::new();
        for salt in SALTS {
            chain.ok(
                CREATOR,
                chain.s.videos,
                &IVideoRegistry::registerVideoCall {
                    salt,
                    owner: CREATOR,
                    price: price(),
                    original: B256::repeat_byte(1),
                    transcoded: B256::repeat_byte(2),
                    metadata: B256::repeat_byte(3),
                },
            );
        }
        chain
    }

    fn approve_avatar(&self, who: Address, amount: U256) {
        self.ok(
            who,
            self.s.token,
            &IParatiiToken::approveCall { spender: self.s.avatar, value: amount },
        );
    }

    fn buy(&self, who: Address, video: B256) -> Receipt {
        self.ok(
            who,
            self.s.store,
            &IVideoStore::buyVideoCall { video_id: video, proof_of_buy: PROOF, max_price: price() },
        )
    }

    fn stats(&self, video: B256) -> (u64, u64, u64) {
        let s = self
            .net
            .view(self.s.videos, &IVideoRegistry::getStatsCall { video_id: video })
            .unwrap();
        (s._0, s._1, s._2)
    }
}

// --- the original scenario, approve path ---

#[test]
fn buy_video_after_approve_pays_pool_30_owner_70_and_records_sale_acquisition_view() {
    let c = Chain::with_videos();
    let buyer = address!("0x00000000000000000000000000000000000000b1");
    // The original test: fund the buyer with price + 1, approve the avatar, buy.
    c.fund_pti(buyer, price() + U256::from(1));
    c.approve_avatar(buyer, price());
    let receipt = c.buy(buyer, video());

    let pool = price() * POOL_SHARE / PTI;
    assert_eq!(pool, PTI * U256::from(42) / U256::from(10));
    assert_eq!(c.pti_of(c.s.avatar), pool);
    assert_eq!(c.pti_of(CREATOR), price() - pool);
    assert_eq!(c.pti_of(buyer), U256::from(1));
    assert_eq!(
        c.net
            .view(c.s.token, &IParatiiToken::allowanceCall { owner: buyer, spender: c.s.avatar })
            .unwrap(),
        U256::ZERO
    );

    let transfers = receipt.events::<IParatiiToken::Transfer>(c.s.token);
    assert_eq!(
        transfers.iter().map(|t| (t.from, t.to, t.value)).collect::<Vec<_>>(),
        vec![(buyer, c.s.avatar, pool), (buyer, CREATOR, price() - pool)]
    );
    let acquired = receipt.events::<IUserRegistry::VideoAcquired>(c.s.users);
    assert_eq!((acquired.len(), acquired[0].user, acquired[0].videoId), (1, buyer, video()));
    let viewed = receipt.events::<IVideoRegistry::VideoViewed>(c.s.videos);
    assert_eq!(viewed[0].views, 1);
    let bought = receipt.events::<IVideoStore::VideoBought>(c.s.store);
    assert_eq!(
        bought,
        vec![IVideoStore::VideoBought {
            videoId: video(),
            buyer,
            owner: CREATOR,
            price: price(),
            poolShare: pool,
            proofOfBuy: PROOF,
            key: Address::ZERO,
        }]
    );

    let sale =
        c.net.view(c.s.store, &IVideoStore::getSaleCall { buyer, video_id: video() }).unwrap();
    assert_eq!((sale._0, sale._1, sale._2, sale._3), (true, price(), PROOF, c.now()));
    assert!(c
        .net
        .view(c.s.users, &IUserRegistry::userAcquiredVideoCall { user: buyer, video_id: video() })
        .unwrap());
    assert_eq!(c.stats(video()), (1, 0, 0));
}

#[test]
fn buy_video_with_permit_needs_no_prior_approve() {
    let c = Chain::with_videos();
    let buyer = Signer::from_seed(41);
    let b = buyer.address();
    c.fund_pti(b, pti(100));
    let deadline = U256::from(c.now() + 600);
    let permit =
        Permit { owner: b, spender: c.s.avatar, value: pti(50), nonce: U256::ZERO, deadline };
    let domain = eip712_domain! {
        name: "Paratii", version: "1", chain_id: c.net.world().block.chain_id,
        verifying_contract: c.s.token,
    };
    let sig = buyer.sign(permit.eip712_signing_hash(&domain));
    c.ok(
        b,
        c.s.store,
        &IVideoStore::buyVideoWithPermitCall {
            video_id: video(),
            proof_of_buy: PROOF,
            max_price: price(),
            value: pti(50),
            deadline,
            v: sig.v,
            r: sig.r,
            s: sig.s,
        },
    );
    assert_eq!(c.pti_of(b), pti(86));
    // The permit approved 50; the purchase spent 14 of it; a second video needs no signature.
    let allowance = IParatiiToken::allowanceCall { owner: b, spender: c.s.avatar };
    assert_eq!(c.net.view(c.s.token, &allowance).unwrap(), pti(36));
    c.buy(b, video_2());
    assert_eq!(c.net.view(c.s.token, &allowance).unwrap(), pti(22));
    assert_eq!(c.pti_of(CREATOR), (price() - price() * POOL_SHARE / PTI) * U256::from(2));
}

#[test]
fn buy_video_with_permit_reverts_with_token_error_when_signature_is_wrong() {
    let c = Chain::with_videos();
    let buyer = Signer::from_seed(42);
    let b = buyer.address();
    c.fund_pti(b, pti(100));
    let deadline = U256::from(c.now() + 600);
    let stranger = Signer::from_seed(43);
    let permit =
        Permit { owner: b, spender: c.s.avatar, value: pti(50), nonce: U256::ZERO, deadline };
    let domain = eip712_domain! {
        name: "Paratii", version: "1", chain_id: c.net.world().block.chain_id,
        verifying_contract: c.s.token,
    };
    let sig = stranger.sign(permit.eip712_signing_hash(&domain));
    let data = c.reverts(
        b,
        c.s.store,
        &IVideoStore::buyVideoWithPermitCall {
            video_id: video(),
            proof_of_buy: PROOF,
            max_price: price(),
            value: pti(50),
            deadline,
            v: sig.v,
            r: sig.r,
            s: sig.s,
        },
    );
    assert_eq!(data[..4], IParatiiToken::ERC2612InvalidSigner::SELECTOR);
    assert_eq!(c.pti_of(b), pti(100));
}

// --- votes ---

#[test]
fn like_after_buying_says_acquired_and_counts_on_the_video() {
    let c = Chain::with_videos();
    let buyer = address!("0x00000000000000000000000000000000000000b1");
    let other = address!("0x00000000000000000000000000000000000000b2");
    c.fund_pti(buyer, price());
    c.approve_avatar(buyer, price());
    c.buy(buyer, video());
    let receipt =
        c.ok(buyer, c.s.users, &IUserRegistry::likeVideoCall { video_id: video(), liked: true });
    let voted = receipt.events::<IUserRegistry::VideoVoted>(c.s.users);
    assert!(voted[0].liked && voted[0].acquired);
    assert_eq!(receipt.events::<IVideoRegistry::VideoVotesChanged>(c.s.videos)[0].likes, 1);
    // Someone who did not buy may dislike; the event says so.
    let receipt =
        c.ok(other, c.s.users, &IUserRegistry::likeVideoCall { video_id: video(), liked: false });
    let voted = receipt.events::<IUserRegistry::VideoVoted>(c.s.users);
    assert!(!voted[0].liked && !voted[0].acquired);
    assert_eq!(c.stats(video()), (1, 1, 1));
    // The buyer changes its mind: a dislike overrides its like.
    c.ok(buyer, c.s.users, &IUserRegistry::likeVideoCall { video_id: video(), liked: false });
    assert_eq!(c.stats(video()), (1, 0, 2));
}

#[test]
fn vote_on_unknown_video_fails_with_video_registry_error_and_leaves_no_vote() {
    let c = Chain::with_videos();
    let unknown = B256::repeat_byte(0x77);
    let data = c.reverts(
        STRANGER,
        c.s.users,
        &IUserRegistry::likeVideoCall { video_id: unknown, liked: true },
    );
    assert_eq!(data, IVideoRegistry::VideoRegistryUnknownVideo { videoId: unknown }.abi_encode());
    assert!(!c
        .net
        .view(c.s.users, &IUserRegistry::userLikesVideoCall { user: STRANGER, video_id: unknown })
        .unwrap());
}

// --- refusals roll everything back ---

#[test]
fn buy_video_twice_fails_and_charges_nothing() {
    let c = Chain::with_videos();
    let buyer = address!("0x00000000000000000000000000000000000000b1");
    c.fund_pti(buyer, pti(100));
    c.approve_avatar(buyer, pti(100));
    c.buy(buyer, video());
    let data = c.reverts(
        buyer,
        c.s.store,
        &IVideoStore::buyVideoCall { video_id: video(), proof_of_buy: PROOF, max_price: price() },
    );
    assert_eq!(data, IVideoStore::VideoStoreAlreadyBought { buyer, videoId: video() }.abi_encode());
    assert_eq!(c.pti_of(buyer), pti(86));
    assert_eq!(c.stats(video()), (1, 0, 0));
}

#[test]
fn buy_unknown_video_fails_with_video_registry_error() {
    let c = Chain::with_videos();
    let unknown = B256::repeat_byte(0x77);
    let data = c.reverts(
        STRANGER,
        c.s.store,
        &IVideoStore::buyVideoCall { video_id: unknown, proof_of_buy: PROOF, max_price: price() },
    );
    assert_eq!(data, IVideoRegistry::VideoRegistryUnknownVideo { videoId: unknown }.abi_encode());
}

#[test]
fn buy_video_fails_when_pool_share_is_misconfigured_to_3000_percent() {
    let c = Chain::with_videos();
    let buyer = address!("0x00000000000000000000000000000000000000b1");
    c.fund_pti(buyer, pti(100));
    c.approve_avatar(buyer, pti(100));
    let thirty = pti(30);
    c.set_uint("VideoRedistributionPoolShare", thirty);
    let data = c.reverts(
        buyer,
        c.s.store,
        &IVideoStore::buyVideoCall { video_id: video(), proof_of_buy: PROOF, max_price: price() },
    );
    assert_eq!(
        data,
        IVideoStore::VideoStoreInvalidPoolShare { share: thirty, max: PTI }.abi_encode()
    );
}

#[test]
fn buy_video_without_allowance_fails_with_token_error_and_records_nothing() {
    let c = Chain::with_videos();
    let buyer = address!("0x00000000000000000000000000000000000000b1");
    c.fund_pti(buyer, pti(100));
    // Enough for the pool's part, not for the owner's: the avatar's first pull succeeds, the
    // second fails, and the whole purchase unwinds.
    c.approve_avatar(buyer, pti(5));
    let data = c.reverts(
        buyer,
        c.s.store,
        &IVideoStore::buyVideoCall { video_id: video(), proof_of_buy: PROOF, max_price: price() },
    );
    let pool = price() * POOL_SHARE / PTI;
    assert_eq!(
        data,
        IParatiiToken::ERC20InsufficientAllowance {
            spender: c.s.avatar,
            allowance: pti(5) - pool,
            needed: price() - pool,
        }
        .abi_encode()
    );
    assert_eq!(c.pti_of(buyer), pti(100));
    assert_eq!(c.pti_of(c.s.avatar), U256::ZERO);
    assert!(!c
        .net
        .view(c.s.store, &IVideoStore::hasBoughtCall { buyer, video_id: video() })
        .unwrap());
    assert_eq!(c.stats(video()), (0, 0, 0));
}

#[test]
fn store_removed_from_whitelist_cannot_take_payments() {
    let c = Chain::with_videos();
    let buyer = address!("0x00000000000000000000000000000000000000b1");
    c.fund_pti(buyer, pti(100));
    c.approve_avatar(buyer, pti(100));
    c.ok(ADMIN, c.s.avatar, &IParatiiAvatar::removeFromWhitelistCall { account: c.s.store });
    let data = c.reverts(
        buyer,
        c.s.store,
        &IVideoStore::buyVideoCall { video_id: video(), proof_of_buy: PROOF, max_price: price() },
    );
    assert_eq!(data, IParatiiAvatar::AvatarNotWhitelisted { caller: c.s.store }.abi_encode());
}

// --- spending keys and posting keys ---

#[test]
fn spending_key_buys_within_cap_then_is_refused_and_the_refusal_unwinds() {
    let c = Chain::with_videos();
    let user = address!("0x00000000000000000000000000000000000000b1");
    let key = address!("0x00000000000000000000000000000000000000b9");
    c.fund_pti(user, pti(100));
    c.approve_avatar(user, pti(100));
    let expiry = c.now() + 3_600;
    c.ok(user, c.s.avatar, &IParatiiAvatar::authorizeSpendingKeyCall { key, cap: pti(20), expiry });
    let receipt = c.ok(
        key,
        c.s.store,
        &IVideoStore::buyVideoForCall {
            user,
            video_id: video(),
            proof_of_buy: PROOF,
            max_price: price(),
        },
    );
    // One charge for the whole price: a key never pays half a sale.
    let charged = receipt.events::<IParatiiAvatar::SpendingKeyCharged>(c.s.avatar);
    assert_eq!(
        charged.iter().map(|e| (e.spender, e.amount, e.remaining)).collect::<Vec<_>>(),
        vec![(c.s.store, price(), pti(6))]
    );
    assert_eq!(receipt.events::<IVideoStore::VideoBought>(c.s.store)[0].key, key);
    assert_eq!(c.pti_of(user), pti(86));
    assert_eq!(c.pti_of(key), U256::ZERO);

    // 6 PTI left, 14 needed: refused as a whole, nothing moves.
    let data = c.reverts(
        key,
        c.s.store,
        &IVideoStore::buyVideoForCall {
            user,
            video_id: video_2(),
            proof_of_buy: PROOF,
            max_price: price(),
        },
    );
    assert_eq!(
        data,
        IParatiiAvatar::AvatarSpendingCapExceeded { user, key, amount: price(), remaining: pti(6) }
            .abi_encode()
    );
    let left = c.net.view(c.s.avatar, &IParatiiAvatar::spendingKeyCall { user, key }).unwrap();
    assert_eq!((left._0, left._1), (pti(6), expiry));
    assert_eq!(c.pti_of(user), pti(86));

    // Revoked: refused at once.
    c.ok(user, c.s.avatar, &IParatiiAvatar::revokeSpendingKeyCall { key });
    let data = c.reverts(
        key,
        c.s.store,
        &IVideoStore::buyVideoForCall {
            user,
            video_id: video_2(),
            proof_of_buy: PROOF,
            max_price: price(),
        },
    );
    assert_eq!(data, IParatiiAvatar::AvatarUnknownSpendingKey { user, key }.abi_encode());
}

#[test]
fn posting_key_authorised_by_spending_key_votes_by_signature_relayed_by_anyone() {
    let c = Chain::with_videos();
    let user = address!("0x00000000000000000000000000000000000000b1");
    let spending = address!("0x00000000000000000000000000000000000000b9");
    let posting = Signer::from_seed(77);
    let now = c.now();
    c.ok(
        user,
        c.s.avatar,
        &IParatiiAvatar::authorizeSpendingKeyCall {
            key: spending,
            cap: pti(1),
            expiry: now + 3_600,
        },
    );
    // The spending key (not the user) authorises the posting key: the user registry asks the
    // avatar.
    c.ok(
        spending,
        c.s.users,
        &IUserRegistry::authorizePostingKeyCall { user, key: posting.address(), expiry: now + 600 },
    );
    let deadline = U256::from(now + 60);
    let vote = Vote { user, videoId: video(), liked: true, nonce: U256::ZERO, deadline };
    let domain = eip712_domain! {
        name: "Paratii Users", version: "1", chain_id: c.net.world().block.chain_id,
        verifying_contract: c.s.users,
    };
    let sig = posting.sign(vote.eip712_signing_hash(&domain));
    let call = IUserRegistry::likeVideoBySigCall {
        user,
        video_id: video(),
        liked: true,
        deadline,
        signature: sig.to_packed().to_vec().into(),
    };
    let receipt = c.ok(STRANGER, c.s.users, &call);
    let voted = receipt.events::<IUserRegistry::VideoVoted>(c.s.users);
    assert_eq!((voted[0].user, voted[0].voter), (user, posting.address()));
    assert_eq!(c.stats(video()), (0, 1, 0));
    // The same signature again: the nonce moved on, so it recovers someone else.
    let data = c.reverts(STRANGER, c.s.users, &call);
    assert_eq!(data[..4], IUserRegistry::UserRegistryNotPostingKey::SELECTOR);
    assert_eq!(c.stats(video()), (0, 1, 0));
}

// --- the pool pays out ---

#[test]
fn pool_disburses_pti_and_ether_to_recipients_by_owner_decision() {
    let c = Chain::with_videos();
    let buyer = address!("0x00000000000000000000000000000000000000b1");
    let (r1, r2) = (
        address!("0x00000000000000000000000000000000000000d1"),
        address!("0x00000000000000000000000000000000000000d2"),
    );
    c.fund_pti(buyer, price());
    c.approve_avatar(buyer, price());
    c.buy(buyer, video());
    let pool = c.pti_of(c.s.avatar);
    let disburse = IParatiiAvatar::disburseCall {
        recipients: vec![r1, r2],
        amounts: vec![pti(1), pool - pti(1)],
    };
    let data = c.reverts(STRANGER, c.s.avatar, &disburse);
    assert_eq!(data[..4], IParatiiAvatar::OwnableUnauthorizedAccount::SELECTOR);
    let receipt = c.ok(ADMIN, c.s.avatar, &disburse);
    assert_eq!(receipt.events::<IParatiiAvatar::PoolDisbursed>(c.s.avatar).len(), 2);
    assert_eq!((c.pti_of(r1), c.pti_of(r2)), (pti(1), pool - pti(1)));
    assert_eq!(c.pti_of(c.s.avatar), U256::ZERO);

    // ETH: anyone may pay into the pool; only the owner pays out.
    let wei = U256::from(10u64).pow(U256::from(18));
    c.net.fund(STRANGER, wei * U256::from(2)).unwrap();
    let receipt = c.net.call(STRANGER, c.s.avatar, &[], wei).unwrap();
    assert_eq!(receipt.status, Status::Success);
    assert_eq!(receipt.events::<IParatiiAvatar::PoolEtherReceived>(c.s.avatar)[0].amount, wei);
    c.ok(
        ADMIN,
        c.s.avatar,
        &IParatiiAvatar::disburseEtherCall { recipients: vec![r1], amounts: vec![wei] },
    );
    assert_eq!(c.net.world().balance(r1), wei);
    assert_eq!(c.net.world().balance(c.s.avatar), U256::ZERO);
}

// --- the review's attacks ---

/// Attack (review, high): a buyer quoted 14 PTI, with a standing allowance of 100, is not
/// charged the 95 PTI the owner switched to before the purchase landed, on any purchase path
/// (the permit path included, where a failed permit falls back to the standing allowance).
#[test]
fn buy_video_never_charges_more_than_the_buyers_max_after_a_price_rise() {
    let c = Chain::with_videos();
    let buyer = Signer::from_seed(31);
    let b = buyer.address();
    c.fund_pti(b, pti(100));
    c.approve_avatar(b, pti(100));
    c.ok(
        CREATOR,
        c.s.videos,
        &IVideoRegistry::updateVideoCall {
            video_id: video(),
            price: pti(95),
            original: B256::repeat_byte(1),
            transcoded: B256::repeat_byte(2),
            metadata: B256::repeat_byte(3),
        },
    );
    let above = IVideoStore::VideoStorePriceAboveMax {
        videoId: video(),
        price: pti(95),
        maxPrice: price(),
    }
    .abi_encode();
    let plain =
        IVideoStore::buyVideoCall { video_id: video(), proof_of_buy: PROOF, max_price: price() };
    assert_eq!(c.reverts(b, c.s.store, &plain), above);
    // A permit that fails (a garbage signature) while the allowance covers the new price.
    let with_permit = IVideoStore::buyVideoWithPermitCall {
        video_id: video(),
        proof_of_buy: PROOF,
        max_price: price(),
        value: pti(100),
        deadline: U256::from(c.now() + 60),
        v: 27,
        r: B256::repeat_byte(1),
        s: B256::repeat_byte(2),
    };
    assert_eq!(c.reverts(b, c.s.store, &with_permit), above);
    let key = address!("0x00000000000000000000000000000000000000ba");
    c.ok(
        b,
        c.s.avatar,
        &IParatiiAvatar::authorizeSpendingKeyCall { key, cap: pti(100), expiry: c.now() + 600 },
    );
    let by_key = IVideoStore::buyVideoForCall {
        user: b,
        video_id: video(),
        proof_of_buy: PROOF,
        max_price: price(),
    };
    assert_eq!(c.reverts(key, c.s.store, &by_key), above);
    assert_eq!(c.pti_of(b), pti(100));
    // At the new price, with the buyer's consent, the purchase goes through.
    c.ok(
        b,
        c.s.store,
        &IVideoStore::buyVideoCall { video_id: video(), proof_of_buy: PROOF, max_price: pti(95) },
    );
    assert_eq!(c.pti_of(b), pti(5));
}

/// Attack (review, high): the avatar's owner whitelists its own account to pull a user's
/// approved PTI. The pull is refused until the whitelist delay has passed; the announcement
/// (`WhitelistUpdated` with the time it takes effect) gives the user that long to withdraw the
/// allowance, after which the pull fails on the token.
#[test]
fn avatar_owner_cannot_take_approved_pti_before_the_user_can_leave() {
    let c = Chain::new();
    let victim = address!("0x00000000000000000000000000000000000000b3");
    c.fund_pti(victim, pti(10));
    c.approve_avatar(victim, pti(10));
    let scheduled = c.ok(ADMIN, c.s.avatar, &IParatiiAvatar::addToWhitelistCall { account: ADMIN });
    let effective_at = c.now() + paratii_test::WHITELIST_DELAY;
    assert_eq!(
        scheduled.events::<IParatiiAvatar::WhitelistUpdated>(c.s.avatar),
        vec![IParatiiAvatar::WhitelistUpdated {
            account: ADMIN,
            whitelisted: true,
            effectiveAt: effective_at,
        }]
    );
    let steal = IParatiiAvatar::transferFromCall { from: victim, to: ADMIN, amount: pti(10) };
    assert_eq!(
        c.reverts(ADMIN, c.s.avatar, &steal),
        IParatiiAvatar::AvatarNotWhitelisted { caller: ADMIN }.abi_encode()
    );
    c.net.set_timestamp(effective_at - 1).unwrap();
    assert_eq!(
        c.reverts(ADMIN, c.s.avatar, &steal),
        IParatiiAvatar::AvatarNotWhitelisted { caller: ADMIN }.abi_encode()
    );
    // The victim reacts within the delay.
    c.approve_avatar(victim, U256::ZERO);
    c.net.set_timestamp(effective_at).unwrap();
    assert_eq!(
        c.reverts(ADMIN, c.s.avatar, &steal),
        IParatiiToken::ERC20InsufficientAllowance {
            spender: c.s.avatar,
            allowance: U256::ZERO,
            needed: pti(10),
        }
        .abi_encode()
    );
    assert_eq!(c.pti_of(victim), pti(10));
}
