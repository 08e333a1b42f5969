//! The attacks of `channels.md` §3, one named test each, across operations.

use super::*;

/// §3.1: a replayed voucher, and an older one, are stale.
#[test]
fn settle_reverts_when_voucher_replayed_or_older() {
    let (host, mut contract, id) = opened();
    contract.settle(channel(), 10, voucher(10)).unwrap();
    assert_eq!(contract.settle(channel(), 10, voucher(10)), Err(err(stale(id, 10, 10))));
    assert_eq!(contract.settle(channel(), 9, voucher(9)), Err(err(stale(id, 9, 10))));
    assert_eq!(host.calls().len(), 2, "paid once");
}

/// §3.1 / §3.4: a payee closing with an older voucher cannot lower what was settled.
#[test]
fn close_keeps_settled_count_when_voucher_is_stale() {
    let (host, mut contract, id) = opened();
    contract.settle(channel(), 50, voucher(50)).unwrap();
    host.vm.set_sender(payee().address());
    contract.close(channel(), 20, voucher(20)).unwrap();
    assert_eq!(calls_after(&host, 2), vec![pay(payer().address(), DEPOSIT - worth(50))]);
    let closed = host.last_log::<ChannelClosed>();
    assert_eq!((closed.segments, closed.paid), (50, worth(50)));
    assert_eq!(contract.channel_state(id).1, 50);
}

/// §3.2: the high-s twin of a valid voucher recovers the same signer through the raw
/// precompile, and is refused.
#[test]
fn settle_reverts_when_voucher_s_is_high() {
    let (_, mut contract, _) = opened();
    let sig = paratii_contracts::ecdsa::Signature::from_packed(&voucher(5)).unwrap();
    let twin = high_s_twin(&sig);
    assert_eq!(
        contract.settle(channel(), 5, pack(&twin)),
        Err(err(Error::InvalidSignatureS(ECDSAInvalidSignatureS { s: twin.s })))
    );
}

/// §3.2: 64-byte (EIP-2098 compact) and 66-byte signatures are refused.
#[test]
fn settle_reverts_when_signature_is_not_65_bytes() {
    let (_, mut contract, _) = opened();
    let sig = voucher(5);
    for len in [64usize, 66] {
        let mut bytes = sig.0.clone();
        bytes.resize(len, 0);
        assert_eq!(
            contract.settle(channel(), 5, ByteVec(bytes)),
            Err(err(Error::InvalidSignatureLength(ECDSAInvalidSignatureLength {
                length: U256::from(len)
            })))
        );
    }
}

/// §3.2: `v` other than 27 or 28 is refused.
#[test]
fn settle_reverts_when_v_is_not_27_or_28() {
    let (_, mut contract, _) = opened();
    let mut bytes = voucher(5).0;
    bytes[64] = 1;
    assert_eq!(
        contract.settle(channel(), 5, ByteVec(bytes)),
        Err(err(Error::InvalidSignatureV(ECDSAInvalidSignatureV { v: 1 })))
    );
}

/// §3.14: a signature that recovers nothing (r = 0) is refused, never taken as the zero signer.
#[test]
fn settle_reverts_when_signature_recovers_zero_address_even_with_zero_signer() {
    let (host, mut contract) = deploy();
    let c = Channel { signer: Address::ZERO, ..channel() };
    open(&host, &mut contract, &c, DEPOSIT);
    let mut bytes = vec![0u8; 65];
    bytes[64] = 27;
    assert_eq!(
        contract.settle(c, 5, ByteVec(bytes)),
        Err(err(Error::InvalidSignature(ECDSAInvalidSignature {})))
    );
}

/// §3.3: a voucher signed for another chain recovers another address.
#[test]
fn settle_reverts_when_voucher_signed_for_another_chain() {
    let (_, mut contract, id) = opened();
    let sig = voucher_on(&session(), id, 5, 42_161, ADJUDICATOR);
    let signer = recovered(id, 5, &sig);
    assert_ne!(signer, session().address());
    assert_eq!(contract.settle(channel(), 5, sig), Err(err(invalid_signer(id, signer))));
}

