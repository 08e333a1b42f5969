//! Call-frame semantics on a WAT fixture: nested calls and their rollback, static calls, the depth
//! limit, `exit_early`, traps, reentrancy, value transfers.

use alloy_primitives::{Address, B256, U256};
use paratii_devnet::{Devnet, Status};

/// A test program; the first calldata byte picks what it does:
/// 1 `word ‖ status`: cache `word` at slot 0, flush, log it, return `status`.
/// 2 `to ‖ data`: call `to` with `data`; output the status byte; succeed.
/// 3 `to ‖ data`: the same as a static call.
/// 4: call itself (with all the gas it may pass on) with the same calldata; output 4 bytes,
///    1 + the callee's count (1 if it failed).
/// 5 `status`: output 0xAB, then `exit_early(status)`.
/// 6 `0|1`: with 0, call itself with [6, 1] and output its output; with 1, output `msg_reentrant`.
/// 8 `to ‖ data`: call `to` with `data`, then revert.
/// 9 `word`: cache `word` at slot 0, flush, then trap.
const ROUTER: &str = r#"
(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "storage_cache_bytes32" (func $cache (param i32 i32)))
  (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
  (import "vm_hooks" "emit_log" (func $log (param i32 i32 i32)))
  (import "vm_hooks" "call_contract" (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "static_call_contract" (func $scall (param i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "contract_address" (func $self (param i32)))
  (import "vm_hooks" "exit_early" (func $exit (param i32)))
  (import "vm_hooks" "msg_reentrant" (func $reentrant (result i32)))
  (import "vm_hooks" "read_return_data" (func $rrd (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (local $cmd i32) (local $status i32) (local $n i32)
    (call $read_args (i32.const 256))
    (local.set $cmd (i32.load8_u (i32.const 256)))
    (if (i32.eq (local.get $cmd) (i32.const 1)) (then
      (call $cache (i32.const 0) (i32.const 257))
      (call $flush (i32.const 0))
      (call $log (i32.const 257) (i32.const 32) (i32.const 0))
      (return (i32.load8_u (i32.const 289)))))
    (if (i32.eq (local.get $cmd) (i32.const 2)) (then
      (local.set $status (call $call (i32.const 257) (i32.const 277)
        (i32.sub (local.get $len) (i32.const 21)) (i32.const 0) (i64.const 1000000) (i32.const 512)))
      (i32.store8 (i32.const 600) (local.get $status))
      (call $write_result (i32.const 600) (i32.const 1))
      (return (i32.const 0))))
    (if (i32.eq (local.get $cmd) (i32.const 3)) (then
      (local.set $status (call $scall (i32.const 257) (i32.const 277)
        (i32.sub (local.get $len) (i32.const 21)) (i64.const 1000000) (i32.const 512)))
      (i32.store8 (i32.const 600) (local.get $status))
      (call $write_result (i32.const 600) (i32.const 1))
      (return (i32.const 0))))
    (if (i32.eq (local.get $cmd) (i32.const 4)) (then
      (call $self (i32.const 700))
      (local.set $status (call $call (i32.const 700) (i32.const 256) (local.get $len)
        (i32.const 0) (i64.const -1) (i32.const 512)))
      (local.set $n (call $rrd (i32.const 800) (i32.const 0) (i32.const 4)))
      (if (i32.and (i32.eqz (local.get $status)) (i32.eq (local.get $n) (i32.const 4)))
        (then (i32.store (i32.const 800) (i32.add (i32.load (i32.const 800)) (i32.const 1))))
        (else (i32.store (i32.const 800) (i32.const 1))))
      (call $write_result (i32.const 800) (i32.const 4))
      (return (i32.const 0))))
    (if (i32.eq (local.get $cmd) (i32.const 5)) (then
      (i32.store8 (i32.const 600) (i32.const 0xAB))
      (call $write_result (i32.const 600) (i32.const 1))
      (call $exit (i32.load8_u (i32.const 257)))))
    (if (i32.eq (local.get $cmd) (i32.const 6)) (then
      (if (i32.eqz (i32.load8_u (i32.const 257))) (then
        (call $self (i32.const 700))
        (i32.store8 (i32.const 900) (i32.const 6))
        (i32.store8 (i32.const 901) (i32.const 1))
        (drop (call $call (i32.const 700) (i32.const 900) (i32.const 2) (i32.const 0)
          (i64.const 1000000) (i32.const 512)))
        (drop (call $rrd (i32.const 600) (i32.const 0) (i32.const 1))))
      (else (i32.store8 (i32.const 600) (call $reentrant))))
      (call $write_result (i32.const 600) (i32.const 1))
      (return (i32.const 0))))
    (if (i32.eq (local.get $cmd) (i32.const 8)) (then
      (drop (call $call (i32.const 257) (i32.const 277)
        (i32.sub (local.get $len) (i32.const 21)) (i32.const 0) (i64.const 1000000) (i32.const 512)))
      (return (i32.const 1))))
    (if (i32.eq (local.get $cmd) (i32.const 9)) (then
      (call $cache (i32.const 0) (i32.const 257))
      (call $flush (i32.const 0))
      (unreachable)))
    (i32.const 1)))
"#;

const ALICE: Address = Address::repeat_byte(0xa1);

fn setup() -> (Devnet, Address, Address) {
    let mut net = Devnet::new();
    let wasm = wat::parse_str(ROUTER).expect("fixture should parse");
    let a = net.deploy(ALICE, &wasm, None).unwrap();
    let b = net.deploy(ALICE, &wasm, None).unwrap();
    (net, a, b)
}

fn store(word: u8, status: u8) -> Vec<u8> {
    let mut data = vec![1];
    data.extend_from_slice(B256::repeat_byte(word).as_slice());
    data.push(status);
    data
}

fn via(cmd: u8, to: Address, inner: &[u8]) -> Vec<u8> {
    let mut data = vec![cmd];
    data.extend_from_slice(to.as_slice());
    data.extend_from_slice(inner);
    data
}

fn slot0(net: &Devnet, who: Address) -> B256 {
    net.world().storage(who, U256::ZERO)
}

#[test]
fn nested_call_keeps_callee_writes_and_logs_when_it_succeeds() {
    let (net, a, b) = setup();
    let receipt = net.call(ALICE, a, &via(2, b, &store(7, 0)), U256::ZERO).unwrap();
    assert_eq!((receipt.status, receipt.output.as_slice()), (Status::Success, &[0u8][..]));
    assert_eq!(slot0(&net, b), B256::repeat_byte(7));
    assert_eq!(receipt.logs.len(), 1);
    assert_eq!(receipt.logs[0].address, b);
}

#[test]
fn nested_call_revert_rolls_back_callee_writes_and_logs() {
    let (net, a, b) = setup();
    let receipt = net.call(ALICE, a, &via(2, b, &store(7, 1)), U256::ZERO).unwrap();
    // Any unsuccessful call reports status 2 (Nitro's `UserOutcomeKind::Failure`).
    assert_eq!((receipt.status, receipt.output.as_slice()), (Status::Success, &[2u8][..]));
    assert_eq!(slot0(&net, b), B256::ZERO);
    assert!(receipt.logs.is_empty());
}

#[test]
fn caller_revert_rolls_back_successful_callee_writes() {
    let (net, a, b) = setup();
    let receipt = net.call(ALICE, a, &via(8, b, &store(7, 0)), U256::ZERO).unwrap();
    assert_eq!(receipt.status, Status::Revert);
    assert_eq!(slot0(&net, b), B256::ZERO);
    assert!(receipt.logs.is_empty() && net.world().logs().is_empty());
}

#[test]
fn static_call_fails_when_callee_writes() {
    let (net, a, b) = setup();
    let receipt = net.call(ALICE, a, &via(3, b, &store(7, 0)), U256::ZERO).unwrap();
    assert_eq!(receipt.output, [2u8], "the static callee should fail");
    assert_eq!(slot0(&net, b), B256::ZERO);
}

#[test]
fn recursion_stops_when_open_pages_pass_128() {
    // Every frame opens its one-page footprint; the memory model prices page 129 as unaffordable,
    // so one-page programs nest 128 deep, well before the 1,024-frame call-depth limit.
    // On a small thread stack: the devnet grows its stack for deep recursion itself.
    let frames = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let (net, a, _) = setup();
            // 63/64 of the gas goes down each level: start with plenty.
            let receipt =
                net.call_with_gas(ALICE, a, &[4], U256::ZERO, 100_000_000_000_000).unwrap();
            assert_eq!(receipt.status, Status::Success);
            u32::from_le_bytes(receipt.output[..4].try_into().unwrap())
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(frames, 128);
}

#[test]
fn exit_early_ends_with_its_status_and_keeps_output() {
    let (net, a, _) = setup();
    let ok = net.call(ALICE, a, &[5, 0], U256::ZERO).unwrap();
    assert_eq!((ok.status, ok.output.as_slice()), (Status::Success, &[0xABu8][..]));
    let reverted = net.call(ALICE, a, &[5, 1], U256::ZERO).unwrap();
    assert_eq!((reverted.status, reverted.output.as_slice()), (Status::Revert, &[0xABu8][..]));
    let failed = net.call(ALICE, a, &[5, 2], U256::ZERO).unwrap();
    assert_eq!((failed.status, failed.output.len()), (Status::Failure, 0));
}

#[test]
fn trap_fails_with_no_output_and_rolls_back_writes() {
    let (net, a, _) = setup();
    let mut data = vec![9];
    data.extend_from_slice(B256::repeat_byte(3).as_slice());
    let receipt = net.call(ALICE, a, &data, U256::ZERO).unwrap();
    assert_eq!(receipt.status, Status::Failure);
    assert!(receipt.output.is_empty());
    assert!(receipt.failure.contains("unreachable"), "{}", receipt.failure);
    assert_eq!(slot0(&net, a), B256::ZERO);
}

#[test]
fn msg_reentrant_is_true_only_inside_a_reentrant_frame() {
    let (net, a, _) = setup();
    assert_eq!(net.call(ALICE, a, &[6, 1], U256::ZERO).unwrap().output, [0u8]);
    assert_eq!(net.call(ALICE, a, &[6, 0], U256::ZERO).unwrap().output, [1u8]);
}

#[test]
fn call_moves_value_and_fails_without_change_when_caller_is_short() {
    let (net, a, _) = setup();
    net.fund(ALICE, U256::from(100)).unwrap();
    let receipt = net.call(ALICE, a, &[6, 1], U256::from(60)).unwrap();
    assert_eq!(receipt.status, Status::Success);
    assert_eq!(
        (net.world().balance(ALICE), net.world().balance(a)),
        (U256::from(40), U256::from(60))
    );
    let short = net.call(ALICE, a, &[6, 1], U256::from(41)).unwrap();
    assert_eq!(short.status, Status::Failure);
    assert_eq!(
        (net.world().balance(ALICE), net.world().balance(a)),
        (U256::from(40), U256::from(60))
    );
}

#[test]
fn nested_call_to_account_without_program_succeeds_empty() {
    let (net, a, _) = setup();
    let receipt =
        net.call(ALICE, a, &via(2, Address::repeat_byte(0x77), &[1, 2, 3]), U256::ZERO).unwrap();
    assert_eq!((receipt.status, receipt.output.as_slice()), (Status::Success, &[0u8][..]));
}

#[test]
fn revert_to_snapshot_undoes_later_transactions() {
    let (net, a, b) = setup();
    let snapshot = net.snapshot();
    net.call(ALICE, a, &via(2, b, &store(9, 0)), U256::ZERO).unwrap();
    assert_eq!(slot0(&net, b), B256::repeat_byte(9));
    net.revert_to(&snapshot).unwrap();
    assert_eq!(slot0(&net, b), B256::ZERO);
    assert!(net.world().logs().is_empty());
}

#[test]
fn out_of_bounds_read_fails_the_call_without_allocating() {
    let mut net = Devnet::new();
    let wasm = wat::parse_str(
        r#"(module (import "vm_hooks" "write_result" (func $out (param i32 i32)))
           (memory (export "memory") 1)
           (func (export "user_entrypoint") (param i32) (result i32)
             (call $out (i32.const 0) (i32.const -1)) i32.const 0))"#,
    )
    .unwrap();
    let program = net.deploy(ALICE, &wasm, None).unwrap();
    // Enough gas to pay for a 4 GiB read: the bounds check, not the meter, must stop it.
    let receipt = net.call_with_gas(ALICE, program, &[], U256::ZERO, 100_000_000_000).unwrap();
    assert_eq!(receipt.status, Status::Failure);
    assert!(receipt.failure.contains("out of bounds"), "{}", receipt.failure);
}

/// A factory: calldata `1 ‖ code` creates with `create1`, `2 ‖ code` with `create2` (salt 0);
/// outputs the new address.
const FACTORY: &str = r#"
(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "create1" (func $create1 (param i32 i32 i32 i32 i32)))
  (import "vm_hooks" "create2" (func $create2 (param i32 i32 i32 i32 i32 i32)))
  (memory (export "memory") 2)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $read_args (i32.const 1024))
    (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 1))
      (then (call $create1 (i32.const 1025) (i32.sub (local.get $len) (i32.const 1))
        (i32.const 0) (i32.const 100) (i32.const 200)))
      (else (call $create2 (i32.const 1025) (i32.sub (local.get $len) (i32.const 1))
        (i32.const 0) (i32.const 0) (i32.const 100) (i32.const 200))))
    (call $write_result (i32.const 100) (i32.const 20))
    (i32.const 0)))
