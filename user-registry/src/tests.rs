//! Unit tests on the SDK's `TestVM`: the original scenarios, the original's bugs as negative
//! tests (acquisitions by anyone, personal data on chain, double acquisitions), posting keys and
//! signed votes with real signatures. Peers are looked up in a `ParatiiRegistry` answered by
//! [`PrecompileHost`], which also records the calls to the `VideoRegistry` (encoded from the published
//! interfaces, `contracts/abi/*.sol`).

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

// --- users: the original scenarios ---

#[test]
fn register_user_records_metadata_and_logs() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.register_user(METADATA).unwrap();
    assert_eq!(host.last_log::<UserRegistered>(), UserRegistered { user: BOB, metadata: METADATA });
    assert_eq!(users.get_user(BOB), Ok(METADATA));
    assert!(users.is_registered(BOB));
}

#[test]
fn user_registers_updates_and_removes_itself() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.register_user(METADATA).unwrap();
    users.update_user(NEW_METADATA).unwrap();
    assert_eq!(host.last_log::<UserUpdated>(), UserUpdated { user: BOB, metadata: NEW_METADATA });
    assert_eq!(users.get_user(BOB), Ok(NEW_METADATA));
    users.remove_user(BOB).unwrap();
    assert_eq!(host.last_log::<UserRemoved>(), UserRemoved { user: BOB, removedBy: BOB });
    assert!(!users.is_registered(BOB));
    assert_eq!(users.get_user(BOB), Err(Error::UnknownUser(UserRegistryUnknownUser { user: BOB })));
    users.register_user(METADATA).unwrap();
    assert_eq!(users.get_user(BOB), Ok(METADATA));
}

#[test]
fn remove_user_by_contract_owner_succeeds_and_logs_owner() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.register_user(METADATA).unwrap();
    host.vm.set_sender(OWNER);
    users.remove_user(BOB).unwrap();
    assert_eq!(host.last_log::<UserRemoved>(), UserRemoved { user: BOB, removedBy: OWNER });
    assert!(!users.is_registered(BOB));
}

#[test]
fn remove_user_reverts_when_caller_is_stranger() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.register_user(METADATA).unwrap();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        users.remove_user(BOB),
        Err(Error::NotUserOrOwner(UserRegistryNotUserOrOwner { caller: STRANGER, user: BOB }))
    );
    assert_eq!(users.get_user(BOB), Ok(METADATA));
}

#[test]
fn remove_user_reverts_when_user_unknown() {
    let (host, mut users) = deploy();
    host.vm.set_sender(OWNER);
    assert_eq!(
        users.remove_user(BOB),
        Err(Error::UnknownUser(UserRegistryUnknownUser { user: BOB }))
    );
}

#[test]
fn remove_user_keeps_acquisitions_votes_and_posting_keys() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.register_user(METADATA).unwrap();
    acquire(&host, &mut users, BOB, VIDEO);
    host.vm.set_sender(BOB);
    users.like_video(VIDEO, true).unwrap();
    authorize(&host, &mut users, BOB, SPENDER);
    host.vm.set_sender(OWNER);
    users.remove_user(BOB).unwrap();
    assert!(users.user_acquired_video(BOB, VIDEO));
    assert!(users.user_likes_video(BOB, VIDEO));
    assert_eq!(users.user_votes(BOB), (1, 0));
    assert!(users.is_posting_key(BOB, SPENDER));
}

#[test]
fn register_user_reverts_when_metadata_is_zero() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    assert_eq!(
        users.register_user(B256::ZERO),
        Err(Error::MissingMetadata(UserRegistryMissingMetadata {}))
    );
    assert!(!users.is_registered(BOB));
}

#[test]
fn register_user_reverts_when_already_registered() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.register_user(METADATA).unwrap();
    assert_eq!(
        users.register_user(NEW_METADATA),
        Err(Error::AlreadyRegistered(UserRegistryAlreadyRegistered { user: BOB }))
    );
    assert_eq!(users.get_user(BOB), Ok(METADATA));
}

