//! Host-I/O ink and EVM gas on a WAT fixture, with exact expected figures: cold and warm storage
//! loads, `SSTORE` set / reset / no-op / clear with its refund, logs, `memory.grow` through the
//! memory model, and a nested call's 63/64 budget. Each figure is the sum of Nitro's published
//! prices (`paratii_devnet::pricing`), written out.

use alloy_primitives::{Address, B256, U256};
use paratii_devnet::{
    pricing::{self as p, memory_gas, read_ink, EVM_API_INK, HOSTIO_INK, PTR_INK},
    Devnet, Status,
};

/// 1: load slot 0, flush (clearing the cache), load slot 0 again.
/// 3 `word`: cache `word` at slot 0, flush.
/// 4: log with 2 zero topics and 10 zero bytes of data.
/// 5 `n`: grow memory by `n` pages.
/// 6 `to`: output `evm_gas_left` (8 bytes LE), then call `to` with [7] and all the gas it may
///    pass on, then append the callee's output.
/// 7: output `evm_gas_left` (8 bytes LE).
const FIXTURE: &str = r#"
(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "storage_load_bytes32" (func $load (param i32 i32)))
  (import "vm_hooks" "storage_cache_bytes32" (func $cache (param i32 i32)))
  (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
  (import "vm_hooks" "emit_log" (func $log (param i32 i32 i32)))
  (import "vm_hooks" "pay_for_memory_grow" (func $pay (param i32)))
  (import "vm_hooks" "evm_gas_left" (func $gas_left (result i64)))
  (import "vm_hooks" "call_contract" (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "read_return_data" (func $rrd (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (local $cmd i32)
    (call $read_args (i32.const 1024))
    (local.set $cmd (i32.load8_u (i32.const 1024)))
    (if (i32.eq (local.get $cmd) (i32.const 1)) (then
      (call $load (i32.const 0) (i32.const 2048))
      (call $flush (i32.const 1))
      (call $load (i32.const 0) (i32.const 2048))))
    (if (i32.eq (local.get $cmd) (i32.const 3)) (then
      (call $cache (i32.const 0) (i32.const 1025))
      (call $flush (i32.const 0))))
    (if (i32.eq (local.get $cmd) (i32.const 4)) (then
      (call $log (i32.const 0) (i32.const 74) (i32.const 2))))
    (if (i32.eq (local.get $cmd) (i32.const 5)) (then
      (drop (memory.grow (i32.load8_u (i32.const 1025))))))
    (if (i32.eq (local.get $cmd) (i32.const 6)) (then
      (i32.store8 (i32.const 3200) (i32.const 7))
      (i64.store (i32.const 3000) (call $gas_left))
      (drop (call $call (i32.const 1025) (i32.const 3200) (i32.const 1) (i32.const 0) (i64.const -1) (i32.const 3100)))
      (drop (call $rrd (i32.const 3008) (i32.const 0) (i32.const 8)))
      (call $write_result (i32.const 3000) (i32.const 16))))
    (if (i32.eq (local.get $cmd) (i32.const 7)) (then
      (i64.store (i32.const 3000) (call $gas_left))
      (call $write_result (i32.const 3000) (i32.const 8))))
    (i32.const 0)))
"#;

const ALICE: Address = Address::repeat_byte(0xa1);
const GAS: u64 = 10_000_000;

fn setup() -> (Devnet, Address) {
    let mut net = Devnet::new();
    let wasm = wat::parse_str(FIXTURE).unwrap();
    let program = net.deploy(ALICE, &wasm, None).unwrap();
    (net, program)
}

fn store(net: &Devnet, program: Address, word: B256) -> paratii_devnet::Receipt {
    let mut data = vec![3];
    data.extend_from_slice(word.as_slice());
    let receipt = net.call_with_gas(ALICE, program, &data, U256::ZERO, GAS).unwrap();
    assert_eq!(receipt.status, Status::Success, "{}", receipt.failure);
    receipt
}

/// `read_args` of up to 32 bytes.
const READ_ARGS: u64 = HOSTIO_INK + 5_040;
/// `read_args` of 33 bytes.
const READ_ARGS_33: u64 = HOSTIO_INK + 5_070;
const LOAD: u64 = HOSTIO_INK + 2 * PTR_INK;
const CACHE: u64 = HOSTIO_INK + 2 * PTR_INK;
const FLUSH: u64 = HOSTIO_INK + EVM_API_INK;

#[test]
fn storage_load_is_cold_then_warm_within_a_transaction() {
    let (net, program) = setup();
    let r = net.call_with_gas(ALICE, program, &[1], U256::ZERO, GAS).unwrap();
    assert_eq!(r.gas.hostio_ink, READ_ARGS + LOAD + FLUSH + LOAD);
    // Miss, cold: 2,100 + the EVM-API gas (5). Flush with nothing dirty: 0. Miss, warm: 100 + 5.
    assert_eq!(r.gas.evm, (2_100 + 5) + (100 + 5));
    // A new transaction starts cold again.
    let again = net.call_with_gas(ALICE, program, &[1], U256::ZERO, GAS).unwrap();
    assert_eq!(again.gas.evm, r.gas.evm);
}

#[test]
fn sstore_prices_set_reset_noop_and_clear() {
    let (net, program) = setup();
    let one = B256::with_last_byte(1);
    let two = B256::with_last_byte(2);
    let set = store(&net, program, one);
    assert_eq!(set.gas.hostio_ink, READ_ARGS_33 + CACHE + FLUSH);
    assert_eq!(set.gas.evm, 2_100 + 20_000, "cold + zero to non-zero");
    assert_eq!(net.world().storage(program, U256::ZERO), one);
    let reset = store(&net, program, two);
    assert_eq!(reset.gas.evm, 2_100 + 2_900, "cold + non-zero to non-zero");
    let noop = store(&net, program, two);
    assert_eq!(noop.gas.evm, 2_100 + 100, "cold + same value");
    assert_eq!(noop.gas.refund, 0);
    let clear = store(&net, program, B256::ZERO);
    assert_eq!(clear.gas.evm, 2_100 + 2_900, "cold + non-zero to zero");
    // The 4,800 refund is capped as Nitro caps it: a fifth of (execution + intrinsic − L1 gas),
    // which here is above a fifth of the execution gas alone.
    let execution = clear.gas.used + clear.gas.refund;
    assert_eq!(clear.gas.refund, 4_800.min((execution + clear.gas.intrinsic) / 5));
    assert!(clear.gas.refund > execution / 5, "the intrinsic gas raises the cap: {clear:?}");
    assert_eq!(net.world().storage(program, U256::ZERO), B256::ZERO);
}

#[test]
fn log_costs_375_per_topic_and_log_plus_8_per_byte() {
    let (net, program) = setup();
    let r = net.call_with_gas(ALICE, program, &[4], U256::ZERO, GAS).unwrap();
    assert_eq!(r.status, Status::Success);
    assert_eq!(r.gas.hostio_ink, READ_ARGS + HOSTIO_INK + EVM_API_INK + read_ink(74));
    assert_eq!(r.gas.evm, 375 * 3 + 8 * 10);
    assert_eq!((r.logs.len(), r.logs[0].topics.len(), r.logs[0].data.len()), (1, 2, 10));
}

#[test]
fn memory_grow_pays_the_memory_model_beyond_free_pages() {
    let (net, program) = setup();
    // The footprint (1 page) is free; growing by 1 stays within the 2 free pages.
    let small = net.call_with_gas(ALICE, program, &[5, 1], U256::ZERO, GAS).unwrap();
    assert_eq!(small.gas.evm, 0);
    let big = net.call_with_gas(ALICE, program, &[5, 9], U256::ZERO, GAS).unwrap();
    assert_eq!(big.status, Status::Success);
    // 1 open + 9 = 10 pages: 8 beyond the free two, exp[10] − exp[1].
    assert_eq!(big.gas.evm, memory_gas(9, 1, 1));
    assert_eq!(big.gas.evm, 8 * 1_000 + 3 - 1);
}

#[test]
fn nested_call_passes_at_most_63_64_of_the_gas_left() {
    let (mut net, outer) = setup();
    let inner = net.deploy(ALICE, &wat::parse_str(FIXTURE).unwrap(), None).unwrap();
    let mut data = vec![6];
    data.extend_from_slice(inner.as_slice());
    let r = net.call_with_gas(ALICE, outer, &data, U256::ZERO, GAS).unwrap();
    assert_eq!(r.status, Status::Success, "{}", r.failure);
    let outer_left = u64::from_le_bytes(r.output[..8].try_into().unwrap());
    let inner_left = u64::from_le_bytes(r.output[8..16].try_into().unwrap());
    // Between the two readings: the caller's call hostio (< 0.2 gas per op) and the cold account
    // access (2,600), then 63/64, then the callee's entry and a few ops.
    let upper = (outer_left - 2_600) * 63 / 64;
    assert!(inner_left < upper, "{inner_left} should be below {upper}");
    let entry = net.entry_gas(inner).unwrap();
    assert!(inner_left > upper - entry - 200, "{inner_left} vs {upper}");
}

#[test]
fn call_gas_follows_eip150_and_adds_the_stipend_with_value() {
    assert_eq!(p::call_gas(64_000, 0, u64::MAX, false), 63_000);
    assert_eq!(p::call_gas(64_000, 0, 1_000, false), 1_000);
    assert_eq!(p::call_gas(66_600, 2_600, u64::MAX, false), 63_000);
    assert_eq!(p::call_gas(64_000, 0, 1_000, true), 1_000 + 2_300);
}

#[test]
fn entry_costs_less_when_cached() {
    let (net, program) = setup();
    let uncached = net.entry_gas(program).unwrap();
    net.set_cached(program, true).unwrap();
    let cached = net.entry_gas(program).unwrap();
    assert_eq!(
        uncached - cached,
        p::MIN_INIT_GAS + net.world().program_shape(program).unwrap().init_cost()
    );
    let r = net.call_with_gas(ALICE, program, &[7], U256::ZERO, GAS).unwrap();
    assert_eq!(r.gas.entry, cached);
}

/// A module whose entry cost depends on its data and element segments and its globals.
fn shaped(extra: &str) -> paratii_devnet::pricing::ProgramShape {
    let wasm = wat::parse_str(format!(
        r#"(module (memory (export "memory") 1)
  (func (export "user_entrypoint") (param i32) (result i32) (i32.const 0)) {extra})"#
    ))
    .unwrap();
    let net = Devnet::new();
    let at = Address::repeat_byte(0x5a);
    net.set_code(at, &wasm).unwrap();
    let shape = net.world().program_shape(at).unwrap();
    shape
}

#[test]
fn entry_data_cost_counts_whole_segment_entries_headers_included() {
    // Nitro (`prover/src/binary.rs`, `instrument`): `data_len = Σ datas[i].range.len() +
    // Σ elements[i].range.len()`, the byte range of each whole entry in the binary. An active
    // segment of memory 0 at `i32.const 16` holding 4 bytes is 1 (flags) + 3 (`i32.const 16`,
    // `end`) + 1 (length) + 4 = 9 bytes; two such segments, 18.
    assert_eq!(shaped(r#"(data (i32.const 16) "abcd")"#).data_bytes, 9);
    assert_eq!(
        shaped(r#"(data (i32.const 16) "abcd") (data (i32.const 32) "efgh")"#).data_bytes,
        18
    );
    // An element segment counts too: `(elem (i32.const 0) func 0)` is 1 + 3 + 1 + 1 = 6 bytes.
    assert_eq!(shaped("(table 1 funcref) (elem (i32.const 0) func 0)").data_bytes, 6);
}

#[test]
fn entry_cost_counts_the_three_globals_nitro_adds() {
    // Nitro counts globals after its meter (`ink_left`, `ink_status`) and depth checker
    // (`depth_left`) added theirs: a module with one global counts four.
    assert_eq!(shaped("").globals, 3);
    assert_eq!(shaped("(global i32 (i32.const 0))").globals, 4);
}

#[test]
fn memory_grow_instruction_costs_8050_ink_beside_its_pages() {
    // Nitro's opcode table prices `memory.grow` at 8,050 ink; the pages go through
    // `pay_for_memory_grow` on top. Growing by 0 pages buys no page, so the difference between
    // two programs that differ only by one `memory.grow 0` is that instruction and the
    // `i32.const` and `drop` around it (the call to `pay_for_memory_grow` the instrumentation
    // inserts is not metered, as in Nitro, and its host ink is counted apart).
    let grow = |body: &str| {
        let wasm = wat::parse_str(format!(
            r#"(module (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param i32) (result i32) {body} (i32.const 0)))"#
        ))
        .unwrap();
        let net = Devnet::new();
        let at = Address::repeat_byte(0x9e);
        net.set_code(at, &wasm).unwrap();
        net.call_with_gas(ALICE, at, &[], U256::ZERO, GAS).unwrap().gas.compute_ink
    };
    let with = grow("(drop (memory.grow (i32.const 0)))");
    let without = grow("");
    // i32.const (1) + memory.grow (8,050) + drop (9 — Nitro's price for `drop`).
    assert_eq!(with - without, paratii_devnet::instrument::MEMORY_GROW_INK + 1 + 9);
}
