//! `settle` and `settleBatch`.

use super::*;

#[test]
fn settle_pays_payee_segments_times_price_and_logs() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    contract.settle(channel(), 10, voucher(10)).unwrap();
    assert_eq!(calls_after(&host, 1), vec![pay(payee().address(), worth(10))]);
    assert_eq!(contract.channel_state(id), (DEPOSIT, 10, 0, false, PHASE_OPEN));
    assert_eq!(
        host.last_log::<ChannelSettled>(),
        ChannelSettled { channelId: id, segments: 10, amount: worth(10) }
    );
}

#[test]
fn settle_pays_only_the_delta_when_settled_before() {
    let (host, mut contract, _) = opened();
    host.vm.set_sender(payee().address());
    contract.settle(channel(), 10, voucher(10)).unwrap();
    contract.settle(channel(), 25, voucher(25)).unwrap();
    assert_eq!(
        calls_after(&host, 1),
        vec![pay(payee().address(), worth(10)), pay(payee().address(), worth(15))]
    );
    assert_eq!(host.last_log::<ChannelSettled>().amount, worth(15));
}

#[test]
fn settle_pays_whole_deposit_at_last_segment() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    contract.settle(channel(), 1_000, voucher(1_000)).unwrap();
    assert_eq!(calls_after(&host, 1), vec![pay(payee().address(), DEPOSIT)]);
    assert_eq!(contract.channel_state(id).1, 1_000);
}

#[test]
fn settle_accepts_payer_signature_when_signer_is_zero() {
    let (host, mut contract) = deploy();
    let c = Channel { signer: Address::ZERO, ..channel() };
    let id = open(&host, &mut contract, &c, DEPOSIT);
    let sig = voucher_on(&payer(), id, 5, CHAIN_ID, ADJUDICATOR);
    assert_eq!(contract.settle(c, 5, sig), Ok(()));
    // ...and the session key, not named in this channel, cannot sign for it.
    let sig = voucher_on(&session(), id, 6, CHAIN_ID, ADJUDICATOR);
    assert_eq!(
        contract.settle(c, 6, sig),
        Err(err(Error::InvalidSigner(ChannelInvalidSigner {
            channelId: id,
            signer: session().address(),
            expected: payer().address(),
        })))
    );
}

#[test]
fn settle_reverts_when_payer_signs_but_signer_is_session_key() {
    let (_, mut contract, id) = opened();
    let sig = voucher_on(&payer(), id, 5, CHAIN_ID, ADJUDICATOR);
    assert_eq!(contract.settle(channel(), 5, sig), Err(err(invalid_signer(id, payer().address()))));
}

#[test]
fn settle_reverts_when_voucher_exceeds_deposit() {
    let (host, mut contract, id) = opened();
    assert_eq!(
        contract.settle(channel(), 1_001, voucher(1_001)),
        Err(err(Error::VoucherExceedsDeposit(ChannelVoucherExceedsDeposit {
            channelId: id,
            segments: 1_001,
            amount: worth(1_001),
            deposit: DEPOSIT,
        })))
    );
    assert_eq!(host.calls().len(), 1, "nothing paid: never a partial payout");
    assert_eq!(contract.channel_state(id).1, 0);
}

#[test]
fn settle_reverts_when_channel_not_found() {
    let (_, mut contract) = deploy();
    assert_eq!(contract.settle(channel(), 1, voucher(1)), Err(err(not_found(id_of(&channel())))));
}

#[test]
fn settle_reverts_when_token_returns_false() {
    let (host, mut contract, _) = opened();
    let falsy = U256::ZERO.to_be_bytes::<32>().to_vec();
    host.answer_call(TOKEN, pay(payee().address(), worth(3)).data, Ok(falsy));
    assert_eq!(
        contract.settle(channel(), 3, voucher(3)),
        Err(PeerCallReturnedFalse { target: TOKEN }.abi_encode())
    );
}

#[test]
fn settle_accepts_token_returning_true() {
    let (host, mut contract, _) = opened();
    let truthy = U256::from(1).to_be_bytes::<32>().to_vec();
    host.answer_call(TOKEN, pay(payee().address(), worth(3)).data, Ok(truthy));
    assert_eq!(contract.settle(channel(), 3, voucher(3)), Ok(()));
}

#[test]
fn settle_does_not_cancel_close_request() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    contract.settle(channel(), 4, voucher(4)).unwrap();
    assert_eq!(contract.channel_state(id).2, NOW);
}

// --- settleBatch ---

/// Three channels of three payers to one payee, opened.
fn three_payers() -> (PrecompileHost, PaymentChannels, Vec<Channel>) {
    let (host, mut contract) = deploy();
    let channels: Vec<Channel> = (0..3u8)
        .map(|i| Channel {
            payer: Signer::from_seed(10 + u64::from(i)).address(),
            signer: session().address(),
            salt: B256::repeat_byte(i),
            ..channel()
        })
        .collect();
    for c in &channels {
        open(&host, &mut contract, c, DEPOSIT);
    }
    (host, contract, channels)
}