#[test]
fn update_user_reverts_when_unknown_or_metadata_zero() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    assert_eq!(
        users.update_user(METADATA),
        Err(Error::UnknownUser(UserRegistryUnknownUser { user: BOB }))
    );
    users.register_user(METADATA).unwrap();
    assert_eq!(
        users.update_user(B256::ZERO),
        Err(Error::MissingMetadata(UserRegistryMissingMetadata {}))
    );
    assert_eq!(users.get_user(BOB), Ok(METADATA));
}

// --- the original's bugs, fixed ---

#[test]
fn register_user_logs_only_the_metadata_digest() {
    // Original bug 11: name and email on chain in clear. Registration takes one bytes32 and the
    // event carries exactly one data word.
    let _: fn(&mut UserRegistry, B256) -> Result<(), Error> = UserRegistry::register_user;
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.register_user(METADATA).unwrap();
    let (topics, data) = logs(&host).pop().unwrap();
    assert_eq!(topics, vec![UserRegistered::SIGNATURE_HASH, BOB.into_word()]);
    assert_eq!(data, METADATA.to_vec());
}

#[test]
fn record_acquisition_by_store_sets_flag_and_logs() {
    let (host, mut users) = deploy();
    assert!(!users.user_acquired_video(BOB, VIDEO));
    acquire(&host, &mut users, BOB, VIDEO);
    assert!(users.user_acquired_video(BOB, VIDEO));
    assert!(!users.user_acquired_video(BOB, OTHER_VIDEO));
    assert_eq!(host.last_log::<VideoAcquired>(), VideoAcquired { user: BOB, videoId: VIDEO });
}

#[test]
fn record_acquisition_reverts_when_caller_is_not_store() {
    // Original bug 1: anyone could mark any video acquired for any user.
    let (host, mut users) = deploy();
    for caller in [STRANGER, BOB] {
        host.vm.set_sender(caller);
        assert_eq!(
            users.record_acquisition(BOB, VIDEO),
            Err(Error::UnauthorizedStore(UserRegistryUnauthorizedStore { caller }))
        );
    }
    assert!(!users.user_acquired_video(BOB, VIDEO));
}

#[test]
fn record_acquisition_reverts_when_store_was_replaced() {
    let (host, mut users) = deploy();
    register_peer(&host, names::VIDEO_STORE, NEW_STORE);
    host.vm.set_sender(STORE);
    assert_eq!(
        users.record_acquisition(BOB, VIDEO),
        Err(Error::UnauthorizedStore(UserRegistryUnauthorizedStore { caller: STORE }))
    );
    host.vm.set_sender(NEW_STORE);
    users.record_acquisition(BOB, VIDEO).unwrap();
    assert!(users.user_acquired_video(BOB, VIDEO));
}

#[test]
fn record_acquisition_reverts_when_no_store_is_registered() {
    let (host, mut users) = deploy();
    register_peer(&host, names::VIDEO_STORE, Address::ZERO);
    host.vm.set_sender(STORE);
    assert_eq!(
        users.record_acquisition(BOB, VIDEO),
        Err(Error::UnauthorizedStore(UserRegistryUnauthorizedStore { caller: STORE }))
    );
}

#[test]
fn record_acquisition_reverts_when_already_acquired() {
    // Original: every call pushed a duplicate into the user's video index.
    let (host, mut users) = deploy();
    acquire(&host, &mut users, BOB, VIDEO);
    let before = logs(&host).len();
    assert_eq!(
        users.record_acquisition(BOB, VIDEO),
        Err(Error::AlreadyAcquired(UserRegistryAlreadyAcquired { user: BOB, videoId: VIDEO }))
    );
    assert_eq!(logs(&host).len(), before);
}

// --- votes: the original scenarios ---

#[test]
fn like_video_sets_flag_counters_calls_video_registry_and_logs() {
    // Voting needs neither a registration nor a purchase (the video must exist: the
    // VideoRegistry checks).
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.like_video(VIDEO, true).unwrap();
    assert!(users.user_likes_video(BOB, VIDEO));
    assert!(!users.user_dislikes_video(BOB, VIDEO));
    assert!(!users.user_acquired_video(BOB, VIDEO));
    assert_eq!(users.user_votes(BOB), (1, 0));
    assert_eq!(host.calls(), vec![record_vote(VIDEO, VOTE_NONE, VOTE_LIKE)]);
    assert_eq!(host.last_log::<VideoVoted>(), voted(BOB, VIDEO, true, false, BOB));
}

