// SPDX-License-Identifier: MIT OR Apache-2.0
// The video store as a strong Solidity team writes it, with the Stylus store's model: a purchase
// in one transaction — peers and the pool share looked up in the ParatiiRegistry in one call,
// the price from the video registry, the pool's part to the avatar and the rest to the owner in
// one avatar call, the acquisition recorded, a view counted, a sale record kept. Events and
// errors are the suite's own (../sol/VideoStore.sol).
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import "paratii/VideoStore.sol";
import {PeerNotRegistered, PeerCallReturnedFalse} from "paratii/Peers.sol";
import {VideoRegistryPriceTooHigh} from "paratii/VideoRegistry.sol";
import {IRegistry} from "./VideoRegistry.sol";

interface ISaleTerms {
    function saleTerms(bytes32 id) external view returns (address, uint256);
    function recordView(bytes32 id) external;
}

interface IAcquisitions {
    function recordAcquisition(address user, bytes32 videoId) external;
}

interface IPayingAvatar {
    function pay(address from, address to, uint256 amount, uint256 toPool) external returns (bool);
    function token() external view returns (address);
}

contract VideoStore {
    uint256 internal constant SHARE_SCALE = 1e18;

    struct Sale {
        uint96 price;
        uint64 boughtAt;
        bytes32 proofOfBuy;
    }

    struct Purchase {
        address owner;
        uint256 price;
        uint256 poolPart;
        address videos;
        address avatar;
        address users;
    }

    IRegistry public immutable registry;
    mapping(address => mapping(bytes32 => Sale)) internal _sales;

    constructor(IRegistry registry_) {
        registry = registry_;
    }

    function buyVideo(bytes32 videoId, bytes32 proofOfBuy, uint256 maxPrice) external {
        Purchase memory p = _check(msg.sender, videoId, maxPrice);
        _complete(p, videoId, proofOfBuy);
    }

    function buyVideoWithPermit(
        bytes32 videoId,
        bytes32 proofOfBuy,
        uint256 maxPrice,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        Purchase memory p = _check(msg.sender, videoId, maxPrice);
        IERC20 token = IERC20(IPayingAvatar(p.avatar).token());
        try IERC20Permit(address(token)).permit(msg.sender, p.avatar, value, deadline, v, r, s) {}
        catch (bytes memory reason) {
            if (token.allowance(msg.sender, p.avatar) < p.price) {
                assembly ("memory-safe") {
                    revert(add(reason, 32), mload(reason))
                }
            }
        }
        _complete(p, videoId, proofOfBuy);
    }

    function hasBought(address buyer, bytes32 videoId) public view returns (bool) {
        return _sales[buyer][videoId].boughtAt != 0;
    }

    function getSale(address buyer, bytes32 videoId) external view returns (bool, uint256, bytes32, uint64) {
        Sale memory sale = _sales[buyer][videoId];
        return (sale.boughtAt != 0, sale.price, sale.proofOfBuy, sale.boughtAt);
    }

    function _check(address buyer, bytes32 videoId, uint256 maxPrice) internal view returns (Purchase memory p) {
        bytes32[] memory contracts = new bytes32[](3);
        contracts[0] = keccak256("VideoRegistry");
        contracts[1] = keccak256("ParatiiAvatar");
        contracts[2] = keccak256("UserRegistry");
        bytes32[] memory uints = new bytes32[](1);
        uints[0] = keccak256("VideoRedistributionPoolShare");
        (address[] memory peers, uint256[] memory values) = registry.getByKeys(contracts, uints);
        for (uint256 i; i < 3; ++i) {
            if (peers[i] == address(0)) revert PeerNotRegistered(contracts[i]);
        }
        (p.videos, p.avatar, p.users) = (peers[0], peers[1], peers[2]);
        (p.owner, p.price) = ISaleTerms(p.videos).saleTerms(videoId);
        if (hasBought(buyer, videoId)) revert VideoStoreAlreadyBought(buyer, videoId);
        if (p.price > type(uint96).max) revert VideoRegistryPriceTooHigh(p.price, type(uint96).max);
        if (p.price > maxPrice) revert VideoStorePriceAboveMax(videoId, p.price, maxPrice);
        uint256 share = values[0];
        if (share > SHARE_SCALE) revert VideoStoreInvalidPoolShare(share, SHARE_SCALE);
        p.poolPart = p.price * share / SHARE_SCALE;
    }

    function _complete(Purchase memory p, bytes32 videoId, bytes32 proofOfBuy) internal {
        Sale storage sale = _sales[msg.sender][videoId];
        (sale.price, sale.boughtAt) = (uint96(p.price), uint64(block.timestamp));
        if (proofOfBuy != bytes32(0)) sale.proofOfBuy = proofOfBuy;
        if (!IPayingAvatar(p.avatar).pay(msg.sender, p.owner, p.price - p.poolPart, p.poolPart)) {
            revert PeerCallReturnedFalse(p.avatar);
        }
        IAcquisitions(p.users).recordAcquisition(msg.sender, videoId);
        ISaleTerms(p.videos).recordView(videoId);
        emit VideoBought(videoId, msg.sender, p.owner, p.price, p.poolPart, proofOfBuy, address(0));
    }
}
