//! The adjudicator's golden vectors (signed again with cast in CI) and every refusal.

use alloy_primitives::{address, hex, Address, B256, U256};
use paratii_contracts::{ecdsa::Signature, signing::high_s_twin};
use serde_json::Value;

use super::*;
use crate::keys::UnlockedKey;

const ANVIL_0: [u8; 32] = hex!("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const ANVIL_1: [u8; 32] = hex!("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");

fn golden(name: &str) -> (Value, Vec<u8>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../channel/testdata/");
    let json = serde_json::from_str(&std::fs::read_to_string(format!("{dir}{name}.json")).unwrap())
        .unwrap();
    let sig = std::fs::read_to_string(format!("{dir}{name}.sig")).unwrap();
    (json, hex::decode(sig.trim()).unwrap())
}

#[test]
fn sign_reproduces_the_golden_voucher_and_close_authorization() {
    for (name, key) in [("voucher", ANVIL_0), ("close", ANVIL_1)] {
        let (json, committed) = golden(name);
        let (domain, message) = from_typed_data(&json).unwrap();
        let key = UnlockedKey::from_secret(&key).unwrap();
        assert_eq!(message.sign(&domain, &key).to_vec(), committed, "{name}");
        assert_eq!(recover(message.digest(&domain), &committed), Ok(key.address()));
        assert_eq!(from_typed_data(&to_typed_data(&domain, &message)), Ok((domain, message)));
    }
}

/// The golden voucher's channel, as a payee holding a deposit for 1,000 segments at 10 wei.
fn setup() -> (Domain, Channel, Voucher, Vec<u8>) {
    let (json, sig) = golden("voucher");
    let (domain, Message::Voucher(voucher)) = from_typed_data(&json).unwrap() else {
        panic!("the golden voucher is a voucher")
    };
    let signer = UnlockedKey::from_secret(&ANVIL_0).unwrap().address();
    let channel = Channel {
        id: voucher.channel_id,
        signer,
        price_per_segment: U256::from(10),
        deposit: U256::from(10_000),
    };
    (domain, channel, voucher, sig)
}

#[test]
fn accept_takes_the_golden_voucher() {
    let (domain, channel, voucher, sig) = setup();
    assert_eq!(accept(&domain, &channel, 999, &voucher, &sig), Ok(()));
}

#[test]
fn accept_refuses_malformed_signatures() {
    let (domain, channel, voucher, sig) = setup();
    let check = |sig: &[u8]| accept(&domain, &channel, 0, &voucher, sig);
    assert_eq!(check(&sig[..64]), Err(VoucherError::SignatureLength(64)));
    let mut v29 = sig.clone();
    v29[64] = 29;
    assert_eq!(check(&v29), Err(VoucherError::RecoveryId(29)));
    let twin = high_s_twin(&Signature::from_packed(&sig).unwrap()).to_packed();
    assert_eq!(check(&twin), Err(VoucherError::HighS));
    let mut zero_r = sig.clone();
    zero_r[..32].fill(0);
    assert_eq!(check(&zero_r), Err(VoucherError::Unrecoverable));
}

#[test]
fn accept_refuses_other_channels_signers_replays_and_overdrafts() {
    let (domain, channel, voucher, sig) = setup();
    let other = Channel { id: B256::repeat_byte(1), ..channel };
    assert_eq!(
        accept(&domain, &other, 0, &voucher, &sig),
        Err(VoucherError::WrongChannel { expected: other.id, got: voucher.channel_id })
    );
    let stranger = Channel { signer: Address::repeat_byte(2), ..channel };
    assert_eq!(
        accept(&domain, &stranger, 0, &voucher, &sig),
        Err(VoucherError::WrongSigner { expected: stranger.signer, recovered: channel.signer })
    );
    assert_eq!(
        accept(&domain, &channel, 1_000, &voucher, &sig),
        Err(VoucherError::NotAbove { segments: 1_000, last: 1_000 })
    );
    let poor = Channel { deposit: U256::from(9_999), ..channel };
    assert_eq!(
        accept(&domain, &poor, 0, &voucher, &sig),
        Err(VoucherError::OverDeposit {
            segments: 1_000,
            price: U256::from(10),
            deposit: U256::from(9_999)
        })
    );
    let overflowing = Channel { price_per_segment: U256::MAX, ..channel };
    assert!(matches!(
        accept(&domain, &overflowing, 0, &voucher, &sig),
        Err(VoucherError::OverDeposit { .. })
    ));
    // Signed under another domain: another signer recovers.
    let elsewhere = Domain { chain_id: 1, ..domain };
    assert!(matches!(
        accept(&elsewhere, &channel, 0, &voucher, &sig),
        Err(VoucherError::WrongSigner { .. })
    ));
}

#[test]
fn typed_data_from_another_domain_or_shape_is_refused() {
    let (json, _) = golden("voucher");
    let (domain, _) = from_typed_data(&json).unwrap();
    let other = Domain {
        chain_id: 42_161,
        adjudicator: address!("0x00000000000000000000000000000000000000aa"),
    };
    assert_eq!(check_domain(&domain, &domain), Ok(()));
    assert_eq!(
        check_domain(&other, &domain),
        Err(VoucherError::WrongChain { expected: 42_161, got: domain.chain_id })
    );
    let same_chain = Domain { chain_id: domain.chain_id, ..other };
    assert!(matches!(
        check_domain(&same_chain, &domain),
        Err(VoucherError::WrongAdjudicator { .. })
    ));
    let mut renamed = json.clone();
    renamed["domain"]["name"] = "Paratii".into();
    assert!(matches!(from_typed_data(&renamed), Err(VoucherError::TypedData(_))));
    let mut retyped = json.clone();
    retyped["types"]["Voucher"][1]["type"] = "uint256".into();
    assert!(matches!(from_typed_data(&retyped), Err(VoucherError::TypedData(_))));
    let mut truncated = json;
    truncated["message"].as_object_mut().unwrap().remove("segments");
    assert_eq!(
        from_typed_data(&truncated),
        Err(VoucherError::TypedData("missing message.segments".into()))
    );
}

#[test]
fn libsecp256k1_recovers_what_k256_recovers_and_refuses_the_same() {
    let (json, sig) = golden("voucher");
    let (domain, message) = from_typed_data(&json).unwrap();
    let digest = message.digest(&domain);
    let key = UnlockedKey::from_secret(&ANVIL_1).unwrap();
    for n in 0..64u64 {
        let other = Message::Voucher(Voucher { channel_id: B256::with_last_byte(7), segments: n });
        let sig = other.sign(&domain, &key);
        let d = other.digest(&domain);
        assert_eq!(recover(d, &sig), recover_k256(d, &sig));
        assert_eq!(recover(d, &sig), Ok(key.address()));
    }
    let twin = high_s_twin(&Signature::from_packed(&sig).unwrap()).to_packed();
    assert_eq!(recover(digest, &twin), recover_k256(digest, &twin));
    let mut zero_r = sig.clone();
    zero_r[..32].fill(0);
    assert_eq!(recover(digest, &zero_r), recover_k256(digest, &zero_r));
}