"#;

const CHILD: &str = r#"(module (memory (export "memory") 1)
  (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#;

fn on_chain_code(wasm: &[u8]) -> Vec<u8> {
    let mut code = vec![0xEF, 0xF0, 0x00, 0x00];
    code.extend_from_slice(&paratii_build::wasm::brotli(wasm));
    code
}

#[test]
fn create1_deploys_stylus_code_at_the_create_address() {
    let mut net = Devnet::new();
    let factory = net.deploy(ALICE, &wat::parse_str(FACTORY).unwrap(), None).unwrap();
    let mut data = vec![1];
    data.extend_from_slice(&on_chain_code(&wat::parse_str(CHILD).unwrap()));
    let receipt = net.call(ALICE, factory, &data, U256::ZERO).unwrap();
    assert_eq!(receipt.status, Status::Success, "{}", receipt.failure);
    let child = Address::from_slice(&receipt.output);
    // A contract's first CREATE uses nonce 1 (EIP-161).
    assert_eq!(child, paratii_devnet::create_address(factory, 1));
    assert!(receipt.gas.evm >= paratii_devnet::pricing::CREATE_GAS);
    assert_eq!(net.call(ALICE, child, &[], U256::ZERO).unwrap().status, Status::Success);
}

#[test]
fn create2_deploys_raw_wasm_at_the_create2_address() {
    let mut net = Devnet::new();
    let factory = net.deploy(ALICE, &wat::parse_str(FACTORY).unwrap(), None).unwrap();
    let child_wasm = wat::parse_str(CHILD).unwrap();
    let mut data = vec![2];
    data.extend_from_slice(&child_wasm);
    let receipt = net.call(ALICE, factory, &data, U256::ZERO).unwrap();
    let child = Address::from_slice(&receipt.output);
    let expected = paratii_devnet::create2_address(
        factory,
        B256::ZERO,
        alloy_primitives::keccak256(&child_wasm),
    );
    assert_eq!(child, expected);
    assert_eq!(net.call(ALICE, child, &[], U256::ZERO).unwrap().status, Status::Success);
    // The same salt and code again collide: zero address.
    let again = net.call(ALICE, factory, &data, U256::ZERO).unwrap();
    assert_eq!(again.output, [0u8; 20]);
}

#[test]
fn create_returns_zero_address_when_code_is_not_a_valid_program() {
    let mut net = Devnet::new();
    let factory = net.deploy(ALICE, &wat::parse_str(FACTORY).unwrap(), None).unwrap();
    for code in [&b"\x60\x80\x60\x40"[..], &on_chain_code(b"\0asm junk")[..]] {
        let mut data = vec![1];
        data.extend_from_slice(code);
        let receipt = net.call(ALICE, factory, &data, U256::ZERO).unwrap();
        assert_eq!(receipt.status, Status::Success);
        assert_eq!(receipt.output, [0u8; 20]);
    }
}