#[test]
fn like_video_logs_acquired_when_store_recorded_acquisition() {
    let (host, mut users) = deploy();
    acquire(&host, &mut users, BOB, VIDEO);
    host.vm.set_sender(BOB);
    users.like_video(VIDEO, true).unwrap();
    assert_eq!(host.last_log::<VideoVoted>(), voted(BOB, VIDEO, true, true, BOB));
    assert!(users.user_acquired_video(BOB, VIDEO));
}

#[test]
fn dislike_video_sets_flag_counters_and_calls_video_registry() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.like_video(VIDEO, false).unwrap();
    assert!(users.user_dislikes_video(BOB, VIDEO));
    assert!(!users.user_likes_video(BOB, VIDEO));
    assert_eq!(users.user_votes(BOB), (0, 1));
    assert_eq!(host.calls(), vec![record_vote(VIDEO, VOTE_NONE, VOTE_DISLIKE)]);
    assert_eq!(host.last_log::<VideoVoted>(), voted(BOB, VIDEO, false, false, BOB));
}

#[test]
fn dislike_video_overrides_like() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.like_video(VIDEO, true).unwrap();
    users.like_video(VIDEO, false).unwrap();
    assert!(!users.user_likes_video(BOB, VIDEO));
    assert!(users.user_dislikes_video(BOB, VIDEO));
    assert_eq!(users.user_votes(BOB), (0, 1));
    assert_eq!(
        host.calls(),
        vec![record_vote(VIDEO, VOTE_NONE, VOTE_LIKE), record_vote(VIDEO, VOTE_LIKE, VOTE_DISLIKE)]
    );
    assert_eq!(host.last_log::<VideoVoted>(), voted(BOB, VIDEO, false, false, BOB));
}

#[test]
fn like_video_overrides_dislike() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.like_video(VIDEO, false).unwrap();
    users.like_video(VIDEO, true).unwrap();
    assert!(users.user_likes_video(BOB, VIDEO));
    assert!(!users.user_dislikes_video(BOB, VIDEO));
    assert_eq!(users.user_votes(BOB), (1, 0));
    assert_eq!(host.calls()[1], record_vote(VIDEO, VOTE_DISLIKE, VOTE_LIKE));
}

#[test]
fn like_video_is_cumulative_across_users_with_independent_counters() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.like_video(VIDEO, true).unwrap();
    users.like_video(OTHER_VIDEO, true).unwrap();
    host.vm.set_sender(STRANGER);
    users.like_video(VIDEO, true).unwrap();
    assert_eq!(users.user_votes(BOB), (2, 0));
    assert_eq!(users.user_votes(STRANGER), (1, 0));
    assert_eq!(
        host.calls(),
        vec![
            record_vote(VIDEO, VOTE_NONE, VOTE_LIKE),
            record_vote(OTHER_VIDEO, VOTE_NONE, VOTE_LIKE),
            record_vote(VIDEO, VOTE_NONE, VOTE_LIKE)
        ]
    );
}

#[test]
fn dislike_video_is_cumulative_across_users() {
    let (host, mut users) = deploy();
    for user in [BOB, STRANGER] {
        host.vm.set_sender(user);
        users.like_video(VIDEO, false).unwrap();
        assert_eq!(users.user_votes(user), (0, 1));
    }
    assert_eq!(host.calls(), vec![record_vote(VIDEO, VOTE_NONE, VOTE_DISLIKE); 2]);
}

#[test]
fn likes_and_dislikes_coexist_across_users() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    users.like_video(VIDEO, true).unwrap();
    host.vm.set_sender(STRANGER);
    users.like_video(VIDEO, false).unwrap();
    assert!(users.user_likes_video(BOB, VIDEO));
    assert!(users.user_dislikes_video(STRANGER, VIDEO));
    assert_eq!(
        host.calls(),
        vec![record_vote(VIDEO, VOTE_NONE, VOTE_LIKE), record_vote(VIDEO, VOTE_NONE, VOTE_DISLIKE)]
    );
}

