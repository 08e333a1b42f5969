//! # `VideoRegistry` — videos by id
//!
//! Each video (a `bytes32` id derived from its owner and a salt the owner chose:
//! `keccak256(abi.encode(owner, salt))`, [`paratii_contracts::video_id`]) has an owner, the registrar
//! that registered it, a price in PTI wei, the sha2-256 digests of its IPFS objects (the original
//! upload, the transcoded stream, the metadata JSON; no strings on chain) and its stats (views,
//! likes, dislikes).
//!
//! **Roles.**
//! - Anyone registers a video **for themselves**; only a registrar the contract owner approved
//!   (the platform registering for a creator) registers for someone else. No squatting for
//!   others, and a registered id cannot be taken over. Because the id is derived from the owner,
//!   copying a pending registration gains nothing: a front-runner who registers the same salt
//!   for itself gets a different id, and one who names the producer as owner is refused (not an
//!   approved registrar).
//! - A video's owner or registrar updates its price and hashes (never its stats) or removes it.
//!   Removal is for good: the id is never registered again, so the votes, acquisitions and sales
//!   other contracts keep under it can never be attributed to another video.
//! - Stats change only through their writers, looked up in the `ParatiiRegistry` at call time:
//!   likes and dislikes by the `UserRegistry`, views by the `VideoStore` or the payment channels.
//! - The contract owner (two-step transfer) approves registrars.
//!
//! **Invariants.** A registered video has a non-zero owner and a non-zero original hash; its
//! price fits in 96 bits (PTI's whole supply does); counters never underflow (a vote change
//! decrements only the counter the voter was counted in).
//!
//! **Storage.** A video takes six slots: owner and price share one, registrar, views and the
//! removed flag another, likes and dislikes a third, then the three hashes.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
// `#[entrypoint]` (outside tests) and `export-abi` generate undocumented items; the plain test
// build has neither, so `clippy --all-targets` still enforces docs on every public item.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
// The public methods are the contract's ABI, called through the router, not from Rust.
#![allow(clippy::must_use_candidate)]
extern crate alloc;

use alloy_primitives::{Address, Uint, B256, U256};
use paratii_common::{impl_from_ownable_error, lookup, Ownable2Step};
use paratii_contracts::{
    amounts::{to_u96, U96},
    immutables::{RegistryImmutableMismatch, RegistryImmutables, REGISTRY_PLACEHOLDER},
    names,
    ownable::{OwnableInvalidOwner, OwnableUnauthorizedAccount},
    video_registry::{
        RegistrarApproved, VideoRegistered, VideoRegistryAlreadyRegistered,
        VideoRegistryInvalidOwner, VideoRegistryInvalidVote, VideoRegistryMissingOriginal,
        VideoRegistryNotApprovedRegistrar, VideoRegistryNotOwnerOrRegistrar,
        VideoRegistryPriceTooHigh, VideoRegistryRemoved, VideoRegistryUnauthorizedStatsWriter,
        VideoRegistryUnknownVideo, VideoRemoved, VideoUpdated, VideoViewed, VideoVotesChanged,
    },
    votes::tally,
};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageB256, StorageBool, StorageMap, StorageU64, StorageU96},
};

pub use paratii_contracts::votes::{VOTE_DISLIKE, VOTE_LIKE, VOTE_NONE};

