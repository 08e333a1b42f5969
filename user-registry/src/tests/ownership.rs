//! Ownership.

use super::*;

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
