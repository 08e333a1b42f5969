//! Unit tests on the SDK's `TestVM`: the original registry scenarios (register, read back, check the
//! event, unregister, read back empty; a non-owner can neither register nor unregister), then the
//! rules, the change delay (the review's attacks on re-pointed peers), and the two-step ownership.

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

/// The tests' clock at deployment, unix seconds.
const NOW: u64 = 1_700_000_000;
/// The tests' change delay: two days.
const DELAY: u64 = 2 * 86_400;

fn deploy() -> (PrecompileHost, ParatiiRegistry) {
    let host = PrecompileHost::new();
    host.vm.set_block_timestamp(NOW);
    let mut registry = ParatiiRegistry::from(&host);
    registry.constructor(OWNER, DELAY).unwrap();
    host.vm.set_sender(OWNER);
    (host, registry)
}

/// Moves the clock past the change delay.
fn wait_delay(host: &PrecompileHost) {
    host.vm.set_block_timestamp(host.vm.block_timestamp() + DELAY);
}

/// Schedules `name`'s number to `value`, waits the delay and applies it.
fn set_uint(host: &PrecompileHost, registry: &mut ParatiiRegistry, name: &str, value: U256) {
    registry.register_uint(name.into(), value).unwrap();
    wait_delay(host);
    registry.apply_uint_change(name.into()).unwrap();
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
    registry.register_address("ParatiiToken".into(), TOKEN).unwrap();
    assert_eq!(registry.get_contract("ParatiiToken".into()), TOKEN);
    assert_eq!(
        host.last_log::<AddressRegistered>(),
        AddressRegistered { key: key("ParatiiToken"), name: "ParatiiToken".into(), value: TOKEN }
    );
    registry.unregister_address("ParatiiToken".into()).unwrap();
    assert_eq!(registry.get_contract("ParatiiToken".into()), TOKEN);
    wait_delay(&host);
    registry.apply_address_change("ParatiiToken".into()).unwrap();
    assert_eq!(registry.get_contract("ParatiiToken".into()), Address::ZERO);
    assert_eq!(
        host.last_log::<AddressUnregistered>(),
        AddressUnregistered { key: key("ParatiiToken"), name: "ParatiiToken".into() }
    );
}

#[test]
fn register_uint_then_unregister_reads_zero() {
    let (host, mut registry) = deploy();
    let share = U256::from(300_000_000_000_000_000u64); // 0.3e18, the original's pool share
    set_uint(&host, &mut registry, "VideoRedistributionPoolShare", share);
    assert_eq!(registry.get_uint("VideoRedistributionPoolShare".into()), share);
    assert_eq!(
        host.last_log::<UintRegistered>(),
        UintRegistered {
            key: key("VideoRedistributionPoolShare"),
            name: "VideoRedistributionPoolShare".into(),
            value: share
        }
    );
    registry.unregister_uint("VideoRedistributionPoolShare".into()).unwrap();
    wait_delay(&host);
    registry.apply_uint_change("VideoRedistributionPoolShare".into()).unwrap();
    assert_eq!(registry.get_uint("VideoRedistributionPoolShare".into()), U256::ZERO);
    assert_eq!(host.last_log::<UintUnregistered>().name, "VideoRedistributionPoolShare");
}

#[test]
fn register_string_then_unregister_reads_empty() {
    let (host, mut registry) = deploy();
    let long =
        "ipfs gateway https://gateway.example/ipfs/ — longer than one 32-byte slot".to_owned();
    registry.register_string("Gateway".into(), long.clone()).unwrap();
    assert_eq!(registry.get_string("Gateway".into()), long);
    assert_eq!(
        host.last_log::<StringRegistered>(),
        StringRegistered { key: key("Gateway"), name: "Gateway".into(), value: long }
    );
    registry.register_string("Gateway".into(), "short".into()).unwrap();
    assert_eq!(
        registry.get_string("Gateway".into()),
        "short",
        "a shorter string replaces a longer"
    );
    registry.unregister_string("Gateway".into()).unwrap();
    assert_eq!(registry.get_string("Gateway".into()), "");
    assert_eq!(
        host.last_log::<StringUnregistered>(),
        StringUnregistered { key: key("Gateway"), name: "Gateway".into() }
    );
}

