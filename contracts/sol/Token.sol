// SPDX-License-Identifier: MIT OR Apache-2.0
// PTI: ERC-20 events, ERC-6093 errors, EIP-2612 permit errors and typed data.
pragma solidity ^0.8.22;

/// `value` tokens moved from `from` to `to` (`from` is zero when minted).
event Transfer(address indexed from, address indexed to, uint256 value);
/// `owner` allowed `spender` to move up to `value` of its tokens.
event Approval(address indexed owner, address indexed spender, uint256 value);

/// `sender` holds `balance`, less than the `needed` amount.
error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
/// Tokens cannot be sent from `sender` (the zero address).
error ERC20InvalidSender(address sender);
/// Tokens cannot be sent to `receiver` (the zero address).
error ERC20InvalidReceiver(address receiver);
/// `spender` may move `allowance`, less than the `needed` amount.
error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
/// `spender` cannot be approved (the zero address).
error ERC20InvalidSpender(address spender);
/// Raising `spender`'s `allowance` by `added` would overflow uint256.
error ERC20AllowanceOverflow(address spender, uint256 allowance, uint256 added);
/// Lowering `spender`'s `allowance` by `requestedDecrease` would go below zero.
error ERC20FailedDecreaseAllowance(address spender, uint256 allowance, uint256 requestedDecrease);

/// The permit's `deadline` (unix seconds) has passed.
error ERC2612ExpiredSignature(uint256 deadline);
/// The permit was signed by `signer`, not by `owner`.
error ERC2612InvalidSigner(address signer, address owner);

/// EIP-2612 typed data: `owner` lets `spender` move `value`, once (`nonce`), until `deadline`.
struct Permit {
    address owner;
    address spender;
    uint256 value;
    uint256 nonce;
    uint256 deadline;
}
