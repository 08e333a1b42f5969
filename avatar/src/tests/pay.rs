//! A sale's two parts (seller and pool) in one call.

use super::*;

fn pool_address(host: &PrecompileHost) -> Address {
    use stylus_sdk::stylus_core::host::AccountAccess;
    host.vm.contract_address()
}

#[test]
fn pay_pulls_pool_part_then_owner_part() {
    let (host, mut avatar) = deploy_with_store();
    host.vm.set_sender(STORE);
    assert_eq!(avatar.pay(ALICE, CREATOR, U256::from(70), U256::from(30)), Ok(true));
    assert_eq!(
        host.calls(),
        [
            token_call(transfer_from_data(ALICE, pool_address(&host), 30)),
            token_call(transfer_from_data(ALICE, CREATOR, 70)),
        ]
    );
}

#[test]
fn pay_skips_zero_parts() {
    let (host, mut avatar) = deploy_with_store();
    host.vm.set_sender(STORE);
    avatar.pay(ALICE, CREATOR, U256::from(70), U256::ZERO).unwrap();
    avatar.pay(ALICE, CREATOR, U256::ZERO, U256::from(30)).unwrap();
    avatar.pay(ALICE, CREATOR, U256::ZERO, U256::ZERO).unwrap();
    assert_eq!(
        host.calls(),
        [
            token_call(transfer_from_data(ALICE, CREATOR, 70)),
            token_call(transfer_from_data(ALICE, pool_address(&host), 30)),
        ]
    );
}

#[test]
fn pay_reverts_when_caller_is_not_whitelisted() {
    let (host, mut avatar) = deploy_with_store();
    for caller in [OWNER, ALICE, STRANGER] {
        host.vm.set_sender(caller);
        assert_eq!(
            avatar.pay(ALICE, caller, U256::from(70), U256::from(30)),
            Err(not_whitelisted(caller))
        );
    }
    assert!(host.calls().is_empty());
}

#[test]
fn pay_bubbles_token_revert_data_unchanged() {
    let (host, mut avatar) = deploy_with_store();
    let short = ERC20InsufficientAllowance {
        spender: pool_address(&host),
        allowance: U256::from(5),
        needed: U256::from(30),
    }
    .abi_encode();
    host.answer_call(TOKEN, transfer_from_data(ALICE, pool_address(&host), 30), Err(short.clone()));
    host.vm.set_sender(STORE);
    assert_eq!(avatar.pay(ALICE, CREATOR, U256::from(70), U256::from(30)), Err(short));
}

#[test]
fn pay_with_key_charges_the_total_once_then_pulls_both_parts() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(STORE);
    let before = log_count(&host);
    assert_eq!(
        avatar.pay_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(70), U256::from(30)),
        Ok(true)
    );
    assert_eq!(
        logs_since::<SpendingKeyCharged>(&host, before),
        [SpendingKeyCharged {
            user: ALICE,
            key: ALICE_KEY,
            spender: STORE,
            amount: U256::from(100),
            remaining: U256::ZERO
        }]
    );
    assert_eq!(
        host.calls(),
        [
            token_call(transfer_from_data(ALICE, pool_address(&host), 30)),
            token_call(transfer_from_data(ALICE, CREATOR, 70)),
        ]
    );
}

#[test]
fn pay_with_key_refuses_whole_sale_when_only_one_part_fits() {
    let (host, mut avatar) = deploy_with_key(50);
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.pay_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(70), U256::from(30)),
        Err(encoded(Error::SpendingCapExceeded(AvatarSpendingCapExceeded {
            user: ALICE,
            key: ALICE_KEY,
            amount: U256::from(100),
            remaining: U256::from(50)
        })))
    );
    assert!(host.calls().is_empty());
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(50));
}

#[test]
fn pay_with_key_reports_max_amount_when_total_overflows() {
    let (host, mut avatar) = deploy_with_key(50);
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.pay_with_key(ALICE, ALICE_KEY, CREATOR, U256::MAX, U256::from(1)),
        Err(encoded(Error::SpendingCapExceeded(AvatarSpendingCapExceeded {
            user: ALICE,
            key: ALICE_KEY,
            amount: U256::MAX,
            remaining: U256::from(50)
        })))
    );
}

#[test]
fn pay_with_key_refuses_unknown_expired_and_foreign_keys() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.pay_with_key(BOB, ALICE_KEY, CREATOR, U256::from(1), U256::ZERO),
        Err(encoded(unknown_key(BOB, ALICE_KEY)))
    );
    host.vm.set_block_timestamp(NOW + DAY);
    assert_eq!(
        avatar.pay_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(1), U256::ZERO),
        Err(encoded(Error::SpendingKeyExpired(AvatarSpendingKeyExpired {
            user: ALICE,
            key: ALICE_KEY,
            expiry: NOW + DAY
        })))
    );
    host.vm.set_sender(STRANGER);
    assert_eq!(
        avatar.pay_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(1), U256::ZERO),
        Err(not_whitelisted(STRANGER))
    );
    assert!(host.calls().is_empty());
}
