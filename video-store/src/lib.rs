//! # `VideoStore` — buy a video in one transaction
//!
//! A buyer pays a video's price (PTI wei, from the `VideoRegistry`) through the
//! `ParatiiAvatar`, which the buyer approved once (or approves in the same transaction with
//! [`VideoStore::buy_video_with_permit`]). The redistribution pool's share,
//! `price × VideoRedistributionPoolShare / 1e18` rounded down, goes to the avatar; the owner gets
//! the rest, so rounding favours the owner by less than one wei. The store keeps a sale record
//! (price, proof-of-buy digest, time), records the acquisition in the `UserRegistry` and counts a
//! view in the `VideoRegistry`.
//!
//! **Roles.** Anyone buys for themselves ([`VideoStore::buy_video`]); a user's spending key buys
//! for the user ([`VideoStore::buy_video_for`]), the avatar charging the key's cap. There is no
//! owner: the store holds no funds and no settings. Every peer (video registry, avatar, user
//! registry, the pool share) is looked up in the `ParatiiRegistry` at call time; the registry
//! makes every change to them wait its change delay, and the buyer's `maxPrice` bounds what any
//! of them can charge.
//!
//! **Refusals.** An unknown video (the video registry's `VideoRegistryUnknownVideo`), a second
//! purchase by the same buyer (`VideoStoreAlreadyBought`), a price above the most the buyer
//! accepts (`VideoStorePriceAboveMax`: every purchase names its `maxPrice`, so an owner who
//! raises the price between the buyer's quote and the buyer's transaction, or a standing
//! allowance larger than the price, never costs the buyer more than they agreed to), a registered share above 1e18
//! (`VideoStoreInvalidPoolShare`; the original's migration set 30e18 and broke every purchase).
//! A failed payment reverts with the avatar's or token's own error, unchanged.
//!
//! **Order.** Checks (peers and the share in one registry call, sale terms, not bought, the
//! buyer's price bound, share bound) → effects (the sale record) → interactions (one payment call to the avatar, which pulls
//! both parts; the acquisition; the view) → the event. Each buyer/video pair can succeed
//! once, and the record is written before any call, so a re-entrant purchase is refused.
//!
//! **Storage.** A sale takes one slot (price as 96 bits, time; a non-zero time marks it) plus
//! one for the proof-of-buy digest (left empty, and cheap, when the digest is zero).
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
// `#[entrypoint]` (outside tests) and `export-abi` generate undocumented items.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
// The public methods are the contract's ABI, called through the router, not from Rust.
#![allow(clippy::must_use_candidate)]
extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::{aliases::U64, Address, Uint, B256, U256};
use paratii_common::{call_returning_true, revert_data};
use paratii_contracts::{
    amounts::{to_u96, U96},
    immutables::{RegistryImmutableMismatch, RegistryImmutables, REGISTRY_PLACEHOLDER},
    names,
    peers::PeerNotRegistered,
    video_registry::VideoRegistryPriceTooHigh,
    video_store::{
        VideoBought, VideoStoreAlreadyBought, VideoStoreInvalidBuyer, VideoStoreInvalidPoolShare,
        VideoStorePriceAboveMax,
    },
    words::{
        address_at, address_word, calldata, calldata_word_arrays, selector, uint_at, uint_word,
        word_array_at,
    },
};
use stylus_sdk::{
    call::{call, static_call},
    prelude::*,
    storage::{StorageAddress, StorageB256, StorageMap, StorageU64, StorageU96},
};

/// The pool share's scale: a share of `1e18` is the whole price.
pub const SHARE_SCALE: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

const SALE_TERMS: [u8; 4] = selector("saleTerms(bytes32)");
const GET_BY_KEYS: [u8; 4] = selector("getByKeys(bytes32[],bytes32[])");
const AVATAR_PAY: [u8; 4] = selector("pay(address,address,uint256,uint256)");
const AVATAR_PAY_WITH_KEY: [u8; 4] =
    selector("payWithKey(address,address,address,uint256,uint256)");
