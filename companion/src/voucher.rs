//! Vouchers and close authorisations: signed and verified exactly as the `PaymentChannels`
//! adjudicator checks them (the EIP-712 domain "Paratii Channels" version 1, the structs and
//! digests of `paratii_contracts::eip712`, packed 65-byte low-s signatures), and read and written
//! as the EIP-712 typed-data JSON that `cast wallet sign --data --from-file` takes, so either tool
//! checks the other's work.
//!
//! Verification refuses, each with its own [`VoucherError`]: a signature that is not 65 bytes, a
//! `v` other than 27 or 28, a high `s` (which alloy's recovery would accept: checked here), a
//! signature that recovers nothing, another chain, adjudicator or channel, another signer, a count
//! not above the last accepted, and a value above the deposit.

use alloy_primitives::{Address, B256, U256};
use paratii_contracts::{
    ecdsa::{recovered_address, Signature, SignatureError},
    eip712,
    signing::ecrecover,
};
use serde_json::{json, Value};

use crate::keys::UnlockedKey;

/// Why a voucher or close authorisation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoucherError {
    /// The signature is not 65 bytes (`r ‖ s ‖ v`).
    #[error("signature of {0} bytes; a packed signature is 65")]
    SignatureLength(usize),
    /// `v` is not 27 or 28.
    #[error("signature v = {0}; only 27 and 28 are accepted")]
    RecoveryId(u8),
    /// `s` is in the upper half of the curve order (a malleable twin).
    #[error("signature s is in the upper half of the curve order (EIP-2): refused as malleable")]
    HighS,
    /// The signature recovers no address.
    #[error("the signature recovers no signer")]
    Unrecoverable,
    /// Signed for another chain.
    #[error("voucher for chain {got}, expected chain {expected}")]
    WrongChain {
        /// The chain the verifier serves.
        expected: u64,
        /// The chain in the voucher.
        got: u64,
    },
    /// Signed for another adjudicator.
    #[error("voucher for adjudicator {got}, expected {expected}")]
    WrongAdjudicator {
        /// The adjudicator the verifier serves.
        expected: Address,
        /// The adjudicator in the voucher.
        got: Address,
    },
    /// For another channel.
    #[error("voucher for channel {got}, expected channel {expected}")]
    WrongChannel {
        /// The channel being paid.
        expected: B256,
        /// The channel in the voucher.
        got: B256,
    },
    /// Signed by someone other than the channel's signer.
    #[error("voucher signed by {recovered}, the channel's signer is {expected}")]
    WrongSigner {
        /// The channel's signer.
        expected: Address,
        /// Who signed.
        recovered: Address,
    },
    /// Not above the count already accepted (a replay, or going back).
    #[error("voucher for {segments} segments, not above the {last} already accepted")]
    NotAbove {
        /// The voucher's count.
        segments: u64,
        /// The highest count accepted before.
        last: u64,
    },
    /// Pays more than the channel holds.
    #[error("voucher for {segments} segments at {price} each exceeds the deposit of {deposit}")]
    OverDeposit {
        /// The voucher's count.
        segments: u64,
        /// The price per segment.
        price: U256,
        /// The channel's deposit.
        deposit: U256,
    },
    /// Typed-data JSON that is not a Paratii voucher or close authorisation.
    #[error("typed data: {0}")]
    TypedData(String),
}

/// The adjudicator's EIP-712 domain: "Paratii Channels", version 1, a chain and a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain {
    /// The chain id.
    pub chain_id: u64,
    /// The `PaymentChannels` contract.
    pub adjudicator: Address,
}

impl Domain {
    /// The domain separator.
    #[must_use]
    pub fn separator(&self) -> B256 {
        eip712::domain_separator(
            eip712::CHANNELS_NAME_HASH,
            eip712::TOKEN_VERSION_HASH,
            self.chain_id,
            self.adjudicator,
        )
    }
}

/// `Voucher(channelId, segments)`: the payer's signer has been served `segments` segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Voucher {
    /// The channel.
    pub channel_id: B256,
    /// Segments served in total (a running total, never a delta).
    pub segments: u64,
}

/// `CloseAuthorization(channelId, segments, deadline)`: the payee agrees to close at
/// `segments` until `deadline` (unix seconds, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseAuthorization {
    /// The channel.
    pub channel_id: B256,
    /// The count to close at.
    pub segments: u64,
    /// The last second it may be used.
    pub deadline: u64,
}

/// What a signed message is: a voucher or a close authorisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// A voucher.
    Voucher(Voucher),
    /// A close authorisation.
    Close(CloseAuthorization),
}

impl Message {
    /// The EIP-712 digest under `domain`.
    #[must_use]
    pub fn digest(&self, domain: &Domain) -> B256 {
        let struct_hash = match self {
            Self::Voucher(v) => eip712::voucher_struct_hash(v.channel_id, v.segments),
            Self::Close(c) => {
                eip712::close_authorization_struct_hash(c.channel_id, c.segments, c.deadline)
            }
        };
        eip712::typed_data_digest(domain.separator(), struct_hash)
    }

