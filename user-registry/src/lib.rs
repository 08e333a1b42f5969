//! # `UserRegistry` — users by metadata hash, acquisitions, votes, posting keys
//!
//! A user is an address with the sha2-256 digest of its IPFS metadata JSON (`bytes32`); names
//! and emails stay off chain (the original stored both in clear). Beside the users the registry
//! keeps what each address bought (as the `VideoStore` reports it) and how it voted on each video
//! (like or dislike, the original's semantics), and the posting keys that may vote for a user.
//!
//! **Roles.**
//! - A user registers, updates or removes itself; the contract owner (two-step transfer) may also
//!   remove a user. Removing clears the metadata only: acquisitions and votes are records of what
//!   happened and stay.
//! - Acquisitions are recorded only by the `VideoStore`, looked up in the `ParatiiRegistry` at
//!   call time, so a store replaced in the registry loses the right at once.
//! - Anyone votes for itself (`likeVideo`); neither a registration nor a purchase is required, but
//!   the video must exist: the `VideoRegistry` (looked up at call time) is told of every vote
//!   change and reverts for an unknown video. The vote event says whether the voter had bought it.
//! - A user, or a live spending key the user authorised in the `ParatiiAvatar`, authorises and
//!   revokes posting keys with an expiry. A live posting key votes for the user directly
//!   (`likeVideoFor`) or through an EIP-712 `Vote` it signed, which anyone may relay
//!   (`likeVideoBySig`, gasless voting; the user may sign its own votes too).
//!
//! **Votes.** Each (user, video) has a vote code: 0 none, 1 like, 2 dislike. A like overrides a
//! dislike and vice versa; repeating a vote is a no-op (no event, no call). Each change moves the
//! user's own counters here and the video's counters in the `VideoRegistry` (`recordVote`).
//!
//! **Signed votes.** EIP-712 domain: name "Paratii Users", version "1", the chain id, this
//! contract (`DOMAIN_SEPARATOR()`, EIP-5267 `eip712Domain()`). A signed vote carries the user's
//! next vote nonce; an accepted signature uses it up, even when the vote repeats the current one,
//! so a signature is good once, in order, on one chain and one contract. Signatures are 65 bytes,
//! `v` ∈ {27, 28}, low-s.
//!
//! **Invariants.** A user is registered exactly when its metadata is non-zero. For every user,
//! `likes` (`dislikes`) equals the number of videos it votes 1 (2) on, and every vote change was
//! reported to the `VideoRegistry` of the moment. An acquisition, once recorded, is never cleared.
//! A posting key is live while `block.timestamp < expiry`; it is never the zero address nor the
//! user itself. A user's vote nonce grows by exactly one per accepted signed vote.
//!
//! **Storage.** Per user: the metadata digest (one slot); the like and dislike counters and the
//! vote nonce (one slot, three `u64`s, so a signed vote writes one slot for all three); per video,
//! the acquired flag and the vote code (one slot); per posting key, its expiry.
//!
//! **Not here.** No strings on chain, no enumeration of a user's videos (the events index them),
//! no per-video counters (the `VideoRegistry` keeps them).
//!
//! **One file.** About 650 lines, a third of them docs: the contract stays in one module because
//! moving a contract's code between modules reorders its functions in the WASM and moves its
//! bytes and entry gas (the channel's split moved it by 3 raw bytes).
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
// `#[entrypoint]` (outside tests) and `export-abi` generate undocumented items; the plain test
// build has neither, so `clippy --all-targets` still enforces docs on every public item.
#![cfg_attr(any(not(test), feature = "export-abi"), allow(missing_docs))]
// The public methods are the contract's ABI, called through the router, not from Rust.
#![allow(clippy::must_use_candidate)]
extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{Address, Bytes, Uint, B256, U256};
use paratii_common::{
    impl_from_ownable_error, impl_from_signature_error, lookup, peer, recover, revert_data,
    Eip712Domain, Ownable2Step,
};
use paratii_contracts::{
    ecdsa::Signature,
    eip712::{self, TOKEN_VERSION, TOKEN_VERSION_HASH, USERS_NAME, USERS_NAME_HASH},
    immutables::{RegistryImmutableMismatch, RegistryImmutables, REGISTRY_PLACEHOLDER},
    names,
    ownable::{OwnableInvalidOwner, OwnableUnauthorizedAccount},
    peers::PeerNotRegistered,
    signature::{
        ECDSAInvalidSignature, ECDSAInvalidSignatureLength, ECDSAInvalidSignatureS,
        ECDSAInvalidSignatureV,
    },
    user_registry::{
        PostingKeyAuthorized, PostingKeyRevoked, UserRegistered, UserRegistryAlreadyAcquired,
        UserRegistryAlreadyRegistered, UserRegistryExpiredSignature, UserRegistryExpiryNotInFuture,
        UserRegistryInvalidPostingKey, UserRegistryMissingMetadata, UserRegistryNotPostingKey,
        UserRegistryNotUserOrOwner, UserRegistryNotUserOrSpendingKey,
        UserRegistryUnauthorizedStore, UserRegistryUnknownUser, UserRemoved, UserUpdated,
        VideoAcquired, VideoVoted,
    },
    votes::tally,
    words::selector,
};
use stylus_sdk::{
    call::{call, static_call},
    prelude::*,
    storage::{StorageAddress, StorageB256, StorageBool, StorageMap, StorageU64, StorageU8},
};