/// The peers a purchase needs, looked up together (the token only for a permit).
const PEERS: [B256; 4] = [
    names::VIDEO_REGISTRY.key,
    names::PARATII_AVATAR.key,
    names::USER_REGISTRY.key,
    names::PARATII_TOKEN.key,
];
const RECORD_ACQUISITION: [u8; 4] = selector("recordAcquisition(address,bytes32)");
const RECORD_VIEW: [u8; 4] = selector("recordView(bytes32)");
const PERMIT: [u8; 4] = selector("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)");
const ALLOWANCE: [u8; 4] = selector("allowance(address,address)");

/// Every way a `VideoStore` check can fail; each variant is the Solidity error it reverts with.
/// Failures of the peers it calls revert with the peer's own error data, unchanged.
#[derive(SolidityError, Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A peer is missing from the `ParatiiRegistry`.
    PeerNotRegistered(PeerNotRegistered),
    /// The buyer already bought the video.
    AlreadyBought(VideoStoreAlreadyBought),
    /// The registered pool share is above 1e18.
    InvalidPoolShare(VideoStoreInvalidPoolShare),
    /// The user a key buys for is the zero address.
    InvalidBuyer(VideoStoreInvalidBuyer),
    /// The video registry answered a price above 96 bits (ours never does).
    PriceTooHigh(VideoRegistryPriceTooHigh),
    /// The price is above the most the buyer accepts.
    PriceAboveMax(VideoStorePriceAboveMax),
    /// The constructor's registry differs from the one baked into the module.
    ImmutableMismatch(RegistryImmutableMismatch),
}

paratii_common::deploy_time_constants!(REGISTRY_PLACEHOLDER => RegistryImmutables);

/// One buyer's purchase of one video.
#[storage]
pub struct Sale {
    price: StorageU96,
    /// When the sale happened (unix seconds); zero for none, since no block is at time zero.
    bought_at: StorageU64,
    proof_of_buy: StorageB256,
}

/// Store storage: the `ParatiiRegistry` and the sale records by buyer and video.
#[storage]
#[entrypoint]
pub struct VideoStore {
    registry: StorageAddress,
    sales: StorageMap<Address, StorageMap<B256, Sale>>,
}

/// `price × share / 1e18`, rounded down, for `price` < 2⁹⁶ and `share` ≤ 1e18 (both checked
/// before): in 128-bit arithmetic, since `U256` division links `ruint`'s 512-byte reciprocal
/// table into the module, which every entry of the store pays for (0.75 gas a byte).
fn pool_part(price: U256, share: U256) -> u128 {
    const SCALE: u128 = 1_000_000_000_000_000_000;
    let [low, high, ..] = *price.as_limbs();
    let price = u128::from(low) | u128::from(high) << 64;
    let share = u128::from(share.as_limbs()[0]);
    // price = q·1e18 + r, so price·share / 1e18 = q·share + ⌊r·share / 1e18⌋ exactly. No
    // overflow: q < 2³⁷ and share ≤ 1e18 < 2⁶⁰, so q·share < 2⁹⁷; r < 2⁶⁰, so r·share < 2¹²⁰.
    let (q, r) = (price / SCALE, price % SCALE);
    q * share + r * share / SCALE
}

/// The peers and terms of one purchase, gathered by the checks.
struct Purchase {
    buyer: Address,
    key: Address,
    video_id: B256,
    owner: Address,
    price: U256,
    pool_part: U256,
    avatar: Address,
    users: Address,
    videos: Address,
    /// PTI, looked up only for a permit purchase.
    token: Address,
}

/// The `VideoStore` interface.
#[public]
impl VideoStore {
    /// Sets the `ParatiiRegistry` every peer and the pool share are looked up in.
    ///
    /// # Errors
    /// [`RegistryImmutableMismatch`] (carrying the module's registry) when a deployer baked the
    /// registry into the module ([`paratii_contracts::immutables`]) and it differs from
    /// `registry`. A module deployed as built reads it from storage instead.
    #[constructor]
    pub fn constructor(&mut self, registry: Address) -> Result<(), Vec<u8>> {
        paratii_common::check_baked_registry(baked(), registry)
            .map_err(|e| Vec::from(Error::ImmutableMismatch(e)))?;
        self.registry.set(registry);
        Ok(())
    }