/// Every way a `VideoRegistry` call can fail; each variant is the Solidity error it reverts with.
#[derive(SolidityError, Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The caller is not the contract owner (or pending owner).
    UnauthorizedAccount(OwnableUnauthorizedAccount),
    /// The zero address cannot own the contract.
    InvalidOwner(OwnableInvalidOwner),
    /// No such video.
    UnknownVideo(VideoRegistryUnknownVideo),
    /// The id is taken.
    AlreadyRegistered(VideoRegistryAlreadyRegistered),
    /// The video owner is the zero address.
    InvalidVideoOwner(VideoRegistryInvalidOwner),
    /// Registering for someone else without approval.
    NotApprovedRegistrar(VideoRegistryNotApprovedRegistrar),
    /// Neither the video's owner nor its registrar.
    NotOwnerOrRegistrar(VideoRegistryNotOwnerOrRegistrar),
    /// The price does not fit in 96 bits.
    PriceTooHigh(VideoRegistryPriceTooHigh),
    /// The original hash is zero.
    MissingOriginal(VideoRegistryMissingOriginal),
    /// Not the registered writer of these stats.
    UnauthorizedStatsWriter(VideoRegistryUnauthorizedStatsWriter),
    /// Not a vote change.
    InvalidVote(VideoRegistryInvalidVote),
    /// The id belonged to a removed video.
    Removed(VideoRegistryRemoved),
    /// The constructor's registry differs from the one baked into the module.
    ImmutableMismatch(RegistryImmutableMismatch),
}

paratii_common::deploy_time_constants!(REGISTRY_PLACEHOLDER => RegistryImmutables);

impl_from_ownable_error!(Error);

/// One video.
#[storage]
pub struct Video {
    owner: StorageAddress,
    price: StorageU96,
    registrar: StorageAddress,
    views: StorageU64,
    removed: StorageBool,
    likes: StorageU64,
    dislikes: StorageU64,
    original: StorageB256,
    transcoded: StorageB256,
    metadata: StorageB256,
}

/// Registry storage: ownership, the `ParatiiRegistry` it looks stats writers up in, approved
/// registrars, videos.
#[storage]
#[entrypoint]
pub struct VideoRegistry {
    ownership: Ownable2Step,
    registry: StorageAddress,
    registrars: StorageMap<Address, StorageBool>,
    videos: StorageMap<B256, Video>,
}

/// The `VideoRegistry` interface.
#[public]
impl VideoRegistry {
    /// Sets the owner and the `ParatiiRegistry` to look stats writers up in.
    ///
    /// # Errors
    /// [`RegistryImmutableMismatch`] (carrying the module's registry) when a deployer baked the
    /// registry into the module ([`paratii_contracts::immutables`]) and it differs from
    /// `registry` (a module deployed as built reads it from storage instead);
    /// [`OwnableInvalidOwner(0)`](OwnableInvalidOwner) when `owner` is zero.
    ///
    /// # Events
    /// `OwnershipTransferred(0, owner)`.
    #[constructor]
    pub fn constructor(&mut self, owner: Address, registry: Address) -> Result<(), Error> {
        paratii_common::check_baked_registry(baked(), registry)
            .map_err(Error::ImmutableMismatch)?;
        self.registry.set(registry);
        Ok(self.ownership.init(owner)?)
    }

    /// Registers a video for `owner` (the caller, or anyone when the caller is an approved
    /// registrar) at `price` PTI wei, with its IPFS digests (`transcoded` may be zero until
    /// transcoding is done), under the id `keccak256(abi.encode(owner, salt))`, which it
    /// returns ([`Self::video_id`]).
    ///
    /// # Errors
    /// In order: [`VideoRegistryInvalidOwner`]; [`VideoRegistryNotApprovedRegistrar`];
    /// [`VideoRegistryAlreadyRegistered`]; [`VideoRegistryRemoved`]; [`VideoRegistryPriceTooHigh`];
    /// [`VideoRegistryMissingOriginal`].
    ///
    /// # Events
    /// `VideoRegistered`.
    pub fn register_video(
        &mut self,
        salt: B256,
        owner: Address,
        price: U256,
        original: B256,
        transcoded: B256,
        metadata: B256,
    ) -> Result<B256, Error> {
        let registrar = self.vm().msg_sender();
        if owner.is_zero() {
            return Err(Error::InvalidVideoOwner(VideoRegistryInvalidOwner { owner }));
        }
        if owner != registrar && !self.registrars.get(registrar) {
            return Err(Error::NotApprovedRegistrar(VideoRegistryNotApprovedRegistrar {
                caller: registrar,
                owner,
            }));
        }
        let video_id = paratii_contracts::video_id(owner, salt);
        let existing = self.videos.getter(video_id).owner.get();
        if !existing.is_zero() {
            return Err(Error::AlreadyRegistered(VideoRegistryAlreadyRegistered {
                videoId: video_id,
                owner: existing,
            }));
        }
        if self.videos.getter(video_id).removed.get() {
            return Err(Error::Removed(VideoRegistryRemoved { videoId: video_id }));
        }
        self.write_terms(video_id, price, original, transcoded, metadata)?;
        let mut video = self.videos.setter(video_id);
        video.owner.set(owner);
        video.registrar.set(registrar);
        self.vm().log(VideoRegistered {
            videoId: video_id,
            owner,
            registrar,
            price,
            original,
            transcoded,
            metadata,
        });
        Ok(video_id)
    }