#[test]
fn register_reverts_when_caller_is_not_owner() {
    let (host, mut registry) = deploy();
    host.vm.set_sender(STRANGER);
    let before = log_count(&host);
    assert_eq!(registry.register_address("X".into(), TOKEN), Err(unauthorized(STRANGER)));
    assert_eq!(registry.register_uint("X".into(), U256::from(1)), Err(unauthorized(STRANGER)));
    assert_eq!(registry.register_string("X".into(), "y".into()), Err(unauthorized(STRANGER)));
    assert_eq!(registry.get_contract("X".into()), Address::ZERO);
    assert_eq!(registry.get_uint("X".into()), U256::ZERO);
    assert_eq!(registry.get_string("X".into()), "");
    assert_eq!(log_count(&host), before);
}

#[test]
fn unregister_reverts_when_caller_is_not_owner() {
    let (host, mut registry) = deploy();
    registry.register_address("X".into(), TOKEN).unwrap();
    set_uint(&host, &mut registry, "X", U256::from(5));
    registry.register_string("X".into(), "y".into()).unwrap();
    host.vm.set_sender(STRANGER);
    assert_eq!(registry.unregister_address("X".into()), Err(unauthorized(STRANGER)));
    assert_eq!(registry.unregister_uint("X".into()), Err(unauthorized(STRANGER)));
    assert_eq!(registry.unregister_string("X".into()), Err(unauthorized(STRANGER)));
    assert_eq!(registry.get_contract("X".into()), TOKEN);
    assert_eq!(registry.get_uint("X".into()), U256::from(5));
    assert_eq!(registry.get_string("X".into()), "y");
}

// --- rules ---

#[test]
fn register_reverts_when_name_is_empty() {
    let (_, mut registry) = deploy();
    let empty = Error::EmptyName(RegistryEmptyName {});
    assert_eq!(registry.register_address(String::new(), TOKEN), Err(empty.clone()));
    assert_eq!(registry.register_uint(String::new(), U256::from(1)), Err(empty.clone()));
    assert_eq!(registry.register_string(String::new(), "y".into()), Err(empty.clone()));
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
    let missing = Error::NotRegistered(RegistryNotRegistered { name: "Nope".into() });
    let before = log_count(&host);
    assert_eq!(registry.unregister_address("Nope".into()), Err(missing.clone()));
    assert_eq!(registry.unregister_uint("Nope".into()), Err(missing.clone()));
    assert_eq!(registry.unregister_string("Nope".into()), Err(missing));
    assert_eq!(log_count(&host), before);
}

#[test]
fn register_address_replaces_previous_address_after_the_delay() {
    let (host, mut registry) = deploy();
    registry.register_address("ParatiiToken".into(), TOKEN).unwrap();
    registry.register_address("ParatiiToken".into(), HEIR).unwrap();
    assert_eq!(
        host.last_log::<AddressChangeScheduled>(),
        AddressChangeScheduled {
            key: key("ParatiiToken"),
            name: "ParatiiToken".into(),
            value: HEIR,
            effectiveAt: NOW + DELAY,
        }
    );
    assert_eq!(registry.pending_address("ParatiiToken".into()), (HEIR, NOW + DELAY));
    wait_delay(&host);
    registry.apply_address_change("ParatiiToken".into()).unwrap();
    assert_eq!(registry.get_contract("ParatiiToken".into()), HEIR);
    assert_eq!(registry.pending_address("ParatiiToken".into()), (Address::ZERO, 0));
}

/// Attack (review, critical and high, through the registry): whoever holds the registry
/// re-points a peer the suite pays through (here the avatar) to its own contract. The lookups
/// keep answering the real peer for the whole delay, the change is announced at once, and it
/// can be applied one second before its time by nobody.
#[test]
fn re_pointing_a_registered_peer_waits_the_delay() {
    let (host, mut registry) = deploy();
    let avatar = names::PARATII_AVATAR;
    registry.register_address(avatar.name.into(), TOKEN).unwrap();
    registry.register_address(avatar.name.into(), STRANGER).unwrap();
    assert_eq!(registry.get_contract_by_key(avatar.key), TOKEN);
    host.vm.set_block_timestamp(NOW + DELAY - 1);
    host.vm.set_sender(STRANGER);
    assert_eq!(
        registry.apply_address_change(avatar.name.into()),
        Err(Error::ChangeNotDue(RegistryChangeNotDue {
            name: avatar.name.into(),
            effectiveAt: NOW + DELAY,
            now: NOW + DELAY - 1,
        }))
    );
    assert_eq!(registry.get_contract_by_key(avatar.key), TOKEN);
    host.vm.set_block_timestamp(NOW + DELAY);
    registry.apply_address_change(avatar.name.into()).unwrap();
    assert_eq!(registry.get_contract_by_key(avatar.key), STRANGER);
}

