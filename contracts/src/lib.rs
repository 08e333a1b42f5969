//! # paratii-contracts — the suite's Solidity face, in one place
//!
//! The events, errors and EIP-712 structs every Paratii contract emits, reverts with or verifies
//! are declared once, in Solidity, under `contracts/sol/*.sol`. This crate turns them into Rust
//! types with [`alloy_sol_types::sol!`], so the contracts, the companion and the tests all encode
//! and decode the same bytes; the build tool reads the same files to put the events into the
//! generated interfaces (`contracts/abi/I<Name>.sol` and `.json`), which the SDK's `export-abi`
//! leaves out.
//!
//! Beside the types it holds the pure, host-free helpers every contract shares:
//! - [`names`]: the registry names contracts look each other up by, with their keys;
//! - [`eip712`]: domain separators and digests (EIP-712) and the PTI permit struct hash;
//! - [`amounts`]: PTI amounts as stored (96 bits);
//! - [`votes`]: like/dislike codes and the counters that follow a change;
//! - [`ecdsa`]: the signature rules (65 bytes, `v` ∈ {27, 28}, low-s) and the `ecrecover`
//!   precompile's input and output encoding.
//!
//! It is `no_std` (with `alloc`) so it compiles into the WASM contracts. Hashing goes through
//! [`alloy_primitives::keccak256`], which the Stylus SDK routes to the host's native keccak on
//! wasm32.
#![no_std]

extern crate alloc;

pub mod abi;
pub mod amounts;
pub mod ecdsa;
pub mod eip712;
pub mod names;
#[cfg(feature = "signing")]
pub mod signing;
pub mod votes;

/// Two-step ownership: events and errors (`contracts/sol/Ownable.sol`).
pub mod ownable {
    alloy_sol_types::sol!(
        #![sol(all_derives)]
        "sol/Ownable.sol"
    );
}

/// Signature errors shared by every verifier (`contracts/sol/Ecdsa.sol`).
pub mod signature {
    alloy_sol_types::sol!(
        #![sol(all_derives)]
        "sol/Ecdsa.sol"
    );
}

/// PTI: ERC-20 events, ERC-6093 and EIP-2612 errors, the `Permit` struct (`contracts/sol/Token.sol`).
pub mod token {
    alloy_sol_types::sol!(
        #![sol(all_derives)]
        "sol/Token.sol"
    );
}

/// `ParatiiRegistry`: events and errors (`contracts/sol/Registry.sol`).
pub mod registry {
    alloy_sol_types::sol!(
        #![sol(all_derives)]
        "sol/Registry.sol"
    );
}

/// `SendEther`: events and errors (`contracts/sol/SendEther.sol`).
pub mod send_ether {
    alloy_sol_types::sol!(
        #![sol(all_derives)]
        "sol/SendEther.sol"
    );
}

/// `VideoRegistry`: events and errors (`contracts/sol/VideoRegistry.sol`).
pub mod video_registry {
    alloy_sol_types::sol!(
        #![sol(all_derives)]
        "sol/VideoRegistry.sol"
    );
}

/// Errors of call-time peer lookups and token calls (`contracts/sol/Peers.sol`).
pub mod peers {
    alloy_sol_types::sol!(
        #![sol(all_derives)]
        "sol/Peers.sol"
    );
}

/// `ParatiiAvatar`: events and errors (`contracts/sol/Avatar.sol`).
pub mod avatar {
    alloy_sol_types::sol!(
        #![sol(all_derives)]
        "sol/Avatar.sol"
    );
}

/// `UserRegistry`: events, errors and the EIP-712 `Vote` (`contracts/sol/UserRegistry.sol`).
pub mod user_registry {
    alloy_sol_types::sol!(
        #![sol(all_derives)]
        "sol/UserRegistry.sol"
    );
}

/// `VideoStore`: events and errors (`contracts/sol/VideoStore.sol`).
pub mod video_store {
    alloy_sol_types::sol!(
        #![sol(all_derives)]
        "sol/VideoStore.sol"
    );
}

/// `PaymentChannels`: the channel parameters, events, errors and the EIP-712 `Voucher` and
/// `CloseAuthorization` (`contracts/sol/Channels.sol`).
pub mod channels {
    alloy_sol_types::sol!(
        #![sol(all_derives)]
        "sol/Channels.sol"
    );
}

/// The Solidity source of each module above, by file name, for tools that regenerate the ABIs.
pub const SOL_SOURCES: &[(&str, &str)] = &[
    ("Ownable.sol", include_str!("../sol/Ownable.sol")),
    ("Ecdsa.sol", include_str!("../sol/Ecdsa.sol")),
    ("Token.sol", include_str!("../sol/Token.sol")),
    ("Registry.sol", include_str!("../sol/Registry.sol")),
    ("SendEther.sol", include_str!("../sol/SendEther.sol")),
    (
        "VideoRegistry.sol",
        include_str!("../sol/VideoRegistry.sol"),
    ),
    ("Peers.sol", include_str!("../sol/Peers.sol")),
    ("Avatar.sol", include_str!("../sol/Avatar.sol")),
    ("UserRegistry.sol", include_str!("../sol/UserRegistry.sol")),
    ("VideoStore.sol", include_str!("../sol/VideoStore.sol")),
    ("Channels.sol", include_str!("../sol/Channels.sol")),
];