/// §3.3 (go-nitro #889): a voucher signed for another adjudicator on the same chain.
#[test]
fn settle_reverts_when_voucher_signed_for_another_contract() {
    let (_, mut contract, id) = opened();
    let sig = voucher_on(&session(), id, 5, CHAIN_ID, OTHER_ADJUDICATOR);
    let signer = recovered(id, 5, &sig);
    assert_eq!(contract.settle(channel(), 5, sig), Err(err(invalid_signer(id, signer))));
}

/// §3.3 / µRaiden #134: a voucher for another channel (same payer, payee and key, another salt)
/// does not pay this one.
#[test]
fn settle_reverts_when_voucher_is_for_another_channel() {
    let (host, mut contract, id) = opened();
    let other = Channel { salt: B256::repeat_byte(0x22), ..channel() };
    open(&host, &mut contract, &other, DEPOSIT);
    let sig = voucher_on(&session(), id_of(&other), 5, CHAIN_ID, ADJUDICATOR);
    let signer = recovered(id, 5, &sig);
    assert_eq!(contract.settle(channel(), 5, sig), Err(err(invalid_signer(id, signer))));
}

/// §3.3: type confusion. A `CloseAuthorization` signed by the channel's signer is no voucher.
#[test]
fn settle_reverts_when_signature_is_a_close_authorization() {
    let (_, mut contract, id) = opened();
    let auth = close_authorization_by(&session(), id, 5);
    let signer = recovered(id, 5, &auth);
    assert_ne!(signer, session().address());
    assert_eq!(contract.settle(channel(), 5, auth), Err(err(invalid_signer(id, signer))));
}

/// §3.3: type confusion the other way. In a channel whose signer is the payee's own key (the
/// payer chose it), the payee's voucher signature cannot serve as its close authorization.
#[test]
fn close_with_authorization_reverts_when_authorization_is_a_voucher() {
    let (host, mut contract) = deploy();
    let c = Channel { signer: payee().address(), ..channel() };
    let id = open(&host, &mut contract, &c, DEPOSIT);
    let v = voucher_on(&payee(), id, 5, CHAIN_ID, ADJUDICATOR);
    let signer = recovered_authorization(id, 5, &v);
    assert_ne!(signer, payee().address());
    host.vm.set_sender(RELAYER);
    assert_eq!(
        contract.close_with_authorization(c, 5, AUTH_DEADLINE, v.clone(), v),
        Err(err(invalid_authorization(id, signer)))
    );
    assert!(!contract.channel_state(id).3);
}

/// §3.4: the payer requests a close hoping to leave the last segments unpaid; the payee settles
/// its latest voucher during the grace period, and may still close.
#[test]
fn settle_and_close_succeed_during_grace_period_after_close_request() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE - 1);
    host.vm.set_sender(RELAYER);
    contract.settle(channel(), 300, voucher(300)).unwrap();
    host.vm.set_sender(payee().address());
    contract.close(channel(), 400, voucher(400)).unwrap();
    assert_eq!(
        calls_after(&host, 1),
        vec![
            pay(payee().address(), worth(300)),
            pay(payee().address(), worth(100)),
            pay(payer().address(), DEPOSIT - worth(400))
        ]
    );
    assert_eq!(contract.channel_state(id).4, PHASE_FINALIZED);
}

/// §3.4 / §3.7: after the grace period, until the payer withdraws, a watchtower can still settle.
#[test]
fn settle_succeeds_after_grace_period_until_payer_withdraws() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE + 1);
    host.vm.set_sender(RELAYER);
    contract.settle(channel(), 7, voucher(7)).unwrap();
    host.vm.set_sender(payer().address());
    contract.withdraw(channel()).unwrap();
    assert_eq!(contract.settle(channel(), 8, voucher(8)), Err(err(finalized(id))));
}