    /// Signs under `domain`: the packed 65-byte low-s signature the adjudicator takes.
    #[must_use]
    pub fn sign(&self, domain: &Domain, key: &UnlockedKey) -> [u8; 65] {
        key.sign(self.digest(domain)).to_packed()
    }
}

/// The signature's parts, once its length, `v` and `s` pass the adjudicator's rules.
pub(crate) fn checked_parts(signature: &[u8]) -> Result<Signature, VoucherError> {
    Signature::from_packed(signature).map_err(|e| match e {
        SignatureError::Length(_) => VoucherError::SignatureLength(signature.len()),
        SignatureError::V(v) => VoucherError::RecoveryId(v.v),
        SignatureError::S(_) => VoucherError::HighS,
        SignatureError::Invalid(_) => VoucherError::Unrecoverable,
    })
}

/// Recovers who signed `digest`, refusing what the adjudicator refuses: the length, `v` and
/// low-`s` rules are checked here (libsecp256k1's recovery, like alloy's, would accept a high
/// `s`), then libsecp256k1 recovers the public key.
///
/// # Errors
/// [`VoucherError::SignatureLength`], [`VoucherError::RecoveryId`], [`VoucherError::HighS`],
/// [`VoucherError::Unrecoverable`].
pub fn recover(digest: B256, signature: &[u8]) -> Result<Address, VoucherError> {
    let parts = checked_parts(signature)?;
    let id = secp256k1::ecdsa::RecoveryId::try_from(i32::from(parts.v - 27))
        .map_err(|_| VoucherError::RecoveryId(parts.v))?;
    let recoverable = secp256k1::ecdsa::RecoverableSignature::from_compact(&signature[..64], id)
        .map_err(|_| VoucherError::Unrecoverable)?;
    let key = secp256k1::SECP256K1
        .recover_ecdsa(&secp256k1::Message::from_digest(digest.0), &recoverable)
        .map_err(|_| VoucherError::Unrecoverable)?;
    let point = key.serialize_uncompressed();
    let signer = Address::from_slice(&alloy_primitives::keccak256(&point[1..])[12..]);
    if signer.is_zero() {
        return Err(VoucherError::Unrecoverable);
    }
    Ok(signer)
}

/// [`recover`] through k256 and the `ecrecover` precompile's semantics (what the devnet runs):
/// the reference the libsecp256k1 path is tested against.
///
/// # Errors
/// As [`recover`].
pub fn recover_k256(digest: B256, signature: &[u8]) -> Result<Address, VoucherError> {
    let parts = checked_parts(signature)?;
    recovered_address(&ecrecover(&parts.ecrecover_input(digest)))
        .map_err(|_| VoucherError::Unrecoverable)
}

/// What a payee knows about a channel when a voucher arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channel {
    /// The channel's id.
    pub id: B256,
    /// Who must sign its vouchers (the payer's session key).
    pub signer: Address,
    /// The price of one segment, PTI wei.
    pub price_per_segment: U256,
    /// The escrow, PTI wei.
    pub deposit: U256,
}

/// Checks a voucher for `channel` under `domain`, above `last_accepted`: the checks the
/// adjudicator's `settle` makes, plus the monotonic count a payee needs.
///
/// # Errors
/// Each refusal's [`VoucherError`].
pub fn accept(
    domain: &Domain,
    channel: &Channel,
    last_accepted: u64,
    voucher: &Voucher,
    signature: &[u8],
) -> Result<(), VoucherError> {
    if voucher.channel_id != channel.id {
        return Err(VoucherError::WrongChannel { expected: channel.id, got: voucher.channel_id });
    }
    if voucher.segments <= last_accepted {
        return Err(VoucherError::NotAbove { segments: voucher.segments, last: last_accepted });
    }
    let owed = channel.price_per_segment.checked_mul(U256::from(voucher.segments));
    if owed.is_none_or(|owed| owed > channel.deposit) {
        return Err(VoucherError::OverDeposit {
            segments: voucher.segments,
            price: channel.price_per_segment,
            deposit: channel.deposit,
        });
    }
    let recovered = recover(Message::Voucher(*voucher).digest(domain), signature)?;
    if recovered != channel.signer {
        return Err(VoucherError::WrongSigner { expected: channel.signer, recovered });
    }
    Ok(())
}

