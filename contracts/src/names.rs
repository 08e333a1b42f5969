//! Registry names: what the suite's contracts and parameters are registered under in
//! `ParatiiRegistry`, with the keys (`keccak256(name)`) the registry stores them by. Contracts look
//! peers up at call time by key, so a lookup passes 32 bytes instead of a string. Keys are computed
//! at compile time from the names, so the two cannot drift apart.

use alloy_primitives::B256;

/// A registry entry: its name and its key, `keccak256(name)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Name {
    /// The human-readable name, as passed to `registerAddress`/`registerUint`/`registerString`.
    pub name: &'static str,
    /// `keccak256(name)`, the key the registry stores the entry under.
    pub key: B256,
}

impl Name {
    /// A name and its key, hashed at compile time.
    #[must_use]
    pub const fn new(name: &'static str) -> Self {
        let key = keccak_const::Keccak256::new().update(name.as_bytes()).finalize();
        Self { name, key: B256::new(key) }
    }
}

/// The selector of the registry's `getContractByKey(bytes32)`, the lookup contracts make at call
/// time.
pub const GET_CONTRACT_BY_KEY_SELECTOR: [u8; 4] =
    crate::words::selector("getContractByKey(bytes32)");

/// The PTI token (address).
pub const PARATII_TOKEN: Name = Name::new("ParatiiToken");
/// The user's on-chain agent and redistribution pool (address).
pub const PARATII_AVATAR: Name = Name::new("ParatiiAvatar");
/// Users, their acquisitions and votes (address).
pub const USER_REGISTRY: Name = Name::new("UserRegistry");
/// Videos: owners, prices, IPFS hashes, stats (address).
pub const VIDEO_REGISTRY: Name = Name::new("VideoRegistry");
/// Pay-per-video purchases (address).
pub const VIDEO_STORE: Name = Name::new("VideoStore");
/// ETH transfers with a description (address).
pub const SEND_ETHER: Name = Name::new("SendEther");
/// The payment-channel adjudicator (address).
pub const PAYMENT_CHANNELS: Name = Name::new("PaymentChannels");
/// The redistribution pool's share of a sale, scaled by 1e18 (uint; at most 1e18).
pub const VIDEO_REDISTRIBUTION_POOL_SHARE: Name = Name::new("VideoRedistributionPoolShare");

/// Every name above, for tools that list or check a deployment.
pub const ALL: &[Name] = &[
    PARATII_TOKEN,
    PARATII_AVATAR,
    USER_REGISTRY,
    VIDEO_REGISTRY,
    VIDEO_STORE,
    SEND_ETHER,
    PAYMENT_CHANNELS,
    VIDEO_REDISTRIBUTION_POOL_SHARE,
];

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    #[test]
    fn keys_equal_runtime_keccak_of_names() {
        for n in ALL {
            assert_eq!(n.key, keccak256(n.name.as_bytes()), "{}", n.name);
        }
    }

    #[test]
    fn lookup_selector_is_keccak_of_signature() {
        assert_eq!(GET_CONTRACT_BY_KEY_SELECTOR, keccak256(b"getContractByKey(bytes32)")[..4]);
    }

    #[test]
    fn names_are_distinct() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a.key, b.key);
            }
        }
    }
}