#[test]
fn like_video_is_noop_when_vote_repeats() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    for liked in [true, false] {
        users.like_video(VIDEO, liked).unwrap();
        let (calls, events) = (host.calls().len(), logs(&host).len());
        users.like_video(VIDEO, liked).unwrap();
        assert_eq!(host.calls().len(), calls);
        assert_eq!(logs(&host).len(), events);
    }
    assert_eq!(users.user_votes(BOB), (0, 1));
}

#[test]
fn like_video_bubbles_video_registry_revert_unchanged() {
    let (host, mut users) = deploy();
    let revert = VideoRegistryUnknownVideo { videoId: VIDEO }.abi_encode();
    host.answer_call(VIDEOS, record_vote(VIDEO, VOTE_NONE, VOTE_LIKE).data, Err(revert.clone()));
    host.vm.set_sender(BOB);
    assert_eq!(users.like_video(VIDEO, true), Err(revert));
}

#[test]
fn like_video_reverts_when_video_registry_not_registered() {
    let (host, mut users) = deploy();
    register_peer(&host, names::VIDEO_REGISTRY, Address::ZERO);
    host.vm.set_sender(BOB);
    assert_eq!(
        users.like_video(VIDEO, true),
        reverted(Error::PeerNotRegistered(PeerNotRegistered { key: names::VIDEO_REGISTRY.key }))
    );
    assert_eq!(host.calls(), vec![]);
    assert!(!users.user_likes_video(BOB, VIDEO));
}

#[test]
fn selectors_match_peer_interfaces() {
    assert_eq!(RECORD_VOTE_SELECTOR, IVideoRegistry::recordVoteCall::SELECTOR);
    assert_eq!(IS_SPENDING_KEY_SELECTOR, IParatiiAvatar::isSpendingKeyCall::SELECTOR);
}

// --- posting keys ---

#[test]
fn authorize_posting_key_by_user_sets_expiry_and_logs() {
    let (host, mut users) = deploy();
    // The user itself never needs the avatar.
    register_peer(&host, names::PARATII_AVATAR, Address::ZERO);
    authorize(&host, &mut users, BOB, SPENDER);
    assert_eq!(users.posting_key_expiry(BOB, SPENDER), EXPIRY);
    assert!(users.is_posting_key(BOB, SPENDER));
    assert_eq!(
        host.last_log::<PostingKeyAuthorized>(),
        PostingKeyAuthorized { user: BOB, key: SPENDER, expiry: EXPIRY, authorizedBy: BOB }
    );
}

#[test]
fn authorize_posting_key_by_live_spending_key_succeeds() {
    let (host, mut users) = deploy();
    answer_spending_key(&host, BOB, SPENDER, true);
    host.vm.set_sender(SPENDER);
    users.authorize_posting_key(BOB, RELAYER, EXPIRY).unwrap();
    assert!(users.is_posting_key(BOB, RELAYER));
    assert_eq!(
        host.last_log::<PostingKeyAuthorized>(),
        PostingKeyAuthorized { user: BOB, key: RELAYER, expiry: EXPIRY, authorizedBy: SPENDER }
    );
}

#[test]
fn authorize_posting_key_reverts_when_caller_is_stranger() {
    let (host, mut users) = deploy();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        users.authorize_posting_key(BOB, STRANGER, EXPIRY),
        Err(not_user_or_spending_key(STRANGER, BOB))
    );
    assert!(!users.is_posting_key(BOB, STRANGER));
}

#[test]
fn authorize_posting_key_reverts_when_avatar_denies_spending_key() {
    let (host, mut users) = deploy();
    answer_spending_key(&host, BOB, SPENDER, false);
    host.vm.set_sender(SPENDER);
    assert_eq!(
        users.authorize_posting_key(BOB, RELAYER, EXPIRY),
        Err(not_user_or_spending_key(SPENDER, BOB))
    );
}

