//! Nitro's opcode ink metering on WAT fixtures, with exact expected ink: every basic block costs
//! its ops' ink plus a 2,450-ink header; `memory.fill`/`memory.copy` add 100 ink per byte; a call
//! that runs out of ink fails, undone, having burned its whole budget.

use alloy_primitives::{Address, U256};
use paratii_devnet::{instrument::HEADER_INK, Devnet, Status, INK_PRICE};

const ALICE: Address = Address::repeat_byte(0xa1);

/// Deploys `(module (memory (export "memory") 1) <body>)` and calls it with `calldata` and
/// `gas` beyond the entry cost.
fn run(body: &str, calldata: &[u8], gas: u64) -> paratii_devnet::Receipt {
    let mut net = Devnet::new();
    let wasm = wat::parse_str(format!(r#"(module {body} (memory (export "memory") 1))"#)).unwrap();
    let program = net.deploy(ALICE, &wasm, None).expect("fixture should deploy");
    let entry = net.entry_gas(program).unwrap();
    net.call_with_gas(ALICE, program, calldata, U256::ZERO, entry + gas).unwrap()
}

const GAS: u64 = 1_000_000;

#[test]
fn minimal_entrypoint_costs_one_block() {
    let r =
        run(r#"(func (export "user_entrypoint") (param i32) (result i32) i32.const 0)"#, &[], GAS);
    assert_eq!(r.status, Status::Success);
    // i32.const (1) + end (1) + header.
    assert_eq!(r.gas.compute_ink, 2 + HEADER_INK);
    assert_eq!(r.gas.compute_gas(), 1);
}

#[test]
fn block_of_known_ops_costs_their_sum_plus_header() {
    let r = run(
        r#"(func (export "user_entrypoint") (param i32) (result i32)
             local.get 0 i32.const 5 i32.add drop i32.const 0)"#,
        &[],
        GAS,
    );
    // local.get 75 + i32.const 1 + i32.add 70 + drop 9 + i32.const 1 + end 1.
    assert_eq!(r.gas.compute_ink, 157 + HEADER_INK);
}

#[test]
fn call_ends_a_block_and_callee_blocks_are_charged() {
    let r = run(
        r#"(func $f nop)
           (func (export "user_entrypoint") (param i32) (result i32) call $f i32.const 0)"#,
        &[],
        GAS,
    );
    // [call 3800] + [i32.const 1, end 1] in the entry; [nop 1, end 1] in $f.
    assert_eq!(r.gas.compute_ink, (3800 + HEADER_INK) + (2 + HEADER_INK) + (2 + HEADER_INK));
}

#[test]
fn loop_body_is_charged_per_iteration() {
    let body = r#"(func (export "user_entrypoint") (param i32) (result i32)
        (loop $l local.get 0 i32.const 1 i32.sub local.tee 0 br_if $l)
        i32.const 0)"#;
    // Blocks: [loop] once; [local.get 75, i32.const 1, i32.sub 70, local.tee 75, br_if 765] per
    // iteration; [end] of the loop once; [i32.const, end] once. The calldata length is the count.
    let per_iteration = 986 + HEADER_INK;
    for n in [1u64, 2, 7] {
        let r = run(body, &vec![0u8; usize::try_from(n).unwrap()], GAS);
        assert_eq!(
            r.gas.compute_ink,
            (1 + HEADER_INK) * 2 + n * per_iteration + (2 + HEADER_INK),
            "n = {n}"
        );
    }
}

#[test]
fn memory_fill_adds_100_ink_per_byte() {
    let body = r#"(func (export "user_entrypoint") (param i32) (result i32)
        (memory.fill (i32.const 0) (i32.const 0) (local.get 0))
        i32.const 0)"#;
    let base = 1 + 1 + 75 + 950 + 1 + 1 + HEADER_INK;
    assert_eq!(run(body, &[], GAS).gas.compute_ink, base);
    assert_eq!(run(body, &[0u8; 40], GAS).gas.compute_ink, base + 40 * 100);
}

#[test]
fn call_fails_and_burns_its_budget_when_out_of_ink() {
    let body = r#"(func (export "user_entrypoint") (param i32) (result i32)
        (loop $l local.get 0 i32.const 1 i32.sub local.tee 0 br_if $l)
        i32.const 0)"#;
    // 100 iterations need ~343,600 ink; a budget of 10 gas is 100,000 ink.
    let r = run(body, &[0u8; 100], 10);
    assert_eq!(r.status, Status::Failure);
    assert_eq!(r.failure, "out of ink");
    assert_eq!(r.gas.compute_ink, 10 * INK_PRICE);
    assert_eq!(r.gas.used, r.gas.entry + 10, "a failure burns the whole budget");
    // The same program with enough gas succeeds.
    assert_eq!(run(body, &[0u8; 100], GAS).status, Status::Success);
}

#[test]
fn op_ink_prices_unsupported_ops_as_unusable() {
    // A float op is refused at deployment, so its infinite price is checked on the table.
    let types = [];
    assert_eq!(paratii_devnet::instrument::op_ink(&wasmparser::Operator::F64Add, &types), u64::MAX);
    assert_eq!(paratii_devnet::instrument::op_ink(&wasmparser::Operator::I64Popcnt, &types), 6000);
}

#[test]
fn returned_data_costs_at_least_its_evm_memory_expansion() {
    let body = r#"(import "vm_hooks" "write_result" (func $out (param i32 i32)))
        (func (export "user_entrypoint") (param i32) (result i32)
          (call $out (i32.const 0) (i32.const 60000)) i32.const 0)"#;
    let r = run(body, &[], GAS);
    assert_eq!(r.status, Status::Success);
    assert_eq!(r.output.len(), 60_000);
    let metered =
        r.gas.entry + (r.gas.compute_ink + r.gas.hostio_ink).div_ceil(INK_PRICE) + r.gas.evm;
    let floor = paratii_devnet::pricing::evm_memory_gas(60_000);
    assert!(metered < floor, "the fixture should be below the floor: {metered} vs {floor}");
    assert_eq!(r.gas.used, floor);
}