/// The typed-data JSON of `message` under `domain`, as `cast wallet sign --data --from-file`
/// reads it.
#[must_use]
pub fn to_typed_data(domain: &Domain, message: &Message) -> Value {
    let domain_json = json!({
        "name": eip712::CHANNELS_NAME,
        "version": eip712::TOKEN_VERSION,
        "chainId": domain.chain_id,
        "verifyingContract": domain.adjudicator.to_checksum(None),
    });
    let domain_type = json!([
        { "name": "name", "type": "string" },
        { "name": "version", "type": "string" },
        { "name": "chainId", "type": "uint256" },
        { "name": "verifyingContract", "type": "address" }
    ]);
    match message {
        Message::Voucher(v) => json!({
            "types": {
                "EIP712Domain": domain_type,
                "Voucher": [
                    { "name": "channelId", "type": "bytes32" },
                    { "name": "segments", "type": "uint64" }
                ]
            },
            "primaryType": "Voucher",
            "domain": domain_json,
            "message": { "channelId": v.channel_id, "segments": v.segments }
        }),
        Message::Close(c) => json!({
            "types": {
                "EIP712Domain": domain_type,
                "CloseAuthorization": [
                    { "name": "channelId", "type": "bytes32" },
                    { "name": "segments", "type": "uint64" },
                    { "name": "deadline", "type": "uint64" }
                ]
            },
            "primaryType": "CloseAuthorization",
            "domain": domain_json,
            "message": { "channelId": c.channel_id, "segments": c.segments, "deadline": c.deadline }
        }),
    }
}

fn field<'a>(value: &'a Value, path: &str) -> Result<&'a Value, VoucherError> {
    path.split('.')
        .try_fold(value, |v, key| v.get(key))
        .ok_or_else(|| VoucherError::TypedData(format!("missing {path}")))
}

/// A number as typed data writes it: a JSON number or a decimal or `0x` string.
fn number(value: &Value, path: &str) -> Result<u64, VoucherError> {
    let bad = || VoucherError::TypedData(format!("{path}: not a 64-bit number: {value}"));
    match value {
        Value::Number(n) => n.as_u64().ok_or_else(bad),
        Value::String(s) => match s.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).map_err(|_| bad()),
            None => s.parse().map_err(|_| bad()),
        },
        _ => Err(bad()),
    }
}

fn parsed<T: std::str::FromStr>(value: &Value, path: &str) -> Result<T, VoucherError> {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| VoucherError::TypedData(format!("{path}: not valid: {value}")))
}

/// Reads typed-data JSON: a Paratii voucher or close authorisation and its domain. The domain's
/// name and version and the struct's fields must be exactly the adjudicator's.
///
/// # Errors
/// [`VoucherError::TypedData`] naming what differs.
pub fn from_typed_data(value: &Value) -> Result<(Domain, Message), VoucherError> {
    let name = field(value, "domain.name")?;
    let version = field(value, "domain.version")?;
    if name != eip712::CHANNELS_NAME || version != eip712::TOKEN_VERSION {
        return Err(VoucherError::TypedData(format!(
            "domain {name} version {version}, not {:?} version {:?}",
            eip712::CHANNELS_NAME,
            eip712::TOKEN_VERSION
        )));
    }
    let domain = Domain {
        chain_id: number(field(value, "domain.chainId")?, "domain.chainId")?,
        adjudicator: parsed(field(value, "domain.verifyingContract")?, "domain.verifyingContract")?,
    };
    let primary = field(value, "primaryType")?.as_str().unwrap_or_default();
    let expected = to_typed_data(
        &domain,
        &match primary {
            "Voucher" => Message::Voucher(Voucher { channel_id: B256::ZERO, segments: 0 }),
            "CloseAuthorization" => Message::Close(CloseAuthorization {
                channel_id: B256::ZERO,
                segments: 0,
                deadline: 0,
            }),
            other => return Err(VoucherError::TypedData(format!("primaryType {other:?}"))),
        },
    );
    if field(value, "types")? != &expected["types"] {
        return Err(VoucherError::TypedData(format!(
            "the {primary} types differ from the adjudicator's"
        )));
    }
    let channel_id = parsed(field(value, "message.channelId")?, "message.channelId")?;
    let segments = number(field(value, "message.segments")?, "message.segments")?;
    let message = if primary == "Voucher" {
        Message::Voucher(Voucher { channel_id, segments })
    } else {
        let deadline = number(field(value, "message.deadline")?, "message.deadline")?;
        Message::Close(CloseAuthorization { channel_id, segments, deadline })
    };
    Ok((domain, message))
}

/// Checks that typed data is for `expected`'s chain and adjudicator.
///
/// # Errors
/// [`VoucherError::WrongChain`], [`VoucherError::WrongAdjudicator`].
pub fn check_domain(expected: &Domain, got: &Domain) -> Result<(), VoucherError> {
    if got.chain_id != expected.chain_id {
        return Err(VoucherError::WrongChain { expected: expected.chain_id, got: got.chain_id });
    }
    if got.adjudicator != expected.adjudicator {
        return Err(VoucherError::WrongAdjudicator {
            expected: expected.adjudicator,
            got: got.adjudicator,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
