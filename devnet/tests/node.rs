//! The node over real HTTP on loopback, started by each test on a free port: the reads, the
//! test controls, `eth_call` and its revert shape, and every kind of bad input answered with
//! its JSON-RPC error and no change to the chain.

use std::{
    io::{Read, Write},
    net::TcpStream,
};

use alloy_primitives::{hex, Address};
use paratii_devnet::node::{dev_accounts, NodeConfig, RunningNode, DEFAULT_CHAIN_ID};
use serde_json::{json, Value};

fn start() -> RunningNode {
    let config = NodeConfig { addr: "127.0.0.1:0".parse().unwrap(), ..NodeConfig::default() };
    RunningNode::start(&config).expect("a loopback port should bind")
}

/// POSTs `body` to the node with a minimal HTTP/1.1 client; returns the status and the body.
fn post(node: &RunningNode, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(node.addr()).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        node.addr(),
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// One JSON-RPC call; returns the whole response object.
fn rpc(node: &RunningNode, method: &str, params: Value) -> Value {
    let mut request = json!({ "jsonrpc": "2.0", "id": 7, "method": method });
    request["params"] = params;
    let (status, body) = post(node, request.to_string().as_bytes());
    assert_eq!(status, 200, "{body}");
    let response: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(response["id"], 7);
    response
}

fn result(node: &RunningNode, method: &str, params: Value) -> Value {
    let response = rpc(node, method, params);
    assert!(response.get("error").is_none(), "{method}: {response}");
    response["result"].clone()
}

fn error_code(node: &RunningNode, method: &str, params: Value) -> (i64, String) {
    let response = rpc(node, method, params);
    let error = &response["error"];
    (error["code"].as_i64().unwrap(), error["message"].as_str().unwrap().to_owned())
}

/// A program that reverts with `0xdeadbeef` when called with data, and otherwise returns the
/// word 0x2a.
fn fixture_code() -> String {
    let wasm = wat::parse_str(
        r#"(module
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\de\ad\be\ef")
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (if (result i32) (local.get $len)
      (then (call $write_result (i32.const 0) (i32.const 4)) (i32.const 1))
      (else (i32.store8 (i32.const 95) (i32.const 42))
            (call $write_result (i32.const 64) (i32.const 32)) (i32.const 0)))))"#,
    )
    .unwrap();
    hex::encode_prefixed(wasm)
}

const PROGRAM: &str = "0x00000000000000000000000000000000000c0de1";

#[test]
fn node_answers_chain_id_block_and_funded_dev_accounts() {
    let node = start();
    assert_eq!(result(&node, "eth_chainId", json!([])), format!("{DEFAULT_CHAIN_ID:#x}"));
    assert_eq!(result(&node, "net_version", json!([])), DEFAULT_CHAIN_ID.to_string());
    assert_eq!(result(&node, "eth_blockNumber", json!([])), "0x0");
    let accounts = dev_accounts();
    assert_eq!(accounts.len(), 11);
    // anvil's first account and nitro-devnode's dev account, derived from their keys.
    assert_eq!(
        accounts[0],
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse::<Address>().unwrap()
    );
    assert_eq!(
        accounts[10],
        "0x3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E".parse::<Address>().unwrap()
    );
    for account in accounts {
        assert_eq!(
            result(&node, "eth_getBalance", json!([account, "latest"])),
            "0x21e19e0c9bab2400000"
        );
        assert_eq!(result(&node, "eth_getTransactionCount", json!([account, "pending"])), "0x0");
    }
}

