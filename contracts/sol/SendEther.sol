// SPDX-License-Identifier: MIT OR Apache-2.0
// SendEther: ETH payments with a note, as a public record.
pragma solidity ^0.8.22;

/// `from` sent `value` wei to `to`, with a note for the recipient.
event EtherSent(address indexed from, address indexed to, uint256 value, string description);

/// Ether cannot be sent to `to` (the zero address).
error SendEtherInvalidRecipient(address to);
/// `to` refused the `value` wei (its code reverted or ran out of gas).
error SendEtherRecipientRefused(address to, uint256 value);
/// Plain ether (`value` wei from `sender`) is refused: call `transfer(to, description)`.
error SendEtherPlainEtherRefused(address sender, uint256 value);
