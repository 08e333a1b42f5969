//! `close` by the payee and `closeWithAuthorization` by anyone.

use super::*;

#[test]
fn close_pays_delta_refunds_rest_and_finalizes() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    contract.settle(channel(), 100, voucher(100)).unwrap();
    contract.close(channel(), 250, voucher(250)).unwrap();
    assert_eq!(
        calls_after(&host, 2),
        vec![pay(payee().address(), worth(150)), pay(payer().address(), DEPOSIT - worth(250))]
    );
    assert_eq!(contract.channel_state(id), (DEPOSIT, 250, 0, true, PHASE_FINALIZED));
    assert_eq!(
        host.last_log::<ChannelClosed>(),
        ChannelClosed {
            channelId: id,
            payer: payer().address(),
            payee: payee().address(),
            videoId: VIDEO,
            segments: 250,
            paid: worth(250),
            refunded: DEPOSIT - worth(250),
        }
    );
}

#[test]
fn close_without_voucher_refunds_everything_when_nothing_settled() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    contract.close(channel(), 0, ByteVec::default()).unwrap();
    assert_eq!(calls_after(&host, 1), vec![pay(payer().address(), DEPOSIT)]);
    let closed = host.last_log::<ChannelClosed>();
    assert_eq!((closed.segments, closed.paid, closed.refunded), (0, U256::ZERO, DEPOSIT));
    assert!(contract.channel_state(id).3);
}

#[test]
fn close_makes_no_refund_call_when_deposit_fully_paid() {
    let (host, mut contract, _) = opened();
    host.vm.set_sender(payee().address());
    contract.close(channel(), 1_000, voucher(1_000)).unwrap();
    assert_eq!(calls_after(&host, 1), vec![pay(payee().address(), DEPOSIT)]);
}

#[test]
fn close_reverts_when_caller_is_not_payee() {
    let (host, mut contract, id) = opened();
    for caller in [payer().address(), STRANGER] {
        host.vm.set_sender(caller);
        assert_eq!(
            contract.close(channel(), 5, voucher(5)),
            Err(err(Error::NotPayee(ChannelNotPayee { channelId: id, caller })))
        );
    }
}

#[test]
fn close_reverts_when_voucher_exceeds_deposit() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    assert_eq!(
        contract.close(channel(), 1_001, voucher(1_001)),
        Err(err(Error::VoucherExceedsDeposit(ChannelVoucherExceedsDeposit {
            channelId: id,
            segments: 1_001,
            amount: worth(1_001),
            deposit: DEPOSIT,
        })))
    );
}

#[test]
fn close_reverts_when_voucher_signed_by_stranger() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    let sig = voucher_on(&mallory(), id, 5, CHAIN_ID, ADJUDICATOR);
    assert_eq!(
        contract.close(channel(), 5, sig),
        Err(err(invalid_signer(id, mallory().address())))
    );
}

// --- closeWithAuthorization ---

#[test]
fn close_with_authorization_by_relayer_pays_payee_and_refunds_payer() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(RELAYER);
    let auth = close_authorization_by(&payee(), id, 40);
    contract.close_with_authorization(channel(), 40, AUTH_DEADLINE, voucher(40), auth).unwrap();
    assert_eq!(
        calls_after(&host, 1),
        vec![pay(payee().address(), worth(40)), pay(payer().address(), DEPOSIT - worth(40))]
    );
    assert_eq!(contract.channel_state(id).4, PHASE_FINALIZED);
}

/// Attack (review, low): a close authorization the payee has outgrown cannot be replayed once
/// its deadline has passed.
#[test]
fn close_with_authorization_reverts_when_deadline_passed() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(RELAYER);
    let auth = close_authorization_by(&payee(), id, 40);
    host.vm.set_block_timestamp(AUTH_DEADLINE + 1);
    assert_eq!(
        contract.close_with_authorization(channel(), 40, AUTH_DEADLINE, voucher(40), auth),
        Err(err(Error::CloseAuthorizationExpired(ChannelCloseAuthorizationExpired {
            channelId: id,
            deadline: AUTH_DEADLINE,
            now: AUTH_DEADLINE + 1,
        })))
    );
    assert!(!contract.channel_state(id).3);
}

#[test]
fn close_with_authorization_succeeds_at_its_deadline() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(RELAYER);
    let auth = close_authorization_by(&payee(), id, 40);
    host.vm.set_block_timestamp(AUTH_DEADLINE);
    contract.close_with_authorization(channel(), 40, AUTH_DEADLINE, voucher(40), auth).unwrap();
    assert_eq!(contract.channel_state(id).4, PHASE_FINALIZED);
}

#[test]
fn close_with_authorization_reverts_when_relayer_changes_deadline() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(RELAYER);
    let auth = close_authorization_by(&payee(), id, 40);
    let later = AUTH_DEADLINE + 86_400;
    let a = CloseAuthorization { channelId: id, segments: 40, deadline: later };
    let signer = recover_digest(a.eip712_signing_hash(&domain_on(CHAIN_ID, ADJUDICATOR)), &auth);
    assert_eq!(
        contract.close_with_authorization(channel(), 40, later, voucher(40), auth),
        Err(err(invalid_authorization(id, signer)))
    );
}

#[test]
fn close_with_authorization_reverts_when_signed_by_stranger() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(RELAYER);
    let auth = close_authorization_by(&mallory(), id, 40);
    assert_eq!(
        contract.close_with_authorization(channel(), 40, AUTH_DEADLINE, voucher(40), auth),
        Err(err(invalid_authorization(id, mallory().address())))
    );
}

#[test]
fn close_with_authorization_reverts_when_relayer_changes_segments() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(RELAYER);
    // The payee agreed to close at 40; a relayer submits 30 with an older voucher.
    let auth = close_authorization_by(&payee(), id, 40);
    let signer = recovered_authorization(id, 30, &auth);
    assert_ne!(signer, payee().address());
    assert_eq!(
        contract.close_with_authorization(channel(), 30, AUTH_DEADLINE, voucher(30), auth),
        Err(err(invalid_authorization(id, signer)))
    );
    assert!(!contract.channel_state(id).3);
}

#[test]
fn close_with_authorization_reverts_when_authorization_is_empty() {
    let (host, mut contract, _) = opened();
    host.vm.set_sender(RELAYER);
    assert_eq!(
        contract.close_with_authorization(
            channel(),
            4,
            AUTH_DEADLINE,
            voucher(4),
            ByteVec::default()
        ),
        Err(err(Error::InvalidSignatureLength(ECDSAInvalidSignatureLength { length: U256::ZERO })))
    );
}