#[test]
fn authorize_posting_key_reverts_when_avatar_call_reverts() {
    let (host, mut users) = deploy();
    host.revert_static_call(AVATAR, spending_key_call(BOB, SPENDER), vec![1, 2, 3]);
    host.vm.set_sender(SPENDER);
    assert_eq!(
        users.authorize_posting_key(BOB, RELAYER, EXPIRY),
        Err(not_user_or_spending_key(SPENDER, BOB))
    );
}

#[test]
fn authorize_posting_key_reverts_when_no_avatar_registered() {
    let (host, mut users) = deploy();
    // The old avatar would vouch, but it is no longer the registered one.
    answer_spending_key(&host, BOB, SPENDER, true);
    register_peer(&host, names::PARATII_AVATAR, Address::ZERO);
    host.vm.set_sender(SPENDER);
    assert_eq!(
        users.authorize_posting_key(BOB, RELAYER, EXPIRY),
        Err(not_user_or_spending_key(SPENDER, BOB))
    );
}

#[test]
fn authorize_posting_key_reverts_when_key_is_zero_or_user() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    for key in [Address::ZERO, BOB] {
        assert_eq!(
            users.authorize_posting_key(BOB, key, EXPIRY),
            Err(Error::InvalidPostingKey(UserRegistryInvalidPostingKey { user: BOB, key }))
        );
    }
}

#[test]
fn authorize_posting_key_reverts_when_expiry_not_in_future() {
    let (host, mut users) = deploy();
    host.vm.set_sender(BOB);
    for expiry in [0, NOW - 1, NOW] {
        assert_eq!(
            users.authorize_posting_key(BOB, SPENDER, expiry),
            Err(Error::ExpiryNotInFuture(UserRegistryExpiryNotInFuture { expiry, now: NOW }))
        );
    }
    users.authorize_posting_key(BOB, SPENDER, NOW + 1).unwrap();
    assert!(users.is_posting_key(BOB, SPENDER));
}

#[test]
fn authorize_posting_key_replaces_earlier_expiry() {
    let (host, mut users) = deploy();
    authorize(&host, &mut users, BOB, SPENDER);
    users.authorize_posting_key(BOB, SPENDER, NOW + 5).unwrap();
    assert_eq!(users.posting_key_expiry(BOB, SPENDER), NOW + 5);
}

#[test]
fn revoke_posting_key_clears_expiry_and_logs() {
    let (host, mut users) = deploy();
    authorize(&host, &mut users, BOB, SPENDER);
    users.revoke_posting_key(BOB, SPENDER).unwrap();
    assert_eq!(users.posting_key_expiry(BOB, SPENDER), 0);
    assert!(!users.is_posting_key(BOB, SPENDER));
    assert_eq!(
        host.last_log::<PostingKeyRevoked>(),
        PostingKeyRevoked { user: BOB, key: SPENDER, revokedBy: BOB }
    );
    assert_eq!(users.revoke_posting_key(BOB, SPENDER), Err(not_posting_key(BOB, SPENDER)));
}

#[test]
fn revoke_posting_key_by_live_spending_key_succeeds() {
    let (host, mut users) = deploy();
    authorize(&host, &mut users, BOB, RELAYER);
    answer_spending_key(&host, BOB, SPENDER, true);
    host.vm.set_sender(SPENDER);
    users.revoke_posting_key(BOB, RELAYER).unwrap();
    assert!(!users.is_posting_key(BOB, RELAYER));
    assert_eq!(host.last_log::<PostingKeyRevoked>().revokedBy, SPENDER);
}

#[test]
fn revoke_posting_key_reverts_when_caller_is_stranger() {
    let (host, mut users) = deploy();
    authorize(&host, &mut users, BOB, SPENDER);
    host.vm.set_sender(STRANGER);
    assert_eq!(
        users.revoke_posting_key(BOB, SPENDER),
        Err(not_user_or_spending_key(STRANGER, BOB))
    );
    assert!(users.is_posting_key(BOB, SPENDER));
}