pub use paratii_contracts::votes::{VOTE_DISLIKE, VOTE_LIKE, VOTE_NONE};

/// The EIP-712 domain version of signed votes, "1" (the suite's one version).
pub const VERSION: &str = TOKEN_VERSION;

/// `bytes4(keccak256("recordVote(bytes32,uint8,uint8)"))`: the `VideoRegistry`'s vote writer.
pub const RECORD_VOTE_SELECTOR: [u8; 4] = selector("recordVote(bytes32,uint8,uint8)");

/// `bytes4(keccak256("isSpendingKey(address,address)"))`: the `ParatiiAvatar`'s key check.
pub const IS_SPENDING_KEY_SELECTOR: [u8; 4] = selector("isSpendingKey(address,address)");

/// Every way a `UserRegistry` call can fail; each variant is the Solidity error it reverts with.
/// (The `VideoRegistry`'s revert data, bubbled by the vote functions, comes on top.)
#[derive(SolidityError, Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The caller is not the contract owner (or pending owner).
    UnauthorizedAccount(OwnableUnauthorizedAccount),
    /// The zero address cannot own the contract.
    InvalidOwner(OwnableInvalidOwner),
    /// The user is registered already.
    AlreadyRegistered(UserRegistryAlreadyRegistered),
    /// The user is not registered.
    UnknownUser(UserRegistryUnknownUser),
    /// The metadata digest is zero.
    MissingMetadata(UserRegistryMissingMetadata),
    /// Neither the user nor the contract owner.
    NotUserOrOwner(UserRegistryNotUserOrOwner),
    /// Not the `VideoStore` registered now.
    UnauthorizedStore(UserRegistryUnauthorizedStore),
    /// The acquisition is recorded already.
    AlreadyAcquired(UserRegistryAlreadyAcquired),
    /// Neither the user nor one of its live spending keys.
    NotUserOrSpendingKey(UserRegistryNotUserOrSpendingKey),
    /// The zero address or the user itself as a posting key.
    InvalidPostingKey(UserRegistryInvalidPostingKey),
    /// The expiry is not in the future.
    ExpiryNotInFuture(UserRegistryExpiryNotInFuture),
    /// Not a live posting key of the user.
    NotPostingKey(UserRegistryNotPostingKey),
    /// The signed vote's deadline has passed.
    ExpiredSignature(UserRegistryExpiredSignature),
    /// No `VideoRegistry` is registered.
    PeerNotRegistered(PeerNotRegistered),
    /// The signature recovers no address.
    InvalidSignature(ECDSAInvalidSignature),
    /// The signature is not 65 bytes.
    InvalidSignatureLength(ECDSAInvalidSignatureLength),
    /// The signature is malleable (high-s).
    InvalidSignatureS(ECDSAInvalidSignatureS),
    /// The signature's `v` is not 27 or 28.
    InvalidSignatureV(ECDSAInvalidSignatureV),
    /// The constructor's registry differs from the one baked into the module.
    ImmutableMismatch(RegistryImmutableMismatch),
}