/// Attack (review, through the registry): the pool share is a number, so even its first
/// setting waits; a share of 0 is a live value (sellers get everything).
#[test]
fn register_uint_waits_the_delay_even_the_first_time() {
    let (host, mut registry) = deploy();
    let share = names::VIDEO_REDISTRIBUTION_POOL_SHARE;
    registry.register_uint(share.name.into(), U256::from(10).pow(U256::from(18))).unwrap();
    assert_eq!(registry.get_uint_by_key(share.key), U256::ZERO);
    assert_eq!(
        host.last_log::<UintChangeScheduled>(),
        UintChangeScheduled {
            key: share.key,
            name: share.name.into(),
            value: U256::from(10).pow(U256::from(18)),
            effectiveAt: NOW + DELAY,
        }
    );
    assert_eq!(
        registry.pending_uint(share.name.into()),
        (U256::from(10).pow(U256::from(18)), NOW + DELAY)
    );
}

#[test]
fn unregister_then_register_again_still_waits_the_delay() {
    let (host, mut registry) = deploy();
    registry.register_address("X".into(), TOKEN).unwrap();
    registry.unregister_address("X".into()).unwrap();
    // Still registered: the removal is only scheduled, so a new address is scheduled too.
    registry.register_address("X".into(), STRANGER).unwrap();
    assert_eq!(registry.get_contract("X".into()), TOKEN);
    assert_eq!(registry.pending_address("X".into()), (STRANGER, NOW + DELAY));
    assert_eq!(host.last_log::<AddressChangeScheduled>().value, STRANGER);
}

#[test]
fn cancel_change_drops_scheduled_changes_and_logs() {
    let (host, mut registry) = deploy();
    registry.register_address("X".into(), TOKEN).unwrap();
    registry.register_address("X".into(), STRANGER).unwrap();
    registry.register_uint("X".into(), U256::from(5)).unwrap();
    host.vm.set_sender(STRANGER);
    assert_eq!(registry.cancel_change("X".into()), Err(unauthorized(STRANGER)));
    host.vm.set_sender(OWNER);
    registry.cancel_change("X".into()).unwrap();
    assert_eq!(
        host.last_log::<ChangeCancelled>(),
        ChangeCancelled { key: key("X"), name: "X".into() }
    );
    wait_delay(&host);
    for result in [
        registry.apply_address_change("X".into()),
        registry.apply_uint_change("X".into()),
        registry.cancel_change("X".into()),
    ] {
        assert_eq!(
            result,
            Err(Error::NoPendingChange(RegistryNoPendingChange { name: "X".into() }))
        );
    }
    assert_eq!(registry.get_contract("X".into()), TOKEN);
}

#[test]
fn a_new_schedule_replaces_the_pending_one_and_restarts_its_clock() {
    let (host, mut registry) = deploy();
    registry.register_address("X".into(), TOKEN).unwrap();
    registry.register_address("X".into(), STRANGER).unwrap();
    host.vm.set_block_timestamp(NOW + DELAY - 10);
    registry.register_address("X".into(), HEIR).unwrap();
    assert_eq!(registry.pending_address("X".into()), (HEIR, NOW + 2 * DELAY - 10));
}

#[test]
fn constructor_reverts_when_delay_out_of_range() {
    for delay in [0, MIN_CHANGE_DELAY_SECS - 1, MAX_CHANGE_DELAY_SECS + 1] {
        let host = PrecompileHost::new();
        let mut registry = ParatiiRegistry::from(&host);
        assert_eq!(
            registry.constructor(OWNER, delay),
            Err(Error::InvalidDelay(RegistryInvalidDelay {
                delay,
                min: MIN_CHANGE_DELAY_SECS,
                max: MAX_CHANGE_DELAY_SECS,
            }))
        );
    }
    let (_, registry) = deploy();
    assert_eq!(registry.change_delay(), DELAY);
}

#[test]
fn kinds_are_independent_under_one_name() {
    let (host, mut registry) = deploy();
    registry.register_address("X".into(), TOKEN).unwrap();
    set_uint(&host, &mut registry, "X", U256::from(9));
    registry.unregister_address("X".into()).unwrap();
    wait_delay(&host);
    registry.apply_address_change("X".into()).unwrap();
    assert_eq!(registry.get_uint("X".into()), U256::from(9));
    assert_eq!(registry.get_contract("X".into()), Address::ZERO);
}