#[test]
fn like_video_for_by_posting_key_votes_for_user() {
    let (host, mut users) = deploy();
    authorize(&host, &mut users, BOB, SPENDER);
    host.vm.set_sender(SPENDER);
    users.like_video_for(BOB, VIDEO, true).unwrap();
    assert!(users.user_likes_video(BOB, VIDEO));
    assert_eq!(users.user_votes(BOB), (1, 0));
    assert_eq!(users.user_votes(SPENDER), (0, 0));
    assert_eq!(host.calls(), vec![record_vote(VIDEO, VOTE_NONE, VOTE_LIKE)]);
    assert_eq!(host.last_log::<VideoVoted>(), voted(BOB, VIDEO, true, false, SPENDER));
}

#[test]
fn like_video_for_succeeds_until_expiry_and_reverts_at_expiry() {
    let (host, mut users) = deploy();
    authorize(&host, &mut users, BOB, SPENDER);
    host.vm.set_sender(SPENDER);
    host.vm.set_block_timestamp(EXPIRY - 1);
    users.like_video_for(BOB, VIDEO, true).unwrap();
    host.vm.set_block_timestamp(EXPIRY);
    assert_eq!(users.like_video_for(BOB, VIDEO, false), reverted(not_posting_key(BOB, SPENDER)));
    assert!(users.user_likes_video(BOB, VIDEO));
}

#[test]
fn like_video_for_reverts_when_key_revoked() {
    let (host, mut users) = deploy();
    authorize(&host, &mut users, BOB, SPENDER);
    users.revoke_posting_key(BOB, SPENDER).unwrap();
    host.vm.set_sender(SPENDER);
    assert_eq!(users.like_video_for(BOB, VIDEO, true), reverted(not_posting_key(BOB, SPENDER)));
    assert_eq!(host.calls(), vec![]);
}

#[test]
fn like_video_for_reverts_when_key_belongs_to_another_user() {
    let (host, mut users) = deploy();
    authorize(&host, &mut users, STRANGER, SPENDER);
    host.vm.set_sender(SPENDER);
    assert_eq!(users.like_video_for(BOB, VIDEO, true), reverted(not_posting_key(BOB, SPENDER)));
    assert_eq!(users.user_votes(BOB), (0, 0));
}

// --- signed votes ---

#[test]
fn vote_digest_equals_alloy_eip712_signing_hash() {
    let (_, users) = deploy();
    for liked in [true, false] {
        let vote = vote_of(alice(), liked, 7, deadline());
        assert_eq!(
            users.vote_digest(alice(), VIDEO, liked, 7, deadline()),
            vote.eip712_signing_hash(&domain(CHAIN_ID))
        );
    }
}

#[test]
fn domain_separator_equals_alloy_eip712_domain() {
    let (_, users) = deploy();
    assert_eq!(users.domain_separator(), domain(CHAIN_ID).separator());
}

#[test]
fn eip712_domain_reports_name_version_chain_and_contract() {
    let (_, users) = deploy();
    let (fields, name, version, chain_id, contract, salt, extensions) = users.eip712_domain();
    assert_eq!(fields, alloy_primitives::FixedBytes([0x0f]));
    assert_eq!((name.as_str(), version.as_str()), ("Paratii Users", "1"));
    assert_eq!((chain_id, contract), (U256::from(CHAIN_ID), USERS));
    assert_eq!((salt, extensions.len()), (B256::ZERO, 0));
}

#[test]
fn like_video_by_sig_relayed_applies_vote_with_posting_key_as_voter() {
    let (host, mut users) = deploy();
    authorize(&host, &mut users, alice(), poster().address());
    let sig = sign_vote(&poster(), &vote_of(alice(), true, 0, deadline()), CHAIN_ID);
    host.vm.set_sender(RELAYER);
    users.like_video_by_sig(alice(), VIDEO, true, deadline(), pack(&sig)).unwrap();
    assert!(users.user_likes_video(alice(), VIDEO));
    assert_eq!(users.user_votes(alice()), (1, 0));
    assert_eq!(users.user_votes(RELAYER), (0, 0));
    assert_eq!(users.vote_nonce(alice()), U256::from(1));
    assert_eq!(host.calls(), vec![record_vote(VIDEO, VOTE_NONE, VOTE_LIKE)]);
    assert_eq!(
        host.last_log::<VideoVoted>(),
        voted(alice(), VIDEO, true, false, poster().address())
    );
}

