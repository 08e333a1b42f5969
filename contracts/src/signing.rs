//! Native signing and recovery (feature `signing`, never on wasm32): Ethereum's `ecrecover`
//! precompile and a wallet-style signer, for the devnet, the companion and tests.
//!
//! [`ecrecover`] follows the precompile, not the suite's rules: it accepts high-s signatures (it
//! recovers the same signer as the low-s twin), so a test proving that a contract refuses high-s
//! signatures fails if the contract forgets the check.

use alloc::vec::Vec;

use alloy_primitives::{keccak256, Address, B256, U256};
use k256::ecdsa::{RecoveryId, Signature as K256Signature, SigningKey, VerifyingKey};

use crate::ecdsa::Signature;

/// Ethereum's `ecrecover` on a 128-byte input (shorter input is zero-padded): the left-padded
/// signer, or empty output when recovery fails.
///
/// # Panics
/// Never: the 32-byte slices it converts are cut from a 128-byte buffer.
#[must_use]
pub fn ecrecover(input: &[u8]) -> Vec<u8> {
    let mut buf = [0u8; 128];
    let n = input.len().min(128);
    buf[..n].copy_from_slice(&input[..n]);
    let v = U256::from_be_slice(&buf[32..64]);
    if v != U256::from(27) && v != U256::from(28) {
        return Vec::new();
    }
    let Ok(sig) = K256Signature::from_scalars(
        <[u8; 32]>::try_from(&buf[64..96]).expect("should be 32 bytes"),
        <[u8; 32]>::try_from(&buf[96..128]).expect("should be 32 bytes"),
    ) else {
        return Vec::new();
    };
    let mut odd = buf[63] == 28;
    // The precompile accepts high-s; k256 does not: recover through the low-s twin, whose
    // R has the opposite y parity.
    let sig = match sig.normalize_s() {
        Some(low) => {
            odd = !odd;
            low
        }
        None => sig,
    };
    let Some(recid) = RecoveryId::from_byte(u8::from(odd)) else {
        return Vec::new();
    };
    match VerifyingKey::recover_from_prehash(&buf[..32], &sig, recid) {
        Ok(key) => address_of(&key).into_word().to_vec(),
        Err(_) => Vec::new(),
    }
}

fn address_of(key: &VerifyingKey) -> Address {
    let point = key.to_encoded_point(false);
    Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
}

/// A private key that signs 32-byte digests.
#[derive(Clone)]
pub struct Signer(SigningKey);

impl Signer {
    /// The signer of a 32-byte private key.
    ///
    /// # Panics
    /// If the key is zero or not below the curve order (a test-data mistake).
    #[must_use]
    pub fn from_bytes(key: B256) -> Self {
        Self(SigningKey::from_bytes(&key.0.into()).expect("should be a valid secp256k1 key"))
    }

    /// The signer of a 32-byte private key, or `None` when it is zero or not below the curve
    /// order.
    #[must_use]
    pub fn try_from_bytes(key: B256) -> Option<Self> {
        SigningKey::from_bytes(&key.0.into()).ok().map(Self)
    }

    /// A deterministic signer for test actor number `seed` (never zero).
    #[must_use]
    pub fn from_seed(seed: u64) -> Self {
        Self::from_bytes(keccak256(seed.to_be_bytes()))
    }

    /// The signer's Ethereum address.
    #[must_use]
    pub fn address(&self) -> Address {
        address_of(self.0.verifying_key())
    }

    /// Signs `digest` as wallets do: low-s, `v` = 27 or 28.
    ///
    /// # Panics
    /// Never for a valid key (RFC 6979 signing cannot fail on a 32-byte digest).
    #[must_use]
    pub fn sign(&self, digest: B256) -> Signature {
        let (sig, recid) =
            self.0.sign_prehash_recoverable(digest.as_slice()).expect("should sign a digest");
        let (r, s) = sig.split_bytes();
        Signature { v: 27 + recid.to_byte(), r: B256::from_slice(&r), s: B256::from_slice(&s) }
    }
}

/// The malleable twin of a signature: `s' = n - s` and the other `v`. It recovers the same signer
/// through the raw precompile; the suite must refuse it.
#[must_use]
pub fn high_s_twin(sig: &Signature) -> Signature {
    let n = alloy_primitives::uint!(
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141_U256
    );
    let s = n - U256::from_be_bytes(sig.s.0);
    Signature { v: if sig.v == 27 { 28 } else { 27 }, r: sig.r, s: B256::from(s.to_be_bytes()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256, hex};

    /// anvil's dev key #0 and the voucher digest of foundry-offline.md §5, signed by `cast`.
    const KEY: B256 = b256!("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    const DIGEST: B256 =
        b256!("0x5503df122f7c7594af4b8112390723bc2800c74577c2e7b6480f9e413c21277f");
    const CAST_SIG: [u8; 65] = hex!("e37e97e9d9a7fba8bdba76fbdef5df143cfcca2e80a6c29a63389c7cb02046946397b7bd29cfc9f6eff1bdb6f3dfc0d4989933a5263f1afacbdbceae467104fa1c");
    const ADDRESS: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

    #[test]
    fn signer_reproduces_cast_signature() {
        let signer = Signer::from_bytes(KEY);
        assert_eq!(signer.address(), ADDRESS);
        let sig = signer.sign(DIGEST);
        let mut packed = [0u8; 65];
        packed[..32].copy_from_slice(sig.r.as_slice());
        packed[32..64].copy_from_slice(sig.s.as_slice());
        packed[64] = sig.v;
        assert_eq!(packed, CAST_SIG);
    }

    #[test]
    fn ecrecover_recovers_cast_signer() {
        let sig = Signature::from_packed(&CAST_SIG).unwrap();
        assert_eq!(ecrecover(&sig.ecrecover_input(DIGEST)), ADDRESS.into_word().to_vec());
    }

    #[test]
    fn ecrecover_recovers_same_signer_when_s_is_high() {
        let sig = Signature::from_packed(&CAST_SIG).unwrap();
        let twin = high_s_twin(&sig);
        assert_ne!(twin.s, sig.s);
        assert_eq!(ecrecover(&twin.ecrecover_input(DIGEST)), ADDRESS.into_word().to_vec());
    }

    #[test]
    fn ecrecover_returns_empty_when_v_or_r_is_invalid() {
        let sig = Signature::from_packed(&CAST_SIG).unwrap();
        let mut bad_v = sig.ecrecover_input(DIGEST);
        bad_v[63] = 29;
        assert!(ecrecover(&bad_v).is_empty());
        let mut zero_r = sig.ecrecover_input(DIGEST);
        zero_r[64..96].fill(0);
        assert!(ecrecover(&zero_r).is_empty());
    }

    #[test]
    fn ecrecover_recovers_other_address_when_digest_differs() {
        let sig = Signature::from_packed(&CAST_SIG).unwrap();
        let out = ecrecover(&sig.ecrecover_input(B256::repeat_byte(7)));
        assert_eq!(out.len(), 32);
        assert_ne!(out, ADDRESS.into_word().to_vec());
    }
}
