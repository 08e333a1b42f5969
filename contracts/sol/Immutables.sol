// SPDX-License-Identifier: MIT OR Apache-2.0
// Errors of the deploy-time constants a deployer bakes into a module (paratii_contracts::immutables)
// and its constructor checks.
pragma solidity ^0.8.22;

/// The constructor's `registry` argument differs from the ParatiiRegistry baked into this module
/// at deployment (`baked`, carried here).
error RegistryImmutableMismatch(address baked, address registry);
