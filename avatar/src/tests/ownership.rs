//! Construction and two-step ownership.

use super::*;

#[test]
fn constructor_sets_owner_token_delay_and_logs() {
    let (host, avatar) = deploy();
    assert_eq!(avatar.owner(), OWNER);
    assert_eq!(avatar.pending_owner(), Address::ZERO);
    assert_eq!(avatar.token(), TOKEN);
    assert_eq!(avatar.whitelist_delay(), DELAY);
    assert_eq!(
        host.last_log::<OwnershipTransferred>(),
        OwnershipTransferred { previousOwner: Address::ZERO, newOwner: OWNER }
    );
}

#[test]
fn constructor_reverts_when_owner_is_zero() {
    let host = PrecompileHost::new();
    let mut avatar = ParatiiAvatar::from(&host);
    assert_eq!(
        avatar.constructor(Address::ZERO, TOKEN, DELAY, vec![]),
        Err(Error::InvalidOwner(OwnableInvalidOwner { owner: Address::ZERO }))
    );
}

#[test]
fn constructor_reverts_when_whitelist_delay_out_of_range() {
    for delay in [0, MIN_WHITELIST_DELAY_SECS - 1, MAX_WHITELIST_DELAY_SECS + 1] {
        let host = PrecompileHost::new();
        let mut avatar = ParatiiAvatar::from(&host);
        assert_eq!(
            avatar.constructor(OWNER, TOKEN, delay, vec![]),
            Err(Error::InvalidWhitelistDelay(AvatarInvalidWhitelistDelay {
                delay,
                min: MIN_WHITELIST_DELAY_SECS,
                max: MAX_WHITELIST_DELAY_SECS,
            }))
        );
    }
}

#[test]
fn constructor_whitelists_initial_contracts_at_once_and_logs() {
    let (host, avatar) = deploy_whitelisting(vec![STORE, CHANNELS]);
    assert!(avatar.is_on_whitelist(STORE));
    assert!(avatar.is_on_whitelist(CHANNELS));
    assert_eq!(avatar.whitelisted_from(STORE), NOW);
    assert_eq!(
        logs_since::<WhitelistUpdated>(&host, 0),
        [STORE, CHANNELS].map(|account| WhitelistUpdated {
            account,
            whitelisted: true,
            effectiveAt: NOW,
        })
    );
}

#[test]
fn constructor_reverts_when_an_initial_contract_is_zero() {
    let host = PrecompileHost::new();
    let mut avatar = ParatiiAvatar::from(&host);
    assert_eq!(
        avatar.constructor(OWNER, TOKEN, DELAY, vec![STORE, Address::ZERO]),
        Err(Error::InvalidAccount(AvatarInvalidAccount { account: Address::ZERO }))
    );
}

/// Attack (review, high): the owner whitelists its own account to pull a user's approved PTI.
/// It can, but only after the delay, announced at once, during which the user can leave.
#[test]
fn owner_cannot_pull_approved_pti_before_the_whitelist_delay() {
    let (host, mut avatar) = deploy_with_store();
    host.vm.set_sender(OWNER);
    avatar.add_to_whitelist(OWNER).unwrap();
    assert_eq!(
        host.last_log::<WhitelistUpdated>(),
        WhitelistUpdated { account: OWNER, whitelisted: true, effectiveAt: NOW + DELAY }
    );
    assert_eq!(avatar.transfer_from(ALICE, OWNER, U256::from(10)), Err(not_whitelisted(OWNER)));
    host.vm.set_block_timestamp(NOW + DELAY - 1);
    assert_eq!(avatar.transfer_from(ALICE, OWNER, U256::from(10)), Err(not_whitelisted(OWNER)));
    assert!(host.calls().is_empty());
    host.vm.set_block_timestamp(NOW + DELAY);
    assert_eq!(avatar.transfer_from(ALICE, OWNER, U256::from(10)), Ok(true));
}

#[test]
fn remove_from_whitelist_cancels_a_scheduled_contract() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(OWNER);
    avatar.add_to_whitelist(STRANGER).unwrap();
    avatar.remove_from_whitelist(STRANGER).unwrap();
    assert_eq!(avatar.whitelisted_from(STRANGER), 0);
    host.vm.set_block_timestamp(NOW + DELAY);
    assert!(!avatar.is_on_whitelist(STRANGER));
    host.vm.set_sender(STRANGER);
    assert_eq!(
        avatar.transfer_from(ALICE, STRANGER, U256::from(1)),
        Err(not_whitelisted(STRANGER))
    );
}

#[test]
fn add_to_whitelist_keeps_the_scheduled_time_when_added_again() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(OWNER);
    avatar.add_to_whitelist(STRANGER).unwrap();
    host.vm.set_block_timestamp(NOW + DAY);
    let before = log_count(&host);
    avatar.add_to_whitelist(STRANGER).unwrap();
    assert_eq!(log_count(&host), before);
    assert_eq!(avatar.whitelisted_from(STRANGER), NOW + DELAY);
}

#[test]
fn transfer_ownership_hands_over_whitelisting_and_disbursing_after_acceptance() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(OWNER);
    avatar.transfer_ownership(NEW_OWNER).unwrap();
    assert_eq!(
        host.last_log::<OwnershipTransferStarted>(),
        OwnershipTransferStarted { previousOwner: OWNER, newOwner: NEW_OWNER }
    );
    assert_eq!(avatar.pending_owner(), NEW_OWNER);
    // Not the owner yet.
    host.vm.set_sender(NEW_OWNER);
    assert_eq!(avatar.add_to_whitelist(STORE), Err(unauthorized(NEW_OWNER)));
    host.vm.set_sender(STRANGER);
    assert_eq!(avatar.accept_ownership(), Err(unauthorized(STRANGER)));
    host.vm.set_sender(NEW_OWNER);
    avatar.accept_ownership().unwrap();
    assert_eq!(
        host.last_log::<OwnershipTransferred>(),
        OwnershipTransferred { previousOwner: OWNER, newOwner: NEW_OWNER }
    );
    assert_eq!((avatar.owner(), avatar.pending_owner()), (NEW_OWNER, Address::ZERO));
    avatar.add_to_whitelist(STORE).unwrap();
    assert_eq!(avatar.whitelisted_from(STORE), NOW + DELAY);
    host.vm.set_sender(OWNER);
    assert_eq!(avatar.remove_from_whitelist(STORE), Err(unauthorized(OWNER)));
    assert_eq!(avatar.disburse_ether(vec![], vec![]), Err(unauthorized(OWNER)));
}

#[test]
fn renounce_ownership_freezes_the_whitelist() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(STRANGER);
    assert_eq!(avatar.renounce_ownership(), Err(unauthorized(STRANGER)));
    host.vm.set_sender(OWNER);
    avatar.renounce_ownership().unwrap();
    assert_eq!(avatar.owner(), Address::ZERO);
    assert_eq!(avatar.add_to_whitelist(STORE), Err(unauthorized(OWNER)));
}
