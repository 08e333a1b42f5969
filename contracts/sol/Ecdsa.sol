// SPDX-License-Identifier: MIT OR Apache-2.0
// Signature checks shared by every contract that verifies an EIP-712 signature.
pragma solidity ^0.8.22;

/// The signature recovers to no address (ecrecover failed or returned the zero address).
error ECDSAInvalidSignature();
/// A packed signature must be 65 bytes (r ‖ s ‖ v); `length` bytes were given.
error ECDSAInvalidSignatureLength(uint256 length);
/// `s` is in the upper half of the curve order: a malleable (high-s) signature.
error ECDSAInvalidSignatureS(bytes32 s);
/// `v` must be 27 or 28.
error ECDSAInvalidSignatureV(uint8 v);
