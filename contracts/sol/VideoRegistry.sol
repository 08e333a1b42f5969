// SPDX-License-Identifier: MIT OR Apache-2.0
// VideoRegistry: videos by bytes32 id — owner, registrar, price, IPFS hashes, stats. A video's id
// is keccak256(abi.encode(owner, salt)): bound to its owner, so a registration cannot be stolen.
pragma solidity ^0.8.22;

/// `videoId` was registered for `owner` by `registrar` (the owner itself, or an approved
/// registrar), at `price` PTI wei, with the sha2-256 digests of its IPFS objects.
event VideoRegistered(
    bytes32 indexed videoId,
    address indexed owner,
    address indexed registrar,
    uint256 price,
    bytes32 original,
    bytes32 transcoded,
    bytes32 metadata
);
/// `videoId`'s price or IPFS hashes changed (its stats did not).
event VideoUpdated(bytes32 indexed videoId, uint256 price, bytes32 original, bytes32 transcoded, bytes32 metadata);
/// `videoId` was removed for good: its id can never be registered again.
event VideoRemoved(bytes32 indexed videoId);
/// The contract owner approved (or stopped approving) `registrar` to register videos for others.
event RegistrarApproved(address indexed registrar, bool approved);
/// `videoId` was viewed (bought or streamed); it now has `views` views.
event VideoViewed(bytes32 indexed videoId, uint64 views);
/// A vote on `videoId` changed; it now has `likes` likes and `dislikes` dislikes.
event VideoVotesChanged(bytes32 indexed videoId, uint64 likes, uint64 dislikes);

/// No video is registered under `videoId`.
error VideoRegistryUnknownVideo(bytes32 videoId);
/// `videoId` was removed; ids are never reused (votes, acquisitions and sales recorded under it
/// stay attached to the removed video).
error VideoRegistryRemoved(bytes32 videoId);
/// `videoId` is already registered, to `owner`.
error VideoRegistryAlreadyRegistered(bytes32 videoId, address owner);
/// `owner` cannot own a video (the zero address).
error VideoRegistryInvalidOwner(address owner);
/// `caller` registers for `owner` but is not an approved registrar.
error VideoRegistryNotApprovedRegistrar(address caller, address owner);
/// `caller` is neither the owner nor the registrar of `videoId`.
error VideoRegistryNotOwnerOrRegistrar(bytes32 videoId, address caller);
/// `price` is above the largest PTI amount, `max`.
error VideoRegistryPriceTooHigh(uint256 price, uint256 max);
/// The original upload's hash is missing for `videoId`.
error VideoRegistryMissingOriginal(bytes32 videoId);
/// `caller` is not the contract (looked up in the registry) allowed to change these stats.
error VideoRegistryUnauthorizedStatsWriter(address caller);
/// `vote` is not 0 (none), 1 (like) or 2 (dislike), or the transition is not a change.
error VideoRegistryInvalidVote(uint8 previous, uint8 next);
