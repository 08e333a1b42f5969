// SPDX-License-Identifier: MIT OR Apache-2.0
// ParatiiRegistry: named addresses, numbers and strings, keyed by keccak256(name).
pragma solidity ^0.8.22;

/// `name` (key = keccak256(name)) now points to the contract `value`.
event AddressRegistered(bytes32 indexed key, string name, address value);
/// `name` (key = keccak256(name)) no longer points to a contract.
event AddressUnregistered(bytes32 indexed key, string name);
/// `name` (key = keccak256(name)) now holds the number `value`.
event UintRegistered(bytes32 indexed key, string name, uint256 value);
/// `name` (key = keccak256(name)) no longer holds a number.
event UintUnregistered(bytes32 indexed key, string name);
/// `name` (key = keccak256(name)) now holds the string `value`.
event StringRegistered(bytes32 indexed key, string name, string value);
/// `name` (key = keccak256(name)) no longer holds a string.
event StringUnregistered(bytes32 indexed key, string name);

/// The owner scheduled `name`'s address to become `value` (zero: removal) from `effectiveAt`
/// (unix seconds), once someone applies it; a pending change of the name is replaced.
event AddressChangeScheduled(bytes32 indexed key, string name, address value, uint64 effectiveAt);
/// The owner scheduled `name`'s number to become `value` (zero: removal) from `effectiveAt`
/// (unix seconds), once someone applies it; a pending change of the name is replaced.
event UintChangeScheduled(bytes32 indexed key, string name, uint256 value, uint64 effectiveAt);
/// The owner cancelled the changes scheduled under `name`.
event ChangeCancelled(bytes32 indexed key, string name);
/// Names must not be empty.
error RegistryEmptyName();
/// `name` cannot point to the zero address: unregister it instead.
error RegistryZeroAddress(string name);
/// `name` cannot hold the empty string: unregister it instead.
error RegistryEmptyString(string name);
/// The string for `name` is `length` bytes, over the `max` a registry string may have.
error RegistryStringTooLong(string name, uint256 length, uint256 max);
/// Nothing of that kind is registered under `name`.
error RegistryNotRegistered(string name);
/// The change delay `delay` (seconds) is outside [`min`, `max`].
error RegistryInvalidDelay(uint64 delay, uint64 min, uint64 max);
/// No change of that kind is scheduled under `name`.
error RegistryNoPendingChange(string name);
/// The change scheduled under `name` takes effect at `effectiveAt`; it is `now`.
error RegistryChangeNotDue(string name, uint64 effectiveAt, uint64 now);
