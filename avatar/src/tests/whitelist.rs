//! The original's bug 3, fixed: only whitelisted contracts move funds (after the whitelist delay), and the pool pays out.

use super::*;

#[test]
fn transfer_from_reverts_when_caller_is_stranger_or_owner() {
    let (host, mut avatar) = deploy_with_store();
    for caller in [STRANGER, OWNER, ALICE, CREATOR] {
        host.vm.set_sender(caller);
        assert_eq!(
            avatar.transfer_from(ALICE, caller, U256::from(1)),
            Err(not_whitelisted(caller))
        );
    }
    assert!(host.calls().is_empty());
}

#[test]
fn transfer_from_reverts_once_removed_from_whitelist() {
    let (host, mut avatar) = deploy_with_store();
    host.vm.set_sender(OWNER);
    avatar.remove_from_whitelist(STORE).unwrap();
    assert_eq!(
        host.last_log::<WhitelistUpdated>(),
        WhitelistUpdated { account: STORE, whitelisted: false, effectiveAt: NOW }
    );
    host.vm.set_sender(STORE);
    assert_eq!(avatar.transfer_from(ALICE, CREATOR, U256::from(1)), Err(not_whitelisted(STORE)));
    assert!(host.calls().is_empty());
}

#[test]
fn transfer_from_bubbles_token_revert_data_unchanged() {
    let (host, mut avatar) = deploy_with_store();
    let revert = ERC20InsufficientAllowance {
        spender: Address::ZERO,
        allowance: U256::from(3),
        needed: U256::from(14),
    }
    .abi_encode();
    host.answer_call(TOKEN, transfer_from_data(ALICE, CREATOR, 14), Err(revert.clone()));
    host.vm.set_sender(STORE);
    assert_eq!(avatar.transfer_from(ALICE, CREATOR, U256::from(14)), Err(revert));
}

#[test]
fn transfer_from_reverts_when_token_returns_false() {
    let (host, mut avatar) = deploy_with_store();
    host.answer_call(TOKEN, transfer_from_data(ALICE, CREATOR, 14), Ok(vec![0; 32]));
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.transfer_from(ALICE, CREATOR, U256::from(14)),
        Err(PeerCallReturnedFalse { target: TOKEN }.abi_encode())
    );
}

#[test]
fn receive_accepts_ether_and_logs() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(ALICE);
    host.vm.set_value(U256::from(1_000));
    assert_eq!(avatar.receive(), Ok(()));
    assert_eq!(
        host.last_log::<PoolEtherReceived>(),
        PoolEtherReceived { from: ALICE, amount: U256::from(1_000) }
    );
}

#[test]
fn disburse_pays_pool_pti_with_an_event_per_payout() {
    let (host, mut avatar) = deploy();
    host.answer_call(TOKEN, transfer_data(BOB, 30), Ok(true_word()));
    host.vm.set_sender(OWNER);
    let before = log_count(&host);
    avatar.disburse(vec![ALICE, BOB], vec![U256::from(70), U256::from(30)]).unwrap();
    assert_eq!(
        host.calls(),
        [token_call(transfer_data(ALICE, 70)), token_call(transfer_data(BOB, 30))]
    );
    assert_eq!(
        logs_since::<PoolDisbursed>(&host, before),
        [(ALICE, 70u64), (BOB, 30)].map(|(to, amount)| PoolDisbursed {
            token: TOKEN,
            to,
            amount: U256::from(amount)
        })
    );
}

#[test]
fn disburse_reverts_when_caller_is_not_owner() {
    let (host, mut avatar) = deploy_with_store();
    for caller in [STRANGER, STORE] {
        host.vm.set_sender(caller);
        assert_eq!(
            avatar.disburse(vec![caller], vec![U256::from(1)]),
            Err(encoded(unauthorized(caller)))
        );
        assert_eq!(
            avatar.disburse_ether(vec![caller], vec![U256::from(1)]),
            Err(unauthorized(caller))
        );
    }
    assert!(host.calls().is_empty());
}

#[test]
fn disburse_reverts_when_lengths_differ() {
    let (host, mut avatar) = deploy();
    host.vm.set_balance(host.vm.contract_address(), U256::from(100));
    host.vm.set_sender(OWNER);
    let mismatch = Error::LengthMismatch(AvatarLengthMismatch {
        recipients: U256::from(2),
        amounts: U256::from(1),
    });
    assert_eq!(
        avatar.disburse(vec![ALICE, BOB], vec![U256::from(1)]),
        Err(encoded(mismatch.clone()))
    );
    assert_eq!(avatar.disburse_ether(vec![ALICE, BOB], vec![U256::from(1)]), Err(mismatch));
    assert!(host.calls().is_empty());
}

