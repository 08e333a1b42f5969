// SPDX-License-Identifier: MIT OR Apache-2.0
// ParatiiAvatar: the user's on-chain agent (PTI pulls for whitelisted action contracts, spending
// keys with a cap and an expiry) and the redistribution pool (PTI and ETH).
pragma solidity ^0.8.22;

/// `account` was added to the whitelist (`whitelisted` true; it may pull users' PTI from
/// `effectiveAt`, unix seconds: the construction time for the contracts named at construction,
/// the owner's call plus the whitelist delay otherwise) or removed from it (`whitelisted` false,
/// `effectiveAt` the time of removal; a scheduled addition is cancelled).
event WhitelistUpdated(address indexed account, bool whitelisted, uint64 effectiveAt);
/// `user` authorised `key` to spend up to `cap` PTI wei through whitelisted contracts until
/// `expiry` (unix seconds, exclusive); an earlier authorisation of the same key is replaced.
event SpendingKeyAuthorized(address indexed user, address indexed key, uint256 cap, uint64 expiry);
/// `user` revoked `key`.
event SpendingKeyRevoked(address indexed user, address indexed key);
/// The whitelisted `spender`, called by `user`'s `key`, pulled `amount` PTI wei of `user`'s;
/// `remaining` is left of the key's cap.
event SpendingKeyCharged(
    address indexed user, address indexed key, address indexed spender, uint256 amount, uint256 remaining
);
/// The pool received `amount` wei of ETH from `from`.
event PoolEtherReceived(address indexed from, uint256 amount);
/// The owner paid `amount` of the pool to `to`: PTI wei when `token` is the PTI token, ETH wei
/// when `token` is zero.
event PoolDisbursed(address indexed token, address indexed to, uint256 amount);

/// The whitelist delay `delay` (seconds) is outside [`min`, `max`].
error AvatarInvalidWhitelistDelay(uint64 delay, uint64 min, uint64 max);
/// The constructor's arguments differ from the values baked into this module at deployment
/// (`token`, `whitelistDelay`, carried here).
error AvatarImmutablesMismatch(address token, uint64 whitelistDelay);
/// `caller` is not a whitelisted action contract (or its whitelist delay has not passed).
error AvatarNotWhitelisted(address caller);
/// `account` cannot be whitelisted (the zero address).
error AvatarInvalidAccount(address account);
/// `user` cannot authorise `key` (the zero address, or the user itself).
error AvatarInvalidSpendingKey(address user, address key);
/// A spending cap of `cap` is above the largest PTI amount, `max`.
error AvatarCapTooHigh(uint256 cap, uint256 max);
/// The expiry `expiry` is not after the current block's timestamp `now`.
error AvatarExpiryNotInFuture(uint64 expiry, uint64 now);
/// `key` is not a spending key of `user` (never authorised, or revoked).
error AvatarUnknownSpendingKey(address user, address key);
/// `user`'s spending key `key` expired at `expiry`.
error AvatarSpendingKeyExpired(address user, address key, uint64 expiry);
/// `user`'s spending key `key` has `remaining` of its cap left, less than `amount`.
error AvatarSpendingCapExceeded(address user, address key, uint256 amount, uint256 remaining);
/// A disbursement lists `recipients` recipients but `amounts` amounts.
error AvatarLengthMismatch(uint256 recipients, uint256 amounts);
/// The pool cannot pay `to` (the zero address).
error AvatarInvalidRecipient(address to);
/// The pool holds `balance` wei of ETH, less than the `needed` amount.
error AvatarInsufficientEther(uint256 balance, uint256 needed);
/// `to` refused `amount` wei of ETH (its code reverted or ran out of gas).
error AvatarEtherRefused(address to, uint256 amount);
