//! Signature rules shared by every verifier in the suite, and the encoding of the `ecrecover`
//! precompile's input and output. Host-free: the contracts make the static call themselves.
//!
//! Rules, checked in this order:
//! 1. a packed signature is exactly 65 bytes, `r ‖ s ‖ v` ([`ECDSAInvalidSignatureLength`]);
//! 2. `v` is 27 or 28 ([`ECDSAInvalidSignatureV`]);
//! 3. `s` is in the lower half of the curve order, so no signature has a malleable twin
//!    ([`ECDSAInvalidSignatureS`]);
//! 4. the precompile recovers a non-zero address ([`ECDSAInvalidSignature`]).

use alloy_primitives::{address, uint, Address, B256, U256};

use crate::signature::{
    ECDSAInvalidSignature, ECDSAInvalidSignatureLength, ECDSAInvalidSignatureS,
    ECDSAInvalidSignatureV,
};

/// The `ecrecover` precompile.
pub const ECRECOVER: Address = address!("0x0000000000000000000000000000000000000001");

/// Half the secp256k1 group order `n`, rounded down: the largest `s` a low-s signature may carry
/// (`n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141`).
pub const SECP256K1N_HALF: U256 =
    uint!(0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0_U256);

/// Length of a packed `r ‖ s ‖ v` signature.
pub const SIGNATURE_LEN: usize = 65;

/// Why a signature was refused, one variant per Solidity error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// Recovery failed or gave the zero address.
    Invalid(ECDSAInvalidSignature),
    /// Not 65 bytes.
    Length(ECDSAInvalidSignatureLength),
    /// High-s (malleable).
    S(ECDSAInvalidSignatureS),
    /// `v` not 27 or 28.
    V(ECDSAInvalidSignatureV),
}

/// A signature's parts, as the precompile takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// Recovery id plus 27: 27 or 28.
    pub v: u8,
    /// The `r` scalar.
    pub r: B256,
    /// The `s` scalar, at most [`SECP256K1N_HALF`].
    pub s: B256,
}

impl Signature {
    /// Checks `v` and `s` (rules 2 and 3) and returns the signature.
    ///
    /// # Errors
    /// [`SignatureError::V`] when `v` is not 27 or 28; [`SignatureError::S`] when `s` is high.
    pub fn new(v: u8, r: B256, s: B256) -> Result<Self, SignatureError> {
        if v != 27 && v != 28 {
            return Err(SignatureError::V(ECDSAInvalidSignatureV { v }));
        }
        if U256::from_be_bytes(s.0) > SECP256K1N_HALF {
            return Err(SignatureError::S(ECDSAInvalidSignatureS { s }));
        }
        Ok(Self { v, r, s })
    }

    /// Splits a packed `r ‖ s ‖ v` signature and checks it (rules 1 to 3).
    ///
    /// # Errors
    /// [`SignatureError::Length`] unless exactly 65 bytes; then as [`Signature::new`].
    pub fn from_packed(sig: &[u8]) -> Result<Self, SignatureError> {
        if sig.len() != SIGNATURE_LEN {
            return Err(SignatureError::Length(ECDSAInvalidSignatureLength {
                length: U256::from(sig.len()),
            }));
        }
        Self::new(sig[64], B256::from_slice(&sig[..32]), B256::from_slice(&sig[32..64]))
    }

    /// The packed `r ‖ s ‖ v` form (65 bytes), as `bytes signature` parameters take it.
    #[must_use]
    pub fn to_packed(&self) -> [u8; SIGNATURE_LEN] {
        let mut out = [0u8; SIGNATURE_LEN];
        out[..32].copy_from_slice(self.r.as_slice());
        out[32..64].copy_from_slice(self.s.as_slice());
        out[64] = self.v;
        out
    }

