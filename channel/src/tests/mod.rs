//! Unit tests on the SDK's `TestVM` (through [`PrecompileHost`], whose `ecrecover` is real):
//! every operation and typed error, the attacks of `channels.md` §3 as named tests (section
//! "attacks"), the golden vector, and the hand-written ABI pieces against alloy. PTI and the
//! avatar are answered by the host: an unanswered call succeeds with no return data, and
//! [`PrecompileHost::calls`] records every transfer the adjudicator makes.

mod attacks;
mod close;
mod constructor;
mod encoding;
mod golden;
mod open;
mod settle;
mod top_up;
mod views;
mod withdraw;

use super::*;
use alloy_primitives::{address, b256, hex, keccak256, uint};
use alloy_primitives::{Address, B256};
use alloy_sol_types::{
    eip712_domain, sol, Eip712Domain, SolCall, SolError, SolEvent, SolStruct, SolType, SolValue,
};
use paratii_common::testing::{high_s_twin, MadeCall, PrecompileHost, Signer};
use paratii_contracts::{
    avatar::AvatarUnknownSpendingKey,
    channels::{CloseAuthorization, Voucher},
    interfaces::{
        IParatiiAvatar::{tokenCall, transferFromWithKeyCall},
        IParatiiToken::{allowanceCall, permitCall, transferCall, transferFromCall},
    },
    peers::PeerCallReturnedFalse,
    token::{ERC20InsufficientAllowance, ERC2612InvalidSigner},
};
use paratii_contracts::{
    channels::{
        ChannelAlreadyExists, ChannelAvatarTokenMismatch, ChannelCloseAlreadyRequested,
        ChannelCloseAuthorizationExpired, ChannelCloseNotRequested, ChannelCloseRequested,
        ChannelClosed, ChannelDepositTooLarge, ChannelDepositTooSmall, ChannelFinalized,
        ChannelGracePeriodActive, ChannelImmutablesMismatch, ChannelInvalidCloseAuthorization,
        ChannelInvalidGracePeriod, ChannelInvalidPayee, ChannelInvalidPayer, ChannelInvalidPrice,
        ChannelInvalidSigner, ChannelNotFound, ChannelNotPayee, ChannelNotPayer, ChannelOpened,
        ChannelSettleSkipped, ChannelSettled, ChannelStaleVoucher, ChannelToppedUp,
        ChannelVoucherExceedsDeposit, ChannelZeroTopUp,
    },
    ecdsa::Signature,
    signature::{
        ECDSAInvalidSignature, ECDSAInvalidSignatureLength, ECDSAInvalidSignatureS,
        ECDSAInvalidSignatureV,
    },
};

const AVATAR: Address = address!("0x00000000000000000000000000000000000000b2");
const TOKEN: Address = address!("0x00000000000000000000000000000000000000b4");
const ADJUDICATOR: Address = address!("0x00000000000000000000000000000000000000c0");
const OTHER_ADJUDICATOR: Address = address!("0x00000000000000000000000000000000000000c1");
const STRANGER: Address = address!("0x00000000000000000000000000000000000000e1");
const RELAYER: Address = address!("0x00000000000000000000000000000000000000e3");
/// A contract wallet: it holds PTI but has no key; its session key signs its vouchers.
const WALLET: Address = address!("0x00000000000000000000000000000000000000f0");
const VIDEO: B256 = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");
const SALT: B256 = b256!("0x0000000000000000000000000000000000000000000000000000000000000001");
const CHAIN_ID: u64 = 412_346;
const NOW: u64 = 1_700_000_000;
const GRACE: u64 = 3_600;
/// 0.001 PTI per segment.
const PRICE: U256 = uint!(1_000_000_000_000_000_U256);
/// 1 PTI: 1,000 segments.
const DEPOSIT: U256 = uint!(1_000_000_000_000_000_000_U256);
/// The deadline of the tests' close authorizations: ten minutes from [`NOW`].
const AUTH_DEADLINE: u64 = NOW + 600;

fn payer() -> Signer {
    Signer::from_seed(1)
}

/// The payer's session key: the channel's signer.
fn session() -> Signer {
    Signer::from_seed(2)
}

/// The payee signs close authorizations.
fn payee() -> Signer {
    Signer::from_seed(3)
}

fn mallory() -> Signer {
    Signer::from_seed(4)
}

fn channel() -> Channel {
    Channel {
        payer: payer().address(),
        payee: payee().address(),
        signer: session().address(),
        video_id: VIDEO,
        price_per_segment: PRICE,
        salt: SALT,
    }
}

fn worth(segments: u64) -> U256 {
    PRICE * U256::from(segments)
}

/// A host whose avatar at [`AVATAR`] answers `token()` with `token`.
fn host_with_avatar_of(token: Address) -> PrecompileHost {
    let host = PrecompileHost::new();
    host.answer_static_call(AVATAR, tokenCall {}.abi_encode(), token.abi_encode());
    host
}

/// An adjudicator at [`ADJUDICATOR`] on [`CHAIN_ID`] for [`TOKEN`] and the avatar [`AVATAR`].
fn deploy() -> (PrecompileHost, PaymentChannels) {
    let host = host_with_avatar_of(TOKEN);
    host.vm.set_contract_address(ADJUDICATOR);
    host.vm.set_chain_id(CHAIN_ID);
    host.vm.set_block_timestamp(NOW);
    let mut contract = PaymentChannels::from(&host);
    contract.constructor(AVATAR, TOKEN, GRACE).unwrap();
    (host, contract)
}

