// SPDX-License-Identifier: MIT OR Apache-2.0
// PTI as a strong Solidity team writes it: OpenZeppelin 5's ERC-20 with EIP-2612 permit
// (EIP-5267 domain), 21,000,000 PTI to a holder. The Stylus token's extras
// (`increaseApproval`/`decreaseApproval`, the original's names) are not journeys of the
// comparison and are left out.
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

contract ParatiiToken is ERC20, ERC20Permit {
    constructor(address holder) ERC20("Paratii", "PTI") ERC20Permit("Paratii") {
        _mint(holder, 21_000_000 ether);
    }
}