#[test]
fn like_video_by_sig_signed_by_user_itself_succeeds() {
    let (host, mut users) = deploy();
    let sig = sign_vote(&alice_signer(), &vote_of(alice(), false, 0, deadline()), CHAIN_ID);
    host.vm.set_sender(RELAYER);
    users.like_video_by_sig(alice(), VIDEO, false, deadline(), pack(&sig)).unwrap();
    assert!(users.user_dislikes_video(alice(), VIDEO));
    assert_eq!(users.vote_nonce(alice()), U256::from(1));
    assert_eq!(host.last_log::<VideoVoted>(), voted(alice(), VIDEO, false, false, alice()));
}

#[test]
fn like_video_by_sig_reverts_when_replayed() {
    let (host, mut users) = deploy();
    authorize(&host, &mut users, alice(), poster().address());
    let sig = sign_vote(&poster(), &vote_of(alice(), true, 0, deadline()), CHAIN_ID);
    host.vm.set_sender(RELAYER);
    users.like_video_by_sig(alice(), VIDEO, true, deadline(), pack(&sig)).unwrap();
    // The replay hashes with nonce 1, so the same signature recovers another address.
    let replay_digest =
        vote_of(alice(), true, 1, deadline()).eip712_signing_hash(&domain(CHAIN_ID));
    let recovered = Address::from_slice(&ecrecover(&sig.ecrecover_input(replay_digest))[12..]);
    assert_ne!(recovered, poster().address());
    assert_eq!(
        users.like_video_by_sig(alice(), VIDEO, true, deadline(), pack(&sig)),
        reverted(not_posting_key(alice(), recovered))
    );
    assert_eq!(users.vote_nonce(alice()), U256::from(1));
    assert_eq!(host.calls().len(), 1);
}

#[test]
fn like_video_by_sig_consumes_nonce_when_vote_repeats() {
    let (host, mut users) = deploy();
    host.vm.set_sender(RELAYER);
    for nonce in 0..2 {
        let sig = sign_vote(&alice_signer(), &vote_of(alice(), true, nonce, deadline()), CHAIN_ID);
        users.like_video_by_sig(alice(), VIDEO, true, deadline(), pack(&sig)).unwrap();
    }
    assert_eq!(users.vote_nonce(alice()), U256::from(2));
    assert_eq!(host.calls().len(), 1);
    assert_eq!(users.user_votes(alice()), (1, 0));
}

#[test]
fn like_video_by_sig_reverts_when_deadline_passed() {
    let (host, mut users) = deploy();
    let sig = sign_vote(&alice_signer(), &vote_of(alice(), true, 0, deadline()), CHAIN_ID);
    host.vm.set_block_timestamp(NOW + 601);
    assert_eq!(
        users.like_video_by_sig(alice(), VIDEO, true, deadline(), pack(&sig)),
        reverted(Error::ExpiredSignature(UserRegistryExpiredSignature { deadline: deadline() }))
    );
    host.vm.set_block_timestamp(NOW + 600);
    users.like_video_by_sig(alice(), VIDEO, true, deadline(), pack(&sig)).unwrap();
    assert!(users.user_likes_video(alice(), VIDEO));
}

#[test]
fn like_video_by_sig_reverts_when_s_is_high() {
    let (host, mut users) = deploy();
    let sig = sign_vote(&alice_signer(), &vote_of(alice(), true, 0, deadline()), CHAIN_ID);
    let twin = high_s_twin(&sig);
    host.vm.set_sender(RELAYER);
    assert_eq!(
        users.like_video_by_sig(alice(), VIDEO, true, deadline(), pack(&twin)),
        reverted(Error::InvalidSignatureS(ECDSAInvalidSignatureS { s: twin.s }))
    );
    assert_eq!(users.vote_nonce(alice()), U256::ZERO);
}

