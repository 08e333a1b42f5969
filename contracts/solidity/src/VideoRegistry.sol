// SPDX-License-Identifier: MIT OR Apache-2.0
// The video registry as a strong Solidity team writes it, with the Stylus registry's model:
// videos by id keccak256(abi.encode(owner, salt)); owner, price (96 bits), registrar, views and
// votes packed in two slots beside the three IPFS digests; stats written only by the contracts the
// ParatiiRegistry names now. Events and errors are the suite's own (../sol/VideoRegistry.sol).
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import "paratii/VideoRegistry.sol";

interface IRegistry {
    function getContractByKey(bytes32 key) external view returns (address);
    function getByKeys(bytes32[] calldata contractKeys, bytes32[] calldata uintKeys)
        external
        view
        returns (address[] memory, uint256[] memory);
}

contract VideoRegistry is Ownable2Step {
    bytes32 internal constant VIDEO_STORE = keccak256("VideoStore");
    bytes32 internal constant PAYMENT_CHANNELS = keccak256("PaymentChannels");
    bytes32 internal constant USER_REGISTRY = keccak256("UserRegistry");
    uint256 internal constant MAX_PRICE = type(uint96).max;

    struct Video {
        address owner;
        uint96 price;
        address registrar;
        uint64 views;
        bool removed;
        uint64 likes;
        uint64 dislikes;
        bytes32 original;
        bytes32 transcoded;
        bytes32 metadata;
    }

    IRegistry public immutable registry;
    mapping(address => bool) public isRegistrar;
    mapping(bytes32 => Video) internal _videos;

    constructor(address owner_, IRegistry registry_) Ownable(owner_) {
        registry = registry_;
    }

    function registerVideo(
        bytes32 salt,
        address owner_,
        uint256 price,
        bytes32 original,
        bytes32 transcoded,
        bytes32 metadata
    ) external returns (bytes32 id) {
        if (owner_ == address(0)) revert VideoRegistryInvalidOwner(owner_);
        if (owner_ != msg.sender && !isRegistrar[msg.sender]) {
            revert VideoRegistryNotApprovedRegistrar(msg.sender, owner_);
        }
        id = keccak256(abi.encode(owner_, salt));
        Video storage v = _videos[id];
        if (v.owner != address(0)) revert VideoRegistryAlreadyRegistered(id, v.owner);
        if (v.removed) revert VideoRegistryRemoved(id);
        if (price > MAX_PRICE) revert VideoRegistryPriceTooHigh(price, MAX_PRICE);
        if (original == bytes32(0)) revert VideoRegistryMissingOriginal(id);
        v.owner = owner_;
        v.price = uint96(price);
        v.registrar = msg.sender;
        v.original = original;
        if (transcoded != bytes32(0)) v.transcoded = transcoded;
        if (metadata != bytes32(0)) v.metadata = metadata;
        emit VideoRegistered(id, owner_, msg.sender, price, original, transcoded, metadata);
    }

    function setRegistrar(address registrar, bool approved) external onlyOwner {
        isRegistrar[registrar] = approved;
        emit RegistrarApproved(registrar, approved);
    }

    function recordView(bytes32 id) external {
        _whenRegistered(id);
        if (msg.sender != registry.getContractByKey(VIDEO_STORE) && msg.sender != registry.getContractByKey(PAYMENT_CHANNELS)) {
            revert VideoRegistryUnauthorizedStatsWriter(msg.sender);
        }
        uint64 views = ++_videos[id].views;
        emit VideoViewed(id, views);
    }

    function recordVote(bytes32 id, uint8 previous, uint8 next) external {
        if (previous > 2 || next > 2 || previous == next) revert VideoRegistryInvalidVote(previous, next);
        _whenRegistered(id);
        if (msg.sender != registry.getContractByKey(USER_REGISTRY)) {
            revert VideoRegistryUnauthorizedStatsWriter(msg.sender);
        }
        Video storage v = _videos[id];
        (uint64 likes, uint64 dislikes) = (v.likes, v.dislikes);
        if (previous == 1) likes -= 1;
        else if (previous == 2) dislikes -= 1;
        if (next == 1) likes += 1;
        else if (next == 2) dislikes += 1;
        (v.likes, v.dislikes) = (likes, dislikes);
        emit VideoVotesChanged(id, likes, dislikes);
    }

    function saleTerms(bytes32 id) external view returns (address, uint256) {
        Video storage v = _videos[id];
        address owner_ = v.owner;
        if (owner_ == address(0)) {
            if (v.removed) revert VideoRegistryRemoved(id);
            revert VideoRegistryUnknownVideo(id);
        }
        return (owner_, v.price);
    }

    function getStats(bytes32 id) external view returns (uint64, uint64, uint64) {
        _whenRegistered(id);
        Video storage v = _videos[id];
        return (v.views, v.likes, v.dislikes);
    }

    function isRegistered(bytes32 id) external view returns (bool) {
        return _videos[id].owner != address(0);
    }

    function videoId(address owner_, bytes32 salt) external pure returns (bytes32) {
        return keccak256(abi.encode(owner_, salt));
    }

    function _whenRegistered(bytes32 id) internal view {
        Video storage v = _videos[id];
        if (v.owner == address(0)) {
            if (v.removed) revert VideoRegistryRemoved(id);
            revert VideoRegistryUnknownVideo(id);
        }
    }
}