    /// Buys `video_id` for the caller, paying its price through the avatar (approved
    /// beforehand), but no more than `max_price` PTI wei; `proof_of_buy` is the digest of the
    /// buyer's proof-of-buy data (zero for none).
    ///
    /// # Errors
    /// In order: [`PeerNotRegistered`] (video registry, avatar, user registry: one registry call);
    /// the video registry's [`VideoRegistryUnknownVideo`]; [`VideoStoreAlreadyBought`];
    /// [`VideoRegistryPriceTooHigh`] (a foreign video registry only);
    /// [`VideoStorePriceAboveMax(videoId, price, maxPrice)`](VideoStorePriceAboveMax);
    /// [`VideoStoreInvalidPoolShare`]; then, unchanged, the errors of the payment (the token's
    /// [`ERC20InsufficientAllowance`] / [`ERC20InsufficientBalance`], the avatar's
    /// [`AvatarNotWhitelisted`]), of the acquisition and of the view count.
    ///
    /// # Events
    /// `VideoBought` (and the token's `Transfer`s, the user registry's `VideoAcquired`, the
    /// video registry's `VideoViewed`).
    ///
    /// [`AvatarNotWhitelisted`]: paratii_contracts::avatar::AvatarNotWhitelisted
    /// [`ERC20InsufficientAllowance`]: paratii_contracts::token::ERC20InsufficientAllowance
    /// [`ERC20InsufficientBalance`]: paratii_contracts::token::ERC20InsufficientBalance
    /// [`VideoRegistryUnknownVideo`]: paratii_contracts::video_registry::VideoRegistryUnknownVideo
    pub fn buy_video(
        &mut self,
        video_id: B256,
        proof_of_buy: B256,
        max_price: U256,
    ) -> Result<(), Vec<u8>> {
        let buyer = self.vm().msg_sender();
        let purchase = self.check(buyer, Address::ZERO, video_id, max_price, false)?;
        self.complete(&purchase, proof_of_buy)
    }

    /// [`Self::buy_video`] with an EIP-2612 permit for the avatar (`value` PTI wei until
    /// `deadline`, signed by the caller): a first purchase in one transaction.
    ///
    /// The permit is tried after the checks; if it fails (for example because someone already
    /// submitted it, a known griefing of permits), the purchase goes on when the avatar's
    /// allowance already covers the price, and otherwise reverts with the permit's own error.
    /// Either way the buyer pays at most `max_price`.
    ///
    /// # Errors
    /// [`PeerNotRegistered`] (token); the token's permit errors when the allowance does not cover
    /// the price; then as [`Self::buy_video`].
    ///
    /// # Events
    /// As [`Self::buy_video`], plus the token's `Approval`.
    #[allow(clippy::too_many_arguments)]
    pub fn buy_video_with_permit(
        &mut self,
        video_id: B256,
        proof_of_buy: B256,
        max_price: U256,
        value: U256,
        deadline: U256,
        v: u8,
        r: B256,
        s: B256,
    ) -> Result<(), Vec<u8>> {
        let buyer = self.vm().msg_sender();
        let purchase = self.check(buyer, Address::ZERO, video_id, max_price, true)?;
        let token = purchase.token;
        // The same permit-then-allowance fallback as the channel's `openWithPermit`, on purpose: shared in
        // `paratii-common` it cost the store 533 and the channel 255 raw WASM bytes, +69 and +30
        // gas on every uncached call (measured with `gas-report`).
        let permit = calldata(
            PERMIT,
            &[
                address_word(buyer),
                address_word(purchase.avatar),
                uint_word(value),
                uint_word(deadline),
                uint_word(U256::from(v)),
                r,
                s,
            ],
        );
        let ctx = Call::new_mutating(self);
        if let Err(permit_error) = call(self.vm(), ctx, token, &permit) {
            let query = calldata(ALLOWANCE, &[address_word(buyer), address_word(purchase.avatar)]);
            let allowance = static_call(self.vm(), Call::new(), token, &query)
                .ok()
                .and_then(|out| uint_at(&out, 0))
                .unwrap_or_default();
            if allowance < purchase.price {
                return Err(revert_data(permit_error));
            }
        }
        self.complete(&purchase, proof_of_buy)
    }