paratii_common::deploy_time_constants!(REGISTRY_PLACEHOLDER => RegistryImmutables);

impl_from_ownable_error!(Error);
impl_from_signature_error!(Error);

/// What one user did with one video (one slot).
#[storage]
pub struct UserVideo {
    acquired: StorageBool,
    vote: StorageU8,
}

/// One user.
#[storage]
pub struct User {
    metadata: StorageB256,
    likes: StorageU64,
    dislikes: StorageU64,
    nonce: StorageU64,
    videos: StorageMap<B256, UserVideo>,
    posting_keys: StorageMap<Address, StorageU64>,
}

/// Registry storage: ownership, the `ParatiiRegistry` peers are looked up in, users.
#[storage]
#[entrypoint]
pub struct UserRegistry {
    ownership: Ownable2Step,
    registry: StorageAddress,
    users: StorageMap<Address, User>,
}

/// A vote change that passed its checks: the user's previous and next codes, and the
/// `VideoRegistry` to tell.
#[derive(Clone, Copy)]
struct Ballot {
    previous: u8,
    next: u8,
    videos: Address,
}

/// The `UserRegistry` interface.
#[public]
impl UserRegistry {
    /// Sets the owner and the `ParatiiRegistry` to look peers up in.
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

    /// Registers the caller with `metadata`, the sha2-256 digest of its IPFS metadata JSON.
    ///
    /// # Errors
    /// In order: [`UserRegistryMissingMetadata`]; [`UserRegistryAlreadyRegistered`].
    ///
    /// # Events
    /// `UserRegistered`.
    pub fn register_user(&mut self, metadata: B256) -> Result<(), Error> {
        let user = self.vm().msg_sender();
        when_metadata(metadata)?;
        if self.is_registered(user) {
            return Err(Error::AlreadyRegistered(UserRegistryAlreadyRegistered { user }));
        }
        self.users.setter(user).metadata.set(metadata);
        self.vm().log(UserRegistered { user, metadata });
        Ok(())
    }

    /// Replaces the caller's metadata digest.
    ///
    /// # Errors
    /// In order: [`UserRegistryUnknownUser`]; [`UserRegistryMissingMetadata`].
    ///
    /// # Events
    /// `UserUpdated`.
    pub fn update_user(&mut self, metadata: B256) -> Result<(), Error> {
        let user = self.vm().msg_sender();
        self.when_registered(user)?;
        when_metadata(metadata)?;
        self.users.setter(user).metadata.set(metadata);
        self.vm().log(UserUpdated { user, metadata });
        Ok(())
    }

    /// Removes `user` (its metadata; its acquisitions, votes and posting keys stay). The user or
    /// the contract owner may.
    ///
    /// # Errors
    /// In order: [`UserRegistryNotUserOrOwner`]; [`UserRegistryUnknownUser`].
    ///
    /// # Events
    /// `UserRemoved(user, caller)`.
    pub fn remove_user(&mut self, user: Address) -> Result<(), Error> {
        let caller = self.vm().msg_sender();
        if caller != user && caller != self.ownership.owner() {
            return Err(Error::NotUserOrOwner(UserRegistryNotUserOrOwner { caller, user }));
        }
        self.when_registered(user)?;
        self.users.setter(user).metadata.erase();
        self.vm().log(UserRemoved { user, removedBy: caller });
        Ok(())
    }

