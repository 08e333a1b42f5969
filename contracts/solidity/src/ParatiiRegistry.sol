// SPDX-License-Identifier: MIT OR Apache-2.0
// The registry as a strong Solidity team writes it, with the Stylus registry's model: named
// addresses and numbers keyed by keccak256(name), looked up by the other contracts at call time;
// a first address takes effect at once, re-pointing one and every number change wait the change
// delay (scheduled with an event, applied by anyone once due, cancellable by the owner);
// `getByKeys` answers a caller's lookups in one call. Strings are not journeys of the comparison
// and are left out. Events and errors are the suite's own (../sol/Registry.sol).
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import "paratii/Registry.sol";

contract ParatiiRegistry is Ownable2Step {
    uint64 public constant MIN_CHANGE_DELAY = 1 days;
    uint64 public constant MAX_CHANGE_DELAY = 30 days;

    struct Pending {
        uint256 value;
        uint64 effectiveAt;
    }

    uint64 public immutable changeDelay;
    mapping(bytes32 => address) internal _addresses;
    mapping(bytes32 => uint256) internal _uints;
    mapping(bytes32 => Pending) internal _pendingAddresses;
    mapping(bytes32 => Pending) internal _pendingUints;

    constructor(address owner_, uint64 changeDelay_) Ownable(owner_) {
        if (changeDelay_ < MIN_CHANGE_DELAY || changeDelay_ > MAX_CHANGE_DELAY) {
            revert RegistryInvalidDelay(changeDelay_, MIN_CHANGE_DELAY, MAX_CHANGE_DELAY);
        }
        changeDelay = changeDelay_;
    }

    function registerAddress(string calldata name, address value) external onlyOwner {
        bytes32 key = _key(name);
        if (value == address(0)) revert RegistryZeroAddress(name);
        if (_addresses[key] == address(0)) {
            _addresses[key] = value;
            emit AddressRegistered(key, name, value);
            return;
        }
        uint64 at = uint64(block.timestamp) + changeDelay;
        _pendingAddresses[key] = Pending(uint160(value), at);
        emit AddressChangeScheduled(key, name, value, at);
    }

    function applyAddressChange(string calldata name) external {
        bytes32 key = _key(name);
        address value = address(uint160(_due(_pendingAddresses[key], name)));
        delete _pendingAddresses[key];
        _addresses[key] = value;
        emit AddressRegistered(key, name, value);
    }

    function registerUint(string calldata name, uint256 value) external onlyOwner {
        bytes32 key = _key(name);
        uint64 at = uint64(block.timestamp) + changeDelay;
        _pendingUints[key] = Pending(value, at);
        emit UintChangeScheduled(key, name, value, at);
    }

    function applyUintChange(string calldata name) external {
        bytes32 key = _key(name);
        uint256 value = _due(_pendingUints[key], name);
        delete _pendingUints[key];
        _uints[key] = value;
        emit UintRegistered(key, name, value);
    }

    function cancelChange(string calldata name) external onlyOwner {
        bytes32 key = _key(name);
        if (_pendingAddresses[key].effectiveAt == 0 && _pendingUints[key].effectiveAt == 0) {
            revert RegistryNoPendingChange(name);
        }
        delete _pendingAddresses[key];
        delete _pendingUints[key];
        emit ChangeCancelled(key, name);
    }

    function getContract(string calldata name) external view returns (address) {
        return _addresses[keccak256(bytes(name))];
    }

    function getUint(string calldata name) external view returns (uint256) {
        return _uints[keccak256(bytes(name))];
    }

    function getContractByKey(bytes32 key) external view returns (address) {
        return _addresses[key];
    }

    function getUintByKey(bytes32 key) external view returns (uint256) {
        return _uints[key];
    }

    function getByKeys(bytes32[] calldata contractKeys, bytes32[] calldata uintKeys)
        external
        view
        returns (address[] memory addresses, uint256[] memory uints)
    {
        addresses = new address[](contractKeys.length);
        for (uint256 i; i < contractKeys.length; ++i) {
            addresses[i] = _addresses[contractKeys[i]];
        }
        uints = new uint256[](uintKeys.length);
        for (uint256 i; i < uintKeys.length; ++i) {
            uints[i] = _uints[uintKeys[i]];
        }
    }

    function _key(string calldata name) internal pure returns (bytes32) {
        if (bytes(name).length == 0) revert RegistryEmptyName();
        return keccak256(bytes(name));
    }

    function _due(Pending memory p, string calldata name) internal view returns (uint256) {
        if (p.effectiveAt == 0) revert RegistryNoPendingChange(name);
        if (block.timestamp < p.effectiveAt) revert RegistryChangeNotDue(name, p.effectiveAt, uint64(block.timestamp));
        return p.value;
    }
}
