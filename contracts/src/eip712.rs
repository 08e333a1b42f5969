//! EIP-712 hashing for the suite: domain separators, typed-data digests, and the PTI permit's
//! struct hash. Hand-rolled over fixed-size words (no ABI encoder in the contracts); the tests
//! check every function against alloy's independent EIP-712 implementation.

use alloy_primitives::{keccak256, Address, B256, U256};

/// Compile-time keccak256 of a string, for type hashes and domain fields.
const fn hash(s: &str) -> B256 {
    B256::new(keccak_const::Keccak256::new().update(s.as_bytes()).finalize())
}

/// `keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")`.
pub const DOMAIN_TYPEHASH: B256 =
    hash("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

/// The EIP-5267 `fields` bitmap for a domain of name, version, chain id and verifying contract.
pub const DOMAIN_FIELDS: u8 = 0x0f;

/// PTI's EIP-712 domain name.
pub const TOKEN_NAME: &str = "Paratii";
/// PTI's EIP-712 domain version.
pub const TOKEN_VERSION: &str = "1";
/// `keccak256("Paratii")`.
pub const TOKEN_NAME_HASH: B256 = hash(TOKEN_NAME);
/// `keccak256("1")`.
pub const TOKEN_VERSION_HASH: B256 = hash(TOKEN_VERSION);

/// `keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)")`.
pub const PERMIT_TYPEHASH: B256 =
    hash("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

/// The `UserRegistry`'s EIP-712 domain name (signed votes).
pub const USERS_NAME: &str = "Paratii Users";
/// `keccak256("Paratii Users")`.
pub const USERS_NAME_HASH: B256 = hash(USERS_NAME);

/// `keccak256("Vote(address user,bytes32 videoId,bool liked,uint256 nonce,uint256 deadline)")`.
pub const VOTE_TYPEHASH: B256 =
    hash("Vote(address user,bytes32 videoId,bool liked,uint256 nonce,uint256 deadline)");

/// The `PaymentChannels`' EIP-712 domain name (vouchers and close authorizations).
pub const CHANNELS_NAME: &str = "Paratii Channels";
/// `keccak256("Paratii Channels")`.
pub const CHANNELS_NAME_HASH: B256 = hash(CHANNELS_NAME);

/// `keccak256("Voucher(bytes32 channelId,uint64 segments)")`.
pub const VOUCHER_TYPEHASH: B256 = hash("Voucher(bytes32 channelId,uint64 segments)");

/// `keccak256("CloseAuthorization(bytes32 channelId,uint64 segments,uint64 deadline)")`.
pub const CLOSE_AUTHORIZATION_TYPEHASH: B256 =
    hash("CloseAuthorization(bytes32 channelId,uint64 segments,uint64 deadline)");

/// The domain separator of a contract whose domain has a name, version, chain id and address.
#[must_use]
pub fn domain_separator(
    name_hash: B256,
    version_hash: B256,
    chain_id: u64,
    verifying_contract: Address,
) -> B256 {
    let mut buf = [0u8; 160];
    buf[..32].copy_from_slice(DOMAIN_TYPEHASH.as_slice());
    buf[32..64].copy_from_slice(name_hash.as_slice());
    buf[64..96].copy_from_slice(version_hash.as_slice());
    buf[120..128].copy_from_slice(&chain_id.to_be_bytes());
    buf[140..160].copy_from_slice(verifying_contract.as_slice());
    keccak256(buf)
}

/// The digest a signer signs: `keccak256(0x1901 ‖ domainSeparator ‖ structHash)`.
#[must_use]
pub fn typed_data_digest(domain_separator: B256, struct_hash: B256) -> B256 {
    let mut buf = [0u8; 66];
    buf[0] = 0x19;
    buf[1] = 0x01;
    buf[2..34].copy_from_slice(domain_separator.as_slice());
    buf[34..].copy_from_slice(struct_hash.as_slice());
    keccak256(buf)
}

/// The struct hash of an EIP-2612 `Permit(owner, spender, value, nonce, deadline)`.
#[must_use]
pub fn permit_struct_hash(
    owner: Address,
    spender: Address,
    value: U256,
    nonce: U256,
    deadline: U256,
) -> B256 {
    let mut buf = [0u8; 192];
    buf[..32].copy_from_slice(PERMIT_TYPEHASH.as_slice());
    buf[44..64].copy_from_slice(owner.as_slice());
    buf[76..96].copy_from_slice(spender.as_slice());
    buf[96..128].copy_from_slice(&value.to_be_bytes::<32>());
    buf[128..160].copy_from_slice(&nonce.to_be_bytes::<32>());
    buf[160..].copy_from_slice(&deadline.to_be_bytes::<32>());
    keccak256(buf)
}

/// The struct hash of a `Vote(user, videoId, liked, nonce, deadline)` (a signed like or dislike).
#[must_use]
pub fn vote_struct_hash(
    user: Address,
    video_id: B256,
    liked: bool,
    nonce: U256,
    deadline: U256,
) -> B256 {
    let mut buf = [0u8; 192];
    buf[..32].copy_from_slice(VOTE_TYPEHASH.as_slice());
    buf[44..64].copy_from_slice(user.as_slice());
    buf[64..96].copy_from_slice(video_id.as_slice());
    buf[127] = u8::from(liked);
    buf[128..160].copy_from_slice(&nonce.to_be_bytes::<32>());
    buf[160..].copy_from_slice(&deadline.to_be_bytes::<32>());
    keccak256(buf)
}

/// The struct hash of a `Voucher(channelId, segments)`: the payer's signer has been served
/// `segments` segments of `channel_id` in total.
#[must_use]
pub fn voucher_struct_hash(channel_id: B256, segments: u64) -> B256 {
    counted_struct_hash(VOUCHER_TYPEHASH, channel_id, segments)
}

/// The struct hash of a `CloseAuthorization(channelId, segments, deadline)`: the payee agrees to
/// close `channel_id` at `segments` segments until `deadline` (unix seconds, inclusive).
#[must_use]
pub fn close_authorization_struct_hash(channel_id: B256, segments: u64, deadline: u64) -> B256 {
    let mut buf = [0u8; 128];
    buf[..32].copy_from_slice(CLOSE_AUTHORIZATION_TYPEHASH.as_slice());
    buf[32..64].copy_from_slice(channel_id.as_slice());
    buf[88..96].copy_from_slice(&segments.to_be_bytes());
    buf[120..].copy_from_slice(&deadline.to_be_bytes());
    keccak256(buf)
}

/// `keccak256(typehash ‖ channelId ‖ segments)`, a voucher's layout.
fn counted_struct_hash(typehash: B256, channel_id: B256, segments: u64) -> B256 {
    let mut buf = [0u8; 96];
    buf[..32].copy_from_slice(typehash.as_slice());
    buf[32..64].copy_from_slice(channel_id.as_slice());
    buf[88..].copy_from_slice(&segments.to_be_bytes());
    keccak256(buf)
}

/// A payment channel's id: `keccak256(abi.encode(chainId, adjudicator, payer, payee, signer,
/// videoId, pricePerSegment, salt))`, binding the channel to one chain and one adjudicator.
#[must_use]
pub fn channel_id(chain_id: u64, adjudicator: Address, channel: &crate::channels::Channel) -> B256 {
    let mut buf = [0u8; 256];
    buf[24..32].copy_from_slice(&chain_id.to_be_bytes());
    buf[44..64].copy_from_slice(adjudicator.as_slice());
    buf[76..96].copy_from_slice(channel.payer.as_slice());
    buf[108..128].copy_from_slice(channel.payee.as_slice());
    buf[140..160].copy_from_slice(channel.signer.as_slice());
    buf[160..192].copy_from_slice(channel.videoId.as_slice());
    buf[192..224].copy_from_slice(&channel.pricePerSegment.to_be_bytes::<32>());
    buf[224..].copy_from_slice(channel.salt.as_slice());
    keccak256(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::Permit;
    use alloy_primitives::{address, b256, uint};
    use alloy_sol_types::{eip712_domain, SolStruct};

    const TOKEN: Address = address!("0x5FbDB2315678afecb367f032d93F642f64180aa3");

    fn alloy_domain() -> alloy_sol_types::Eip712Domain {
        eip712_domain! {
            name: TOKEN_NAME,
            version: TOKEN_VERSION,
            chain_id: 412_346,
            verifying_contract: TOKEN,
        }
    }

    fn sample_permit() -> Permit {
        Permit {
            owner: address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
            spender: address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
            value: uint!(1_000_000_000_000_000_000_U256),
            nonce: U256::from(3),
            deadline: U256::MAX,
        }
    }

    #[test]
    fn domain_typehash_equals_cast_keccak() {
        // `cast keccak "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"`
        assert_eq!(
            DOMAIN_TYPEHASH,
            b256!("0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f")
        );
    }

    #[test]
    fn name_and_version_hashes_equal_cast_keccak() {
        // `cast keccak "Paratii"`, `cast keccak "1"`
        assert_eq!(
            TOKEN_NAME_HASH,
            b256!("0xae93c4febd7140468a917d366b33edbb517b06fa4f303d78c9ec21dec3acef38")
        );
        assert_eq!(
            TOKEN_VERSION_HASH,
            b256!("0xc89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc6")
        );
    }

    #[test]
    fn domain_separator_equals_alloy_when_fields_are_the_token_domain() {
        assert_eq!(
            domain_separator(TOKEN_NAME_HASH, TOKEN_VERSION_HASH, 412_346, TOKEN),
            alloy_domain().separator()
        );
    }

    #[test]
    fn domain_separator_equals_cast_vector() {
        // foundry-offline.md §5: name "Paratii", version "1", chain 412346, contract 0x…01.
        assert_eq!(
            domain_separator(TOKEN_NAME_HASH, TOKEN_VERSION_HASH, 412_346, crate::ecdsa::ECRECOVER),
            b256!("0x6bc5b34375bf6b3f1700d34fb1aced699bbffa91b9e295b41ba3e8134cf0f4a8")
        );
    }

    #[test]
    fn permit_typehash_equals_alloy_eip712_type_hash() {
        assert_eq!(PERMIT_TYPEHASH, sample_permit().eip712_type_hash());
    }

    #[test]
    fn permit_struct_hash_equals_alloy() {
        let p = sample_permit();
        assert_eq!(
            permit_struct_hash(p.owner, p.spender, p.value, p.nonce, p.deadline),
            p.eip712_hash_struct()
        );
    }

    #[test]
    fn typed_data_digest_equals_alloy_signing_hash() {
        let p = sample_permit();
        let domain = alloy_domain();
        assert_eq!(
            typed_data_digest(
                domain.separator(),
                permit_struct_hash(p.owner, p.spender, p.value, p.nonce, p.deadline)
            ),
            p.eip712_signing_hash(&domain)
        );
    }
    #[test]
    fn vote_struct_hash_equals_alloy_when_liked_and_disliked() {
        use crate::user_registry::Vote;
        for liked in [true, false] {
            let v = Vote {
                user: address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
                videoId: b256!(
                    "0x1111111111111111111111111111111111111111111111111111111111111111"
                ),
                liked,
                nonce: U256::from(7),
                deadline: U256::from(1_900_000_000u64),
            };
            assert_eq!(VOTE_TYPEHASH, v.eip712_type_hash());
            assert_eq!(
                vote_struct_hash(v.user, v.videoId, v.liked, v.nonce, v.deadline),
                v.eip712_hash_struct()
            );
        }
    }

    #[test]
    fn users_name_hash_is_keccak_of_name() {
        assert_eq!(USERS_NAME_HASH, alloy_primitives::keccak256(USERS_NAME));
    }

    fn sample_channel() -> crate::channels::Channel {
        crate::channels::Channel {
            payer: address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
            payee: address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
            signer: address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
            videoId: b256!("0x1111111111111111111111111111111111111111111111111111111111111111"),
            pricePerSegment: uint!(1_000_000_000_000_000_U256),
            salt: b256!("0x00000000000000000000000000000000000000000000000000000000000000ff"),
        }
    }

    #[test]
    fn channels_name_hash_is_keccak_of_name() {
        assert_eq!(CHANNELS_NAME_HASH, keccak256(CHANNELS_NAME));
    }

    #[test]
    fn voucher_struct_hash_equals_alloy_at_edge_counts() {
        use crate::channels::Voucher;
        for segments in [0, 1, 1_000_000, u64::MAX] {
            let v = Voucher {
                channelId: b256!(
                    "0x0101010101010101010101010101010101010101010101010101010101010101"
                ),
                segments,
            };
            assert_eq!(VOUCHER_TYPEHASH, v.eip712_type_hash());
            assert_eq!(voucher_struct_hash(v.channelId, v.segments), v.eip712_hash_struct());
        }
    }

    #[test]
    fn close_authorization_struct_hash_equals_alloy_at_edge_counts() {
        use crate::channels::CloseAuthorization;
        for (segments, deadline) in [(0, 0), (7, 1_700_000_000), (u64::MAX, u64::MAX)] {
            let a = CloseAuthorization { channelId: B256::repeat_byte(0xab), segments, deadline };
            assert_eq!(CLOSE_AUTHORIZATION_TYPEHASH, a.eip712_type_hash());
            assert_eq!(
                close_authorization_struct_hash(a.channelId, a.segments, a.deadline),
                a.eip712_hash_struct()
            );
        }
    }

    #[test]
    fn voucher_and_close_authorization_hashes_differ_for_equal_fields() {
        let id = B256::repeat_byte(1);
        assert_ne!(VOUCHER_TYPEHASH, CLOSE_AUTHORIZATION_TYPEHASH);
        assert_ne!(voucher_struct_hash(id, 5), close_authorization_struct_hash(id, 5, 0));
    }

    #[test]
    fn channel_id_equals_keccak_of_alloy_abi_encode() {
        use alloy_sol_types::SolValue;
        let c = sample_channel();
        let contract = address!("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
        let encoded = (
            U256::from(412_346u64),
            contract,
            c.payer,
            c.payee,
            c.signer,
            c.videoId,
            c.pricePerSegment,
            c.salt,
        )
            .abi_encode();
        assert_eq!(channel_id(412_346, contract, &c), keccak256(encoded));
    }

    #[test]
    fn channel_id_differs_when_chain_contract_or_any_field_differs() {
        let c = sample_channel();
        let contract = address!("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
        let id = channel_id(412_346, contract, &c);
        assert_ne!(id, channel_id(42_161, contract, &c));
        assert_ne!(id, channel_id(412_346, TOKEN, &c));
        let changes: [fn(&mut crate::channels::Channel); 6] = [
            |c| c.payer = Address::repeat_byte(0xa1),
            |c| c.payee = Address::repeat_byte(0xa2),
            |c| c.signer = Address::ZERO,
            |c| c.videoId = B256::repeat_byte(0xa3),
            |c| c.pricePerSegment += U256::from(1),
            |c| c.salt = B256::ZERO,
        ];
        for change in changes {
            let mut other = c.clone();
            change(&mut other);
            assert_ne!(other, c);
            assert_ne!(id, channel_id(412_346, contract, &other));
        }
    }
}
