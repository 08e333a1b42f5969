//! Unit tests on the SDK's `TestVM`: the original registry scenarios (register, read back, check the
//! event, unregister, read back empty; a non-owner can neither register nor unregister), then the
//! rules and the two-step ownership.

use super::*;
use alloy_primitives::address;
use paratii_common::testing::PrecompileHost;
use paratii_contracts::{
    names,
    ownable::{OwnershipTransferStarted, OwnershipTransferred},
};

const OWNER: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const STRANGER: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
const HEIR: Address = address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
const TOKEN: Address = address!("0x5FbDB2315678afecb367f032d93F642f64180aa3");

fn deploy() -> (PrecompileHost, ParatiiRegistry) {
    let host = PrecompileHost::new();
    let mut registry = ParatiiRegistry::from(&host);
    registry.constructor(OWNER).unwrap();
    host.vm.set_sender(OWNER);
    (host, registry)
}

fn log_count(host: &PrecompileHost) -> usize {
    host.vm.get_emitted_logs().len()
}

fn unauthorized(account: Address) -> Error {
    Error::UnauthorizedAccount(OwnableUnauthorizedAccount { account })
}

fn key(name: &str) -> B256 {
    keccak256(name.as_bytes())
}

// --- the original scenarios ---

#[test]
fn register_address_then_unregister_reads_zero() {
    let (host, mut registry) = deploy();
    registry
        .register_address("ParatiiToken".into(), TOKEN)
        .unwrap();
    assert_eq!(registry.get_contract("ParatiiToken".into()), TOKEN);
    assert_eq!(
        host.last_log::<AddressRegistered>(),
        AddressRegistered {
            key: key("ParatiiToken"),
            name: "ParatiiToken".into(),
            value: TOKEN
        }
    );
    registry.unregister_address("ParatiiToken".into()).unwrap();
    assert_eq!(registry.get_contract("ParatiiToken".into()), Address::ZERO);
    assert_eq!(
        host.last_log::<AddressUnregistered>(),
        AddressUnregistered {
            key: key("ParatiiToken"),
            name: "ParatiiToken".into()
        }
    );
}

#[test]
fn register_uint_then_unregister_reads_zero() {
    let (host, mut registry) = deploy();
    let share = U256::from(300_000_000_000_000_000u64); // 0.3e18, the original's pool share
    registry
        .register_uint("VideoRedistributionPoolShare".into(), share)
        .unwrap();
    assert_eq!(
        registry.get_uint("VideoRedistributionPoolShare".into()),
        share
    );
    assert_eq!(
        host.last_log::<UintRegistered>(),
        UintRegistered {
            key: key("VideoRedistributionPoolShare"),
            name: "VideoRedistributionPoolShare".into(),
            value: share
        }
    );
    registry
        .unregister_uint("VideoRedistributionPoolShare".into())
        .unwrap();
    assert_eq!(
        registry.get_uint("VideoRedistributionPoolShare".into()),
        U256::ZERO
    );
    assert_eq!(
        host.last_log::<UintUnregistered>().name,
        "VideoRedistributionPoolShare"
    );
}

#[test]
fn register_string_then_unregister_reads_empty() {
    let (host, mut registry) = deploy();
    let long =
        "ipfs gateway https://gateway.example/ipfs/ — longer than one 32-byte slot".to_owned();
    registry
        .register_string("Gateway".into(), long.clone())
        .unwrap();
    assert_eq!(registry.get_string("Gateway".into()), long);
    assert_eq!(
        host.last_log::<StringRegistered>(),
        StringRegistered {
            key: key("Gateway"),
            name: "Gateway".into(),
            value: long
        }
    );
    registry
        .register_string("Gateway".into(), "short".into())
        .unwrap();
    assert_eq!(
        registry.get_string("Gateway".into()),
        "short",
        "a shorter string replaces a longer"
    );
    registry.unregister_string("Gateway".into()).unwrap();
    assert_eq!(registry.get_string("Gateway".into()), "");
    assert_eq!(
        host.last_log::<StringUnregistered>(),
        StringUnregistered {
            key: key("Gateway"),
            name: "Gateway".into()
        }
    );
}

