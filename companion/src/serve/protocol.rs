//! The `Payment` HTTP authentication scheme as the segment server speaks it: method `paratii`,
//! intent `session` (a payment channel with cumulative vouchers counting segments).
//!
//! - A segment requested without a voucher that pays for it gets **402** with
//!   `WWW-Authenticate: Payment id="…", realm="…", method="paratii", intent="session",
//!   request="…"`, `request` being base64url (no padding) of canonical JSON ([`PaymentRequest`]),
//!   and an RFC 9457 problem body ([`Problem`]). `id` is an HMAC-SHA256 over the other fields,
//!   so the server recognises its own challenges without keeping them.
//! - The client answers with `Authorization: Payment <base64url of JSON>` ([`Credential`]): the
//!   challenge echoed and a payload holding the channel's parameters, the cumulative segment
//!   count and the voucher's 65-byte signature.
//! - A served segment carries `Payment-Receipt: <base64url of JSON>` ([`PaymentReceipt`]): running
//!   totals only (segments accepted on the channel, PTI wei they are worth), never deltas.

use alloy_primitives::{Address, Bytes, B256, U256};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::chain::bindings::IPaymentChannels::Channel as Params;

/// The scheme's name.
pub const SCHEME: &str = "Payment";
/// This method's name (lowercase letters only, as the scheme requires).
pub const METHOD: &str = "paratii";
/// The intent: a payment channel with cumulative vouchers.
pub const INTENT: &str = "session";
/// The unit a voucher counts.
pub const UNIT: &str = "segment";
/// The header a served segment's receipt travels in.
pub const RECEIPT_HEADER: &str = "payment-receipt";
/// Where the problem types live.
pub const PROBLEM_BASE: &str = "https://paymentauth.org/problems/";

/// What a 402 asks for (`request`, canonical JSON: keys sorted, amounts as decimal strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequest {
    /// PTI wei per segment.
    pub amount: String,
    /// [`UNIT`].
    pub unit_type: String,
    /// A deposit that covers the whole video, PTI wei.
    pub suggested_deposit: String,
    /// The PTI token.
    pub currency: Address,
    /// The payee: the channel's `payee` must be this address.
    pub recipient: Address,
    /// Where and what.
    pub method_details: MethodDetails,
}

/// The method's own fields of a [`PaymentRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MethodDetails {
    /// The chain id.
    pub chain_id: u64,
    /// The `PaymentChannels` adjudicator.
    pub escrow_contract: Address,
    /// The video the channel must name.
    pub video_id: B256,
    /// The segment asked for (from 0).
    pub segment: u64,
    /// The cumulative count a voucher must reach to pay for it (`segment + 1`).
    pub segments: u64,
}

/// A challenge as sent and as echoed back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// HMAC-SHA256 over realm, method, intent and request, base64url.
    pub id: String,
    /// The server's realm.
    pub realm: String,
    /// [`METHOD`].
    pub method: String,
    /// [`INTENT`].
    pub intent: String,
    /// base64url of the canonical [`PaymentRequest`].
    pub request: String,
}

impl Challenge {
    /// A challenge for `request`, its id keyed by `secret`.
    #[must_use]
    pub fn new(secret: &[u8; 32], realm: &str, request: &PaymentRequest) -> Self {
        // Through a `Value`, whose maps sort their keys, and with amounts as strings: the
        // canonical form (JCS) of this request.
        let json = serde_json::to_value(request)
            .and_then(|value| serde_json::to_vec(&value))
            .unwrap_or_default();
        let request = URL_SAFE_NO_PAD.encode(json);
        let id = challenge_id(secret, realm, METHOD, INTENT, &request);
        Self { id, realm: realm.to_owned(), method: METHOD.into(), intent: INTENT.into(), request }
    }