#[test]
fn settle_batch_aggregates_payouts_to_one_payee_into_one_transfer() {
    let (host, mut contract, channels) = three_payers();
    let items: Vec<SettleItem> =
        channels.iter().zip([10, 20, 30]).map(|(c, n)| item(c, &session(), n)).collect();
    host.vm.set_sender(RELAYER);
    assert_eq!(contract.settle_batch(items), Ok(U256::from(3)));
    assert_eq!(calls_after(&host, 3), vec![pay(payee().address(), worth(60))]);
    let settled = logs_of::<ChannelSettled>(&host);
    assert_eq!(
        settled,
        channels
            .iter()
            .zip([10, 20, 30])
            .map(|(c, n)| ChannelSettled { channelId: id_of(c), segments: n, amount: worth(n) })
            .collect::<Vec<_>>()
    );
    for (c, n) in channels.iter().zip([10, 20, 30]) {
        assert_eq!(contract.channel_state(id_of(c)).1, n);
    }
}

#[test]
fn settle_batch_pays_each_payee_once() {
    let (host, mut contract) = deploy();
    let a = channel();
    let b = Channel { payee: STRANGER, ..channel() };
    open(&host, &mut contract, &a, DEPOSIT);
    open(&host, &mut contract, &b, DEPOSIT);
    let items = vec![item(&a, &session(), 1), item(&b, &session(), 2), item(&a, &session(), 4)];
    assert_eq!(contract.settle_batch(items), Ok(U256::from(3)));
    assert_eq!(calls_after(&host, 2), vec![pay(a.payee, worth(4)), pay(STRANGER, worth(2))]);
    assert_eq!(contract.channel_state(id_of(&a)).1, 4);
}

#[test]
fn settle_batch_skips_bad_items_and_settles_the_rest() {
    let (host, mut contract, channels) = three_payers();
    let forged = item(&channels[1], &mallory(), 20);
    let items = vec![
        item(&channels[0], &session(), 10),
        forged,
        item(&channels[2], &session(), 2_000),
        item(&channels[2], &session(), 30),
    ];
    assert_eq!(contract.settle_batch(items), Ok(U256::from(2)));
    assert_eq!(calls_after(&host, 3), vec![pay(payee().address(), worth(40))]);
    let skipped = logs_of::<ChannelSettleSkipped>(&host);
    let forged_signer = {
        let sig =
            ByteVec(Signature::new(forged.v, forged.r, forged.s).unwrap().to_packed().to_vec());
        recovered(id_of(&channels[1]), 20, &sig)
    };
    assert_eq!(
        skipped,
        vec![
            ChannelSettleSkipped {
                channelId: id_of(&channels[1]),
                index: U256::from(1),
                reason: err(invalid_signer(id_of(&channels[1]), forged_signer)).into(),
            },
            ChannelSettleSkipped {
                channelId: id_of(&channels[2]),
                index: U256::from(2),
                reason: err(Error::VoucherExceedsDeposit(ChannelVoucherExceedsDeposit {
                    channelId: id_of(&channels[2]),
                    segments: 2_000,
                    amount: worth(2_000),
                    deposit: DEPOSIT,
                }))
                .into(),
            },
        ]
    );
    assert_eq!(contract.channel_state(id_of(&channels[1])).1, 0);
    assert_eq!(contract.channel_state(id_of(&channels[2])).1, 30);
}

#[test]
fn settle_batch_skips_replayed_and_high_s_items() {
    let (host, mut contract, channels) = three_payers();
    let good = item(&channels[0], &session(), 10);
    let twin =
        high_s_twin(&paratii_contracts::ecdsa::Signature { v: good.v, r: good.r, s: good.s });
    let malleated = SettleItem { v: twin.v, s: twin.s, ..good };
    assert_eq!(contract.settle_batch(vec![good, good, malleated]), Ok(U256::from(1)));
    let id = id_of(&channels[0]);
    // The replay is stale; the high-s twin is refused for its `s` before any count is compared.
    assert_eq!(
        logs_of::<ChannelSettleSkipped>(&host),
        vec![
            ChannelSettleSkipped {
                channelId: id,
                index: U256::from(1),
                reason: err(Error::StaleVoucher(ChannelStaleVoucher {
                    channelId: id,
                    segments: 10,
                    settled: 10,
                }))
                .into(),
            },
            ChannelSettleSkipped {
                channelId: id,
                index: U256::from(2),
                reason: err(Error::InvalidSignatureS(ECDSAInvalidSignatureS { s: twin.s })).into(),
            },
        ]
    );
}

#[test]
fn settle_batch_makes_no_call_when_every_item_fails() {
    let (host, mut contract, channels) = three_payers();
    let items = vec![item(&channels[0], &mallory(), 1)];
    assert_eq!(contract.settle_batch(items), Ok(U256::ZERO));
    assert_eq!(host.calls().len(), 3, "only the opening pulls");
    assert_eq!(contract.settle_batch(Vec::new()), Ok(U256::ZERO));
}

#[test]
fn settle_batch_reverts_whole_batch_when_transfer_returns_false() {
    let (host, mut contract, channels) = three_payers();
    let falsy = U256::ZERO.to_be_bytes::<32>().to_vec();
    host.answer_call(TOKEN, pay(payee().address(), worth(1)).data, Ok(falsy));
    assert_eq!(
        contract.settle_batch(vec![item(&channels[0], &session(), 1)]),
        Err(PeerCallReturnedFalse { target: TOKEN }.abi_encode())
    );
}
