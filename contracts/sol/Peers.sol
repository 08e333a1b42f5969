// SPDX-License-Identifier: MIT OR Apache-2.0
// Errors shared by every contract that looks its peers up in the ParatiiRegistry at call time.
pragma solidity ^0.8.22;

/// No contract is registered under `key` (keccak256 of its name) in the ParatiiRegistry.
error PeerNotRegistered(bytes32 key);
/// `target` returned `false` (instead of reverting) from a token transfer.
error PeerCallReturnedFalse(address target);