    /// The id of `owner`'s video registered with `salt`: `keccak256(abi.encode(owner, salt))`.
    pub fn video_id(&self, owner: Address, salt: B256) -> B256 {
        paratii_contracts::video_id(owner, salt)
    }

    /// Changes `video_id`'s price and hashes; its owner, registrar and stats stay.
    ///
    /// # Errors
    /// In order: [`VideoRegistryUnknownVideo`]; [`VideoRegistryNotOwnerOrRegistrar`];
    /// [`VideoRegistryPriceTooHigh`]; [`VideoRegistryMissingOriginal`].
    ///
    /// # Events
    /// `VideoUpdated`.
    pub fn update_video(
        &mut self,
        video_id: B256,
        price: U256,
        original: B256,
        transcoded: B256,
        metadata: B256,
    ) -> Result<(), Error> {
        self.only_owner_or_registrar(video_id)?;
        self.write_terms(video_id, price, original, transcoded, metadata)?;
        self.vm().log(VideoUpdated { videoId: video_id, price, original, transcoded, metadata });
        Ok(())
    }

    /// Removes `video_id` (record and stats) for good: the id can never be registered again.
    ///
    /// # Errors
    /// [`VideoRegistryUnknownVideo`]; [`VideoRegistryNotOwnerOrRegistrar`].
    ///
    /// # Events
    /// `VideoRemoved`.
    pub fn remove_video(&mut self, video_id: B256) -> Result<(), Error> {
        self.only_owner_or_registrar(video_id)?;
        let mut video = self.videos.setter(video_id);
        video.owner.erase();
        video.price.erase();
        video.registrar.erase();
        video.views.erase();
        video.removed.set(true);
        video.likes.erase();
        video.dislikes.erase();
        video.original.erase();
        video.transcoded.erase();
        video.metadata.erase();
        self.vm().log(VideoRemoved { videoId: video_id });
        Ok(())
    }

    /// Approves (or stops approving) `registrar` to register videos for others.
    ///
    /// # Errors
    /// [`OwnableUnauthorizedAccount`] unless the caller is the contract owner.
    ///
    /// # Events
    /// `RegistrarApproved`.
    pub fn set_registrar(&mut self, registrar: Address, approved: bool) -> Result<(), Error> {
        self.ownership.only_owner()?;
        self.registrars.setter(registrar).set(approved);
        self.vm().log(RegistrarApproved { registrar, approved });
        Ok(())
    }

    /// Counts a view of `video_id`; only the `VideoStore` or the payment channels (as registered
    /// in the `ParatiiRegistry` now) may.
    ///
    /// # Errors
    /// [`VideoRegistryUnknownVideo`]; [`VideoRegistryUnauthorizedStatsWriter`].
    ///
    /// # Events
    /// `VideoViewed` with the new count.
    pub fn record_view(&mut self, video_id: B256) -> Result<(), Error> {
        self.when_registered(video_id)?;
        self.only_writer(&[names::VIDEO_STORE.key, names::PAYMENT_CHANNELS.key])?;
        let mut video = self.videos.setter(video_id);
        // Cannot overflow in practice: one view per purchase or channel, far below 2⁶⁴.
        let views = video.views.get().to::<u64>().saturating_add(1);
        video.views.set(Uint::from(views));
        self.vm().log(VideoViewed { videoId: video_id, views });
        Ok(())
    }

