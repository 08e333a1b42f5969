// SPDX-License-Identifier: MIT OR Apache-2.0
// PaymentChannels: the payment-channel adjudicator. A payer escrows PTI for a payee; the payer's
// signer signs cumulative per-segment vouchers off chain; only opening and closing touch the chain.
pragma solidity ^0.8.22;

/// A channel's parameters, passed in calldata to every call and checked by recomputing its id:
/// `keccak256(abi.encode(block.chainid, address(this), payer, payee, signer, videoId,
/// pricePerSegment, salt))`. `signer` signs the vouchers (zero: the payer itself);
/// `pricePerSegment` is in PTI wei; `salt` tells apart channels with equal other fields.
struct Channel {
    address payer;
    address payee;
    address signer;
    bytes32 videoId;
    uint256 pricePerSegment;
    bytes32 salt;
}

/// One item of `settleBatch`: a channel, the voucher's cumulative segment count and the
/// voucher's signature as `(v, r, s)` (v 27 or 28, low-s), so an item is static (ten words).
struct SettleItem {
    Channel channel;
    uint64 segments;
    uint8 v;
    bytes32 r;
    bytes32 s;
}

/// EIP-712 typed data (domain "Paratii Channels", version "1"): the channel's signer has been
/// served `segments` segments in total, so the payee may be paid `segments × pricePerSegment`
/// PTI wei in total from the deposit of `channelId`.
struct Voucher {
    bytes32 channelId;
    uint64 segments;
}

/// EIP-712 typed data (domain "Paratii Channels", version "1"): the payee of `channelId` agrees
/// to close it at `segments` segments until `deadline` (unix seconds, inclusive); anyone may
/// submit it until then. The deadline bounds how long an authorization the payee has since
/// outgrown (by accepting later vouchers) can be replayed: a payee accepts no voucher above
/// `segments` on the channel before `deadline` has passed. A distinct type from `Voucher`, so no
/// signature serves both purposes.
struct CloseAuthorization {
    bytes32 channelId;
    uint64 segments;
    uint64 deadline;
}

/// `payer` escrowed `deposit` PTI wei for `payee` at `pricePerSegment` per segment of `videoId`;
/// `signer` signs the vouchers (zero: the payer); with `salt` these are the channel's parameters.
event ChannelOpened(
    bytes32 indexed channelId,
    address indexed payer,
    address indexed payee,
    address signer,
    bytes32 videoId,
    uint256 pricePerSegment,
    bytes32 salt,
    uint256 deposit
);
/// The payer added `amount` PTI wei; the deposit is now `deposit`; `closeCancelled` says whether
/// this cancelled a pending close request.
event ChannelToppedUp(bytes32 indexed channelId, uint256 amount, uint256 deposit, bool closeCancelled);
/// A voucher for `segments` segments in total was settled: `amount` PTI wei went to the payee.
event ChannelSettled(bytes32 indexed channelId, uint64 segments, uint256 amount);
/// The payer asked to close; it may withdraw the rest from `until` (unix seconds) on, and the
/// payee may settle or close until then (and after, until the payer withdraws).
event ChannelCloseRequested(bytes32 indexed channelId, uint64 until);
/// The channel is finalized at `segments` segments: `paid` PTI wei went to `payee` over its life,
/// `refunded` to `payer`; `paid + refunded` is the whole deposit.
event ChannelClosed(
    bytes32 indexed channelId,
    address indexed payer,
    address indexed payee,
    bytes32 videoId,
    uint64 segments,
    uint256 paid,
    uint256 refunded
);
/// Item `index` of a `settleBatch` was skipped; `reason` is the error it would have reverted with.
event ChannelSettleSkipped(bytes32 indexed channelId, uint256 index, bytes reason);

/// The grace period `gracePeriod` (seconds) is outside [`min`, `max`].
error ChannelInvalidGracePeriod(uint64 gracePeriod, uint64 min, uint64 max);
/// `caller` is not the payer of `channelId`.
error ChannelNotPayer(bytes32 channelId, address caller);
/// `caller` is not the payee of `channelId`.
error ChannelNotPayee(bytes32 channelId, address caller);
/// A channel cannot be paid by `payer` (the zero address).
error ChannelInvalidPayer(address payer);
/// `payer` cannot pay `payee` (the zero address, or the payer itself).
error ChannelInvalidPayee(address payer, address payee);
/// The price per segment `pricePerSegment` is zero or above `max` (2^96 - 1).
error ChannelInvalidPrice(uint256 pricePerSegment, uint256 max);
/// `channelId` was opened already (and may be finalized): a channel id is used once.
error ChannelAlreadyExists(bytes32 channelId);
/// No channel `channelId` was opened (or the parameters differ from the opened channel's).
error ChannelNotFound(bytes32 channelId);
/// `channelId` is finalized: nothing changes it any more.
error ChannelFinalized(bytes32 channelId);
/// The deposit `deposit` is below `minimum`, one segment's price.
error ChannelDepositTooSmall(uint256 deposit, uint256 minimum);
/// The deposit would be `deposit`, above `max` (2^96 - 1).
error ChannelDepositTooLarge(uint256 deposit, uint256 max);
/// A top-up of `channelId` must add a non-zero amount.
error ChannelZeroTopUp(bytes32 channelId);
/// The voucher for `channelId` was signed by `signer`, not by the channel's signer `expected`.
error ChannelInvalidSigner(bytes32 channelId, address signer, address expected);
/// The close authorization for `channelId` was signed by `signer`, not by the payee `payee`.
error ChannelInvalidCloseAuthorization(bytes32 channelId, address signer, address payee);
/// The close authorization for `channelId` expired at `deadline`; it is `now`.
error ChannelCloseAuthorizationExpired(bytes32 channelId, uint64 deadline, uint64 now);
/// The avatar `avatar` pulls `avatarToken`, not the adjudicator's PTI `token`.
error ChannelAvatarTokenMismatch(address avatar, address avatarToken, address token);
/// The constructor's arguments differ from the values baked into this module at deployment
/// (`avatar`, `token`, `gracePeriod`, carried here).
error ChannelImmutablesMismatch(address avatar, address token, uint64 gracePeriod);
/// A voucher for `segments` segments does not exceed the `settled` segments of `channelId`.
error ChannelStaleVoucher(bytes32 channelId, uint64 segments, uint64 settled);
/// A voucher for `segments` segments of `channelId` is worth `amount`, above the `deposit`.
error ChannelVoucherExceedsDeposit(bytes32 channelId, uint64 segments, uint256 amount, uint256 deposit);
/// A close of `channelId` was requested already; the grace period ends at `until`.
error ChannelCloseAlreadyRequested(bytes32 channelId, uint64 until);
/// No close of `channelId` was requested.
error ChannelCloseNotRequested(bytes32 channelId);
/// The grace period of `channelId` runs until `until`; it is `now`.
error ChannelGracePeriodActive(bytes32 channelId, uint64 until, uint64 now);
