//! Spending keys: authorised with a cap and an expiry, charged per pull, revocable.

use super::*;

#[test]
fn authorize_spending_key_stores_cap_and_expiry_and_logs() {
    let (host, avatar) = deploy_with_key(500);
    assert_eq!(
        host.last_log::<SpendingKeyAuthorized>(),
        SpendingKeyAuthorized {
            user: ALICE,
            key: ALICE_KEY,
            cap: U256::from(500),
            expiry: NOW + DAY
        }
    );
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (U256::from(500), NOW + DAY));
    assert!(avatar.is_spending_key(ALICE, ALICE_KEY));
    // Per user: the same key is nobody else's.
    assert_eq!(avatar.spending_key(BOB, ALICE_KEY), (U256::ZERO, 0));
    assert!(!avatar.is_spending_key(BOB, ALICE_KEY));
}

#[test]
fn spending_key_reads_zeros_when_never_authorized() {
    let (_, avatar) = deploy();
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (U256::ZERO, 0));
    assert!(!avatar.is_spending_key(ALICE, ALICE_KEY));
}

#[test]
fn authorize_spending_key_replaces_earlier_authorization_and_resets_cap() {
    let (host, mut avatar) = deploy_with_key(500);
    host.vm.set_sender(STORE);
    avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(450)).unwrap();
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(50));
    host.vm.set_sender(ALICE);
    avatar.authorize_spending_key(ALICE_KEY, U256::from(200), NOW + 2 * DAY).unwrap();
    assert_eq!(
        host.last_log::<SpendingKeyAuthorized>(),
        SpendingKeyAuthorized {
            user: ALICE,
            key: ALICE_KEY,
            cap: U256::from(200),
            expiry: NOW + 2 * DAY
        }
    );
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (U256::from(200), NOW + 2 * DAY));
}

#[test]
fn authorize_spending_key_reverts_when_key_is_zero_or_caller() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(ALICE);
    for key in [Address::ZERO, ALICE] {
        assert_eq!(
            avatar.authorize_spending_key(key, U256::from(1), NOW + DAY),
            Err(Error::InvalidSpendingKey(AvatarInvalidSpendingKey { user: ALICE, key }))
        );
        assert_eq!(avatar.spending_key(ALICE, key), (U256::ZERO, 0));
    }
}

#[test]
fn authorize_spending_key_reverts_when_cap_too_high() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(ALICE);
    let max = (U256::from(1) << 96) - U256::from(1);
    assert_eq!(MAX_SPENDING_CAP, max);
    for cap in [max + U256::from(1), U256::MAX] {
        assert_eq!(
            avatar.authorize_spending_key(ALICE_KEY, cap, NOW + DAY),
            Err(Error::CapTooHigh(AvatarCapTooHigh { cap, max }))
        );
    }
    assert!(!avatar.is_spending_key(ALICE, ALICE_KEY));
    avatar.authorize_spending_key(ALICE_KEY, max, NOW + DAY).unwrap();
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (max, NOW + DAY));
}

#[test]
fn authorize_spending_key_reverts_when_expiry_not_in_future() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(ALICE);
    for expiry in [0, NOW - 1, NOW] {
        assert_eq!(
            avatar.authorize_spending_key(ALICE_KEY, U256::from(1), expiry),
            Err(Error::ExpiryNotInFuture(AvatarExpiryNotInFuture { expiry, now: NOW }))
        );
    }
    assert!(!avatar.is_spending_key(ALICE, ALICE_KEY));
    avatar.authorize_spending_key(ALICE_KEY, U256::from(1), NOW + 1).unwrap();
    assert!(avatar.is_spending_key(ALICE, ALICE_KEY));
}

#[test]
fn authorize_spending_key_accepts_zero_cap_as_a_key_that_spends_nothing() {
    let (host, mut avatar) = deploy_with_key(0);
    assert!(avatar.is_spending_key(ALICE, ALICE_KEY));
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(1)),
        Err(encoded(Error::SpendingCapExceeded(AvatarSpendingCapExceeded {
            user: ALICE,
            key: ALICE_KEY,
            amount: U256::from(1),
            remaining: U256::ZERO
        })))
    );
    assert!(host.calls().is_empty());
}