    /// Moves one voter's vote on `video_id` from `previous` to `next` (0 none, 1 like, 2 dislike);
    /// only the `UserRegistry` (as registered in the `ParatiiRegistry` now) may.
    ///
    /// # Errors
    /// [`VideoRegistryInvalidVote`] (codes above 2, or no change); [`VideoRegistryUnknownVideo`];
    /// [`VideoRegistryUnauthorizedStatsWriter`].
    ///
    /// # Events
    /// `VideoVotesChanged` with the new counts.
    pub fn record_vote(&mut self, video_id: B256, previous: u8, next: u8) -> Result<(), Error> {
        if previous > VOTE_DISLIKE || next > VOTE_DISLIKE || previous == next {
            return Err(Error::InvalidVote(VideoRegistryInvalidVote { previous, next }));
        }
        self.when_registered(video_id)?;
        self.only_writer(&[names::USER_REGISTRY.key])?;
        let mut video = self.videos.setter(video_id);
        // The user registry only reports transitions it recorded, so the counter it leaves holds
        // that voter.
        let (likes, dislikes) =
            tally(video.likes.get().to(), video.dislikes.get().to(), previous, next);
        video.likes.set(Uint::from(likes));
        video.dislikes.set(Uint::from(dislikes));
        self.vm().log(VideoVotesChanged { videoId: video_id, likes, dislikes });
        Ok(())
    }

    /// `video_id`'s record: owner, registrar, price, original, transcoded and metadata hashes.
    ///
    /// # Errors
    /// [`VideoRegistryUnknownVideo`].
    #[allow(clippy::type_complexity)]
    pub fn get_video(
        &self,
        video_id: B256,
    ) -> Result<(Address, Address, U256, B256, B256, B256), Error> {
        let owner = self.owner_of(video_id)?;
        let video = self.videos.getter(video_id);
        Ok((
            owner,
            video.registrar.get(),
            U256::from(video.price.get()),
            video.original.get(),
            video.transcoded.get(),
            video.metadata.get(),
        ))
    }

    /// What a buyer pays and to whom: `video_id`'s owner and price (one slot read).
    ///
    /// # Errors
    /// [`VideoRegistryUnknownVideo`].
    pub fn sale_terms(&self, video_id: B256) -> Result<(Address, U256), Error> {
        let owner = self.owner_of(video_id)?;
        Ok((owner, U256::from(self.videos.getter(video_id).price.get())))
    }

    /// `video_id`'s views, likes and dislikes.
    ///
    /// # Errors
    /// [`VideoRegistryUnknownVideo`].
    pub fn get_stats(&self, video_id: B256) -> Result<(u64, u64, u64), Error> {
        self.when_registered(video_id)?;
        let video = self.videos.getter(video_id);
        Ok((video.views.get().to(), video.likes.get().to(), video.dislikes.get().to()))
    }

    /// Whether `video_id` is registered.
    pub fn is_registered(&self, video_id: B256) -> bool {
        !self.videos.getter(video_id).owner.get().is_zero()
    }

    /// Whether `registrar` may register videos for others.
    pub fn is_registrar(&self, registrar: Address) -> bool {
        self.registrars.get(registrar)
    }

    /// The `ParatiiRegistry` stats writers are looked up in.
    pub fn registry(&self) -> Address {
        self.registry_address()
    }

    /// The contract owner.
    pub fn owner(&self) -> Address {
        self.ownership.owner()
    }

    /// The address that may accept ownership (zero when none).
    pub fn pending_owner(&self) -> Address {
        self.ownership.pending_owner()
    }