    /// The 128-byte input of the `ecrecover` precompile: `digest ‖ v ‖ r ‖ s`, each a word.
    #[must_use]
    pub fn ecrecover_input(&self, digest: B256) -> [u8; 128] {
        let mut input = [0u8; 128];
        input[..32].copy_from_slice(digest.as_slice());
        input[63] = self.v;
        input[64..96].copy_from_slice(self.r.as_slice());
        input[96..].copy_from_slice(self.s.as_slice());
        input
    }
}

/// Reads the `ecrecover` precompile's output: a left-padded address, or nothing on failure.
///
/// # Errors
/// [`SignatureError::Invalid`] when the output is not one word or recovers the zero address.
pub fn recovered_address(output: &[u8]) -> Result<Address, SignatureError> {
    if output.len() != 32 {
        return Err(SignatureError::Invalid(ECDSAInvalidSignature {}));
    }
    let signer = Address::from_slice(&output[12..]);
    if signer.is_zero() {
        return Err(SignatureError::Invalid(ECDSAInvalidSignature {}));
    }
    Ok(signer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{b256, hex};

    const R: B256 = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");

    #[test]
    fn half_order_is_n_shifted_right_by_one() {
        let n = uint!(0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141_U256);
        assert_eq!(SECP256K1N_HALF, n >> 1);
    }

    #[test]
    fn new_accepts_when_s_is_exactly_half_order() {
        let s = B256::from(SECP256K1N_HALF.to_be_bytes());
        assert_eq!(Signature::new(27, R, s).unwrap().s, s);
    }

    #[test]
    fn new_fails_when_s_is_high() {
        let s = B256::from((SECP256K1N_HALF + U256::from(1)).to_be_bytes());
        assert_eq!(Signature::new(28, R, s), Err(SignatureError::S(ECDSAInvalidSignatureS { s })));
    }

    #[test]
    fn new_fails_when_v_is_not_27_or_28() {
        for v in [0u8, 1, 26, 29, 255] {
            assert_eq!(
                Signature::new(v, R, R),
                Err(SignatureError::V(ECDSAInvalidSignatureV { v }))
            );
        }
    }

    #[test]
    fn from_packed_fails_when_length_is_not_65() {
        for len in [0usize, 64, 66] {
            let sig = alloc::vec![27u8; len];
            assert_eq!(
                Signature::from_packed(&sig),
                Err(SignatureError::Length(ECDSAInvalidSignatureLength {
                    length: U256::from(len)
                }))
            );
        }
    }

    #[test]
    fn from_packed_splits_r_s_v() {
        let mut sig = [0u8; 65];
        sig[..32].copy_from_slice(R.as_slice());
        sig[63] = 7;
        sig[64] = 28;
        let parsed = Signature::from_packed(&sig).unwrap();
        assert_eq!((parsed.v, parsed.r, parsed.s), (28, R, B256::with_last_byte(7)));
        assert_eq!(parsed.to_packed(), sig, "to_packed inverts from_packed");
    }

    #[test]
    fn ecrecover_input_lays_out_digest_v_r_s_as_words() {
        let digest = b256!("0x2222222222222222222222222222222222222222222222222222222222222222");
        let sig = Signature::new(28, R, B256::with_last_byte(9)).unwrap();
        let input = sig.ecrecover_input(digest);
        assert_eq!(&input[..32], digest.as_slice());
        assert_eq!(&input[32..64], B256::with_last_byte(28).as_slice());
        assert_eq!(&input[64..96], R.as_slice());
        assert_eq!(&input[96..], B256::with_last_byte(9).as_slice());
    }

    #[test]
    fn recovered_address_reads_left_padded_word() {
        let out = hex!("000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        assert_eq!(
            recovered_address(&out).unwrap(),
            address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        );
    }

    #[test]
    fn recovered_address_fails_when_empty_or_zero() {
        let invalid = Err(SignatureError::Invalid(ECDSAInvalidSignature {}));
        assert_eq!(recovered_address(&[]), invalid);
        assert_eq!(recovered_address(&[0u8; 32]), invalid);
    }
}