#[test]
fn register_reverts_when_caller_is_not_owner() {
    let (host, mut registry) = deploy();
    host.vm.set_sender(STRANGER);
    let before = log_count(&host);
    assert_eq!(
        registry.register_address("X".into(), TOKEN),
        Err(unauthorized(STRANGER))
    );
    assert_eq!(
        registry.register_uint("X".into(), U256::from(1)),
        Err(unauthorized(STRANGER))
    );
    assert_eq!(
        registry.register_string("X".into(), "y".into()),
        Err(unauthorized(STRANGER))
    );
    assert_eq!(registry.get_contract("X".into()), Address::ZERO);
    assert_eq!(registry.get_uint("X".into()), U256::ZERO);
    assert_eq!(registry.get_string("X".into()), "");
    assert_eq!(log_count(&host), before);
}

#[test]
fn unregister_reverts_when_caller_is_not_owner() {
    let (host, mut registry) = deploy();
    registry.register_address("X".into(), TOKEN).unwrap();
    registry.register_uint("X".into(), U256::from(5)).unwrap();
    registry.register_string("X".into(), "y".into()).unwrap();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        registry.unregister_address("X".into()),
        Err(unauthorized(STRANGER))
    );
    assert_eq!(
        registry.unregister_uint("X".into()),
        Err(unauthorized(STRANGER))
    );
    assert_eq!(
        registry.unregister_string("X".into()),
        Err(unauthorized(STRANGER))
    );
    assert_eq!(registry.get_contract("X".into()), TOKEN);
    assert_eq!(registry.get_uint("X".into()), U256::from(5));
    assert_eq!(registry.get_string("X".into()), "y");
}

// --- rules ---

#[test]
fn register_reverts_when_name_is_empty() {
    let (_, mut registry) = deploy();
    let empty = Error::EmptyName(RegistryEmptyName {});
    assert_eq!(
        registry.register_address(String::new(), TOKEN),
        Err(empty.clone())
    );
    assert_eq!(
        registry.register_uint(String::new(), U256::from(1)),
        Err(empty.clone())
    );
    assert_eq!(
        registry.register_string(String::new(), "y".into()),
        Err(empty.clone())
    );
    assert_eq!(registry.unregister_address(String::new()), Err(empty));
}

#[test]
fn register_address_reverts_when_address_is_zero() {
    let (_, mut registry) = deploy();
    assert_eq!(
        registry.register_address("X".into(), Address::ZERO),
        Err(Error::ZeroAddress(RegistryZeroAddress { name: "X".into() }))
    );
}

#[test]
fn register_string_reverts_when_string_is_empty() {
    let (_, mut registry) = deploy();
    assert_eq!(
        registry.register_string("X".into(), String::new()),
        Err(Error::EmptyString(RegistryEmptyString { name: "X".into() }))
    );
}

#[test]
fn unregister_reverts_when_nothing_registered() {
    let (host, mut registry) = deploy();
    let missing = Error::NotRegistered(RegistryNotRegistered {
        name: "Nope".into(),
    });
    let before = log_count(&host);
    assert_eq!(
        registry.unregister_address("Nope".into()),
        Err(missing.clone())
    );
    assert_eq!(
        registry.unregister_uint("Nope".into()),
        Err(missing.clone())
    );
    assert_eq!(registry.unregister_string("Nope".into()), Err(missing));
    assert_eq!(log_count(&host), before);
}

#[test]
fn register_address_replaces_previous_address() {
    let (_, mut registry) = deploy();
    registry
        .register_address("ParatiiToken".into(), TOKEN)
        .unwrap();
    registry
        .register_address("ParatiiToken".into(), HEIR)
        .unwrap();
    assert_eq!(registry.get_contract("ParatiiToken".into()), HEIR);
}

