//! `open`, `openWithPermit` and `openFor` (a spending key through the avatar).

use super::*;

#[test]
fn open_escrows_deposit_and_logs_opened() {
    let (host, mut contract) = deploy();
    let c = channel();
    host.vm.set_sender(c.payer);
    let id = contract.open(c, DEPOSIT).unwrap();
    assert_eq!(id, id_of(&c));
    assert_eq!(contract.channel_id(c), id);
    assert_eq!(host.calls(), vec![pull(c.payer, DEPOSIT)]);
    assert_eq!(contract.channel_state(id), (DEPOSIT, 0, 0, false, PHASE_OPEN));
    assert_eq!(
        host.last_log::<ChannelOpened>(),
        ChannelOpened {
            channelId: id,
            payer: c.payer,
            payee: c.payee,
            signer: c.signer,
            videoId: VIDEO,
            pricePerSegment: PRICE,
            salt: SALT,
            deposit: DEPOSIT,
        }
    );
}

#[test]
fn open_accepts_one_segment_and_u96_max_deposits() {
    let (host, mut contract) = deploy();
    let mut c = channel();
    open(&host, &mut contract, &c, PRICE);
    c.salt = B256::repeat_byte(2);
    let id = open(&host, &mut contract, &c, MAX_AMOUNT);
    assert_eq!(contract.channel_state(id).0, MAX_AMOUNT);
    assert_eq!(MAX_AMOUNT, U256::from((1u128 << 96) - 1));
}

#[test]
fn open_reverts_when_caller_is_not_payer() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        contract.open(channel(), DEPOSIT),
        Err(err(Error::NotPayer(ChannelNotPayer {
            channelId: id_of(&channel()),
            caller: STRANGER,
        })))
    );
    assert!(host.calls().is_empty());
}

#[test]
fn open_reverts_when_payee_is_zero_or_payer() {
    let (host, mut contract) = deploy();
    for bad in [Address::ZERO, payer().address()] {
        let c = Channel { payee: bad, ..channel() };
        host.vm.set_sender(c.payer);
        assert_eq!(
            contract.open(c, DEPOSIT),
            Err(err(Error::InvalidPayee(ChannelInvalidPayee { payer: c.payer, payee: bad })))
        );
    }
}

#[test]
fn open_reverts_when_price_is_zero_or_above_u96() {
    let (host, mut contract) = deploy();
    for bad in [U256::ZERO, MAX_AMOUNT + U256::from(1), U256::MAX] {
        let c = Channel { price_per_segment: bad, ..channel() };
        host.vm.set_sender(c.payer);
        assert_eq!(
            contract.open(c, DEPOSIT),
            Err(err(Error::InvalidPrice(ChannelInvalidPrice {
                pricePerSegment: bad,
                max: MAX_AMOUNT,
            })))
        );
    }
}

#[test]
fn open_reverts_when_deposit_below_one_segment() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(payer().address());
    for deposit in [U256::ZERO, PRICE - U256::from(1)] {
        assert_eq!(
            contract.open(channel(), deposit),
            Err(err(Error::DepositTooSmall(ChannelDepositTooSmall { deposit, minimum: PRICE })))
        );
    }
}

#[test]
fn open_reverts_when_deposit_exceeds_u96() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(payer().address());
    let deposit = MAX_AMOUNT + U256::from(1);
    assert_eq!(
        contract.open(channel(), deposit),
        Err(err(Error::DepositTooLarge(ChannelDepositTooLarge { deposit, max: MAX_AMOUNT })))
    );
}

#[test]
fn open_and_settle_call_only_the_constructor_token() {
    // Escrow is in the token fixed at construction: no registry entry is ever consulted.
    let (host, mut contract) = deploy();
    let c = channel();
    host.vm.set_sender(c.payer);
    contract.open(c, DEPOSIT).unwrap();
    host.vm.set_sender(RELAYER);
    contract.settle(channel(), 10, voucher(10)).unwrap();
    assert_eq!(contract.token(), TOKEN);
    assert!(host.calls().iter().all(|call| call.to == TOKEN));
    assert_eq!(host.calls().len(), 2, "the pull and the payout");
}

#[test]
fn open_reverts_with_token_error_when_allowance_short() {
    let (host, mut contract) = deploy();
    let error =
        ERC20InsufficientAllowance { spender: ADJUDICATOR, allowance: U256::ZERO, needed: DEPOSIT }
            .abi_encode();
    host.answer_call(TOKEN, pull(payer().address(), DEPOSIT).data, Err(error.clone()));
    host.vm.set_sender(payer().address());
    assert_eq!(contract.open(channel(), DEPOSIT), Err(error));
}

// --- openWithPermit ---

fn permit_call(v: u8, r: B256, s: B256) -> Vec<u8> {
    permitCall {
        owner: payer().address(),
        spender: ADJUDICATOR,
        value: DEPOSIT,
        deadline: U256::from(NOW + 600),
        v,
        r,
        s,
    }
    .abi_encode()
}