#[test]
fn eth_call_returns_output_and_a_revert_is_code_3_with_its_data() {
    let node = start();
    assert_eq!(result(&node, "anvil_setCode", json!([PROGRAM, fixture_code()])), Value::Null);
    let code = result(&node, "eth_getCode", json!([PROGRAM, "latest"]));
    assert!(code.as_str().unwrap().starts_with("0xeff000"), "{code}");
    let word = result(&node, "eth_call", json!([{ "to": PROGRAM }, "latest"]));
    assert_eq!(word, format!("0x{}2a", "00".repeat(31)));
    // cast sends both `input` and `data`.
    let reverted =
        rpc(&node, "eth_call", json!([{ "to": PROGRAM, "input": "0x01", "data": "0x01" }]));
    assert_eq!(
        reverted["error"],
        json!({ "code": 3, "message": "execution reverted", "data": "0xdeadbeef" })
    );
    // A call to an account without a program returns nothing, as on Ethereum.
    assert_eq!(result(&node, "eth_call", json!([{ "to": dev_accounts()[1] }])), "0x");
}

#[test]
fn snapshot_revert_and_increase_time_control_the_chain() {
    let node = start();
    let alice = dev_accounts()[0];
    let id = result(&node, "evm_snapshot", json!([]));
    result(&node, "anvil_setBalance", json!([alice, "0x5"]));
    assert_eq!(result(&node, "eth_getBalance", json!([alice])), "0x5");
    let later = result(&node, "evm_increaseTime", json!(["0x3c"]));
    assert!(later.as_str().unwrap().starts_with("0x"));
    assert_eq!(result(&node, "evm_revert", json!([id])), true);
    assert_eq!(result(&node, "eth_getBalance", json!([alice])), "0x21e19e0c9bab2400000");
    // A snapshot is used up by its revert.
    assert_eq!(result(&node, "evm_revert", json!([id])), false);
}

#[test]
fn bad_input_gets_its_json_rpc_error_and_changes_nothing() {
    let node = start();
    let alice = dev_accounts()[0];
    let before = result(&node, "eth_getBalance", json!([alice]));

    let (status, body) = post(&node, b"{not json");
    assert_eq!(status, 200);
    let response: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(response["error"]["code"], -32700);
    assert_eq!(response["id"], Value::Null);

    let (status, body) = post(&node, br#"{"id": 1, "method": "eth_chainId"}"#);
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"]["code"], -32600);

    let (code, message) = error_code(&node, "eth_sendMagic", json!([]));
    assert_eq!((code, message.as_str()), (-32601, "method not found: eth_sendMagic"));

    let (code, message) = error_code(&node, "eth_getBalance", json!(["0x1234"]));
    assert_eq!(code, -32602);
    assert!(message.contains("address"), "{message}");
    let (code, message) = error_code(&node, "anvil_setBalance", json!([alice]));
    assert_eq!((code, message.as_str()), (-32602, "invalid params: missing balance"));
    let (code, _) = error_code(&node, "eth_chainId", json!([1]));
    assert_eq!(code, -32602);
    let (code, message) = error_code(&node, "eth_getBalance", json!([alice, "0x5"]));
    assert_eq!(code, -32000);
    assert!(message.contains("state at block 5 is not kept"), "{message}");
    let (code, message) = error_code(&node, "anvil_setCode", json!([alice, "0x6080604052"]));
    assert_eq!(code, -32602);
    assert!(message.contains("no EVM bytecode"), "{message}");
    // Valid WASM Stylus would not activate: the validator's rule, and nothing placed.
    let no_entrypoint =
        hex::encode_prefixed(wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap());
    let (code, message) = error_code(&node, "anvil_setCode", json!([alice, no_entrypoint]));
    assert_eq!(code, -32000);
    assert!(message.contains("Stylus would not activate"), "{message}");
    assert_eq!(result(&node, "eth_getCode", json!([alice])), "0x");

    let oversized = vec![b' '; paratii_devnet::node::MAX_BODY_BYTES + 1];
    assert_eq!(post(&node, &oversized).0, 413);

    assert_eq!(result(&node, "eth_getBalance", json!([alice])), before);
}

#[test]
fn a_flood_is_refused_with_429_and_limit_exceeded_and_an_oversized_batch_with_32600() {
    let config = NodeConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        max_in_flight: 0,
        ..NodeConfig::default()
    };
    let full = RunningNode::start(&config).unwrap();
    let (status, body) = post(&full, br#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#);
    assert_eq!(status, 429);
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["error"]["code"], -32005);

    let node = start();
    let one = json!({ "jsonrpc": "2.0", "id": 1, "method": "eth_chainId" });
    let batch = Value::Array(vec![one; paratii_devnet::node::MAX_BATCH + 1]);
    let (status, body) = post(&node, batch.to_string().as_bytes());
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["error"]["code"], -32600);
}