#[test]
fn revoke_spending_key_clears_it_and_logs() {
    let (host, mut avatar) = deploy_with_key(500);
    host.vm.set_sender(ALICE);
    avatar.revoke_spending_key(ALICE_KEY).unwrap();
    assert_eq!(
        host.last_log::<SpendingKeyRevoked>(),
        SpendingKeyRevoked { user: ALICE, key: ALICE_KEY }
    );
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (U256::ZERO, 0));
    assert!(!avatar.is_spending_key(ALICE, ALICE_KEY));
}

#[test]
fn revoke_spending_key_reverts_when_key_unknown() {
    let (host, mut avatar) = deploy_with_key(500);
    // Never authorised by this user: Bob cannot revoke Alice's key either.
    host.vm.set_sender(BOB);
    assert_eq!(avatar.revoke_spending_key(ALICE_KEY), Err(unknown_key(BOB, ALICE_KEY)));
    assert!(avatar.is_spending_key(ALICE, ALICE_KEY));
    // Already revoked.
    host.vm.set_sender(ALICE);
    avatar.revoke_spending_key(ALICE_KEY).unwrap();
    let before = log_count(&host);
    assert_eq!(avatar.revoke_spending_key(ALICE_KEY), Err(unknown_key(ALICE, ALICE_KEY)));
    assert_eq!(log_count(&host), before);
}

#[test]
fn revoke_spending_key_succeeds_when_key_expired() {
    let (host, mut avatar) = deploy_with_key(500);
    host.vm.set_block_timestamp(NOW + 2 * DAY);
    assert!(!avatar.is_spending_key(ALICE, ALICE_KEY));
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (U256::from(500), NOW + DAY));
    host.vm.set_sender(ALICE);
    avatar.revoke_spending_key(ALICE_KEY).unwrap();
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (U256::ZERO, 0));
}

#[test]
fn transfer_from_with_key_charges_cap_across_pulls_down_to_zero_then_refuses() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(STORE);
    let before = log_count(&host);
    for (amount, left) in [(30u64, 70u64), (45, 25), (25, 0)] {
        assert_eq!(
            avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(amount)),
            Ok(true)
        );
        assert_eq!(
            host.last_log::<SpendingKeyCharged>(),
            SpendingKeyCharged {
                user: ALICE,
                key: ALICE_KEY,
                spender: STORE,
                amount: U256::from(amount),
                remaining: U256::from(left)
            }
        );
        assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(left));
    }
    assert_eq!(
        host.calls(),
        [30, 45, 25].map(|amount| token_call(transfer_from_data(ALICE, CREATOR, amount)))
    );
    assert_eq!(logs_since::<SpendingKeyCharged>(&host, before).len(), 3);
    assert_eq!(
        avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(1)),
        Err(encoded(Error::SpendingCapExceeded(AvatarSpendingCapExceeded {
            user: ALICE,
            key: ALICE_KEY,
            amount: U256::from(1),
            remaining: U256::ZERO
        })))
    );
    assert_eq!(host.calls().len(), 3);
    // Still a key (the user registry may rely on it), just an empty one.
    assert!(avatar.is_spending_key(ALICE, ALICE_KEY));
}

#[test]
fn transfer_from_with_key_reverts_when_amount_exceeds_remaining() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(STORE);
    for amount in [U256::from(101), U256::from(1) << 96, U256::MAX] {
        assert_eq!(
            avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, amount),
            Err(encoded(Error::SpendingCapExceeded(AvatarSpendingCapExceeded {
                user: ALICE,
                key: ALICE_KEY,
                amount,
                remaining: U256::from(100)
            })))
        );
    }
    assert!(host.calls().is_empty());
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(100));
}