#[test]
fn kinds_are_independent_under_one_name() {
    let (_, mut registry) = deploy();
    registry.register_address("X".into(), TOKEN).unwrap();
    registry.register_uint("X".into(), U256::from(9)).unwrap();
    registry.unregister_address("X".into()).unwrap();
    assert_eq!(registry.get_uint("X".into()), U256::from(9));
}

#[test]
fn get_by_key_reads_entries_under_suite_name_constants() {
    let (_, mut registry) = deploy();
    registry
        .register_address(names::PARATII_TOKEN.name.into(), TOKEN)
        .unwrap();
    registry
        .register_uint(
            names::VIDEO_REDISTRIBUTION_POOL_SHARE.name.into(),
            U256::from(7),
        )
        .unwrap();
    assert_eq!(
        registry.get_contract_by_key(names::PARATII_TOKEN.key),
        TOKEN
    );
    assert_eq!(
        registry.get_uint_by_key(names::VIDEO_REDISTRIBUTION_POOL_SHARE.key),
        U256::from(7)
    );
    assert_eq!(
        registry.get_contract_by_key(names::VIDEO_STORE.key),
        Address::ZERO
    );
}

// --- ownership ---

#[test]
fn constructor_sets_owner_and_logs_transfer_from_zero() {
    let (host, registry) = deploy();
    assert_eq!(
        (registry.owner(), registry.pending_owner()),
        (OWNER, Address::ZERO)
    );
    assert_eq!(
        host.last_log::<OwnershipTransferred>(),
        OwnershipTransferred {
            previousOwner: Address::ZERO,
            newOwner: OWNER
        }
    );
}

#[test]
fn constructor_reverts_when_owner_is_zero() {
    let host = PrecompileHost::new();
    let mut registry = ParatiiRegistry::from(&host);
    assert_eq!(
        registry.constructor(Address::ZERO),
        Err(Error::InvalidOwner(OwnableInvalidOwner {
            owner: Address::ZERO
        }))
    );
}

#[test]
fn transfer_ownership_completes_only_when_pending_owner_accepts() {
    let (host, mut registry) = deploy();
    registry.transfer_ownership(HEIR).unwrap();
    assert_eq!(
        host.last_log::<OwnershipTransferStarted>(),
        OwnershipTransferStarted {
            previousOwner: OWNER,
            newOwner: HEIR
        }
    );
    assert_eq!((registry.owner(), registry.pending_owner()), (OWNER, HEIR));
    host.vm.set_sender(STRANGER);
    assert_eq!(registry.accept_ownership(), Err(unauthorized(STRANGER)));
    host.vm.set_sender(HEIR);
    registry.accept_ownership().unwrap();
    assert_eq!(
        (registry.owner(), registry.pending_owner()),
        (HEIR, Address::ZERO)
    );
    assert_eq!(
        host.last_log::<OwnershipTransferred>(),
        OwnershipTransferred {
            previousOwner: OWNER,
            newOwner: HEIR
        }
    );
    registry.register_address("X".into(), TOKEN).unwrap();
    host.vm.set_sender(OWNER);
    assert_eq!(
        registry.register_address("X".into(), HEIR),
        Err(unauthorized(OWNER))
    );
}

#[test]
fn transfer_ownership_reverts_when_caller_is_not_owner() {
    let (host, mut registry) = deploy();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        registry.transfer_ownership(STRANGER),
        Err(unauthorized(STRANGER))
    );
    assert_eq!(registry.pending_owner(), Address::ZERO);
}

#[test]
fn accept_ownership_reverts_when_transfer_cancelled() {
    let (host, mut registry) = deploy();
    registry.transfer_ownership(HEIR).unwrap();
    registry.transfer_ownership(Address::ZERO).unwrap();
    host.vm.set_sender(HEIR);
    assert_eq!(registry.accept_ownership(), Err(unauthorized(HEIR)));
    assert_eq!(registry.owner(), OWNER);
}

