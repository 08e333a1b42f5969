//! Votes: the original scenarios.

use super::*;

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