#[test]
fn transfer_from_with_key_refuses_at_expiry_and_allows_one_second_before() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(STORE);
    host.vm.set_block_timestamp(NOW + DAY - 1);
    assert!(avatar.is_spending_key(ALICE, ALICE_KEY));
    assert_eq!(avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(10)), Ok(true));
    for now in [NOW + DAY, NOW + DAY + 1] {
        host.vm.set_block_timestamp(now);
        assert!(!avatar.is_spending_key(ALICE, ALICE_KEY));
        assert_eq!(
            avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(10)),
            Err(encoded(Error::SpendingKeyExpired(AvatarSpendingKeyExpired {
                user: ALICE,
                key: ALICE_KEY,
                expiry: NOW + DAY
            })))
        );
    }
    assert_eq!(host.calls().len(), 1);
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(90));
}

#[test]
fn transfer_from_with_key_reverts_at_once_when_key_revoked() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(ALICE);
    avatar.revoke_spending_key(ALICE_KEY).unwrap();
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(1)),
        Err(encoded(unknown_key(ALICE, ALICE_KEY)))
    );
    assert!(host.calls().is_empty());
}

#[test]
fn transfer_from_with_key_reverts_when_key_belongs_to_another_user() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(BOB);
    avatar.authorize_spending_key(BOB_KEY, U256::from(100), NOW + DAY).unwrap();
    host.vm.set_sender(STORE);
    // Alice's key cannot pull Bob's funds, nor Bob's key Alice's.
    for (user, key) in [(BOB, ALICE_KEY), (ALICE, BOB_KEY)] {
        assert_eq!(
            avatar.transfer_from_with_key(user, key, CREATOR, U256::from(1)),
            Err(encoded(unknown_key(user, key)))
        );
    }
    assert!(host.calls().is_empty());
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(100));
    assert_eq!(avatar.spending_key(BOB, BOB_KEY).0, U256::from(100));
}

#[test]
fn transfer_from_with_key_reverts_when_key_is_not_the_users_key() {
    // A whitelisted contract whose caller is not one of the user's keys (a stranger, or the
    // user's own address, which is never a spending key) gets nothing.
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(STORE);
    for key in [STRANGER, ALICE, Address::ZERO] {
        assert_eq!(
            avatar.transfer_from_with_key(ALICE, key, CREATOR, U256::from(1)),
            Err(encoded(unknown_key(ALICE, key)))
        );
    }
    assert!(host.calls().is_empty());
}

#[test]
fn transfer_from_with_key_reverts_when_caller_is_not_whitelisted() {
    // Not the key holder itself, not the owner, not a stranger: only whitelisted contracts.
    let (host, mut avatar) = deploy_with_key(100);
    for caller in [ALICE_KEY, ALICE, OWNER, STRANGER, CHANNELS] {
        host.vm.set_sender(caller);
        assert_eq!(
            avatar.transfer_from_with_key(ALICE, ALICE_KEY, caller, U256::from(1)),
            Err(not_whitelisted(caller))
        );
    }
    assert!(host.calls().is_empty());
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(100));
}

#[test]
fn transfer_from_with_key_bubbles_token_revert_data_unchanged() {
    let (host, mut avatar) = deploy_with_key(100);
    let revert = ERC20InsufficientAllowance {
        spender: Address::ZERO,
        allowance: U256::ZERO,
        needed: U256::from(10),
    }
    .abi_encode();
    host.answer_call(TOKEN, transfer_from_data(ALICE, CREATOR, 10), Err(revert.clone()));
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(10)),
        Err(revert)
    );
    assert_eq!(host.calls(), [token_call(transfer_from_data(ALICE, CREATOR, 10))]);
}

#[test]
fn transfer_from_with_key_reverts_when_token_returns_false() {
    let (host, mut avatar) = deploy_with_key(100);
    host.answer_call(TOKEN, transfer_from_data(ALICE, CREATOR, 10), Ok(vec![0; 32]));
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(10)),
        Err(PeerCallReturnedFalse { target: TOKEN }.abi_encode())
    );
}

#[test]
fn spending_key_storage_packs_remaining_and_expiry_into_one_slot() {
    use stylus_sdk::storage::StorageType;
    assert_eq!(<SpendingKey as StorageType>::REQUIRED_SLOTS, 1);
}