    /// Starts handing the contract to `new_owner`, who must accept; zero cancels.
    ///
    /// # Errors
    /// [`OwnableUnauthorizedAccount`] unless the caller is the owner.
    ///
    /// # Events
    /// `OwnershipTransferStarted`.
    pub fn transfer_ownership(&mut self, new_owner: Address) -> Result<(), Error> {
        Ok(self.ownership.transfer_ownership(new_owner)?)
    }

    /// Completes a transfer: the caller, the pending owner, becomes the owner.
    ///
    /// # Errors
    /// [`OwnableUnauthorizedAccount`] unless the caller is the pending owner.
    ///
    /// # Events
    /// `OwnershipTransferred`.
    pub fn accept_ownership(&mut self) -> Result<(), Error> {
        Ok(self.ownership.accept_ownership()?)
    }

    /// Gives up ownership for good: no registrar can be approved or revoked any more.
    ///
    /// # Errors
    /// [`OwnableUnauthorizedAccount`] unless the caller is the owner.
    ///
    /// # Events
    /// `OwnershipTransferred(owner, 0)`.
    pub fn renounce_ownership(&mut self) -> Result<(), Error> {
        Ok(self.ownership.renounce_ownership()?)
    }
}

impl VideoRegistry {
    /// The `ParatiiRegistry`: baked into the module, else stored (a cold `SLOAD` per use).
    fn registry_address(&self) -> Address {
        baked().map_or_else(|| self.registry.get(), |b| b.registry)
    }

    /// `video_id`'s owner, or `VideoRegistryUnknownVideo` when it is not registered.
    fn owner_of(&self, video_id: B256) -> Result<Address, Error> {
        let owner = self.videos.getter(video_id).owner.get();
        if owner.is_zero() {
            return Err(Error::UnknownVideo(VideoRegistryUnknownVideo { videoId: video_id }));
        }
        Ok(owner)
    }

    /// Guard: `video_id` is registered.
    fn when_registered(&self, video_id: B256) -> Result<(), Error> {
        self.owner_of(video_id).map(|_| ())
    }

    /// Checks the price (96 bits) and the original hash (non-zero), then writes the price and
    /// the three hashes: what registration and updates both set.
    fn write_terms(
        &mut self,
        video_id: B256,
        price: U256,
        original: B256,
        transcoded: B256,
        metadata: B256,
    ) -> Result<(), Error> {
        let price96 = check_price(price)?;
        if original.is_zero() {
            return Err(Error::MissingOriginal(VideoRegistryMissingOriginal { videoId: video_id }));
        }
        let mut video = self.videos.setter(video_id);
        video.price.set(price96);
        video.original.set(original);
        video.transcoded.set(transcoded);
        video.metadata.set(metadata);
        Ok(())
    }

    /// Guard: `video_id` is registered and the caller is its owner or registrar.
    fn only_owner_or_registrar(&self, video_id: B256) -> Result<(), Error> {
        let owner = self.owner_of(video_id)?;
        let caller = self.vm().msg_sender();
        if caller != owner && caller != self.videos.getter(video_id).registrar.get() {
            return Err(Error::NotOwnerOrRegistrar(VideoRegistryNotOwnerOrRegistrar {
                videoId: video_id,
                caller,
            }));
        }
        Ok(())
    }

    /// Guard: the caller is the contract registered under one of `keys` right now.
    fn only_writer(&self, keys: &[B256]) -> Result<(), Error> {
        let caller = self.vm().msg_sender();
        let registry = self.registry_address();
        if keys.iter().any(|key| lookup(self.vm(), registry, *key) == Some(caller)) {
            return Ok(());
        }
        Err(Error::UnauthorizedStatsWriter(VideoRegistryUnauthorizedStatsWriter { caller }))
    }
}

/// The price as stored, or `VideoRegistryPriceTooHigh`.
fn check_price(price: U256) -> Result<U96, Error> {
    to_u96(price)
        .ok_or(Error::PriceTooHigh(VideoRegistryPriceTooHigh { price, max: U256::from(U96::MAX) }))
}

#[cfg(test)]
mod tests;
