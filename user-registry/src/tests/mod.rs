//! Unit tests on the SDK's `TestVM`: the original scenarios, the original's bugs as negative
//! tests (acquisitions by anyone, personal data on chain, double acquisitions), posting keys and
//! signed votes with real signatures. Peers are looked up in a `ParatiiRegistry` answered by
//! [`PrecompileHost`], which also records the calls to the `VideoRegistry` (encoded from the published
//! interfaces, `contracts/abi/*.sol`).

mod original_bugs;
mod ownership;
mod posting_keys;
mod signed_votes;
mod users;
mod votes;

use super::*;
use alloy_primitives::{address, b256};
use alloy_sol_types::{eip712_domain, Eip712Domain, SolCall, SolError, SolEvent, SolStruct};
use paratii_common::testing::{ecrecover, high_s_twin, MadeCall, PrecompileHost, Signer};
use paratii_contracts::{
    ecdsa::Signature,
    interfaces::{IParatiiAvatar, IVideoRegistry},
    user_registry::Vote,
    video_registry::VideoRegistryUnknownVideo,
};

const OWNER: Address = address!("0x00000000000000000000000000000000000000a0");
const REGISTRY: Address = address!("0x00000000000000000000000000000000000000b0");
const STORE: Address = address!("0x00000000000000000000000000000000000000c0");
const NEW_STORE: Address = address!("0x00000000000000000000000000000000000000c1");
const VIDEOS: Address = address!("0x00000000000000000000000000000000000000d0");
const AVATAR: Address = address!("0x00000000000000000000000000000000000000d1");
const BOB: Address = address!("0x00000000000000000000000000000000000000e0");
const STRANGER: Address = address!("0x00000000000000000000000000000000000000e1");
const SPENDER: Address = address!("0x00000000000000000000000000000000000000e2");
const RELAYER: Address = address!("0x00000000000000000000000000000000000000e3");
const USERS: Address = address!("0x00000000000000000000000000000000000000f0");
const VIDEO: B256 = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");
const OTHER_VIDEO: B256 =
    b256!("0x2222222222222222222222222222222222222222222222222222222222222222");
const METADATA: B256 = b256!("0x00000000000000000000000000000000000000000000000000000000000000aa");
const NEW_METADATA: B256 =
    b256!("0x00000000000000000000000000000000000000000000000000000000000000bb");
const CHAIN_ID: u64 = 412_346;
const NOW: u64 = 1_700_000_000;
const EXPIRY: u64 = NOW + 3_600;

/// The user who signs its own votes.
fn alice_signer() -> Signer {
    Signer::from_seed(1)
}

fn alice() -> Address {
    alice_signer().address()
}

/// Alice's posting key.
fn poster() -> Signer {
    Signer::from_seed(2)
}

fn mallory() -> Signer {
    Signer::from_seed(3)
}

fn register_peer(host: &PrecompileHost, name: names::Name, at: Address) {
    host.answer_lookup(REGISTRY, name.key, at);
}

fn spending_key_call(user: Address, key: Address) -> Vec<u8> {
    IParatiiAvatar::isSpendingKeyCall { user, key }.abi_encode()
}

fn answer_spending_key(host: &PrecompileHost, user: Address, key: Address, answer: bool) {
    host.answer_static_call(
        AVATAR,
        spending_key_call(user, key),
        U256::from(u8::from(answer)).to_be_bytes::<32>().to_vec(),
    );
}

fn deploy() -> (PrecompileHost, UserRegistry) {
    let host = PrecompileHost::new();
    host.vm.set_contract_address(USERS);
    host.vm.set_chain_id(CHAIN_ID);
    host.vm.set_block_timestamp(NOW);
    register_peer(&host, names::VIDEO_STORE, STORE);
    register_peer(&host, names::VIDEO_REGISTRY, VIDEOS);
    register_peer(&host, names::PARATII_AVATAR, AVATAR);
    let mut users = UserRegistry::from(&host);
    users.constructor(OWNER, REGISTRY).unwrap();
    (host, users)
}

fn logs(host: &PrecompileHost) -> Vec<(Vec<B256>, Vec<u8>)> {
    host.vm.get_emitted_logs()
}

fn record_vote(video_id: B256, previous: u8, next: u8) -> MadeCall {
    MadeCall {
        to: VIDEOS,
        data: IVideoRegistry::recordVoteCall { video_id, previous, next }.abi_encode(),
        value: U256::ZERO,
    }
}

fn reverted(e: Error) -> Result<(), Vec<u8>> {
    Err(e.into())
}

fn voted(user: Address, video_id: B256, liked: bool, acquired: bool, voter: Address) -> VideoVoted {
    VideoVoted { user, videoId: video_id, liked, acquired, voter }
}

fn not_posting_key(user: Address, key: Address) -> Error {
    Error::NotPostingKey(UserRegistryNotPostingKey { user, key })
}

fn not_user_or_spending_key(caller: Address, user: Address) -> Error {
    Error::NotUserOrSpendingKey(UserRegistryNotUserOrSpendingKey { caller, user })
}

fn acquire(host: &PrecompileHost, users: &mut UserRegistry, user: Address, video_id: B256) {
    host.vm.set_sender(STORE);
    users.record_acquisition(user, video_id).unwrap();
}

fn authorize(host: &PrecompileHost, users: &mut UserRegistry, user: Address, key: Address) {
    host.vm.set_sender(user);
    users.authorize_posting_key(user, key, EXPIRY).unwrap();
}

fn domain(chain_id: u64) -> Eip712Domain {
    eip712_domain! {
        name: "Paratii Users",
        version: "1",
        chain_id: chain_id,
        verifying_contract: USERS,
    }
}

fn vote_of(user: Address, liked: bool, nonce: u64, deadline: U256) -> Vote {
    Vote { user, videoId: VIDEO, liked, nonce: U256::from(nonce), deadline }
}

fn pack(sig: &Signature) -> Bytes {
    let mut packed = Vec::with_capacity(65);
    packed.extend_from_slice(sig.r.as_slice());
    packed.extend_from_slice(sig.s.as_slice());
    packed.push(sig.v);
    packed.into()
}

/// `signer`'s signature of a vote on [`VIDEO`], over alloy's EIP-712 digest (not the
/// contract's), for the domain of `chain_id`.
fn sign_vote(signer: &Signer, vote: &Vote, chain_id: u64) -> Signature {
    signer.sign(vote.eip712_signing_hash(&domain(chain_id)))
}

fn deadline() -> U256 {
    U256::from(NOW + 600)
}
