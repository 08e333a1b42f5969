//! The original scenarios.

use super::*;

#[test]
fn add_and_remove_from_whitelist_update_membership_and_log_only_changes() {
    // Original "owner can add to and remove from whitelist": add 2, 3, 4; remove 3; re-add 4.
    let (host, mut avatar) = deploy();
    let [two, three, four] = [2u8, 3, 4].map(Address::repeat_byte);
    host.vm.set_sender(OWNER);
    let before = log_count(&host);
    for account in [two, three, four] {
        avatar.add_to_whitelist(account).unwrap();
    }
    host.vm.set_block_timestamp(NOW + DELAY);
    avatar.remove_from_whitelist(three).unwrap();
    let after_changes = log_count(&host);
    avatar.add_to_whitelist(four).unwrap();
    assert_eq!(log_count(&host), after_changes, "re-adding should not log");
    assert_eq!(
        logs_since::<WhitelistUpdated>(&host, before),
        [(two, true), (three, true), (four, true), (three, false)].map(|(account, whitelisted)| {
            WhitelistUpdated { account, whitelisted, effectiveAt: NOW + DELAY }
        })
    );
    assert!(avatar.is_on_whitelist(two));
    assert!(!avatar.is_on_whitelist(three));
    assert!(avatar.is_on_whitelist(four));
    // Still one entry: removing 4 once takes it off.
    avatar.remove_from_whitelist(four).unwrap();
    assert!(!avatar.is_on_whitelist(four));
    assert!(!avatar.is_on_whitelist(STRANGER));
}

#[test]
fn remove_from_whitelist_changes_nothing_when_not_whitelisted() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(OWNER);
    let before = log_count(&host);
    avatar.remove_from_whitelist(STORE).unwrap();
    assert_eq!(log_count(&host), before);
    assert!(!avatar.is_on_whitelist(STORE));
}

#[test]
fn add_to_whitelist_reverts_when_account_is_zero() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(OWNER);
    assert_eq!(
        avatar.add_to_whitelist(Address::ZERO),
        Err(Error::InvalidAccount(AvatarInvalidAccount { account: Address::ZERO }))
    );
    assert!(!avatar.is_on_whitelist(Address::ZERO));
}

#[test]
fn whitelist_changes_revert_when_caller_is_not_owner() {
    let (host, mut avatar) = deploy_with_store();
    for caller in [STRANGER, STORE, ALICE] {
        host.vm.set_sender(caller);
        assert_eq!(avatar.add_to_whitelist(caller), Err(unauthorized(caller)));
        assert_eq!(avatar.remove_from_whitelist(STORE), Err(unauthorized(caller)));
    }
    assert!(avatar.is_on_whitelist(STORE));
    assert!(!avatar.is_on_whitelist(STRANGER));
}

#[test]
fn transfer_from_calls_token_transfer_from_only_when_caller_is_whitelisted() {
    // Original "can transfer tokens": a non-whitelisted transferFrom reverts, a whitelisted one
    // moves the tokens (here: issues exactly the token's transferFrom).
    let (host, mut avatar) = deploy();
    host.vm.set_sender(STORE);
    assert_eq!(avatar.transfer_from(ALICE, CREATOR, U256::from(14)), Err(not_whitelisted(STORE)));
    assert!(host.calls().is_empty());
    whitelist_after_delay(&host, &mut avatar, STORE);
    host.vm.set_sender(STORE);
    let before = log_count(&host);
    assert_eq!(avatar.transfer_from(ALICE, CREATOR, U256::from(14)), Ok(true));
    assert_eq!(host.calls(), [token_call(transfer_from_data(ALICE, CREATOR, 14))]);
    assert_eq!(log_count(&host), before, "the token logs, not the avatar");
}

#[test]
fn transfer_from_succeeds_when_token_returns_true() {
    let (host, mut avatar) = deploy_with_store();
    host.answer_call(TOKEN, transfer_from_data(ALICE, CREATOR, 5), Ok(true_word()));
    host.vm.set_sender(STORE);
    assert_eq!(avatar.transfer_from(ALICE, CREATOR, U256::from(5)), Ok(true));
    assert_eq!(host.calls().len(), 1);
}
