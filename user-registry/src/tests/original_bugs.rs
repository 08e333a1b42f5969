//! The original's bugs, fixed.

use super::*;

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
