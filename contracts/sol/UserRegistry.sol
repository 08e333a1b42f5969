// SPDX-License-Identifier: MIT OR Apache-2.0
// UserRegistry: users (a metadata hash, nothing in clear), their acquisitions and votes, and
// the posting keys that vote for them, directly or by EIP-712 signature.
pragma solidity ^0.8.22;

/// `user` registered, with the sha2-256 digest of its IPFS metadata JSON.
event UserRegistered(address indexed user, bytes32 metadata);
/// `user` changed its metadata digest.
event UserUpdated(address indexed user, bytes32 metadata);
/// `user` was removed by `removedBy` (the user, or the contract owner).
event UserRemoved(address indexed user, address indexed removedBy);
/// The video store recorded that `user` acquired `videoId`.
event VideoAcquired(address indexed user, bytes32 indexed videoId);
/// `user` now likes (`liked`) or dislikes `videoId`; `acquired` says whether it had bought the
/// video; `voter` is the user or the posting key that cast the vote (directly or by signature).
event VideoVoted(address indexed user, bytes32 indexed videoId, bool liked, bool acquired, address indexed voter);
/// `authorizedBy` (the user, or one of its spending keys) let `key` vote for `user` until
/// `expiry` (unix seconds, exclusive).
event PostingKeyAuthorized(address indexed user, address indexed key, uint64 expiry, address authorizedBy);
/// `revokedBy` (the user, or one of its spending keys) revoked `user`'s posting key `key`.
event PostingKeyRevoked(address indexed user, address indexed key, address revokedBy);

/// `user` is already registered.
error UserRegistryAlreadyRegistered(address user);
/// `user` is not registered.
error UserRegistryUnknownUser(address user);
/// The metadata digest is zero.
error UserRegistryMissingMetadata();
/// `caller` may not remove `user` (only the user or the contract owner may).
error UserRegistryNotUserOrOwner(address caller, address user);
/// `caller` is not the video store registered in the ParatiiRegistry.
error UserRegistryUnauthorizedStore(address caller);
/// `user` has already acquired `videoId`.
error UserRegistryAlreadyAcquired(address user, bytes32 videoId);
/// `caller` manages `user`'s posting keys but is neither the user nor one of its live spending keys.
error UserRegistryNotUserOrSpendingKey(address caller, address user);
/// `key` cannot be a posting key of `user` (the zero address, or the user itself).
error UserRegistryInvalidPostingKey(address user, address key);
/// The expiry `expiry` is not after the current block's timestamp `now`.
error UserRegistryExpiryNotInFuture(uint64 expiry, uint64 now);
/// `key` is not a live posting key of `user` (never authorised, revoked or expired).
error UserRegistryNotPostingKey(address user, address key);
/// The signed vote's `deadline` (unix seconds) has passed.
error UserRegistryExpiredSignature(uint256 deadline);

/// EIP-712 typed data (domain "Paratii Users", version "1"): a posting key of `user` casts a like
/// (`liked`) or a dislike on `videoId`, once (`nonce`, the user's next vote nonce), until
/// `deadline`; anyone may relay it.
struct Vote {
    address user;
    bytes32 videoId;
    bool liked;
    uint256 nonce;
    uint256 deadline;
}
