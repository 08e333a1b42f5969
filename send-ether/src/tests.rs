//! Unit tests on the SDK's `TestVM` (the recipient's answer is mocked; the devnet tests run real
//! recipients).

use super::*;
use alloy_primitives::{address, U256};
use alloy_sol_types::SolEvent;
use stylus_sdk::testing::TestVM;

const ALICE: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const BOB: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

fn setup(value: u64) -> (TestVM, SendEther) {
    let vm = TestVM::new();
    vm.set_sender(ALICE);
    vm.set_value(U256::from(value));
    let contract = SendEther::from(&vm);
    (vm, contract)
}

#[test]
fn transfer_forwards_value_and_logs_ether_sent() {
    let (vm, mut contract) = setup(1_000);
    vm.mock_call(BOB, Vec::new(), U256::from(1_000), Ok(Vec::new()));
    assert_eq!(contract.transfer(BOB, "for the video".into()), Ok(true));
    let (topics, data) = vm.get_emitted_logs().pop().expect("should log");
    let event = EtherSent::decode_raw_log(topics, &data).unwrap();
    assert_eq!(
        event,
        EtherSent {
            from: ALICE,
            to: BOB,
            value: U256::from(1_000),
            description: "for the video".into()
        }
    );
}

#[test]
fn transfer_reverts_when_recipient_refuses() {
    let (vm, mut contract) = setup(7);
    vm.mock_call(BOB, Vec::new(), U256::from(7), Err(b"nope".to_vec()));
    assert_eq!(
        contract.transfer(BOB, "x".into()),
        Err(Error::RecipientRefused(SendEtherRecipientRefused { to: BOB, value: U256::from(7) }))
    );
    assert!(vm.get_emitted_logs().is_empty());
}

#[test]
fn transfer_reverts_when_recipient_is_zero() {
    let (vm, mut contract) = setup(7);
    assert_eq!(
        contract.transfer(Address::ZERO, "x".into()),
        Err(Error::InvalidRecipient(SendEtherInvalidRecipient { to: Address::ZERO }))
    );
    assert!(vm.get_emitted_logs().is_empty());
}

#[test]
fn receive_refuses_plain_ether_with_typed_error() {
    let (_, mut contract) = setup(5);
    let data = contract.receive().unwrap_err();
    assert_eq!(
        SendEtherPlainEtherRefused::abi_decode(&data).unwrap(),
        SendEtherPlainEtherRefused { sender: ALICE, value: U256::from(5) }
    );
}