    /// Buys `video_id` for `user`, called by one of `user`'s spending keys, for at most
    /// `max_price`: the avatar charges the price to the key's cap (refusing unknown, expired or
    /// exhausted keys).
    ///
    /// # Errors
    /// [`VideoStoreInvalidBuyer`] when `user` is zero; then as [`Self::buy_video`], the payment
    /// errors including the avatar's [`AvatarUnknownSpendingKey`], [`AvatarSpendingKeyExpired`] and
    /// [`AvatarSpendingCapExceeded`].
    ///
    /// # Events
    /// As [`Self::buy_video`], with the key in `VideoBought`, plus the avatar's
    /// `SpendingKeyCharged`.
    ///
    /// [`AvatarSpendingCapExceeded`]: paratii_contracts::avatar::AvatarSpendingCapExceeded
    /// [`AvatarSpendingKeyExpired`]: paratii_contracts::avatar::AvatarSpendingKeyExpired
    /// [`AvatarUnknownSpendingKey`]: paratii_contracts::avatar::AvatarUnknownSpendingKey
    pub fn buy_video_for(
        &mut self,
        user: Address,
        video_id: B256,
        proof_of_buy: B256,
        max_price: U256,
    ) -> Result<(), Vec<u8>> {
        if user.is_zero() {
            return Err(Error::InvalidBuyer(VideoStoreInvalidBuyer { user }).into());
        }
        let key = self.vm().msg_sender();
        let purchase = self.check(user, key, video_id, max_price, false)?;
        self.complete(&purchase, proof_of_buy)
    }

    /// `buyer`'s purchase of `video_id`: whether it happened, the price paid, the proof-of-buy
    /// digest and the time (unix seconds); zeros when it did not.
    pub fn get_sale(&self, buyer: Address, video_id: B256) -> (bool, U256, B256, u64) {
        let sales = self.sales.getter(buyer);
        let sale = sales.getter(video_id);
        (
            sale.bought_at.get() != U64::ZERO,
            U256::from(sale.price.get()),
            sale.proof_of_buy.get(),
            sale.bought_at.get().to(),
        )
    }

    /// Whether `buyer` bought `video_id`.
    pub fn has_bought(&self, buyer: Address, video_id: B256) -> bool {
        self.sales.getter(buyer).getter(video_id).bought_at.get() != U64::ZERO
    }

    /// The `ParatiiRegistry` peers and the pool share are looked up in.
    pub fn registry(&self) -> Address {
        self.registry_address()
    }
}

impl VideoStore {
    /// The `ParatiiRegistry`: baked into the module, else stored (a cold `SLOAD` per purchase).
    fn registry_address(&self) -> Address {
        baked().map_or_else(|| self.registry.get(), |b| b.registry)
    }

    /// The purchase's peers (and PTI when `with_token`) and the pool share, in one registry
    /// call; `PeerNotRegistered` for the first missing peer.
    fn peers(&self, with_token: bool) -> Result<([Address; 4], U256), Vec<u8>> {
        let count = if with_token { 4 } else { 3 };
        let share_key = [names::VIDEO_REDISTRIBUTION_POOL_SHARE.key];
        let out = static_call(
            self.vm(),
            Call::new(),
            self.registry_address(),
            &calldata_word_arrays(GET_BY_KEYS, &[&PEERS[..count], &share_key]),
        )
        .map_err(revert_data)?;
        let contracts = word_array_at(&out, 0).unwrap_or_default();
        let mut found = [Address::ZERO; 4];
        for (i, key) in PEERS[..count].iter().enumerate() {
            let peer = contracts
                .get(i)
                .filter(|w| w[..12].iter().all(|b| *b == 0))
                .map(|w| Address::from_word(*w))
                .unwrap_or_default();
            if peer.is_zero() {
                return Err(Error::PeerNotRegistered(PeerNotRegistered { key: *key }).into());
            }
            found[i] = peer;
        }
        let share = word_array_at(&out, 1)
            .and_then(|uints| uints.first().map(|w| U256::from_be_bytes(w.0)))
            .unwrap_or_default();
        Ok((found, share))
    }