/// The id, computed with alloy's ABI encoder (not the contract's code).
fn id_of(c: &Channel) -> B256 {
    keccak256(
        (
            U256::from(CHAIN_ID),
            ADJUDICATOR,
            c.payer,
            c.payee,
            c.signer,
            c.video_id,
            c.price_per_segment,
            c.salt,
        )
            .abi_encode(),
    )
}

fn domain_on(chain_id: u64, contract: Address) -> Eip712Domain {
    eip712_domain! {
        name: "Paratii Channels",
        version: "1",
        chain_id: chain_id,
        verifying_contract: contract,
    }
}

fn pack(sig: &paratii_contracts::ecdsa::Signature) -> ByteVec {
    ByteVec(sig.to_packed().to_vec())
}

/// `signer`'s voucher for `segments` of `id`, over alloy's EIP-712 digest, on `chain_id` and
/// `contract`.
fn voucher_on(
    signer: &Signer,
    id: B256,
    segments: u64,
    chain_id: u64,
    contract: Address,
) -> ByteVec {
    let v = Voucher { channelId: id, segments };
    pack(&signer.sign(v.eip712_signing_hash(&domain_on(chain_id, contract))))
}

/// The session key's voucher for `segments` of the default channel.
fn voucher(segments: u64) -> ByteVec {
    voucher_on(&session(), id_of(&channel()), segments, CHAIN_ID, ADJUDICATOR)
}

fn close_authorization_by(signer: &Signer, id: B256, segments: u64) -> ByteVec {
    let a = CloseAuthorization { channelId: id, segments, deadline: AUTH_DEADLINE };
    pack(&signer.sign(a.eip712_signing_hash(&domain_on(CHAIN_ID, ADJUDICATOR))))
}

fn open(host: &PrecompileHost, contract: &mut PaymentChannels, c: &Channel, deposit: U256) -> B256 {
    host.vm.set_sender(c.payer);
    contract.open(*c, deposit).unwrap()
}

/// The default channel, opened with [`DEPOSIT`].
fn opened() -> (PrecompileHost, PaymentChannels, B256) {
    let (host, mut contract) = deploy();
    let id = open(&host, &mut contract, &channel(), DEPOSIT);
    (host, contract, id)
}

fn made(to: Address, data: Vec<u8>) -> MadeCall {
    MadeCall { to, data, value: U256::ZERO }
}

fn pull(from: Address, amount: U256) -> MadeCall {
    made(TOKEN, transferFromCall { from, to: ADJUDICATOR, value: amount }.abi_encode())
}

fn pay(to: Address, amount: U256) -> MadeCall {
    made(TOKEN, transferCall { to, value: amount }.abi_encode())
}

/// The calls made after the first `skip`.
fn calls_after(host: &PrecompileHost, skip: usize) -> Vec<MadeCall> {
    host.calls().into_iter().skip(skip).collect()
}

fn err(e: Error) -> Vec<u8> {
    e.into()
}

/// Every logged event that decodes as `E`, in order.
fn logs_of<E: SolEvent>(host: &PrecompileHost) -> Vec<E> {
    host.vm
        .get_emitted_logs()
        .into_iter()
        .filter_map(|(topics, data)| E::decode_raw_log(topics, &data).ok())
        .collect()
}

fn not_found(id: B256) -> Error {
    Error::NotFound(ChannelNotFound { channelId: id })
}

fn finalized(id: B256) -> Error {
    Error::Finalized(ChannelFinalized { channelId: id })
}

fn stale(id: B256, segments: u64, settled: u64) -> Error {
    Error::StaleVoucher(ChannelStaleVoucher { channelId: id, segments, settled })
}

fn invalid_signer(id: B256, signer: Address) -> Error {
    Error::InvalidSigner(ChannelInvalidSigner {
        channelId: id,
        signer,
        expected: session().address(),
    })
}

/// The address a 65-byte signature recovers from `digest` (through the raw precompile).
fn recover_digest(digest: B256, sig: &ByteVec) -> Address {
    let sig = paratii_contracts::ecdsa::Signature::from_packed(sig).unwrap();
    Address::from_slice(&paratii_common::testing::ecrecover(&sig.ecrecover_input(digest))[12..])
}

/// The address a signature recovers as a voucher for `segments` of `id`.
fn recovered(id: B256, segments: u64, sig: &ByteVec) -> Address {
    let v = Voucher { channelId: id, segments };
    recover_digest(v.eip712_signing_hash(&domain_on(CHAIN_ID, ADJUDICATOR)), sig)
}

/// The address a signature recovers as a close authorization for `segments` of `id`.
fn recovered_authorization(id: B256, segments: u64, sig: &ByteVec) -> Address {
    let a = CloseAuthorization { channelId: id, segments, deadline: AUTH_DEADLINE };
    recover_digest(a.eip712_signing_hash(&domain_on(CHAIN_ID, ADJUDICATOR)), sig)
}

fn invalid_authorization(id: B256, signer: Address) -> Error {
    Error::InvalidCloseAuthorization(ChannelInvalidCloseAuthorization {
        channelId: id,
        signer,
        payee: payee().address(),
    })
}

fn item(c: &Channel, signer: &Signer, segments: u64) -> SettleItem {
    let sig = voucher_on(signer, id_of(c), segments, CHAIN_ID, ADJUDICATOR);
    let sig = paratii_contracts::ecdsa::Signature::from_packed(&sig).unwrap();
    SettleItem { channel: *c, segments, v: sig.v, r: sig.r, s: sig.s }
}
