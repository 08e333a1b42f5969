//! `SendEther` on the devnet with real recipients: an account, a contract wallet that does work
//! on receipt (more than a 2,300-gas stipend allows), and one that refuses.

use alloy_primitives::{address, Address, U256};
use alloy_sol_types::{sol, SolCall, SolEvent};
use paratii_devnet::{CallError, Devnet, Status};

sol!(
    #![sol(all_derives)]
    "../contracts/abi/ISendEther.sol"
);

const ALICE: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const BOB: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

/// A recipient that writes its balance-change counter to storage on every call (a few thousand
/// gas of storage work: more than a stipend), or always reverts when `refuse`.
fn recipient(refuse: bool) -> Vec<u8> {
    let status = i32::from(refuse);
    wat::parse_str(format!(
        r#"(module
          (import "vm_hooks" "storage_cache_bytes32" (func $cache (param i32 i32)))
          (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
          (memory (export "memory") 1)
          (func (export "user_entrypoint") (param i32) (result i32)
            (i32.store8 (i32.const 63) (i32.const 1))
            (call $cache (i32.const 0) (i32.const 32))
            (call $flush (i32.const 0))
            (i32.const {status})))"#
    ))
    .unwrap()
}

fn setup() -> (Devnet, Address) {
    let mut net = Devnet::new();
    let wasm = paratii_test::wasm("send-ether").unwrap_or_else(|e| panic!("{e}"));
    let send_ether = net.deploy(ALICE, &wasm, None).unwrap();
    net.fund(ALICE, U256::from(1_000_000)).unwrap();
    (net, send_ether)
}

fn send(net: &Devnet, contract: Address, to: Address, value: u64) -> paratii_devnet::Receipt {
    let call = ISendEther::transferCall { to, description: "thanks for the video".into() };
    net.call(ALICE, contract, &call.abi_encode(), U256::from(value)).unwrap()
}

#[test]
fn transfer_moves_value_to_account_and_logs_ether_sent() {
    let (net, contract) = setup();
    let receipt = send(&net, contract, BOB, 1_000);
    assert_eq!(receipt.status, Status::Success, "{}", receipt.failure);
    assert_eq!(net.world().balance(BOB), U256::from(1_000));
    assert_eq!(net.world().balance(contract), U256::ZERO);
    let log = &receipt.logs[0];
    let event =
        ISendEther::EtherSent::decode_raw_log(log.topics.iter().copied(), &log.data).unwrap();
    assert_eq!((event.from, event.to, event.value), (ALICE, BOB, U256::from(1_000)));
    assert_eq!(event.description, "thanks for the video");
}

#[test]
fn transfer_reaches_contract_wallet_that_needs_more_than_a_stipend() {
    let (mut net, contract) = setup();
    let wallet = net.deploy(BOB, &recipient(false), None).unwrap();
    let receipt = send(&net, contract, wallet, 500);
    assert_eq!(receipt.status, Status::Success, "{}", receipt.failure);
    assert_eq!(net.world().balance(wallet), U256::from(500));
    assert_eq!(net.world().storage(wallet, U256::ZERO), alloy_primitives::B256::with_last_byte(1));
}

#[test]
fn transfer_reverts_with_typed_error_when_recipient_refuses() {
    let (mut net, contract) = setup();
    let wallet = net.deploy(BOB, &recipient(true), None).unwrap();
    let call = ISendEther::transferCall { to: wallet, description: "x".into() };
    let receipt = net.call(ALICE, contract, &call.abi_encode(), U256::from(500)).unwrap();
    assert_eq!(receipt.status, Status::Revert);
    let err = CallError::Reverted(receipt.output);
    let Some(ISendEther::ISendEtherErrors::SendEtherRecipientRefused(e)) = err.revert() else {
        panic!("should be SendEtherRecipientRefused, got {err:?}")
    };
    assert_eq!((e.to, e.value), (wallet, U256::from(500)));
    assert_eq!(net.world().balance(ALICE), U256::from(1_000_000), "the sender keeps the ETH");
    assert!(receipt.logs.is_empty());
}

#[test]
fn plain_ether_is_refused_with_typed_error() {
    let (net, contract) = setup();
    let receipt = net.call(ALICE, contract, &[], U256::from(9)).unwrap();
    assert_eq!(receipt.status, Status::Revert);
    let Some(ISendEther::ISendEtherErrors::SendEtherPlainEtherRefused(e)) =
        CallError::Reverted(receipt.output).revert()
    else {
        panic!("should be SendEtherPlainEtherRefused")
    };
    assert_eq!((e.sender, e.value), (ALICE, U256::from(9)));
    assert_eq!(net.world().balance(contract), U256::ZERO);
}

#[test]
fn transfer_to_zero_address_is_refused() {
    let (net, contract) = setup();
    let receipt = send(&net, contract, Address::ZERO, 1);
    let Some(ISendEther::ISendEtherErrors::SendEtherInvalidRecipient(_)) =
        CallError::Reverted(receipt.output).revert()
    else {
        panic!("should be SendEtherInvalidRecipient")
    };
    assert_eq!(net.world().balance(ALICE), U256::from(1_000_000));
}
