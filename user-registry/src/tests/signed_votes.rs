//! Signed votes (EIP-712 `Vote`, relayed).

use super::*;

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