    /// Every check of a purchase, in the documented order; gathers what the payment needs.
    fn check(
        &self,
        buyer: Address,
        key: Address,
        video_id: B256,
        max_price: U256,
        with_token: bool,
    ) -> Result<Purchase, Vec<u8>> {
        let ([videos, avatar, users, token], share) = self.peers(with_token)?;
        let terms = static_call(self.vm(), Call::new(), videos, &calldata(SALE_TERMS, &[video_id]))
            .map_err(revert_data)?;
        let owner = address_at(&terms, 0).unwrap_or_default();
        let price = uint_at(&terms, 1).unwrap_or_default();
        if self.has_bought(buyer, video_id) {
            return Err(
                Error::AlreadyBought(VideoStoreAlreadyBought { buyer, videoId: video_id }).into()
            );
        }
        if to_u96(price).is_none() {
            return Err(Error::PriceTooHigh(VideoRegistryPriceTooHigh {
                price,
                max: U256::from(U96::MAX),
            })
            .into());
        }
        if price > max_price {
            return Err(Error::PriceAboveMax(VideoStorePriceAboveMax {
                videoId: video_id,
                price,
                maxPrice: max_price,
            })
            .into());
        }
        if share > SHARE_SCALE {
            return Err(Error::InvalidPoolShare(VideoStoreInvalidPoolShare {
                share,
                max: SHARE_SCALE,
            })
            .into());
        }
        let pool_part = U256::from(pool_part(price, share));
        Ok(Purchase { buyer, key, video_id, owner, price, pool_part, avatar, users, videos, token })
    }

    /// Effects, then interactions, then the event, for a checked purchase.
    fn complete(&mut self, p: &Purchase, proof_of_buy: B256) -> Result<(), Vec<u8>> {
        let limbs = p.price.as_limbs();
        let now = self.vm().block_timestamp();
        let mut sales = self.sales.setter(p.buyer);
        let mut sale = sales.setter(p.video_id);
        sale.price.set(U96::from_limbs([limbs[0], limbs[1]]));
        sale.bought_at.set(Uint::from(now));
        if !proof_of_buy.is_zero() {
            sale.proof_of_buy.set(proof_of_buy);
        }
        self.pay(p)?;
        let ctx = Call::new_mutating(self);
        call(
            self.vm(),
            ctx,
            p.users,
            &calldata(RECORD_ACQUISITION, &[address_word(p.buyer), p.video_id]),
        )
        .map_err(revert_data)?;
        let ctx = Call::new_mutating(self);
        call(self.vm(), ctx, p.videos, &calldata(RECORD_VIEW, &[p.video_id]))
            .map_err(revert_data)?;
        self.vm().log(VideoBought {
            videoId: p.video_id,
            buyer: p.buyer,
            owner: p.owner,
            price: p.price,
            poolShare: p.pool_part,
            proofOfBuy: proof_of_buy,
            key: p.key,
        });
        Ok(())
    }

    /// Moves the price from the buyer (or charges the key) through the avatar in one call: the
    /// pool's share to the pool, the rest to the owner. A free video makes no call.
    fn pay(&mut self, p: &Purchase) -> Result<(), Vec<u8>> {
        if p.price.is_zero() {
            return Ok(());
        }
        // `pool_part ≤ price`, so the owner's part cannot underflow.
        let owner_part = p.price - p.pool_part;
        let data = if p.key.is_zero() {
            calldata(
                AVATAR_PAY,
                &[
                    address_word(p.buyer),
                    address_word(p.owner),
                    uint_word(owner_part),
                    uint_word(p.pool_part),
                ],
            )
        } else {
            calldata(
                AVATAR_PAY_WITH_KEY,
                &[
                    address_word(p.buyer),
                    address_word(p.key),
                    address_word(p.owner),
                    uint_word(owner_part),
                    uint_word(p.pool_part),
                ],
            )
        };
        let ctx = Call::new_mutating(self);
        call_returning_true(self.vm(), ctx, p.avatar, &data)
    }
}

#[cfg(test)]
mod tests;