#[test]
fn disburse_reverts_before_any_payout_when_a_recipient_is_zero() {
    let (host, mut avatar) = deploy();
    host.vm.set_balance(host.vm.contract_address(), U256::from(100));
    host.vm.set_sender(OWNER);
    let invalid = Error::InvalidRecipient(AvatarInvalidRecipient { to: Address::ZERO });
    let (recipients, amounts) = (vec![ALICE, Address::ZERO], vec![U256::from(1), U256::from(2)]);
    assert_eq!(avatar.disburse(recipients.clone(), amounts.clone()), Err(encoded(invalid.clone())));
    assert_eq!(avatar.disburse_ether(recipients, amounts), Err(invalid));
    assert!(host.calls().is_empty());
}

#[test]
fn disburse_bubbles_insufficient_balance_from_token() {
    let (host, mut avatar) = deploy();
    let revert = ERC20InsufficientBalance {
        sender: Address::ZERO,
        balance: U256::from(10),
        needed: U256::from(30),
    }
    .abi_encode();
    host.answer_call(TOKEN, transfer_data(BOB, 30), Err(revert.clone()));
    host.vm.set_sender(OWNER);
    let before = log_count(&host);
    assert_eq!(
        avatar.disburse(vec![ALICE, BOB], vec![U256::from(10), U256::from(30)]),
        Err(revert)
    );
    // Only the payout that went through logged (on chain the whole call reverts).
    assert_eq!(
        logs_since::<PoolDisbursed>(&host, before),
        [PoolDisbursed { token: TOKEN, to: ALICE, amount: U256::from(10) }]
    );
}

#[test]
fn disburse_reverts_when_token_returns_false() {
    let (host, mut avatar) = deploy();
    host.answer_call(TOKEN, transfer_data(ALICE, 10), Ok(vec![0; 32]));
    host.vm.set_sender(OWNER);
    assert_eq!(
        avatar.disburse(vec![ALICE], vec![U256::from(10)]),
        Err(PeerCallReturnedFalse { target: TOKEN }.abi_encode())
    );
}

#[test]
fn disburse_ether_pays_each_recipient_with_value_and_logs() {
    let (host, mut avatar) = deploy();
    host.vm.set_balance(host.vm.contract_address(), U256::from(100));
    host.vm.set_sender(OWNER);
    let before = log_count(&host);
    avatar.disburse_ether(vec![ALICE, BOB], vec![U256::from(60), U256::from(40)]).unwrap();
    assert_eq!(
        host.calls(),
        [(ALICE, 60u64), (BOB, 40)].map(|(to, value)| MadeCall {
            to,
            data: Vec::new(),
            value: U256::from(value)
        })
    );
    assert_eq!(
        logs_since::<PoolDisbursed>(&host, before),
        [(ALICE, 60u64), (BOB, 40)].map(|(to, amount)| PoolDisbursed {
            token: Address::ZERO,
            to,
            amount: U256::from(amount)
        })
    );
}

#[test]
fn disburse_ether_reverts_before_any_payout_when_pool_is_short() {
    let (host, mut avatar) = deploy();
    host.vm.set_balance(host.vm.contract_address(), U256::from(99));
    host.vm.set_sender(OWNER);
    let before = log_count(&host);
    assert_eq!(
        avatar.disburse_ether(vec![ALICE, BOB], vec![U256::from(60), U256::from(40)]),
        Err(Error::InsufficientEther(AvatarInsufficientEther {
            balance: U256::from(99),
            needed: U256::from(100)
        }))
    );
    assert!(host.calls().is_empty());
    assert_eq!(log_count(&host), before);
}

#[test]
fn disburse_ether_reverts_when_sum_overflows() {
    let (host, mut avatar) = deploy();
    host.vm.set_balance(host.vm.contract_address(), U256::MAX);
    host.vm.set_sender(OWNER);
    assert_eq!(
        avatar.disburse_ether(vec![ALICE, BOB], vec![U256::MAX, U256::from(1)]),
        Err(Error::InsufficientEther(AvatarInsufficientEther {
            balance: U256::MAX,
            needed: U256::MAX
        }))
    );
    assert!(host.calls().is_empty());
}

#[test]
fn disburse_ether_reverts_when_recipient_refuses() {
    let (host, mut avatar) = deploy();
    host.vm.set_balance(host.vm.contract_address(), U256::from(100));
    host.answer_call(BOB, Vec::new(), Err(b"no thanks".to_vec()));
    host.vm.set_sender(OWNER);
    assert_eq!(
        avatar.disburse_ether(vec![ALICE, BOB], vec![U256::from(60), U256::from(40)]),
        Err(Error::EtherRefused(AvatarEtherRefused { to: BOB, amount: U256::from(40) }))
    );
}
