// SPDX-License-Identifier: MIT OR Apache-2.0
// The payment-channel adjudicator as a strong Solidity team writes it, with the Stylus
// contract's model and ABI: one storage slot per channel (a packed struct), the same channel id,
// the same EIP-712 `Voucher` and `CloseAuthorization` under "Paratii Channels" version 1, the
// same checks in the same order, batch settle with skipped items logged and payouts summed per
// payee, relayed close, request-close → grace period → withdraw, open / openWithPermit / openFor.
// Events, errors and structs are the suite's own declarations (../sol/Channels.sol).
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import "paratii/Channels.sol";
import {PeerCallReturnedFalse} from "paratii/Peers.sol";

interface IAvatar {
    function token() external view returns (address);
    function transferFromWithKey(address user, address key, address to, uint256 amount) external returns (bool);
}

contract PaymentChannels is EIP712 {
    uint64 public constant MIN_GRACE_PERIOD = 15 minutes;
    uint64 public constant MAX_GRACE_PERIOD = 30 days;
    uint256 internal constant MAX_AMOUNT = type(uint96).max;
    bytes32 internal constant VOUCHER_TYPEHASH = keccak256("Voucher(bytes32 channelId,uint64 segments)");
    bytes32 internal constant CLOSE_AUTHORIZATION_TYPEHASH =
        keccak256("CloseAuthorization(bytes32 channelId,uint64 segments,uint64 deadline)");

    /// One slot: the deposit over the channel's life, the settled segments, when a close was
    /// requested (0: none), finalized.
    struct State {
        uint96 deposit;
        bool finalized;
        uint64 settled;
        uint64 closeRequestedAt;
    }

    IAvatar public immutable avatar;
    IERC20 public immutable token;
    uint64 public immutable gracePeriod;
    mapping(bytes32 => State) internal _channels;

    constructor(IAvatar avatar_, IERC20 token_, uint64 gracePeriod_) EIP712("Paratii Channels", "1") {
        if (gracePeriod_ < MIN_GRACE_PERIOD || gracePeriod_ > MAX_GRACE_PERIOD) {
            revert ChannelInvalidGracePeriod(gracePeriod_, MIN_GRACE_PERIOD, MAX_GRACE_PERIOD);
        }
        address avatarToken = avatar_.token();
        if (avatarToken != address(token_)) {
            revert ChannelAvatarTokenMismatch(address(avatar_), avatarToken, address(token_));
        }
        avatar = avatar_;
        token = token_;
        gracePeriod = gracePeriod_;
    }

    // Opening ----------------------------------------------------------------------------------

    function open(Channel calldata c, uint256 deposit) external returns (bytes32 id) {
        id = _checkOpen(c, deposit, true);
        _channels[id] = State(uint96(deposit), false, 0, 0);
        _pull(msg.sender, deposit);
        _logOpened(id, c, deposit);
    }

    function openWithPermit(Channel calldata c, uint256 deposit, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (bytes32 id)
    {
        id = _checkOpen(c, deposit, true);
        _channels[id] = State(uint96(deposit), false, 0, 0);
        // A permit someone front-ran still leaves the allowance: go on when it covers the deposit.
        try IERC20Permit(address(token)).permit(msg.sender, address(this), deposit, deadline, v, r, s) {}
        catch (bytes memory reason) {
            if (token.allowance(msg.sender, address(this)) < deposit) {
                assembly ("memory-safe") {
                    revert(add(reason, 32), mload(reason))
                }
            }
        }
        _pull(msg.sender, deposit);
        _logOpened(id, c, deposit);
    }

    function openFor(Channel calldata c, uint256 deposit) external returns (bytes32 id) {
        id = _checkOpen(c, deposit, false);
        _channels[id] = State(uint96(deposit), false, 0, 0);
        if (!avatar.transferFromWithKey(c.payer, msg.sender, address(this), deposit)) {
            revert PeerCallReturnedFalse(address(avatar));
        }
        _logOpened(id, c, deposit);
    }

    function topUp(Channel calldata c, uint256 amount) external {
        (bytes32 id, State memory state) = _live(c);
        if (msg.sender != c.payer) revert ChannelNotPayer(id, msg.sender);
        if (amount == 0) revert ChannelZeroTopUp(id);
        uint256 deposit = uint256(state.deposit) + amount;
        if (deposit > MAX_AMOUNT) revert ChannelDepositTooLarge(deposit, MAX_AMOUNT);
        bool cancelled = state.closeRequestedAt != 0;
        _channels[id] = State(uint96(deposit), false, state.settled, 0);
        _pull(msg.sender, amount);
        emit ChannelToppedUp(id, amount, deposit, cancelled);
    }

    // Paying -----------------------------------------------------------------------------------

    function settle(Channel calldata c, uint64 segments, bytes calldata signature) external {
        bytes32 id = channelId(c);
        uint256 amount = _checkSettle(id, c, segments, signature);
        _channels[id].settled = segments;
        _send(c.payee, amount);
        emit ChannelSettled(id, segments, amount);
    }

    function settleBatch(SettleItem[] calldata items) external returns (uint256 settledCount) {
        uint256 n = items.length;
        address[] memory payees = new address[](n);
        uint256[] memory payouts = new uint256[](n);
        uint256[] memory amounts = new uint256[](n);
        bytes32[] memory ids = new bytes32[](n);
        uint256 distinct;
        for (uint256 i; i < n; ++i) {
            SettleItem calldata item = items[i];
            bytes32 id = channelId(item.channel);
            ids[i] = id;
            (bytes memory reason, uint256 amount) = _settleItem(id, item);
            if (reason.length != 0) {
                emit ChannelSettleSkipped(id, i, reason);
                continue;
            }
            _channels[id].settled = item.segments;
            amounts[i] = amount;
            uint256 j;
            while (j < distinct && payees[j] != item.channel.payee) ++j;
            if (j == distinct) {
                payees[j] = item.channel.payee;
                ++distinct;
            }
            payouts[j] += amount;
            ++settledCount;
        }
        for (uint256 j; j < distinct; ++j) {
            _send(payees[j], payouts[j]);
        }
        for (uint256 i; i < n; ++i) {
            if (amounts[i] != 0) emit ChannelSettled(ids[i], items[i].segments, amounts[i]);
        }
    }

    /// `settle`'s checks of one batch item, in the same order, returning the error a `settle`
    /// would revert with (empty when it settles) instead of reverting.
    function _settleItem(bytes32 id, SettleItem calldata item) internal view returns (bytes memory, uint256) {
        State memory state = _channels[id];
        if (state.deposit == 0) return (abi.encodeWithSelector(ChannelNotFound.selector, id), 0);
        if (state.finalized) return (abi.encodeWithSelector(ChannelFinalized.selector, id), 0);
        (address signer, ECDSA.RecoverError err, bytes32 arg) =
            ECDSA.tryRecover(voucherDigest(id, item.segments), item.v, item.r, item.s);
        if (err == ECDSA.RecoverError.InvalidSignatureS) {
            return (abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, arg), 0);
        }
        if (err != ECDSA.RecoverError.NoError) {
            return (abi.encodeWithSelector(ECDSA.ECDSAInvalidSignature.selector), 0);
        }
        Channel calldata c = item.channel;
        address expected = c.signer == address(0) ? c.payer : c.signer;
        if (signer != expected) {
            return (abi.encodeWithSelector(ChannelInvalidSigner.selector, id, signer, expected), 0);
        }
        if (item.segments <= state.settled) {
            return (abi.encodeWithSelector(ChannelStaleVoucher.selector, id, item.segments, state.settled), 0);
        }
        uint256 total = uint256(item.segments) * c.pricePerSegment;
        if (total > state.deposit) {
            return (
                abi.encodeWithSelector(
                    ChannelVoucherExceedsDeposit.selector, id, item.segments, total, uint256(state.deposit)
                ),
                0
            );
        }
        return ("", uint256(item.segments - state.settled) * c.pricePerSegment);
    }

    function close(Channel calldata c, uint64 segments, bytes calldata signature) external {
        (bytes32 id, State memory state) = _live(c);
        if (msg.sender != c.payee) revert ChannelNotPayee(id, msg.sender);
        _finishClose(id, c, state, segments, signature);
    }

    function closeWithAuthorization(
        Channel calldata c,
        uint64 segments,
        uint64 deadline,
        bytes calldata signature,
        bytes calldata closeAuthorization
    ) external {
        (bytes32 id, State memory state) = _live(c);
        if (block.timestamp > deadline) {
            revert ChannelCloseAuthorizationExpired(id, deadline, uint64(block.timestamp));
        }
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(CLOSE_AUTHORIZATION_TYPEHASH, id, segments, deadline)));
        address signer = ECDSA.recover(digest, closeAuthorization);
        if (signer != c.payee) revert ChannelInvalidCloseAuthorization(id, signer, c.payee);
        _finishClose(id, c, state, segments, signature);
    }

    function requestClose(Channel calldata c) external {
        (bytes32 id, State memory state) = _live(c);
        if (state.closeRequestedAt != 0) {
            revert ChannelCloseAlreadyRequested(id, _closesAt(state.closeRequestedAt));
        }
        if (msg.sender != c.payer) revert ChannelNotPayer(id, msg.sender);
        _channels[id].closeRequestedAt = uint64(block.timestamp);
        emit ChannelCloseRequested(id, _closesAt(uint64(block.timestamp)));
    }

    function withdraw(Channel calldata c) external {
        (bytes32 id, State memory state) = _live(c);
        if (state.closeRequestedAt == 0) revert ChannelCloseNotRequested(id);
        uint64 until = _closesAt(state.closeRequestedAt);
        if (block.timestamp < until) revert ChannelGracePeriodActive(id, until, uint64(block.timestamp));
        if (msg.sender != c.payer) revert ChannelNotPayer(id, msg.sender);
        _finishClose(id, c, state, 0, "");
    }

    // Views ------------------------------------------------------------------------------------

    function channelState(bytes32 id) external view returns (uint256, uint64, uint64, bool, uint8) {
        State memory s = _channels[id];
        uint8 phase;
        if (s.deposit == 0) phase = 0;
        else if (s.finalized) phase = 4;
        else if (s.closeRequestedAt == 0) phase = 1;
        else if (block.timestamp < _closesAt(s.closeRequestedAt)) phase = 2;
        else phase = 3;
        return (s.deposit, s.settled, s.closeRequestedAt, s.finalized, phase);
    }

    function channelId(Channel calldata c) public view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), c));
    }

    function voucherDigest(bytes32 id, uint64 segments) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VOUCHER_TYPEHASH, id, segments)));
    }

    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // Internals --------------------------------------------------------------------------------

    function _checkOpen(Channel calldata c, uint256 deposit, bool byPayer) internal view returns (bytes32 id) {
        id = channelId(c);
        if (byPayer) {
            if (msg.sender != c.payer) revert ChannelNotPayer(id, msg.sender);
        } else if (c.payer == address(0)) {
            revert ChannelInvalidPayer(c.payer);
        }
        if (c.payee == address(0) || c.payee == c.payer) revert ChannelInvalidPayee(c.payer, c.payee);
        if (c.pricePerSegment == 0 || c.pricePerSegment > MAX_AMOUNT) {
            revert ChannelInvalidPrice(c.pricePerSegment, MAX_AMOUNT);
        }
        if (_channels[id].deposit != 0) revert ChannelAlreadyExists(id);
        if (deposit < c.pricePerSegment) revert ChannelDepositTooSmall(deposit, c.pricePerSegment);
        if (deposit > MAX_AMOUNT) revert ChannelDepositTooLarge(deposit, MAX_AMOUNT);
    }

    function _live(Channel calldata c) internal view returns (bytes32 id, State memory state) {
        id = channelId(c);
        state = _liveState(id);
    }

    function _liveState(bytes32 id) internal view returns (State memory state) {
        state = _channels[id];
        if (state.deposit == 0) revert ChannelNotFound(id);
        if (state.finalized) revert ChannelFinalized(id);
    }

    function _checkSettle(bytes32 id, Channel calldata c, uint64 segments, bytes calldata signature)
        internal
        view
        returns (uint256 amount)
    {
        State memory state = _liveState(id);
        _checkSigner(id, c, ECDSA.recover(voucherDigest(id, segments), signature));
        if (segments <= state.settled) revert ChannelStaleVoucher(id, segments, state.settled);
        _withinDeposit(id, c, state, segments);
        amount = uint256(segments - state.settled) * c.pricePerSegment;
    }

    function _checkSigner(bytes32 id, Channel calldata c, address signer) internal pure {
        address expected = c.signer == address(0) ? c.payer : c.signer;
        if (signer != expected) revert ChannelInvalidSigner(id, signer, expected);
    }

    function _withinDeposit(bytes32 id, Channel calldata c, State memory state, uint64 segments) internal pure {
        uint256 amount = uint256(segments) * c.pricePerSegment;
        if (amount > state.deposit) revert ChannelVoucherExceedsDeposit(id, segments, amount, state.deposit);
    }

    function _finishClose(bytes32 id, Channel calldata c, State memory state, uint64 segments, bytes memory signature)
        internal
    {
        uint64 previous = state.settled;
        if (segments > previous) {
            _checkSigner(id, c, ECDSA.recover(voucherDigest(id, segments), signature));
            _withinDeposit(id, c, state, segments);
            state.settled = segments;
        }
        uint256 paid = uint256(state.settled) * c.pricePerSegment;
        uint256 refunded = state.deposit - paid;
        _channels[id] = State(state.deposit, true, state.settled, state.closeRequestedAt);
        _send(c.payee, uint256(state.settled - previous) * c.pricePerSegment);
        _send(c.payer, refunded);
        emit ChannelClosed(id, c.payer, c.payee, c.videoId, state.settled, paid, refunded);
    }

    function _closesAt(uint64 requestedAt) internal view returns (uint64) {
        unchecked {
            uint64 until = requestedAt + gracePeriod;
            return until < requestedAt ? type(uint64).max : until;
        }
    }

    function _pull(address from, uint256 amount) internal {
        if (!token.transferFrom(from, address(this), amount)) revert PeerCallReturnedFalse(address(token));
    }

    function _send(address to, uint256 amount) internal {
        if (amount != 0 && !token.transfer(to, amount)) revert PeerCallReturnedFalse(address(token));
    }

    function _logOpened(bytes32 id, Channel calldata c, uint256 deposit) internal {
        emit ChannelOpened(id, c.payer, c.payee, c.signer, c.videoId, c.pricePerSegment, c.salt, deposit);
    }
}