    /// Whether this server (holding `secret`) issued the challenge, unchanged.
    #[must_use]
    pub fn is_ours(&self, secret: &[u8; 32]) -> bool {
        let want = challenge_id(secret, &self.realm, &self.method, &self.intent, &self.request);
        // Constant-time enough: both are public-length base64 of a MAC.
        want.len() == self.id.len()
            && want.bytes().zip(self.id.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }

    /// The request it carries.
    ///
    /// # Errors
    /// A message when `request` is not base64url of a [`PaymentRequest`].
    pub fn payment_request(&self) -> Result<PaymentRequest, String> {
        let json = URL_SAFE_NO_PAD.decode(&self.request).map_err(|e| e.to_string())?;
        serde_json::from_slice(&json).map_err(|e| e.to_string())
    }

    /// The `WWW-Authenticate` value.
    #[must_use]
    pub fn header(&self) -> String {
        format!(
            "{SCHEME} id=\"{}\", realm=\"{}\", method=\"{}\", intent=\"{}\", request=\"{}\"",
            self.id, self.realm, self.method, self.intent, self.request
        )
    }
}

fn challenge_id(
    secret: &[u8; 32],
    realm: &str,
    method: &str,
    intent: &str,
    request: &str,
) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    for (i, part) in [realm, method, intent, request].iter().enumerate() {
        if i > 0 {
            mac.update(b"|");
        }
        mac.update(part.as_bytes());
    }
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The channel's parameters as a credential carries them (the adjudicator's `Channel`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelParams {
    /// Who escrowed the deposit.
    pub payer: Address,
    /// Who is paid (this server's payee).
    pub payee: Address,
    /// Who signs the vouchers (zero: the payer).
    pub signer: Address,
    /// The video.
    pub video_id: B256,
    /// PTI wei per segment.
    pub price_per_segment: U256,
    /// Tells the payer's channels apart.
    pub salt: B256,
}

impl From<&ChannelParams> for Params {
    fn from(p: &ChannelParams) -> Self {
        Self {
            payer: p.payer,
            payee: p.payee,
            signer: p.signer,
            videoId: p.video_id,
            pricePerSegment: p.price_per_segment,
            salt: p.salt,
        }
    }
}

impl From<&Params> for ChannelParams {
    fn from(p: &Params) -> Self {
        Self {
            payer: p.payer,
            payee: p.payee,
            signer: p.signer,
            video_id: p.videoId,
            price_per_segment: p.pricePerSegment,
            salt: p.salt,
        }
    }
}

/// What a credential pays with: a voucher for a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoucherPayload {
    /// The channel's parameters (its id derives from them).
    pub channel: ChannelParams,
    /// The cumulative segment count.
    pub segments: u64,
    /// The voucher's signature, `r ‖ s ‖ v`.
    pub signature: Bytes,
}

/// `Authorization: Payment …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    /// The challenge answered, echoed.
    pub challenge: Challenge,
    /// The voucher.
    pub payload: VoucherPayload,
}

impl Credential {
    /// The `Authorization` header value.
    #[must_use]
    pub fn header(&self) -> String {
        format!("{SCHEME} {}", URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default()))
    }

    /// Parses an `Authorization` header value.
    ///
    /// # Errors
    /// A message naming what is wrong: another scheme, bad base64url, JSON that is not a
    /// credential.
    pub fn parse(header: &str) -> Result<Self, String> {
        let token = header
            .strip_prefix(SCHEME)
            .and_then(|rest| rest.strip_prefix(' '))
            .ok_or_else(|| format!("not the {SCHEME} scheme"))?;
        let json = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|e| format!("base64url: {e}"))?;
        serde_json::from_slice(&json).map_err(|e| format!("credential: {e}"))
    }
}

/// `Payment-Receipt`: running totals of a channel after serving a segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentReceipt {
    /// [`METHOD`].
    pub method: String,
    /// The channel.
    pub channel_id: B256,
    /// Segments accepted on the channel in all (the highest voucher on the payee's disk).
    pub accepted_segments: u64,
    /// PTI wei those segments are worth in all (`acceptedSegments × pricePerSegment`).
    pub accepted_amount: String,
    /// The segment this response carries (from 0).
    pub segment: u64,
}