/// §3.5 (Livepeer d153b78): a stranger can neither cancel a pending close (by topping up) nor
/// start one, nor withdraw.
#[test]
fn top_up_request_close_and_withdraw_revert_when_caller_is_stranger() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        contract.top_up(channel(), PRICE),
        Err(err(Error::NotPayer(ChannelNotPayer { channelId: id, caller: STRANGER })))
    );
    assert_eq!(contract.channel_state(id).2, NOW, "still pending");
    let (host2, mut other, id2) = opened();
    host2.vm.set_sender(STRANGER);
    assert_eq!(
        other.request_close(channel()),
        Err(Error::NotPayer(ChannelNotPayer { channelId: id2, caller: STRANGER }))
    );
    assert_eq!(other.channel_state(id2).2, 0, "never started");
    host.vm.set_block_timestamp(NOW + GRACE);
    assert_eq!(
        contract.withdraw(channel()),
        Err(err(Error::NotPayer(ChannelNotPayer { channelId: id, caller: STRANGER })))
    );
}

/// §3.6: the payee never settles nor closes; the payer exits after the grace period, whole.
#[test]
fn withdraw_refunds_payer_after_grace_period_when_payee_never_acts() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE);
    contract.withdraw(channel()).unwrap();
    assert_eq!(calls_after(&host, 1), vec![pay(payer().address(), DEPOSIT)]);
    assert_eq!(contract.channel_state(id).4, PHASE_FINALIZED);
}

/// §3.7: a payee without ETH has a relayer settle for it; the payout goes to the payee.
#[test]
fn settle_by_relayer_pays_payee() {
    let (host, mut contract, _) = opened();
    host.vm.set_sender(RELAYER);
    contract.settle(channel(), 3, voucher(3)).unwrap();
    assert_eq!(calls_after(&host, 1), vec![pay(payee().address(), worth(3))]);
}

/// §3.8: settle-then-close and close-then-settle end in the same balances and record.
#[test]
fn settle_and_close_reach_same_outcome_in_either_order() {
    let run = |settle_first: bool| {
        let (host, mut contract, id) = opened();
        host.vm.set_sender(payee().address());
        let settle = |contract: &mut PaymentChannels| contract.settle(channel(), 10, voucher(10));
        if settle_first {
            settle(&mut contract).unwrap();
        }
        contract.close(channel(), 12, voucher(12)).unwrap();
        if !settle_first {
            assert_eq!(settle(&mut contract), Err(err(finalized(id))));
        }
        let mut paid = [U256::ZERO; 2];
        for call in calls_after(&host, 1) {
            let t = transferCall::abi_decode(&call.data).unwrap();
            paid[usize::from(t.to == payer().address())] += t.value;
        }
        (paid, contract.channel_state(id))
    };
    assert_eq!(run(true), run(false));
    assert_eq!(run(true).0, [worth(12), DEPOSIT - worth(12)], "payee, then payer");
}

/// §3.8: a permit front-run by a griefer does not block the open (covered by
/// `open_with_permit_succeeds_when_permit_front_run_and_allowance_covers`); and a stranger
/// cannot spend the payer's allowance to this contract, since an open pulls from its caller.
#[test]
fn open_reverts_when_stranger_opens_with_payers_allowance() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(STRANGER);
    let c = Channel { payee: STRANGER, ..channel() };
    assert_eq!(
        contract.open(c, DEPOSIT),
        Err(err(Error::NotPayer(ChannelNotPayer { channelId: id_of(&c), caller: STRANGER })))
    );
    assert!(host.calls().is_empty());
}

/// §3.9: effects come before every transfer. The `TestVM` does not roll back a reverted call's
/// writes, so a payout made to revert shows what was stored before it ran: the new count. A
/// re-entrant settle of the same voucher from inside the transfer is therefore stale.
#[test]
fn settle_stores_count_before_transfer_so_reentrant_replay_is_stale() {
    let (host, mut contract, id) = opened();
    host.answer_call(
        TOKEN,
        pay(payee().address(), worth(10)).data,
        Err(b"inside transfer".to_vec()),
    );
    assert_eq!(contract.settle(channel(), 10, voucher(10)), Err(b"inside transfer".to_vec()));
    assert_eq!(contract.channel_state(id).1, 10, "stored before the call");
    assert_eq!(contract.settle(channel(), 10, voucher(10)), Err(err(stale(id, 10, 10))));
}