#[test]
fn batch_answers_each_request_in_order_and_skips_notifications() {
    let node = start();
    let batch = json!([
        { "jsonrpc": "2.0", "id": 1, "method": "eth_chainId" },
        { "jsonrpc": "2.0", "method": "eth_blockNumber" },
        { "jsonrpc": "2.0", "id": 2, "method": "nope" },
        { "jsonrpc": "2.0", "id": 3, "method": "eth_blockNumber", "params": [] }
    ]);
    let (status, body) = post(&node, batch.to_string().as_bytes());
    assert_eq!(status, 200);
    let answers: Vec<Value> = serde_json::from_str(&body).unwrap();
    let ids: Vec<&Value> = answers.iter().map(|a| &a["id"]).collect();
    assert_eq!(ids, [&json!(1), &json!(2), &json!(3)]);
    assert_eq!(answers[1]["error"]["code"], -32601);
    let (_, body) = post(&node, b"[]");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"]["code"], -32600);
}

mod signed {
    //! Signed transactions (EIP-2718 types 0 and 2) built and signed here with alloy's types and
    //! anvil's first key, sent as raw bytes.

    use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy};
    use alloy_eips::eip2718::Encodable2718;
    use alloy_primitives::{hex, Address, Bytes, Signature, TxKind, B256, U256};
    use paratii_contracts::signing::Signer;
    use serde_json::{json, Value};

    use super::{dev_accounts, error_code, fixture_code, result, start, PROGRAM};
    use paratii_devnet::node::{DEFAULT_CHAIN_ID, DEV_KEYS};

    fn alice() -> Signer {
        Signer::from_bytes(DEV_KEYS[0].parse().unwrap())
    }

    fn sign(
        tx: impl SignableTransaction<Signature> + Into<alloy_consensus::TypedTransaction>,
        key: &Signer,
    ) -> String
    where
        alloy_consensus::Signed<alloy_consensus::TypedTransaction>: Into<TxEnvelope>,
    {
        let typed: alloy_consensus::TypedTransaction = tx.into();
        let sig = key.sign(typed.signature_hash());
        let signature = Signature::new(sig.r.into(), sig.s.into(), sig.v == 28);
        let envelope: TxEnvelope = typed.into_signed(signature).into();
        hex::encode_prefixed(envelope.encoded_2718())
    }

    fn eip1559(nonce: u64, to: Address, value: U256, input: Vec<u8>) -> TxEip1559 {
        TxEip1559 {
            chain_id: DEFAULT_CHAIN_ID,
            nonce,
            gas_limit: 1_000_000,
            max_fee_per_gas: 200_000_000,
            max_priority_fee_per_gas: 0,
            to: TxKind::Call(to),
            value,
            access_list: alloy_eips::eip2930::AccessList::default(),
            input: Bytes::from(input),
        }
    }

    fn hex_u(v: &Value) -> U256 {
        v.as_str().unwrap().parse().unwrap()
    }

    #[test]
    fn send_raw_transaction_moves_value_charges_gas_and_mines_one_block() {
        let node = start();
        let (from, to) = (dev_accounts()[0], dev_accounts()[1]);
        let one_eth = U256::from(10u64).pow(U256::from(18));
        let raw = sign(eip1559(0, to, one_eth, vec![]), &alice());
        let hash = result(&node, "eth_sendRawTransaction", json!([raw]));
        let receipt = result(&node, "eth_getTransactionReceipt", json!([hash]));
        assert_eq!(receipt["status"], "0x1");
        assert_eq!(receipt["gasUsed"], "0x5208");
        assert_eq!(receipt["from"], json!(from));
        assert_eq!(receipt["blockNumber"], "0x1");
        assert_eq!(result(&node, "eth_blockNumber", json!([])), "0x1");
        let block = result(&node, "eth_getBlockByNumber", json!(["latest", false]));
        assert_eq!(block["transactions"], json!([hash]));
        assert_eq!(block["hash"], receipt["blockHash"]);
        let by_hash = result(&node, "eth_getBlockByHash", json!([block["hash"], true]));
        assert_eq!(by_hash["transactions"][0]["hash"], hash);
        let tx = result(&node, "eth_getTransactionByHash", json!([hash]));
        assert_eq!(tx["from"], json!(from));
        assert_eq!(tx["nonce"], "0x0");
        // 21,000 gas at the base fee (no tip), and the value.
        let fee = U256::from(21_000u64) * U256::from(100_000_000u64);
        let start_balance = paratii_devnet::node::DEV_BALANCE;
        assert_eq!(
            hex_u(&result(&node, "eth_getBalance", json!([from]))),
            start_balance - one_eth - fee
        );
        assert_eq!(hex_u(&result(&node, "eth_getBalance", json!([to]))), start_balance + one_eth);
        assert_eq!(result(&node, "eth_getTransactionCount", json!([from, "pending"])), "0x1");
        // A legacy (EIP-155) transaction works too.
        let legacy = TxLegacy {
            chain_id: Some(DEFAULT_CHAIN_ID),
            nonce: 1,
            gas_price: 100_000_000,
            gas_limit: 21_000,
            to: TxKind::Call(to),
            value: U256::from(1),
            input: Bytes::new(),
        };
        let hash = result(&node, "eth_sendRawTransaction", json!([sign(legacy, &alice())]));
        assert_eq!(result(&node, "eth_getTransactionReceipt", json!([hash]))["type"], "0x0");
        assert_eq!(result(&node, "eth_getTransactionReceipt", json!([B256::ZERO])), Value::Null);
    }

    #[test]
    fn a_reverting_transaction_is_mined_with_status_0_and_a_program_call_logs_nothing_then() {
        let node = start();
        result(&node, "anvil_setCode", json!([PROGRAM, fixture_code()]));
        let program: Address = PROGRAM.parse().unwrap();
        let raw = sign(eip1559(0, program, U256::ZERO, vec![1]), &alice());
        let hash = result(&node, "eth_sendRawTransaction", json!([raw]));
        let receipt = result(&node, "eth_getTransactionReceipt", json!([hash]));
        assert_eq!(receipt["status"], "0x0");
        assert_eq!(receipt["logs"], json!([]));
        assert_eq!(result(&node, "eth_getTransactionCount", json!([dev_accounts()[0]])), "0x1");
        let ok = sign(eip1559(1, program, U256::ZERO, vec![]), &alice());
        let hash = result(&node, "eth_sendRawTransaction", json!([ok]));
        assert_eq!(result(&node, "eth_getTransactionReceipt", json!([hash]))["status"], "0x1");
        // estimateGas agrees with what the call needs, and a revert is code 3 there too.
        let estimate = hex_u(&result(&node, "eth_estimateGas", json!([{ "to": PROGRAM }])));
        assert!(estimate > U256::from(21_000u64), "{estimate}");
        assert_eq!(
            error_code(&node, "eth_estimateGas", json!([{ "to": PROGRAM, "data": "0x01" }])).0,
            3
        );
    }

    #[test]
    fn refused_transactions_get_a_precise_error_and_change_nothing() {
        let node = start();
        let (from, to) = (dev_accounts()[0], dev_accounts()[1]);
        let balance = result(&node, "eth_getBalance", json!([from]));
        let refused = |raw: String| {
            let (code, message) = error_code(&node, "eth_sendRawTransaction", json!([raw]));
            assert!(code == -32000 || code == -32602, "{code} {message}");
            message
        };
        let mut wrong_chain = eip1559(0, to, U256::ZERO, vec![]);
        wrong_chain.chain_id = 1;
        assert!(refused(sign(wrong_chain, &alice()))
            .contains("wrong chain id: the transaction is for 1"));
        assert!(
            refused(sign(eip1559(3, to, U256::ZERO, vec![]), &alice())).contains("nonce too high")
        );
        let mut cheap = eip1559(0, to, U256::ZERO, vec![]);
        cheap.max_fee_per_gas = 1;
        assert!(refused(sign(cheap, &alice())).contains("below the base fee"));
        let mut short = eip1559(0, to, U256::ZERO, vec![1, 2, 3]);
        short.gas_limit = 21_000;
        assert!(refused(sign(short, &alice())).contains("intrinsic gas too low"));
        let rich = eip1559(0, to, paratii_devnet::node::DEV_BALANCE, vec![]);
        assert!(refused(sign(rich, &alice())).contains("insufficient funds"));
        let mut creation = eip1559(0, to, U256::ZERO, vec![0x60, 0x80]);
        creation.to = TxKind::Create;
        assert!(refused(sign(creation, &alice())).contains("runs no EVM interpreter"));
        // The high-s twin of a valid signature recovers the same sender and is refused.
        let typed: alloy_consensus::TypedTransaction = eip1559(0, to, U256::ZERO, vec![]).into();
        let sig = alice().sign(typed.signature_hash());
        let twin = paratii_contracts::signing::high_s_twin(&sig);
        let signature = Signature::new(twin.r.into(), twin.s.into(), twin.v == 28);
        let envelope: TxEnvelope = typed.into_signed(signature).into();
        assert!(refused(hex::encode_prefixed(envelope.encoded_2718())).contains("upper half"));
        assert!(refused("0x02deadbeef".into()).contains("not an EIP-2718 transaction"));
        assert!(refused("0xdeadbeef".into()).contains("not an EIP-2718 transaction"));
        // Nothing moved, nothing mined.
        assert_eq!(result(&node, "eth_getBalance", json!([from])), balance);
        assert_eq!(result(&node, "eth_blockNumber", json!([])), "0x0");
        assert_eq!(result(&node, "eth_getTransactionCount", json!([from])), "0x0");
    }

    /// A program that logs one event: topic `0x…07`, data `0x…09`.
    fn logger_code() -> String {
        let wasm = wat::parse_str(
            r#"(module
  (import "vm_hooks" "emit_log" (func $emit (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (i32.store8 (i32.const 31) (i32.const 7))
    (i32.store8 (i32.const 63) (i32.const 9))
    (call $emit (i32.const 0) (i32.const 64) (i32.const 1))
    (i32.const 0)))"#,
        )
        .unwrap();
        hex::encode_prefixed(wasm)
    }

    #[test]
    fn get_logs_filters_by_range_address_and_topic() {
        let node = start();
        let logger = "0x00000000000000000000000000000000000010c5";
        result(&node, "anvil_setCode", json!([logger, logger_code()]));
        let address: Address = logger.parse().unwrap();
        for nonce in 0..2 {
            let raw = sign(eip1559(nonce, address, U256::ZERO, vec![]), &alice());
            result(&node, "eth_sendRawTransaction", json!([raw]));
        }
        let topic = B256::with_last_byte(7);
        let all =
            result(&node, "eth_getLogs", json!([{ "fromBlock": "earliest", "address": logger }]));
        assert_eq!(all.as_array().unwrap().len(), 2);
        assert_eq!(all[1]["blockNumber"], "0x2");
        assert_eq!(all[0]["topics"], json!([topic]));
        assert_eq!(all[0]["data"], format!("0x{}09", "00".repeat(31)));
        let second = result(
            &node,
            "eth_getLogs",
            json!([{ "fromBlock": "0x2", "toBlock": "latest", "topics": [[topic]] }]),
        );
        assert_eq!(second.as_array().unwrap().len(), 1);
        let unmatched = result(
            &node,
            "eth_getLogs",
            json!([{ "fromBlock": "0x0", "topics": [B256::with_last_byte(8)] }]),
        );
        assert_eq!(unmatched, json!([]));
        let other = result(
            &node,
            "eth_getLogs",
            json!([{ "fromBlock": "0x0", "address": [dev_accounts()[0]] }]),
        );
        assert_eq!(other, json!([]));
        assert_eq!(
            error_code(&node, "eth_getLogs", json!([{ "fromBlock": "0x2", "toBlock": "0x1" }])).0,
            -32602
        );
    }

    /// The gas a receipt reports is what the in-process chain charges for the same call.
    #[test]
    fn receipt_gas_equals_the_in_process_gas_of_the_same_call() {
        let node = start();
        let logger = "0x00000000000000000000000000000000000010c5";
        result(&node, "anvil_setCode", json!([logger, logger_code()]));
        let address: Address = logger.parse().unwrap();
        let calldata = vec![0, 1, 2, 3];
        let raw = sign(eip1559(0, address, U256::ZERO, calldata.clone()), &alice());
        let hash = result(&node, "eth_sendRawTransaction", json!([raw]));
        let over_http =
            hex_u(&result(&node, "eth_getTransactionReceipt", json!([hash]))["gasUsed"]);

        let net = paratii_devnet::Devnet::new();
        net.set_code(address, &hex::decode(logger_code()).unwrap()).unwrap();
        let from = dev_accounts()[0];
        net.fund(from, paratii_devnet::node::DEV_BALANCE).unwrap();
        let in_process = net.call(from, address, &calldata, U256::ZERO).unwrap().gas.total();
        assert_eq!(over_http, U256::from(in_process));
    }

    /// `wasm` as on-chain Stylus code.
    fn stylus_code(wasm: &[u8]) -> Vec<u8> {
        paratii_build::wasm::stylus_code(wasm)
    }

    fn fixture_wasm() -> Vec<u8> {
        hex::decode(fixture_code()).unwrap()
    }

    fn creation(nonce: u64, init: Vec<u8>) -> TxEip1559 {
        let mut tx = eip1559(nonce, Address::ZERO, U256::ZERO, init);
        tx.to = TxKind::Create;
        tx.gas_limit = 10_000_000;
        tx
    }

    #[test]
    fn creation_with_the_prelude_places_code_that_runs_only_once_activated() {
        let node = start();
        let code = stylus_code(&fixture_wasm());
        let init = paratii_devnet::init_code_prelude(&code);
        let estimate = hex_u(&result(
            &node,
            "eth_estimateGas",
            json!([{ "input": hex::encode_prefixed(&init) }]),
        ));
        let hash =
            result(&node, "eth_sendRawTransaction", json!([sign(creation(0, init), &alice())]));
        let receipt = result(&node, "eth_getTransactionReceipt", json!([hash]));
        assert_eq!(receipt["status"], "0x1");
        assert_eq!(hex_u(&receipt["gasUsed"]), estimate, "a creation's estimate is exact");
        let program = paratii_devnet::create_address(dev_accounts()[0], 0);
        assert_eq!(receipt["contractAddress"], json!(program));
        assert_eq!(
            result(&node, "eth_getCode", json!([program, "latest"])),
            hex::encode_prefixed(&code)
        );
        // Not activated: a call reverts with ProgramNotActivated().
        let (code_3, _) = error_code(&node, "eth_call", json!([{ "to": program }]));
        assert_eq!(code_3, 3);
        let revert = super::rpc(&node, "eth_call", json!([{ "to": program }]));
        assert_eq!(revert["error"]["data"], "0x6f809c4e");

        // cargo stylus check's dry run: activateProgram from a rich stranger, code overridden.
        let activate = {
            let mut data = hex!("58c780c2").to_vec();
            data.extend_from_slice(&B256::left_padding_from(program.as_slice()).0);
            data
        };
        let stranger = Address::repeat_byte(0x5e);
        let other = Address::repeat_byte(0x0c);
        let dry_run = json!([
            { "from": stranger, "to": "0x0000000000000000000000000000000000000071", "value": "0xde0b6b3a7640000",
              "data": hex::encode_prefixed({ let mut d = hex!("58c780c2").to_vec(); d.extend_from_slice(&B256::left_padding_from(other.as_slice()).0); d }) },
            "latest",
            { stranger.to_string(): { "balance": "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
              other.to_string(): { "code": hex::encode_prefixed(&code) } }
        ]);
        let answer = result(&node, "eth_call", dry_run);
        let fee = U256::from_be_slice(&hex::decode(answer.as_str().unwrap()).unwrap()[32..64]);
        assert!(fee > U256::ZERO);
        assert_eq!(
            result(&node, "eth_getCode", json!([other, "latest"])),
            "0x",
            "overrides vanish"
        );

        let mut tx = eip1559(
            1,
            "0x0000000000000000000000000000000000000071".parse().unwrap(),
            fee,
            activate,
        );
        tx.gas_limit = 20_000_000;
        let hash = result(&node, "eth_sendRawTransaction", json!([sign(tx, &alice())]));
        let receipt = result(&node, "eth_getTransactionReceipt", json!([hash]));
        assert_eq!(receipt["status"], "0x1");
        assert_eq!(
            receipt["logs"][0]["topics"][0],
            "0xc0e812780707128d9a180db8ee4d1c1f1300b6dd0626d577b5d9ac759b76253c"
        );
        let answer = result(&node, "eth_call", json!([{ "to": program }]));
        assert_eq!(answer, format!("0x{}2a", "00".repeat(31)));
    }

    #[test]
    fn creation_with_evm_init_code_is_refused_and_changes_nothing() {
        let node = start();
        let (code, message) = error_code(
            &node,
            "eth_sendRawTransaction",
            json!([sign(creation(0, hex!("6080604052").to_vec()), &alice())]),
        );
        assert_eq!(code, -32000);
        assert!(message.contains("runs no EVM interpreter"), "{message}");
        assert_eq!(result(&node, "eth_blockNumber", json!([])), "0x0");
        assert_eq!(
            result(&node, "eth_getTransactionCount", json!([dev_accounts()[0], "latest"])),
            "0x0"
        );
    }

    #[test]
    fn filters_answer_what_arrived_since_the_last_poll() {
        let node = start();
        let logger = "0x00000000000000000000000000000000000010c5";
        result(&node, "anvil_setCode", json!([logger, logger_code()]));
        let logs = result(&node, "eth_newFilter", json!([{ "address": logger }]));
        let blocks = result(&node, "eth_newBlockFilter", json!([]));
        let pending = result(&node, "eth_newPendingTransactionFilter", json!([]));
        assert_eq!(result(&node, "eth_getFilterChanges", json!([logs])), json!([]));
        let raw = sign(eip1559(0, logger.parse().unwrap(), U256::ZERO, vec![]), &alice());
        result(&node, "eth_sendRawTransaction", json!([raw]));
        let changed = result(&node, "eth_getFilterChanges", json!([logs]));
        assert_eq!(changed.as_array().unwrap().len(), 1);
        assert_eq!(changed[0]["address"], logger);
        assert_eq!(
            result(&node, "eth_getFilterChanges", json!([logs])),
            json!([]),
            "each log once"
        );
        let new_blocks = result(&node, "eth_getFilterChanges", json!([blocks]));
        let latest = result(&node, "eth_getBlockByNumber", json!(["latest", false]));
        assert_eq!(new_blocks, json!([latest["hash"]]));
        assert_eq!(result(&node, "eth_getFilterChanges", json!([pending])), json!([]));
        assert_eq!(result(&node, "eth_getFilterLogs", json!([logs])).as_array().unwrap().len(), 1);
        assert_eq!(result(&node, "eth_uninstallFilter", json!([logs])), json!(true));
        assert_eq!(result(&node, "eth_uninstallFilter", json!([logs])), json!(false));
        let (code, message) = error_code(&node, "eth_getFilterChanges", json!([logs]));
        assert_eq!(code, -32000);
        assert!(message.contains("filter not found"), "{message}");
    }

    fn temp_state(name: &str) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("paratii-node-{}-{name}.json", std::process::id()));
        let _ = std::fs::remove_file(&path);
        path
    }

    fn start_with_state(
        path: &std::path::Path,
    ) -> Result<paratii_devnet::node::RunningNode, paratii_devnet::node::StartError> {
        let config = paratii_devnet::node::NodeConfig {
            addr: "127.0.0.1:0".parse().unwrap(),
            state: Some(path.to_owned()),
            ..paratii_devnet::node::NodeConfig::default()
        };
        paratii_devnet::node::RunningNode::start(&config)
    }

    #[test]
    fn state_file_keeps_the_chain_across_a_restart() {
        let path = temp_state("restart");
        let node = start_with_state(&path).unwrap();
        let to = dev_accounts()[1];
        let hash = result(
            &node,
            "eth_sendRawTransaction",
            json!([sign(eip1559(0, to, U256::from(5), vec![]), &alice())]),
        );
        result(&node, "anvil_setCode", json!([PROGRAM, fixture_code()]));
        let code = result(&node, "eth_getCode", json!([PROGRAM, "latest"]));
        let balance = result(&node, "eth_getBalance", json!([to, "latest"]));
        node.stop().unwrap();

        let again = start_with_state(&path).unwrap();
        assert_eq!(result(&again, "eth_blockNumber", json!([])), "0x1");
        assert_eq!(result(&again, "eth_getBalance", json!([to, "latest"])), balance);
        assert_eq!(
            result(&again, "eth_getTransactionCount", json!([dev_accounts()[0], "latest"])),
            "0x1"
        );
        assert_eq!(result(&again, "eth_getTransactionReceipt", json!([hash]))["status"], "0x1");
        assert_eq!(result(&again, "eth_getCode", json!([PROGRAM, "latest"])), code);
        assert_eq!(
            result(&again, "eth_call", json!([{ "to": PROGRAM }])),
            format!("0x{}2a", "00".repeat(31)),
            "still activated"
        );
        let next = sign(eip1559(1, to, U256::from(5), vec![]), &alice());
        result(&again, "eth_sendRawTransaction", json!([next]));
        assert_eq!(result(&again, "eth_blockNumber", json!([])), "0x2");
        drop(again);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_corrupt_or_foreign_state_file_is_an_error_and_left_untouched() {
        let path = temp_state("corrupt");
        std::fs::write(&path, b"{\"format\": \"something else\"}").unwrap();
        let error = start_with_state(&path).err().expect("a corrupt file must not start a chain");
        assert!(matches!(error, paratii_devnet::node::StartError::State(_)), "{error}");
        assert!(error.to_string().contains("cannot be loaded"), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"format\": \"something else\"}");

        let other = temp_state("other-chain");
        let config = paratii_devnet::node::NodeConfig {
            addr: "127.0.0.1:0".parse().unwrap(),
            chain_id: 31_337,
            state: Some(other.clone()),
            ..paratii_devnet::node::NodeConfig::default()
        };
        paratii_devnet::node::RunningNode::start(&config).unwrap().stop().unwrap();
        let error = start_with_state(&other).err().expect("another chain's file must not load");
        assert!(
            matches!(
                error,
                paratii_devnet::node::StartError::ChainId { file: 31_337, asked: DEFAULT_CHAIN_ID }
            ),
            "{error}"
        );
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(&other);
    }

    #[test]
    fn dump_state_loads_into_another_node() {
        let node = start();
        let to = dev_accounts()[2];
        result(
            &node,
            "eth_sendRawTransaction",
            json!([sign(eip1559(0, to, U256::from(7), vec![]), &alice())]),
        );
        let dumped = result(&node, "anvil_dumpState", json!([]));
        let fresh = start();
        assert_eq!(result(&fresh, "anvil_loadState", json!([dumped])), json!(true));
        assert_eq!(result(&fresh, "eth_blockNumber", json!([])), "0x1");
        assert_eq!(
            result(&fresh, "eth_getBalance", json!([to, "latest"])),
            result(&node, "eth_getBalance", json!([to, "latest"]))
        );
        assert_eq!(error_code(&fresh, "anvil_loadState", json!(["0x00"])).0, -32602);
    }
}
