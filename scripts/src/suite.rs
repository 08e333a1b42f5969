//! The suite's deployable contracts.

/// One deployable contract crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contract {
    /// The crate's directory, relative to the workspace root (also the `target/wasm/` file stem).
    pub dir: &'static str,
    /// The Cargo package name.
    pub package: &'static str,
    /// The library's file stem in `target/wasm-build/wasm32-unknown-unknown/release/`.
    pub lib: &'static str,
    /// The Solidity interface name, `I<Name>`: the file stem under `contracts/abi/`.
    pub interface: &'static str,
    /// The `contracts/sol/` files whose events and errors this contract uses.
    pub sol_sources: &'static [&'static str],
}

/// Every deployable contract, in deployment order.
pub const CONTRACTS: &[Contract] = &[
    Contract {
        dir: "token",
        package: "paratii-token",
        lib: "paratii_token",
        interface: "IParatiiToken",
        sol_sources: &["Token.sol", "Ecdsa.sol"],
    },
    Contract {
        dir: "registry",
        package: "paratii-registry",
        lib: "paratii_registry",
        interface: "IParatiiRegistry",
        sol_sources: &["Registry.sol", "Ownable.sol"],
    },
    Contract {
        dir: "send-ether",
        package: "paratii-send-ether",
        lib: "paratii_send_ether",
        interface: "ISendEther",
        sol_sources: &["SendEther.sol"],
    },
    Contract {
        dir: "video-registry",
        package: "paratii-video-registry",
        lib: "paratii_video_registry",
        interface: "IVideoRegistry",
        sol_sources: &["VideoRegistry.sol", "Immutables.sol", "Ownable.sol"],
    },
    Contract {
        dir: "avatar",
        package: "paratii-avatar",
        lib: "paratii_avatar",
        interface: "IParatiiAvatar",
        sol_sources: &["Avatar.sol", "Peers.sol", "Ownable.sol"],
    },
    Contract {
        dir: "user-registry",
        package: "paratii-user-registry",
        lib: "paratii_user_registry",
        interface: "IUserRegistry",
        sol_sources: &[
            "UserRegistry.sol",
            "Peers.sol",
            "Immutables.sol",
            "Ecdsa.sol",
            "Ownable.sol",
        ],
    },
    Contract {
        dir: "video-store",
        package: "paratii-video-store",
        lib: "paratii_video_store",
        interface: "IVideoStore",
        sol_sources: &["VideoStore.sol", "Peers.sol", "Immutables.sol"],
    },
    Contract {
        dir: "channel",
        package: "paratii-channel",
        lib: "paratii_channel",
        interface: "IPaymentChannels",
        sol_sources: &["Channels.sol", "Peers.sol", "Ecdsa.sol"],
    },
];

/// The contract whose directory or package is `name`.
#[must_use]
pub fn find(name: &str) -> Option<&'static Contract> {
    CONTRACTS.iter().find(|c| c.dir == name || c.package == name)
}