/// §3.9: the same for close and withdraw: finalized before the first transfer.
#[test]
fn close_and_withdraw_finalize_before_transfer_so_reentry_is_refused() {
    let (host, mut contract, id) = opened();
    host.answer_call(
        TOKEN,
        pay(payee().address(), worth(10)).data,
        Err(b"inside transfer".to_vec()),
    );
    host.vm.set_sender(payee().address());
    assert_eq!(contract.close(channel(), 10, voucher(10)), Err(b"inside transfer".to_vec()));
    assert!(contract.channel_state(id).3, "finalized before the call");
    assert_eq!(contract.close(channel(), 10, voucher(10)), Err(err(finalized(id))));

    let (host, mut contract, id) = opened();
    host.answer_call(TOKEN, pay(payer().address(), DEPOSIT).data, Err(b"inside transfer".to_vec()));
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE);
    assert_eq!(contract.withdraw(channel()), Err(b"inside transfer".to_vec()));
    assert_eq!(contract.withdraw(channel()), Err(err(finalized(id))));
}

/// §3.10: amounts are `segments × price` computed on chain: paying in many steps sums to the
/// same as paying at once, to the wei, even at a price that is not a round number.
#[test]
fn settle_amounts_sum_exactly_to_segments_times_price() {
    let (host, mut contract) = deploy();
    let price = U256::from(333_333_333_333_333_333u64);
    let c = Channel { price_per_segment: price, ..channel() };
    let id = open(&host, &mut contract, &c, price * U256::from(1_000));
    let mut total = U256::ZERO;
    for n in [1u64, 7, 8, 99, 500, 999] {
        contract.settle(c, n, voucher_on(&session(), id, n, CHAIN_ID, ADJUDICATOR)).unwrap();
        total += host.last_log::<ChannelSettled>().amount;
        assert_eq!(total, price * U256::from(n));
    }
}

/// §3.11: the largest counts and amounts are refused with typed errors, never wrapped: a voucher
/// at `u64::MAX` segments on a `2⁹⁶ − 1` price is worth 2¹⁶⁰-ish, above any deposit.
#[test]
fn settle_reverts_when_segments_times_price_is_huge() {
    let (host, mut contract) = deploy();
    let c = Channel { price_per_segment: MAX_AMOUNT, ..channel() };
    let id = open(&host, &mut contract, &c, MAX_AMOUNT);
    let sig = voucher_on(&session(), id, u64::MAX, CHAIN_ID, ADJUDICATOR);
    assert_eq!(
        contract.settle(c, u64::MAX, sig),
        Err(err(Error::VoucherExceedsDeposit(ChannelVoucherExceedsDeposit {
            channelId: id,
            segments: u64::MAX,
            amount: MAX_AMOUNT * U256::from(u64::MAX),
            deposit: MAX_AMOUNT,
        })))
    );
    contract.settle(c, 1, voucher_on(&session(), id, 1, CHAIN_ID, ADJUDICATOR)).unwrap();
    assert_eq!(host.last_log::<ChannelSettled>().amount, MAX_AMOUNT);
}

/// §3.12: per-channel escrow: a voucher of one channel cannot reach another channel's deposit.
#[test]
fn settle_cannot_spend_another_channels_deposit() {
    let (host, mut contract, id) = opened();
    let other = Channel { salt: B256::repeat_byte(0x33), ..channel() };
    open(&host, &mut contract, &other, DEPOSIT);
    // 1,500 segments would need both deposits.
    assert_eq!(
        contract.settle(channel(), 1_500, voucher(1_500)),
        Err(err(Error::VoucherExceedsDeposit(ChannelVoucherExceedsDeposit {
            channelId: id,
            segments: 1_500,
            amount: worth(1_500),
            deposit: DEPOSIT,
        })))
    );
    assert_eq!(contract.channel_state(id).1, 0);
}