#[test]
fn renounce_ownership_freezes_registry() {
    let (host, mut registry) = deploy();
    registry.register_address("X".into(), TOKEN).unwrap();
    registry.transfer_ownership(HEIR).unwrap();
    registry.renounce_ownership().unwrap();
    assert_eq!(
        (registry.owner(), registry.pending_owner()),
        (Address::ZERO, Address::ZERO)
    );
    assert_eq!(
        host.last_log::<OwnershipTransferred>(),
        OwnershipTransferred {
            previousOwner: OWNER,
            newOwner: Address::ZERO
        }
    );
    assert_eq!(
        registry.unregister_address("X".into()),
        Err(unauthorized(OWNER))
    );
    host.vm.set_sender(HEIR);
    assert_eq!(registry.accept_ownership(), Err(unauthorized(HEIR)));
    assert_eq!(registry.get_contract("X".into()), TOKEN);
}

#[test]
fn register_string_round_trips_at_word_boundaries() {
    let (_, mut registry) = deploy();
    for len in [1usize, 31, 32, 33, 64, 65, MAX_STRING_BYTES] {
        let value: String = "abcdefghij".chars().cycle().take(len).collect();
        registry.register_string("S".into(), value.clone()).unwrap();
        assert_eq!(registry.get_string("S".into()), value, "length {len}");
    }
    registry.register_string("S".into(), "é✓".into()).unwrap();
    assert_eq!(registry.get_string("S".into()), "é✓");
}

#[test]
fn register_string_reverts_when_longer_than_max() {
    let (_, mut registry) = deploy();
    let value = "x".repeat(MAX_STRING_BYTES + 1);
    assert_eq!(
        registry.register_string("S".into(), value),
        Err(Error::StringTooLong(RegistryStringTooLong {
            name: "S".into(),
            length: U256::from(MAX_STRING_BYTES + 1),
            max: U256::from(MAX_STRING_BYTES),
        }))
    );
    assert_eq!(registry.get_string("S".into()), "");
}

#[test]
fn unregister_string_clears_every_word() {
    let (_, mut registry) = deploy();
    registry
        .register_string("S".into(), "y".repeat(100))
        .unwrap();
    registry.unregister_string("S".into()).unwrap();
    // Re-registering a shorter string after a longer one must not expose old words either.
    registry.register_string("S".into(), "z".into()).unwrap();
    assert_eq!(registry.get_string("S".into()), "z");
    // Words 1..4 held the 100-byte value; only word 0 is live now.
    let words = registry.string_words.getter(key("S"));
    for i in 1..4u32 {
        assert_eq!(words.get(i), B256::ZERO, "word {i} should be cleared");
    }
    assert_eq!(words.get(0u32)[0], b'z');
}

#[test]
fn get_by_keys_answers_each_key_in_order_with_zero_for_missing() {
    let (_host, mut registry) = deploy();
    registry
        .register_address("ParatiiToken".into(), TOKEN)
        .unwrap();
    registry
        .register_address("VideoStore".into(), HEIR)
        .unwrap();
    registry
        .register_uint("VideoRedistributionPoolShare".into(), U256::from(3))
        .unwrap();
    let (contracts, uints) = registry.get_by_keys(
        vec![
            names::VIDEO_STORE.key,
            names::PAYMENT_CHANNELS.key,
            names::PARATII_TOKEN.key,
        ],
        vec![
            names::VIDEO_REDISTRIBUTION_POOL_SHARE.key,
            names::PARATII_TOKEN.key,
        ],
    );
    assert_eq!(contracts, vec![HEIR, Address::ZERO, TOKEN]);
    assert_eq!(uints, vec![U256::from(3), U256::ZERO]);
    assert_eq!(registry.get_by_keys(vec![], vec![]), (vec![], vec![]));
}