    /// `user`'s metadata digest.
    ///
    /// # Errors
    /// [`UserRegistryUnknownUser`].
    pub fn get_user(&self, user: Address) -> Result<B256, Error> {
        self.when_registered(user)
    }

    /// Whether `user` is registered.
    pub fn is_registered(&self, user: Address) -> bool {
        !self.users.getter(user).metadata.get().is_zero()
    }

    /// Records that `user` acquired `video_id`; only the `VideoStore` registered in the
    /// `ParatiiRegistry` now may.
    ///
    /// # Errors
    /// In order: [`UserRegistryUnauthorizedStore`] (also when no store is registered);
    /// [`UserRegistryAlreadyAcquired`].
    ///
    /// # Events
    /// `VideoAcquired`.
    pub fn record_acquisition(&mut self, user: Address, video_id: B256) -> Result<(), Error> {
        let caller = self.vm().msg_sender();
        if lookup(self.vm(), self.registry_address(), names::VIDEO_STORE.key) != Some(caller) {
            return Err(Error::UnauthorizedStore(UserRegistryUnauthorizedStore { caller }));
        }
        if self.user_acquired_video(user, video_id) {
            return Err(Error::AlreadyAcquired(UserRegistryAlreadyAcquired {
                user,
                videoId: video_id,
            }));
        }
        self.users.setter(user).videos.setter(video_id).acquired.set(true);
        self.vm().log(VideoAcquired { user, videoId: video_id });
        Ok(())
    }

    /// The caller likes (`liked`) or dislikes `video_id`; a repeat is a no-op.
    ///
    /// # Errors
    /// [`PeerNotRegistered(VideoRegistry)`](PeerNotRegistered); the `VideoRegistry`'s revert data,
    /// unchanged ([`VideoRegistryUnknownVideo`] for an unknown video).
    ///
    /// # Events
    /// `VideoVoted(caller, video_id, liked, acquired, caller)` unless the vote repeats.
    ///
    /// [`VideoRegistryUnknownVideo`]: paratii_contracts::video_registry::VideoRegistryUnknownVideo
    pub fn like_video(&mut self, video_id: B256, liked: bool) -> Result<(), Vec<u8>> {
        let user = self.vm().msg_sender();
        self.vote(user, video_id, liked, user)
    }

    /// The caller, a live posting key of `user`, likes (`liked`) or dislikes `video_id` for
    /// `user`; a repeat is a no-op.
    ///
    /// # Errors
    /// In order: [`UserRegistryNotPostingKey(user, caller)`](UserRegistryNotPostingKey); then as
    /// [`Self::like_video`].
    ///
    /// # Events
    /// `VideoVoted(user, video_id, liked, acquired, caller)` unless the vote repeats.
    pub fn like_video_for(
        &mut self,
        user: Address,
        video_id: B256,
        liked: bool,
    ) -> Result<(), Vec<u8>> {
        let key = self.vm().msg_sender();
        self.when_posting_key(user, key)?;
        self.vote(user, video_id, liked, key)
    }