/// §3.13 (Raiden #170): a finalized id never reopens, so its old vouchers never pay again; the
/// parties open a new channel with a new salt, where the old vouchers do not verify.
#[test]
fn open_reverts_when_channel_finalized_and_new_salt_refuses_old_vouchers() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    contract.close(channel(), 10, voucher(10)).unwrap();
    host.vm.set_sender(payer().address());
    assert_eq!(
        contract.open(channel(), DEPOSIT),
        Err(err(Error::AlreadyExists(ChannelAlreadyExists { channelId: id })))
    );
    let fresh = Channel { salt: B256::repeat_byte(0x44), ..channel() };
    let fresh_id = open(&host, &mut contract, &fresh, DEPOSIT);
    assert_ne!(fresh_id, id);
    let old = voucher(10);
    assert_eq!(
        contract.settle(fresh, 10, old.clone()),
        Err(err(invalid_signer(fresh_id, recovered(fresh_id, 10, &old))))
    );
}

/// §3.13: the same parameters open once; any change in calldata names another (absent) channel,
/// so a caller cannot lie about the price or the payee.
#[test]
fn settle_reverts_when_parameters_differ_from_opened_channel() {
    let (host, mut contract, _) = opened();
    host.vm.set_sender(payer().address());
    assert_eq!(
        contract.open(channel(), DEPOSIT),
        Err(err(Error::AlreadyExists(ChannelAlreadyExists { channelId: id_of(&channel()) })))
    );
    let lying = Channel { price_per_segment: PRICE * U256::from(2), ..channel() };
    assert_eq!(contract.settle(lying, 5, voucher(5)), Err(err(not_found(id_of(&lying)))));
}

/// §3.13: nothing changes a finalized channel.
#[test]
fn finalized_channel_refuses_every_operation() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    contract.close(channel(), 10, voucher(10)).unwrap();
    let before = contract.channel_state(id);
    let calls = host.calls().len();
    host.vm.set_sender(payer().address());
    assert_eq!(contract.top_up(channel(), PRICE), Err(err(finalized(id))));
    assert_eq!(contract.request_close(channel()), Err(finalized(id)));
    assert_eq!(contract.withdraw(channel()), Err(err(finalized(id))));
    assert_eq!(contract.settle(channel(), 20, voucher(20)), Err(err(finalized(id))));
    assert_eq!(contract.settle_batch(vec![item(&channel(), &session(), 20)]), Ok(U256::ZERO));
    host.vm.set_sender(payee().address());
    assert_eq!(contract.close(channel(), 20, voucher(20)), Err(err(finalized(id))));
    assert_eq!(contract.channel_state(id), before);
    assert_eq!(host.calls().len(), calls);
}

/// §3.15: a contract-wallet payer (no key of its own) registers an EOA session key at open;
/// its vouchers verify with `ecrecover`, no ERC-1271 involved.
#[test]
fn settle_accepts_session_key_voucher_when_payer_is_contract_wallet() {
    let (host, mut contract) = deploy();
    let c = Channel { payer: WALLET, ..channel() };
    let id = open(&host, &mut contract, &c, DEPOSIT);
    let sig = voucher_on(&session(), id, 9, CHAIN_ID, ADJUDICATOR);
    assert_eq!(contract.settle(c, 9, sig), Ok(()));
}

/// §3.16: both recipients of every transfer are non-zero by construction (the payer is a
/// caller or an avatar-checked user, the payee is checked at open), so PTI never refuses a
/// payout; a refused transfer reverts the whole call (see the `*_returns_false` tests).
#[test]
fn open_reverts_when_payee_is_zero_so_payouts_never_go_to_zero() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(session().address());
    let c = Channel { payee: Address::ZERO, ..channel() };
    assert_eq!(
        contract.open_for(c, DEPOSIT),
        Err(err(Error::InvalidPayee(ChannelInvalidPayee { payer: c.payer, payee: Address::ZERO })))
    );
}
