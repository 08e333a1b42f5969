// SPDX-License-Identifier: MIT OR Apache-2.0
// EIP-2612 permits signed in tests, built by hand (not with the token's own code).
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {ParatiiToken} from "../src/ParatiiToken.sol";

library Permits {
    Vm internal constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    /// `key`'s permit of `value` PTI for `spender` until `deadline`, at the owner's next nonce.
    function sign(ParatiiToken token, uint256 key, address spender, uint256 value, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        address owner = VM.addr(key);
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, token.nonces(owner), deadline));
        return VM.sign(key, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
    }
}
