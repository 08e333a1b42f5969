// SPDX-License-Identifier: MIT OR Apache-2.0
// VideoStore: buy a video in one transaction; the pool's share to the avatar, the rest to the
// video's owner; a sale record per buyer and video.
pragma solidity ^0.8.22;

/// `buyer` bought `videoId` for `price` PTI wei: `poolShare` went to the redistribution pool (the
/// avatar), the rest to `owner`; `proofOfBuy` is the digest of the buyer's proof-of-buy data;
/// `key` is the spending key that paid, or zero when the buyer did.
event VideoBought(
    bytes32 indexed videoId,
    address indexed buyer,
    address indexed owner,
    uint256 price,
    uint256 poolShare,
    bytes32 proofOfBuy,
    address key
);

/// `buyer` has already bought `videoId`.
error VideoStoreAlreadyBought(address buyer, bytes32 videoId);
/// The registered pool share `share` (scaled by 1e18) is above `max` (1e18, all of the price).
error VideoStoreInvalidPoolShare(uint256 share, uint256 max);
/// `videoId` costs `price` PTI wei, above the `maxPrice` the buyer accepts.
error VideoStorePriceAboveMax(bytes32 videoId, uint256 price, uint256 maxPrice);
/// `user` cannot buy through a key (the zero address).
error VideoStoreInvalidBuyer(address user);