#[test]
fn open_with_permit_permits_then_pulls() {
    let (host, mut contract) = deploy();
    let (r, s) = (B256::repeat_byte(0x0a), B256::repeat_byte(0x0b));
    host.vm.set_sender(payer().address());
    let id =
        contract.open_with_permit(channel(), DEPOSIT, U256::from(NOW + 600), 27, r, s).unwrap();
    assert_eq!(id, id_of(&channel()));
    assert_eq!(
        host.calls(),
        vec![made(TOKEN, permit_call(27, r, s)), pull(payer().address(), DEPOSIT)]
    );
    assert_eq!(host.last_log::<ChannelOpened>().deposit, DEPOSIT);
}

#[test]
fn open_with_permit_succeeds_when_permit_front_run_and_allowance_covers() {
    let (host, mut contract) = deploy();
    let (r, s) = (B256::repeat_byte(0x0a), B256::repeat_byte(0x0b));
    let used = ERC2612InvalidSigner { signer: STRANGER, owner: payer().address() }.abi_encode();
    host.answer_call(TOKEN, permit_call(27, r, s), Err(used));
    host.answer_static_call(
        TOKEN,
        allowanceCall { owner: payer().address(), spender: ADJUDICATOR }.abi_encode(),
        DEPOSIT.to_be_bytes::<32>().to_vec(),
    );
    host.vm.set_sender(payer().address());
    assert!(contract.open_with_permit(channel(), DEPOSIT, U256::from(NOW + 600), 27, r, s).is_ok());
    assert_eq!(calls_after(&host, 1), vec![pull(payer().address(), DEPOSIT)]);
}

#[test]
fn open_with_permit_reverts_with_permit_error_when_allowance_short() {
    let (host, mut contract) = deploy();
    let (r, s) = (B256::repeat_byte(0x0a), B256::repeat_byte(0x0b));
    let bad = ERC2612InvalidSigner { signer: STRANGER, owner: payer().address() }.abi_encode();
    host.answer_call(TOKEN, permit_call(27, r, s), Err(bad.clone()));
    host.answer_static_call(
        TOKEN,
        allowanceCall { owner: payer().address(), spender: ADJUDICATOR }.abi_encode(),
        (DEPOSIT - U256::from(1)).to_be_bytes::<32>().to_vec(),
    );
    host.vm.set_sender(payer().address());
    assert_eq!(
        contract.open_with_permit(channel(), DEPOSIT, U256::from(NOW + 600), 27, r, s),
        Err(bad)
    );
    assert_eq!(host.calls().len(), 1, "no pull after the failed permit");
}

#[test]
fn open_with_permit_reverts_when_caller_is_not_payer() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        contract.open_with_permit(channel(), DEPOSIT, U256::MAX, 27, B256::ZERO, B256::ZERO),
        Err(err(Error::NotPayer(ChannelNotPayer {
            channelId: id_of(&channel()),
            caller: STRANGER,
        })))
    );
    assert!(host.calls().is_empty());
}

// --- openFor (spending key through the avatar) ---

#[test]
fn open_for_pulls_through_avatar_charged_to_key() {
    let (host, mut contract) = deploy();
    let key = session().address();
    host.vm.set_sender(key);
    let id = contract.open_for(channel(), DEPOSIT).unwrap();
    assert_eq!(
        host.calls(),
        vec![made(
            AVATAR,
            transferFromWithKeyCall {
                user: payer().address(),
                key,
                to: ADJUDICATOR,
                amount: DEPOSIT,
            }
            .abi_encode()
        )]
    );
    assert_eq!(contract.channel_state(id), (DEPOSIT, 0, 0, false, PHASE_OPEN));
    assert_eq!(host.last_log::<ChannelOpened>().payer, payer().address());
}

#[test]
fn open_for_reverts_with_avatar_error_when_key_unknown() {
    let (host, mut contract) = deploy();
    let error = AvatarUnknownSpendingKey { user: payer().address(), key: STRANGER }.abi_encode();
    host.answer_call(
        AVATAR,
        transferFromWithKeyCall {
            user: payer().address(),
            key: STRANGER,
            to: ADJUDICATOR,
            amount: DEPOSIT,
        }
        .abi_encode(),
        Err(error.clone()),
    );
    host.vm.set_sender(STRANGER);
    assert_eq!(contract.open_for(channel(), DEPOSIT), Err(error));
}

#[test]
fn open_for_reverts_when_payer_is_zero() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(session().address());
    assert_eq!(
        contract.open_for(Channel { payer: Address::ZERO, ..channel() }, DEPOSIT),
        Err(err(Error::InvalidPayer(ChannelInvalidPayer { payer: Address::ZERO })))
    );
}
