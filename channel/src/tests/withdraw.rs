//! `requestClose`, the grace period and `withdraw`.

use super::*;

#[test]
fn request_close_starts_grace_period_and_logs_until() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    assert_eq!(contract.request_close(channel()), Ok(()));
    assert_eq!(contract.channel_state(id), (DEPOSIT, 0, NOW, false, PHASE_CLOSING));
    assert_eq!(
        host.last_log::<ChannelCloseRequested>(),
        ChannelCloseRequested { channelId: id, until: NOW + GRACE }
    );
    assert_eq!(host.calls().len(), 1, "no transfer");
}

#[test]
fn request_close_reverts_when_already_requested() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + 10);
    assert_eq!(
        contract.request_close(channel()),
        Err(Error::CloseAlreadyRequested(ChannelCloseAlreadyRequested {
            channelId: id,
            until: NOW + GRACE,
        }))
    );
    assert_eq!(contract.channel_state(id).2, NOW, "the clock is not restarted");
}

#[test]
fn request_close_reverts_when_caller_is_not_payer() {
    let (host, mut contract, id) = opened();
    for caller in [payee().address(), STRANGER] {
        host.vm.set_sender(caller);
        assert_eq!(
            contract.request_close(channel()),
            Err(Error::NotPayer(ChannelNotPayer { channelId: id, caller }))
        );
    }
}

#[test]
fn withdraw_refunds_unsettled_rest_after_grace_period_and_finalizes() {
    let (host, mut contract, id) = opened();
    contract.settle(channel(), 100, voucher(100)).unwrap();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE);
    assert_eq!(contract.channel_state(id).4, PHASE_WITHDRAWABLE);
    contract.withdraw(channel()).unwrap();
    assert_eq!(calls_after(&host, 2), vec![pay(payer().address(), DEPOSIT - worth(100))]);
    assert_eq!(
        host.last_log::<ChannelClosed>(),
        ChannelClosed {
            channelId: id,
            payer: payer().address(),
            payee: payee().address(),
            videoId: VIDEO,
            segments: 100,
            paid: worth(100),
            refunded: DEPOSIT - worth(100),
        }
    );
    assert_eq!(contract.channel_state(id).4, PHASE_FINALIZED);
}

#[test]
fn withdraw_reverts_when_close_not_requested() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    assert_eq!(
        contract.withdraw(channel()),
        Err(err(Error::CloseNotRequested(ChannelCloseNotRequested { channelId: id })))
    );
}

#[test]
fn withdraw_reverts_one_second_before_grace_period_ends() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE - 1);
    assert_eq!(
        contract.withdraw(channel()),
        Err(err(Error::GracePeriodActive(ChannelGracePeriodActive {
            channelId: id,
            until: NOW + GRACE,
            now: NOW + GRACE - 1,
        })))
    );
    host.vm.set_block_timestamp(NOW + GRACE);
    assert_eq!(contract.withdraw(channel()), Ok(()));
}

#[test]
fn withdraw_reverts_when_caller_is_not_payer() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE);
    host.vm.set_sender(payee().address());
    assert_eq!(
        contract.withdraw(channel()),
        Err(err(Error::NotPayer(ChannelNotPayer { channelId: id, caller: payee().address() })))
    );
}

#[test]
fn withdraw_makes_no_transfer_when_deposit_fully_settled() {
    let (host, mut contract, _) = opened();
    contract.settle(channel(), 1_000, voucher(1_000)).unwrap();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE);
    contract.withdraw(channel()).unwrap();
    assert_eq!(host.calls().len(), 2, "the pull and the settle only");
    assert_eq!(host.last_log::<ChannelClosed>().refunded, U256::ZERO);
}