#[test]
fn like_video_by_sig_reverts_when_signature_is_64_bytes() {
    let (host, mut users) = deploy();
    let sig = sign_vote(&alice_signer(), &vote_of(alice(), true, 0, deadline()), CHAIN_ID);
    let short: Bytes = pack(&sig)[..64].to_vec().into();
    host.vm.set_sender(RELAYER);
    assert_eq!(
        users.like_video_by_sig(alice(), VIDEO, true, deadline(), short),
        reverted(Error::InvalidSignatureLength(ECDSAInvalidSignatureLength {
            length: U256::from(64)
        }))
    );
}

#[test]
fn like_video_by_sig_reverts_when_v_is_not_27_or_28() {
    let (host, mut users) = deploy();
    let mut sig = sign_vote(&alice_signer(), &vote_of(alice(), true, 0, deadline()), CHAIN_ID);
    sig.v -= 27;
    host.vm.set_sender(RELAYER);
    assert_eq!(
        users.like_video_by_sig(alice(), VIDEO, true, deadline(), pack(&sig)),
        reverted(Error::InvalidSignatureV(ECDSAInvalidSignatureV { v: sig.v }))
    );
}

#[test]
fn like_video_by_sig_reverts_when_signed_for_another_chain() {
    let (host, mut users) = deploy();
    let other_chain = CHAIN_ID + 1;
    let sig = sign_vote(&alice_signer(), &vote_of(alice(), true, 0, deadline()), other_chain);
    let here = vote_of(alice(), true, 0, deadline()).eip712_signing_hash(&domain(CHAIN_ID));
    let recovered = Address::from_slice(&ecrecover(&sig.ecrecover_input(here))[12..]);
    assert_ne!(recovered, alice());
    host.vm.set_sender(RELAYER);
    assert_eq!(
        users.like_video_by_sig(alice(), VIDEO, true, deadline(), pack(&sig)),
        reverted(not_posting_key(alice(), recovered))
    );
    // The same vote, on the chain it was signed for, is accepted.
    host.vm.set_chain_id(other_chain);
    users.like_video_by_sig(alice(), VIDEO, true, deadline(), pack(&sig)).unwrap();
    assert!(users.user_likes_video(alice(), VIDEO));
}

#[test]
fn like_video_by_sig_reverts_when_signed_by_stranger() {
    let (host, mut users) = deploy();
    let sig = sign_vote(&mallory(), &vote_of(alice(), true, 0, deadline()), CHAIN_ID);
    host.vm.set_sender(RELAYER);
    assert_eq!(
        users.like_video_by_sig(alice(), VIDEO, true, deadline(), pack(&sig)),
        reverted(not_posting_key(alice(), mallory().address()))
    );
    assert_eq!(users.vote_nonce(alice()), U256::ZERO);
    assert_eq!(host.calls(), vec![]);
}

#[test]
fn like_video_by_sig_reverts_when_posting_key_expired() {
    let (host, mut users) = deploy();
    authorize(&host, &mut users, alice(), poster().address());
    let late = U256::from(EXPIRY + 10);
    let sig = sign_vote(&poster(), &vote_of(alice(), true, 0, late), CHAIN_ID);
    host.vm.set_block_timestamp(EXPIRY);
    host.vm.set_sender(RELAYER);
    assert_eq!(
        users.like_video_by_sig(alice(), VIDEO, true, late, pack(&sig)),
        reverted(not_posting_key(alice(), poster().address()))
    );
}

// --- ownership ---

#[test]
fn constructor_sets_owner_and_registry_and_ownership_moves_in_two_steps() {
    let (host, mut users) = deploy();
    assert_eq!((users.owner(), users.registry()), (OWNER, REGISTRY));
    host.vm.set_sender(STRANGER);
    assert_eq!(
        users.transfer_ownership(BOB),
        Err(Error::UnauthorizedAccount(OwnableUnauthorizedAccount { account: STRANGER }))
    );
    host.vm.set_sender(OWNER);
    users.transfer_ownership(BOB).unwrap();
    assert_eq!(users.pending_owner(), BOB);
    host.vm.set_sender(BOB);
    users.accept_ownership().unwrap();
    assert_eq!(users.owner(), BOB);
}
