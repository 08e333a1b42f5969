//! The node driven by alloy's provider with a local signer, as integrators drive a chain: alloy
//! fills nonce, gas and fees from the node's answers, signs, sends, and polls for receipts; it
//! reads logs and decodes a revert's data. Nothing here builds JSON-RPC by hand.

use alloy_network::TransactionBuilder;
use alloy_primitives::{address, hex, Address, Bytes, B256, U256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::{Filter, TransactionRequest};
use alloy_signer_local::PrivateKeySigner;
use paratii_devnet::node::{NodeConfig, RunningNode, DEV_KEYS};

/// Emits one log (topic 7) when called with anything but `[0xff]`, which it answers with the
/// revert data `0xdeadbeef`.
const PROGRAM: &str = r#"
(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "emit_log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\de\ad\be\ef")
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $read_args (i32.const 100))
    (if (result i32) (i32.eq (i32.load8_u (i32.const 100)) (i32.const 255))
      (then (call $write_result (i32.const 0) (i32.const 4)) (i32.const 1))
      (else (i32.store8 (i32.const 231) (i32.const 7))
            (call $log (i32.const 200) (i32.const 32) (i32.const 1))
            (i32.const 0)))))
"#;

const AT: Address = address!("0x00000000000000000000000000000000000a110e");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alloy_provider_sends_reads_receipts_and_logs_and_decodes_a_revert() {
    let node = RunningNode::start(&NodeConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..NodeConfig::default()
    })
    .unwrap();
    let signer: PrivateKeySigner = DEV_KEYS[0].parse().unwrap();
    let me = signer.address();
    let provider = ProviderBuilder::new().wallet(signer).connect_http(node.url().parse().unwrap());
    assert_eq!(provider.get_chain_id().await.unwrap(), 412_346);

    // An ETH transfer: alloy fills nonce, gas (eth_estimateGas), fees (eth_feeHistory) and the
    // chain id, signs type 2, and waits for the receipt.
    let bob = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    let before = provider.get_balance(bob).await.unwrap();
    let transfer = TransactionRequest::default().with_to(bob).with_value(U256::from(1_000));
    let receipt = provider.send_transaction(transfer).await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status());
    assert_eq!(receipt.gas_used, 21_000);
    assert_eq!(receipt.from, me);
    assert_eq!(provider.get_balance(bob).await.unwrap(), before + U256::from(1_000));
    assert_eq!(provider.get_transaction_count(me).await.unwrap(), 1);

    // A program placed with anvil_setCode, called by a signed transaction: its log in the
    // receipt and through eth_getLogs.
    let wasm = wat::parse_str(PROGRAM).unwrap();
    let _: () =
        provider.raw_request("anvil_setCode".into(), (AT, Bytes::from(wasm))).await.unwrap();
    let call = TransactionRequest::default().with_to(AT).with_input(Bytes::from_static(&[1]));
    let receipt = provider.send_transaction(call).await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status());
    let topic = B256::with_last_byte(7);
    assert_eq!(receipt.inner.logs()[0].topics(), [topic]);
    let logs = provider.get_logs(&Filter::new().address(AT).from_block(0)).await.unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].transaction_hash, Some(receipt.transaction_hash));

    // A revert: alloy reads the data out of the JSON-RPC error.
    let reverting =
        TransactionRequest::default().with_to(AT).with_input(Bytes::from_static(&[0xff]));
    let error = provider.call(reverting).await.unwrap_err();
    let payload = error.as_error_resp().expect("a JSON-RPC error response");
    assert_eq!(payload.code, 3);
    let data = payload.as_revert_data().expect("revert data");
    assert_eq!(data, Bytes::from(hex!("deadbeef")));
    node.stop().unwrap();
}