#[test]
fn get_by_key_reads_entries_under_suite_name_constants() {
    let (host, mut registry) = deploy();
    registry.register_address(names::PARATII_TOKEN.name.into(), TOKEN).unwrap();
    set_uint(&host, &mut registry, names::VIDEO_REDISTRIBUTION_POOL_SHARE.name, U256::from(7));
    assert_eq!(registry.get_contract_by_key(names::PARATII_TOKEN.key), TOKEN);
    assert_eq!(registry.get_uint_by_key(names::VIDEO_REDISTRIBUTION_POOL_SHARE.key), U256::from(7));
    assert_eq!(registry.get_contract_by_key(names::VIDEO_STORE.key), Address::ZERO);
}

// --- ownership ---

#[test]
fn constructor_sets_owner_and_logs_transfer_from_zero() {
    let (host, registry) = deploy();
    assert_eq!((registry.owner(), registry.pending_owner()), (OWNER, Address::ZERO));
    assert_eq!(
        host.last_log::<OwnershipTransferred>(),
        OwnershipTransferred { previousOwner: Address::ZERO, newOwner: OWNER }
    );
}

#[test]
fn constructor_reverts_when_owner_is_zero() {
    let host = PrecompileHost::new();
    let mut registry = ParatiiRegistry::from(&host);
    assert_eq!(
        registry.constructor(Address::ZERO, DELAY),
        Err(Error::InvalidOwner(OwnableInvalidOwner { owner: Address::ZERO }))
    );
}

#[test]
fn transfer_ownership_completes_only_when_pending_owner_accepts() {
    let (host, mut registry) = deploy();
    registry.transfer_ownership(HEIR).unwrap();
    assert_eq!(
        host.last_log::<OwnershipTransferStarted>(),
        OwnershipTransferStarted { previousOwner: OWNER, newOwner: HEIR }
    );
    assert_eq!((registry.owner(), registry.pending_owner()), (OWNER, HEIR));
    host.vm.set_sender(STRANGER);
    assert_eq!(registry.accept_ownership(), Err(unauthorized(STRANGER)));
    host.vm.set_sender(HEIR);
    registry.accept_ownership().unwrap();
    assert_eq!((registry.owner(), registry.pending_owner()), (HEIR, Address::ZERO));
    assert_eq!(
        host.last_log::<OwnershipTransferred>(),
        OwnershipTransferred { previousOwner: OWNER, newOwner: HEIR }
    );
    registry.register_address("X".into(), TOKEN).unwrap();
    host.vm.set_sender(OWNER);
    assert_eq!(registry.register_address("X".into(), HEIR), Err(unauthorized(OWNER)));
}

#[test]
fn transfer_ownership_reverts_when_caller_is_not_owner() {
    let (host, mut registry) = deploy();
    host.vm.set_sender(STRANGER);
    assert_eq!(registry.transfer_ownership(STRANGER), Err(unauthorized(STRANGER)));
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
    assert_eq!((registry.owner(), registry.pending_owner()), (Address::ZERO, Address::ZERO));
    assert_eq!(
        host.last_log::<OwnershipTransferred>(),
        OwnershipTransferred { previousOwner: OWNER, newOwner: Address::ZERO }
    );
    assert_eq!(registry.unregister_address("X".into()), Err(unauthorized(OWNER)));
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
    registry.register_string("S".into(), "y".repeat(100)).unwrap();
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
    let (host, mut registry) = deploy();
    registry.register_address("ParatiiToken".into(), TOKEN).unwrap();
    registry.register_address("VideoStore".into(), HEIR).unwrap();
    set_uint(&host, &mut registry, "VideoRedistributionPoolShare", U256::from(3));
    let (contracts, uints) = registry.get_by_keys(
        vec![names::VIDEO_STORE.key, names::PAYMENT_CHANNELS.key, names::PARATII_TOKEN.key],
        vec![names::VIDEO_REDISTRIBUTION_POOL_SHARE.key, names::PARATII_TOKEN.key],
    );
    assert_eq!(contracts, vec![HEIR, Address::ZERO, TOKEN]);
    assert_eq!(uints, vec![U256::from(3), U256::ZERO]);
    assert_eq!(registry.get_by_keys(vec![], vec![]), (vec![], vec![]));
}
