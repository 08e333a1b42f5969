//! `topUp`.

use super::*;

#[test]
fn top_up_adds_to_deposit_and_logs() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.top_up(channel(), PRICE).unwrap();
    assert_eq!(calls_after(&host, 1), vec![pull(payer().address(), PRICE)]);
    assert_eq!(contract.channel_state(id).0, DEPOSIT + PRICE);
    assert_eq!(
        host.last_log::<ChannelToppedUp>(),
        ChannelToppedUp {
            channelId: id,
            amount: PRICE,
            deposit: DEPOSIT + PRICE,
            closeCancelled: false,
        }
    );
}

#[test]
fn top_up_cancels_pending_close_request() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    contract.top_up(channel(), PRICE).unwrap();
    assert_eq!(contract.channel_state(id).2, 0);
    assert_eq!(contract.channel_state(id).4, PHASE_OPEN);
    assert!(host.last_log::<ChannelToppedUp>().closeCancelled);
}

#[test]
fn top_up_reverts_when_amount_is_zero() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    assert_eq!(
        contract.top_up(channel(), U256::ZERO),
        Err(err(Error::ZeroTopUp(ChannelZeroTopUp { channelId: id })))
    );
}

#[test]
fn top_up_reverts_when_deposit_would_exceed_u96() {
    let (host, mut contract, _) = opened();
    host.vm.set_sender(payer().address());
    let amount = MAX_AMOUNT - DEPOSIT + U256::from(1);
    assert_eq!(
        contract.top_up(channel(), amount),
        Err(err(Error::DepositTooLarge(ChannelDepositTooLarge {
            deposit: MAX_AMOUNT + U256::from(1),
            max: MAX_AMOUNT,
        })))
    );
    // A top-up that would overflow 256 bits reports the saturated total.
    assert_eq!(
        contract.top_up(channel(), U256::MAX),
        Err(err(Error::DepositTooLarge(ChannelDepositTooLarge {
            deposit: U256::MAX,
            max: MAX_AMOUNT,
        })))
    );
    assert_eq!(host.calls().len(), 1, "only the opening pull");
}

#[test]
fn top_up_reverts_when_channel_not_found() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(payer().address());
    assert_eq!(contract.top_up(channel(), PRICE), Err(err(not_found(id_of(&channel())))));
}
