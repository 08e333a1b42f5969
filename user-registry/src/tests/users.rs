//! Users: the original scenarios.

use super::*;

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