    /// Casts the vote `user` or one of its live posting keys signed as an EIP-712
    /// `Vote(user, videoId, liked, voteNonce(user), deadline)`; anyone may relay it. Uses up the
    /// nonce, even when the vote repeats the current one (then nothing else changes).
    ///
    /// # Errors
    /// In order: [`UserRegistryExpiredSignature`] (`block.timestamp > deadline`);
    /// [`ECDSAInvalidSignatureLength`] (not 65 bytes); [`ECDSAInvalidSignatureV`];
    /// [`ECDSAInvalidSignatureS`] (high-s); [`ECDSAInvalidSignature`] (nothing recovered);
    /// [`UserRegistryNotPostingKey(user, signer)`](UserRegistryNotPostingKey) (the signer is
    /// neither `user` nor a live posting key of it, including a replayed signature, which recovers
    /// another address); then as [`Self::like_video`].
    ///
    /// # Events
    /// `VideoVoted(user, video_id, liked, acquired, signer)` unless the vote repeats.
    // The router decodes `bytes` into an owned value; the signature is only read.
    #[allow(clippy::needless_pass_by_value)]
    pub fn like_video_by_sig(
        &mut self,
        user: Address,
        video_id: B256,
        liked: bool,
        deadline: U256,
        signature: Bytes,
    ) -> Result<(), Vec<u8>> {
        if U256::from(self.vm().block_timestamp()) > deadline {
            return Err(Error::ExpiredSignature(UserRegistryExpiredSignature { deadline }).into());
        }
        let signature = Signature::from_packed(&signature).map_err(Error::from)?;
        let nonce = self.users.getter(user).nonce.get().to::<u64>();
        let digest = self.vote_digest(user, video_id, liked, nonce, deadline);
        let signer = recover(self.vm(), digest, &signature).map_err(Error::from)?;
        if signer != user {
            self.when_posting_key(user, signer)?;
        }
        let ballot = self.ballot(user, video_id, liked)?;
        // Cannot overflow: one nonce per signed vote, each a transaction; 2⁶⁴ is out of reach.
        self.users.setter(user).nonce.set(Uint::from(nonce + 1));
        match ballot {
            Some(ballot) => self.cast(user, video_id, ballot, signer),
            None => Ok(()),
        }
    }

    /// `user`, or one of its live spending keys in the `ParatiiAvatar`, lets `key` vote for `user`
    /// until `expiry` (unix seconds, exclusive); replaces an earlier expiry of `key`.
    ///
    /// # Errors
    /// In order: [`UserRegistryNotUserOrSpendingKey`]; [`UserRegistryInvalidPostingKey`] (`key`
    /// zero or `user`); [`UserRegistryExpiryNotInFuture`] (`expiry <= block.timestamp`).
    ///
    /// # Events
    /// `PostingKeyAuthorized(user, key, expiry, caller)`.
    pub fn authorize_posting_key(
        &mut self,
        user: Address,
        key: Address,
        expiry: u64,
    ) -> Result<(), Error> {
        let caller = self.only_user_or_spending_key(user)?;
        if key.is_zero() || key == user {
            return Err(Error::InvalidPostingKey(UserRegistryInvalidPostingKey { user, key }));
        }
        let now = self.vm().block_timestamp();
        if expiry <= now {
            return Err(Error::ExpiryNotInFuture(UserRegistryExpiryNotInFuture { expiry, now }));
        }
        self.users.setter(user).posting_keys.setter(key).set(Uint::from(expiry));
        self.vm().log(PostingKeyAuthorized { user, key, expiry, authorizedBy: caller });
        Ok(())
    }

    /// `user`, or one of its live spending keys in the `ParatiiAvatar`, revokes `user`'s posting
    /// key `key` (an expired one too, which clears it).
    ///
    /// # Errors
    /// In order: [`UserRegistryNotUserOrSpendingKey`]; [`UserRegistryNotPostingKey`] (never
    /// authorised, or revoked already).
    ///
    /// # Events
    /// `PostingKeyRevoked(user, key, caller)`.
    pub fn revoke_posting_key(&mut self, user: Address, key: Address) -> Result<(), Error> {
        let caller = self.only_user_or_spending_key(user)?;
        if self.posting_key_expiry(user, key) == 0 {
            return Err(Error::NotPostingKey(UserRegistryNotPostingKey { user, key }));
        }
        self.users.setter(user).posting_keys.setter(key).erase();
        self.vm().log(PostingKeyRevoked { user, key, revokedBy: caller });
        Ok(())
    }