impl PaymentReceipt {
    /// The header value.
    #[must_use]
    pub fn header(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Parses a header value.
    ///
    /// # Errors
    /// A message when it is not base64url of a receipt.
    pub fn parse(header: &str) -> Result<Self, String> {
        let json = URL_SAFE_NO_PAD.decode(header.trim()).map_err(|e| e.to_string())?;
        serde_json::from_slice(&json).map_err(|e| e.to_string())
    }
}

/// An RFC 9457 problem (`application/problem+json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// [`PROBLEM_BASE`] + a short name.
    #[serde(rename = "type")]
    pub kind: String,
    /// A summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What exactly happened, with the values involved.
    pub detail: String,
}

impl Problem {
    /// A problem of type `name` under [`PROBLEM_BASE`].
    #[must_use]
    pub fn new(name: &str, title: &str, status: u16, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("{PROBLEM_BASE}{name}"),
            title: title.to_owned(),
            status,
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> PaymentRequest {
        PaymentRequest {
            amount: "10".into(),
            unit_type: UNIT.into(),
            suggested_deposit: "50".into(),
            currency: Address::repeat_byte(1),
            recipient: Address::repeat_byte(2),
            method_details: MethodDetails {
                chain_id: 412_346,
                escrow_contract: Address::repeat_byte(3),
                video_id: B256::repeat_byte(4),
                segment: 0,
                segments: 1,
            },
        }
    }

    #[test]
    fn challenge_is_ours_only_when_unchanged_and_keyed_by_our_secret() {
        let secret = [7u8; 32];
        let challenge = Challenge::new(&secret, "paratii", &request());
        assert!(challenge.is_ours(&secret));
        assert!(!challenge.is_ours(&[8u8; 32]));
        let mut other = request();
        other.amount = "1".into();
        let forged = Challenge {
            request: Challenge::new(&secret, "paratii", &other).request,
            ..challenge.clone()
        };
        assert!(!forged.is_ours(&secret));
        assert_eq!(challenge.payment_request().unwrap(), request());
    }

    #[test]
    fn challenge_request_is_canonical_json_with_sorted_keys() {
        let challenge = Challenge::new(&[0; 32], "r", &request());
        let json = String::from_utf8(URL_SAFE_NO_PAD.decode(&challenge.request).unwrap()).unwrap();
        assert!(json.starts_with("{\"amount\":\"10\",\"currency\":"), "{json}");
        assert!(!json.contains(' '));
        assert!(challenge.header().starts_with("Payment id=\""));
    }

    #[test]
    fn credential_round_trips_and_refuses_other_schemes_and_garbage() {
        let credential = Credential {
            challenge: Challenge::new(&[0; 32], "r", &request()),
            payload: VoucherPayload {
                channel: ChannelParams {
                    payer: Address::repeat_byte(5),
                    payee: Address::repeat_byte(2),
                    signer: Address::ZERO,
                    video_id: B256::repeat_byte(4),
                    price_per_segment: U256::from(10),
                    salt: B256::ZERO,
                },
                segments: 3,
                signature: Bytes::from(vec![1u8; 65]),
            },
        };
        assert_eq!(Credential::parse(&credential.header()).unwrap(), credential);
        assert!(Credential::parse("Bearer abc").unwrap_err().contains("scheme"));
        assert!(Credential::parse("Payment !!!").unwrap_err().contains("base64url"));
        assert!(Credential::parse("Payment e30").unwrap_err().contains("credential"));
    }

    #[test]
    fn receipt_round_trips() {
        let receipt = PaymentReceipt {
            method: METHOD.into(),
            channel_id: B256::repeat_byte(9),
            accepted_segments: 4,
            accepted_amount: "40".into(),
            segment: 3,
        };
        assert_eq!(PaymentReceipt::parse(&receipt.header()).unwrap(), receipt);
    }
}
