//! Posting keys.

use super::*;

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