    /// Whether the `VideoStore` recorded that `user` acquired `video_id`.
    pub fn user_acquired_video(&self, user: Address, video_id: B256) -> bool {
        self.users.getter(user).videos.getter(video_id).acquired.get()
    }

    /// Whether `user` likes `video_id`.
    pub fn user_likes_video(&self, user: Address, video_id: B256) -> bool {
        self.vote_code(user, video_id) == VOTE_LIKE
    }

    /// Whether `user` dislikes `video_id`.
    pub fn user_dislikes_video(&self, user: Address, video_id: B256) -> bool {
        self.vote_code(user, video_id) == VOTE_DISLIKE
    }

    /// How many videos `user` likes and dislikes.
    pub fn user_votes(&self, user: Address) -> (u64, u64) {
        let u = self.users.getter(user);
        (u.likes.get().to(), u.dislikes.get().to())
    }

    /// When `user`'s posting key `key` expires (unix seconds, exclusive); zero when it was never
    /// authorised or was revoked.
    pub fn posting_key_expiry(&self, user: Address, key: Address) -> u64 {
        self.users.getter(user).posting_keys.get(key).to()
    }

    /// Whether `key` is a live posting key of `user` (`block.timestamp < expiry`).
    pub fn is_posting_key(&self, user: Address, key: Address) -> bool {
        self.vm().block_timestamp() < self.posting_key_expiry(user, key)
    }

    /// The nonce `user`'s next signed vote must carry.
    pub fn vote_nonce(&self, user: Address) -> U256 {
        U256::from(self.users.getter(user).nonce.get())
    }

    /// The EIP-712 domain separator of signed votes on this chain and contract.
    #[selector(name = "DOMAIN_SEPARATOR")]
    pub fn domain_separator(&self) -> B256 {
        paratii_common::domain_separator(self.vm(), USERS_NAME_HASH, TOKEN_VERSION_HASH)
    }

    /// EIP-5267: the fields of the EIP-712 domain (name, version, chain id, this contract).
    pub fn eip712_domain(&self) -> Eip712Domain {
        paratii_common::eip712_domain(self.vm(), USERS_NAME, VERSION)
    }

    /// The `ParatiiRegistry` peers are looked up in.
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

    /// Gives up ownership for good: only users can remove themselves any more.
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

impl UserRegistry {
    /// The `ParatiiRegistry`: baked into the module, else stored (a cold `SLOAD` per use).
    fn registry_address(&self) -> Address {
        baked().map_or_else(|| self.registry.get(), |b| b.registry)
    }

    /// Guard: `user` is registered; returns its metadata digest.
    fn when_registered(&self, user: Address) -> Result<B256, Error> {
        let metadata = self.users.getter(user).metadata.get();
        if metadata.is_zero() {
            return Err(Error::UnknownUser(UserRegistryUnknownUser { user }));
        }
        Ok(metadata)
    }

    /// Guard: `key` is a live posting key of `user`.
    fn when_posting_key(&self, user: Address, key: Address) -> Result<(), Error> {
        if self.is_posting_key(user, key) {
            return Ok(());
        }
        Err(Error::NotPostingKey(UserRegistryNotPostingKey { user, key }))
    }

    /// Guard: the caller is `user`, or a spending key of `user` that the `ParatiiAvatar`
    /// registered now vouches for; returns the caller. The user itself never needs the avatar.
    fn only_user_or_spending_key(&self, user: Address) -> Result<Address, Error> {
        let caller = self.vm().msg_sender();
        if caller == user {
            return Ok(caller);
        }
        if let Some(avatar) = lookup(self.vm(), self.registry_address(), names::PARATII_AVATAR.key)
        {
            if self.is_spending_key(avatar, user, caller) {
                return Ok(caller);
            }
        }
        Err(Error::NotUserOrSpendingKey(UserRegistryNotUserOrSpendingKey { caller, user }))
    }

