// SPDX-License-Identifier: MIT OR Apache-2.0
// Two-step ownership (the suite's owner-administered contracts).
pragma solidity ^0.8.22;

/// A transfer of ownership to `newOwner` was started; it completes when `newOwner` accepts.
event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
/// Ownership moved from `previousOwner` to `newOwner` (zero when renounced or at construction).
event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

/// `account` is not allowed to call an owner-only (or pending-owner-only) function.
error OwnableUnauthorizedAccount(address account);
/// `owner` cannot become the owner (the zero address).
error OwnableInvalidOwner(address owner);
