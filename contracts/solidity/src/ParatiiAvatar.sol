// SPDX-License-Identifier: MIT OR Apache-2.0
// The user's on-chain agent as a strong Solidity team writes it, with the Stylus avatar's model:
// owner-whitelisted action contracts (after a delay) pull PTI users approved to the avatar, or
// charge a user's spending key (a cap and an expiry, one slot); `pay` moves a sale's seller and
// pool parts in one call; the pool receives ether and pays out by owner decision. Events and
// errors are the suite's own (../sol/Avatar.sol).
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import "paratii/Avatar.sol";
import {PeerCallReturnedFalse} from "paratii/Peers.sol";

contract ParatiiAvatar is Ownable2Step {
    uint64 public constant MIN_WHITELIST_DELAY = 1 days;
    uint64 public constant MAX_WHITELIST_DELAY = 30 days;
    uint256 public constant MAX_SPENDING_CAP = type(uint96).max;

    struct SpendingKey {
        uint96 remaining;
        uint64 expiry;
    }

    IERC20 public immutable token;
    uint64 public immutable whitelistDelay;
    mapping(address => uint64) public whitelistedFrom;
    mapping(address => mapping(address => SpendingKey)) internal _keys;

    constructor(address owner_, IERC20 token_, uint64 whitelistDelay_, address[] memory initial) Ownable(owner_) {
        if (whitelistDelay_ < MIN_WHITELIST_DELAY || whitelistDelay_ > MAX_WHITELIST_DELAY) {
            revert AvatarInvalidWhitelistDelay(whitelistDelay_, MIN_WHITELIST_DELAY, MAX_WHITELIST_DELAY);
        }
        token = token_;
        whitelistDelay = whitelistDelay_;
        for (uint256 i; i < initial.length; ++i) {
            if (initial[i] == address(0)) revert AvatarInvalidAccount(address(0));
            whitelistedFrom[initial[i]] = uint64(block.timestamp);
            emit WhitelistUpdated(initial[i], true, uint64(block.timestamp));
        }
    }

    receive() external payable {
        emit PoolEtherReceived(msg.sender, msg.value);
    }

    // Whitelist --------------------------------------------------------------------------------

    function addToWhitelist(address account) external onlyOwner {
        if (account == address(0)) revert AvatarInvalidAccount(account);
        if (whitelistedFrom[account] != 0) return;
        uint64 at = uint64(block.timestamp) + whitelistDelay;
        whitelistedFrom[account] = at;
        emit WhitelistUpdated(account, true, at);
    }

    function removeFromWhitelist(address account) external onlyOwner {
        if (whitelistedFrom[account] == 0) return;
        delete whitelistedFrom[account];
        emit WhitelistUpdated(account, false, uint64(block.timestamp));
    }

    function isOnWhitelist(address account) public view returns (bool) {
        uint64 from = whitelistedFrom[account];
        return from != 0 && block.timestamp >= from;
    }

    modifier onlyWhitelisted() {
        if (!isOnWhitelist(msg.sender)) revert AvatarNotWhitelisted(msg.sender);
        _;
    }

    // Pulls ------------------------------------------------------------------------------------

    function transferFrom(address from, address to, uint256 amount) external onlyWhitelisted returns (bool) {
        _pull(from, to, amount);
        return true;
    }

    function transferFromWithKey(address user, address key, address to, uint256 amount)
        external
        onlyWhitelisted
        returns (bool)
    {
        _charge(user, key, amount);
        _pull(user, to, amount);
        return true;
    }

    function pay(address from, address to, uint256 amount, uint256 toPool) external onlyWhitelisted returns (bool) {
        _pull(from, address(this), toPool);
        _pull(from, to, amount);
        return true;
    }

    function payWithKey(address user, address key, address to, uint256 amount, uint256 toPool)
        external
        onlyWhitelisted
        returns (bool)
    {
        _charge(user, key, amount + toPool);
        _pull(user, address(this), toPool);
        _pull(user, to, amount);
        return true;
    }

    // Spending keys ----------------------------------------------------------------------------

    function authorizeSpendingKey(address key, uint256 cap, uint64 expiry) external {
        if (key == address(0) || key == msg.sender) revert AvatarInvalidSpendingKey(msg.sender, key);
        if (cap > MAX_SPENDING_CAP) revert AvatarCapTooHigh(cap, MAX_SPENDING_CAP);
        if (expiry <= block.timestamp) revert AvatarExpiryNotInFuture(expiry, uint64(block.timestamp));
        _keys[msg.sender][key] = SpendingKey(uint96(cap), expiry);
        emit SpendingKeyAuthorized(msg.sender, key, cap, expiry);
    }

    function revokeSpendingKey(address key) external {
        if (_keys[msg.sender][key].expiry == 0) revert AvatarUnknownSpendingKey(msg.sender, key);
        delete _keys[msg.sender][key];
        emit SpendingKeyRevoked(msg.sender, key);
    }

    function spendingKey(address user, address key) external view returns (uint256, uint64) {
        SpendingKey memory k = _keys[user][key];
        return (k.remaining, k.expiry);
    }

    function isSpendingKey(address user, address key) external view returns (bool) {
        return block.timestamp < _keys[user][key].expiry;
    }

    // Pool -------------------------------------------------------------------------------------

    function disburse(address[] calldata recipients, uint256[] calldata amounts) external onlyOwner {
        if (recipients.length != amounts.length) revert AvatarLengthMismatch(recipients.length, amounts.length);
        for (uint256 i; i < recipients.length; ++i) {
            if (recipients[i] == address(0)) revert AvatarInvalidRecipient(address(0));
            if (!token.transfer(recipients[i], amounts[i])) revert PeerCallReturnedFalse(address(token));
            emit PoolDisbursed(address(token), recipients[i], amounts[i]);
        }
    }

    // Internals --------------------------------------------------------------------------------

    function _charge(address user, address key, uint256 amount) internal {
        SpendingKey memory k = _keys[user][key];
        if (k.expiry == 0) revert AvatarUnknownSpendingKey(user, key);
        if (block.timestamp >= k.expiry) revert AvatarSpendingKeyExpired(user, key, k.expiry);
        if (amount > k.remaining) revert AvatarSpendingCapExceeded(user, key, amount, k.remaining);
        uint96 remaining = k.remaining - uint96(amount);
        _keys[user][key].remaining = remaining;
        emit SpendingKeyCharged(user, key, msg.sender, amount, remaining);
    }

    function _pull(address from, address to, uint256 amount) internal {
        if (amount != 0 && !token.transferFrom(from, to, amount)) revert PeerCallReturnedFalse(address(token));
    }
}
