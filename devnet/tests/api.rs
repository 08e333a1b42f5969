//! The chain's API as an outside test suite uses it: code placed at a chosen address, views as any
//! sender, snapshots that restore the clock and the chain id along with the state.

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::sol;
use paratii_devnet::{Devnet, DevnetError};

sol! {
    /// What the fixture answers: its caller.
    function whoami() external view returns (address);
}

const FIXED: Address = address!("0x00000000000000000000000000000000000f1ed0");
const ALICE: Address = address!("0x00000000000000000000000000000000000000a1");

/// A program answering every call with `msg.sender` as an ABI word.
fn whoami_program() -> Vec<u8> {
    wat::parse_str(
        r#"(module
  (import "vm_hooks" "msg_sender" (func $sender (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $sender (i32.const 76))
    (call $write_result (i32.const 64) (i32.const 32))
    (i32.const 0)))"#,
    )
    .expect("the fixture should assemble")
}

#[test]
fn set_code_places_a_program_at_a_chosen_address_and_a_snapshot_undoes_it() {
    let net = Devnet::new();
    let before = net.snapshot();
    net.set_code(FIXED, &whoami_program()).unwrap();
    assert_eq!(net.view_from(ALICE, FIXED, &whoamiCall {}).unwrap(), ALICE);
    net.revert_to(&before).unwrap();
    assert!(matches!(
        net.static_call(ALICE, FIXED, &[]),
        Err(DevnetError::NoCode(at)) if at == FIXED
    ));
}

#[test]
fn set_code_refuses_a_module_stylus_would_not_activate() {
    let net = Devnet::new();
    let floats = wat::parse_str(
        r#"(module (memory (export "memory") 1) (func (export "user_entrypoint") (param i32) (result i32) (drop (f64.const 1)) i32.const 0))"#,
    )
    .unwrap();
    let Err(DevnetError::Invalid(violation)) = net.set_code(FIXED, &floats) else {
        panic!("should refuse a module with floats")
    };
    assert_eq!(violation.rule.name(), "no-floats");
}

#[test]
fn view_from_calls_as_the_given_sender_and_view_as_zero() {
    let net = Devnet::new();
    net.set_code(FIXED, &whoami_program()).unwrap();
    assert_eq!(net.view_from(ALICE, FIXED, &whoamiCall {}).unwrap(), ALICE);
    assert_eq!(net.view(FIXED, &whoamiCall {}).unwrap(), Address::ZERO);
}

#[test]
fn revert_to_restores_block_time_number_and_chain_id() {
    let net = Devnet::new();
    let start = net.world().block.clone();
    let snapshot = net.snapshot();
    let mut block = net.block();
    block.timestamp += 86_400;
    block.number += 7;
    block.chain_id = 1;
    net.set_block(block).unwrap();
    net.fund(ALICE, U256::from(5)).unwrap();
    net.revert_to(&snapshot).unwrap();
    assert_eq!(net.world().block, start);
    assert_eq!(net.world().balance(ALICE), U256::ZERO);
}

#[test]
fn state_digest_proves_a_reverted_call_changed_nothing_and_a_change_shows() {
    use paratii_devnet::Status;
    let net = Devnet::new();
    // A program that stores its calldata's first word at slot 0, then reverts when the second
    // word is non-zero.
    let store_then_maybe_revert = wat::parse_str(
        r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "storage_cache_bytes32" (func $cache (param i32 i32)))
  (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $read_args (i32.const 32))
    (call $cache (i32.const 0) (i32.const 32))
    (call $flush (i32.const 0))
    (i32.load8_u (i32.const 95))))"#,
    )
    .unwrap();
    net.set_code(FIXED, &store_then_maybe_revert).unwrap();
    net.fund(ALICE, U256::from(1)).unwrap();
    let before = net.world().state_digest();
    assert_eq!(net.world().accounts(), vec![ALICE, FIXED]);
    let mut data = vec![0u8; 64];
    data[31] = 7;
    data[63] = 1;
    let reverted = net.call(ALICE, FIXED, &data, U256::ZERO).unwrap();
    assert_eq!(reverted.status, Status::Revert);
    assert_eq!(net.world().state_digest(), before);
    data[63] = 0;
    let kept = net.call(ALICE, FIXED, &data, U256::ZERO).unwrap();
    assert_eq!(kept.status, Status::Success);
    assert_ne!(net.world().state_digest(), before);
    assert_eq!(net.world().storage_of(FIXED), vec![(U256::ZERO, B256::with_last_byte(7))]);
}

/// Changing the chain while a reader holds `world()` is a typed error, and changes nothing;
/// once the guard is dropped the same calls succeed.
#[test]
fn changes_while_world_is_read_fail_typed_and_change_nothing() {
    let net = Devnet::new();
    net.set_code(FIXED, &whoami_program()).unwrap();
    let snapshot = net.snapshot();
    let before = net.world().state_digest();
    {
        let reader = net.world();
        assert!(matches!(net.fund(ALICE, U256::from(1)), Err(DevnetError::WorldBorrowed)));
        assert!(matches!(net.advance_time(60), Err(DevnetError::WorldBorrowed)));
        assert!(matches!(net.set_cached(FIXED, true), Err(DevnetError::WorldBorrowed)));
        assert!(matches!(net.set_code(FIXED, &whoami_program()), Err(DevnetError::WorldBorrowed)));
        assert!(matches!(net.revert_to(&snapshot), Err(DevnetError::WorldBorrowed)));
        assert!(matches!(net.call(ALICE, FIXED, &[], U256::ZERO), Err(DevnetError::WorldBorrowed)));
        assert!(matches!(net.static_call(ALICE, FIXED, &[]), Err(DevnetError::WorldBorrowed)));
        assert_eq!(reader.state_digest(), before);
        assert!(net.entry_gas(FIXED).is_some(), "reads still work beside a reader");
    }
    assert_eq!(net.world().state_digest(), before);
    net.fund(ALICE, U256::from(1)).unwrap();
    assert!(net.call(ALICE, FIXED, &[], U256::ZERO).unwrap().success());
}