    /// Whether `avatar` answers `isSpendingKey(user, key)` with `true` (a revert or any other
    /// answer is `false`).
    fn is_spending_key(&self, avatar: Address, user: Address, key: Address) -> bool {
        let mut calldata = [0u8; 68];
        calldata[..4].copy_from_slice(&IS_SPENDING_KEY_SELECTOR);
        calldata[16..36].copy_from_slice(user.as_slice());
        calldata[48..68].copy_from_slice(key.as_slice());
        static_call(self.vm(), Call::new(), avatar, &calldata)
            .is_ok_and(|out| out.as_slice() == B256::with_last_byte(1).as_slice())
    }

    /// `user`'s vote code on `video_id`.
    fn vote_code(&self, user: Address, video_id: B256) -> u8 {
        self.users.getter(user).videos.getter(video_id).vote.get().to()
    }

    /// The digest a signed vote signs: EIP-712 over this contract's domain.
    fn vote_digest(
        &self,
        user: Address,
        video_id: B256,
        liked: bool,
        nonce: u64,
        deadline: U256,
    ) -> B256 {
        eip712::typed_data_digest(
            self.domain_separator(),
            eip712::vote_struct_hash(user, video_id, liked, U256::from(nonce), deadline),
        )
    }

    /// Checks a vote: `None` when it repeats `user`'s current vote (a no-op), else the change and
    /// the `VideoRegistry` to report it to.
    fn ballot(&self, user: Address, video_id: B256, liked: bool) -> Result<Option<Ballot>, Error> {
        let previous = self.vote_code(user, video_id);
        let next = if liked { VOTE_LIKE } else { VOTE_DISLIKE };
        if previous == next {
            return Ok(None);
        }
        let videos = peer(self.vm(), self.registry_address(), names::VIDEO_REGISTRY.key)
            .map_err(Error::PeerNotRegistered)?;
        Ok(Some(Ballot { previous, next, videos }))
    }

    /// Checks and casts `voter`'s vote for `user` on `video_id`.
    fn vote(
        &mut self,
        user: Address,
        video_id: B256,
        liked: bool,
        voter: Address,
    ) -> Result<(), Vec<u8>> {
        match self.ballot(user, video_id, liked)? {
            Some(ballot) => self.cast(user, video_id, ballot, voter),
            None => Ok(()),
        }
    }

    /// Records a checked vote change (code, counters), logs it, then reports it to the
    /// `VideoRegistry`, whose revert data bubbles unchanged.
    fn cast(
        &mut self,
        user: Address,
        video_id: B256,
        ballot: Ballot,
        voter: Address,
    ) -> Result<(), Vec<u8>> {
        let Ballot { previous, next, videos } = ballot;
        let acquired = {
            let mut u = self.users.setter(user);
            let (likes, dislikes) =
                tally(u.likes.get().to(), u.dislikes.get().to(), previous, next);
            u.likes.set(Uint::from(likes));
            u.dislikes.set(Uint::from(dislikes));
            let mut video = u.videos.setter(video_id);
            video.vote.set(Uint::from(next));
            video.acquired.get()
        };
        self.vm().log(VideoVoted {
            user,
            videoId: video_id,
            liked: next == VOTE_LIKE,
            acquired,
            voter,
        });
        let mut calldata = [0u8; 100];
        calldata[..4].copy_from_slice(&RECORD_VOTE_SELECTOR);
        calldata[4..36].copy_from_slice(video_id.as_slice());
        calldata[67] = previous;
        calldata[99] = next;
        let context = Call::new_mutating(self);
        call(self.vm(), context, videos, &calldata).map_err(revert_data)?;
        Ok(())
    }
}

/// Guard: `metadata` is set.
fn when_metadata(metadata: B256) -> Result<(), Error> {
    if metadata.is_zero() {
        return Err(Error::MissingMetadata(UserRegistryMissingMetadata {}));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
