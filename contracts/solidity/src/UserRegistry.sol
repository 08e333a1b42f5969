// SPDX-License-Identifier: MIT OR Apache-2.0
// The user registry as a strong Solidity team writes it, with the Stylus registry's model:
// acquisitions recorded only by the store the ParatiiRegistry names; likes and dislikes (a like
// overrides a dislike, a repeat changes nothing) counted per user here and per video in the
// video registry; posting keys, authorised by the user or one of its spending keys, vote directly
// or by an EIP-712 `Vote` anyone may relay. Events and errors are the suite's own
// (../sol/UserRegistry.sol).
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import "paratii/UserRegistry.sol";
import {PeerNotRegistered} from "paratii/Peers.sol";
import {IRegistry} from "./VideoRegistry.sol";

interface IVideoVotes {
    function recordVote(bytes32 id, uint8 previous, uint8 next) external;
}

interface ISpendingKeys {
    function isSpendingKey(address user, address key) external view returns (bool);
}

contract UserRegistry is Ownable2Step, EIP712 {
    bytes32 internal constant VIDEO_STORE = keccak256("VideoStore");
    bytes32 internal constant VIDEO_REGISTRY = keccak256("VideoRegistry");
    bytes32 internal constant PARATII_AVATAR = keccak256("ParatiiAvatar");
    bytes32 internal constant VOTE_TYPEHASH =
        keccak256("Vote(address user,bytes32 videoId,bool liked,uint256 nonce,uint256 deadline)");
    uint8 internal constant LIKE = 1;
    uint8 internal constant DISLIKE = 2;

    struct User {
        bytes32 metadata;
        uint64 likes;
        uint64 dislikes;
        uint64 nonce;
    }

    struct Holding {
        bool acquired;
        uint8 vote;
    }

    IRegistry public immutable registry;
    mapping(address => User) internal _users;
    mapping(address => mapping(bytes32 => Holding)) internal _holdings;
    mapping(address => mapping(address => uint64)) public postingKeyExpiry;

    constructor(address owner_, IRegistry registry_) Ownable(owner_) EIP712("Paratii Users", "1") {
        registry = registry_;
    }

    function recordAcquisition(address user, bytes32 videoId) external {
        if (msg.sender != registry.getContractByKey(VIDEO_STORE)) revert UserRegistryUnauthorizedStore(msg.sender);
        Holding storage h = _holdings[user][videoId];
        if (h.acquired) revert UserRegistryAlreadyAcquired(user, videoId);
        h.acquired = true;
        emit VideoAcquired(user, videoId);
    }

    function likeVideo(bytes32 videoId, bool liked) external {
        _vote(msg.sender, videoId, liked, msg.sender);
    }

    function likeVideoFor(address user, bytes32 videoId, bool liked) external {
        _whenPostingKey(user, msg.sender);
        _vote(user, videoId, liked, msg.sender);
    }

    function likeVideoBySig(address user, bytes32 videoId, bool liked, uint256 deadline, bytes calldata signature)
        external
    {
        if (block.timestamp > deadline) revert UserRegistryExpiredSignature(deadline);
        uint64 nonce = _users[user].nonce;
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(VOTE_TYPEHASH, user, videoId, liked, nonce, deadline)));
        address signer = ECDSA.recover(digest, signature);
        if (signer != user) _whenPostingKey(user, signer);
        _users[user].nonce = nonce + 1;
        _vote(user, videoId, liked, signer);
    }

    function authorizePostingKey(address user, address key, uint64 expiry) external {
        _onlyUserOrSpendingKey(user);
        if (key == address(0) || key == user) revert UserRegistryInvalidPostingKey(user, key);
        if (expiry <= block.timestamp) revert UserRegistryExpiryNotInFuture(expiry, uint64(block.timestamp));
        postingKeyExpiry[user][key] = expiry;
        emit PostingKeyAuthorized(user, key, expiry, msg.sender);
    }

    function revokePostingKey(address user, address key) external {
        _onlyUserOrSpendingKey(user);
        if (postingKeyExpiry[user][key] == 0) revert UserRegistryNotPostingKey(user, key);
        delete postingKeyExpiry[user][key];
        emit PostingKeyRevoked(user, key, msg.sender);
    }

    function userAcquiredVideo(address user, bytes32 videoId) external view returns (bool) {
        return _holdings[user][videoId].acquired;
    }

    function userLikesVideo(address user, bytes32 videoId) external view returns (bool) {
        return _holdings[user][videoId].vote == LIKE;
    }

    function userVotes(address user) external view returns (uint64, uint64) {
        return (_users[user].likes, _users[user].dislikes);
    }

    function voteNonce(address user) external view returns (uint256) {
        return _users[user].nonce;
    }

    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function _vote(address user, bytes32 videoId, bool liked, address voter) internal {
        Holding storage h = _holdings[user][videoId];
        uint8 previous = h.vote;
        uint8 next = liked ? LIKE : DISLIKE;
        if (previous == next) return;
        address videos = registry.getContractByKey(VIDEO_REGISTRY);
        if (videos == address(0)) revert PeerNotRegistered(VIDEO_REGISTRY);
        User storage u = _users[user];
        (uint64 likes, uint64 dislikes) = (u.likes, u.dislikes);
        if (previous == LIKE) likes -= 1;
        else if (previous == DISLIKE) dislikes -= 1;
        if (next == LIKE) likes += 1;
        else dislikes += 1;
        (u.likes, u.dislikes) = (likes, dislikes);
        h.vote = next;
        emit VideoVoted(user, videoId, liked, h.acquired, voter);
        IVideoVotes(videos).recordVote(videoId, previous, next);
    }

    function _whenPostingKey(address user, address key) internal view {
        if (block.timestamp >= postingKeyExpiry[user][key]) revert UserRegistryNotPostingKey(user, key);
    }

    function _onlyUserOrSpendingKey(address user) internal view {
        if (msg.sender == user) return;
        address avatar = registry.getContractByKey(PARATII_AVATAR);
        if (avatar == address(0) || !ISpendingKeys(avatar).isSpendingKey(user, msg.sender)) {
            revert UserRegistryNotUserOrSpendingKey(msg.sender, user);
        }
    }
}
