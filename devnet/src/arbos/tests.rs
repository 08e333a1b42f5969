//! `ArbOS`'s Stylus surface on the in-process chain: selectors as cargo-stylus sends them,
//! activation and its refusals, the data pricer, the cache auction and the deployer.

use alloy_primitives::{address, hex, keccak256, Address, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent};

use super::{
    cache::CACHE_SIZE, deployed_address, ArbOwnerPublic as O, ArbWasm as A, ArbWasmCache as C,
    CacheManager as M, DataPricer, StylusDeployer as D, ARB_OWNER_PUBLIC, ARB_WASM, ARB_WASM_CACHE,
    CACHE_MANAGER, NETWORK_FEE_ACCOUNT, STYLUS_DEPLOYER,
};
use crate::{init_code_prelude, Devnet, DevnetError, Receipt, Status, STYLUS_PREFIX};

const ALICE: Address = address!("0x00000000000000000000000000000000000a11ce");
const ETH: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

/// A program that answers any call with the word 0x2a.
fn wasm() -> Vec<u8> {
    wasm_answering(42)
}

/// A program that answers any call with the word `answer`.
fn wasm_answering(answer: u8) -> Vec<u8> {
    wat::parse_str(
        r#"(module
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param i32) (result i32)
    (i32.store8 (i32.const 31) (i32.const ANSWER))
    (call $write_result (i32.const 0) (i32.const 32)) (i32.const 0)))"#
            .replace("ANSWER", &answer.to_string()),
    )
    .unwrap()
}

/// `wasm` as on-chain Stylus code.
fn stylus_code(wasm: &[u8]) -> Vec<u8> {
    let mut code = STYLUS_PREFIX.to_vec();
    code.push(0);
    code.extend_from_slice(&paratii_build::wasm::brotli(wasm));
    code
}

fn chain() -> Devnet {
    let net = Devnet::new();
    net.fund(ALICE, ETH * U256::from(100)).unwrap();
    net.install_arbos().unwrap();
    net
}

fn call(net: &Devnet, to: Address, data: &[u8], value: U256) -> Receipt {
    net.transaction(ALICE, to, data, value, 30_000_000).unwrap()
}

fn reverted_with<E: SolError + PartialEq + std::fmt::Debug>(receipt: &Receipt, error: &E) {
    assert_eq!(receipt.status, Status::Revert, "{receipt:?}");
    assert_eq!(E::abi_decode(&receipt.output).as_ref(), Ok(error));
}

/// The data fee activating `program` would charge now.
fn fee_of(net: &Devnet, program: Address) -> U256 {
    let snapshot = net.snapshot();
    let r = call(net, ARB_WASM, &A::activateProgramCall { program }.abi_encode(), ETH);
    net.revert_to(&snapshot).unwrap();
    A::activateProgramCall::abi_decode_returns(&r.output).unwrap().dataFee
}

#[test]
fn selectors_match_what_cargo_stylus_sends() {
    assert_eq!(A::codehashVersionCall::SELECTOR, hex!("d70c0ca7"));
    assert_eq!(A::activateProgramCall::SELECTOR, hex!("58c780c2"));
    assert_eq!(A::stylusVersionCall::SELECTOR, hex!("a996e0c2"));
    assert_eq!(A::activationGasCall::SELECTOR, hex!("2278c278"));
    assert_eq!(A::ProgramNotActivated::SELECTOR, hex!("6f809c4e"));
    assert_eq!(A::ProgramNeedsUpgrade::SELECTOR, hex!("637d968f"));
    assert_eq!(A::ProgramExpired::SELECTOR, hex!("c9b12e52"));
    assert_eq!(A::ProgramActivated::SIGNATURE_HASH[..4], hex!("c0e81278"));
    assert_eq!(C::allCacheManagersCall::SELECTOR, hex!("0ec1d773"));
    assert_eq!(C::codehashIsCachedCall::SELECTOR, hex!("a72f179b"));
    assert_eq!(O::getMaxStylusContractFragmentsCall::SELECTOR, hex!("e5a7f893"));
    assert_eq!(M::isPausedCall::SELECTOR, hex!("b187bd26"));
    assert_eq!(M::getMinBid_0Call::SELECTOR, hex!("d29b303e"));
    assert_eq!(M::getMinBid_1Call::SELECTOR, hex!("32052a9b"));
    assert_eq!(M::placeBidCall::SELECTOR, hex!("e4940157"));
    assert_eq!(D::deployCall::SELECTOR, hex!("a9a8e4e9"));
    assert_eq!(D::ContractDeployed::SIGNATURE_HASH[..4], hex!("8ffcdc15"));
}

#[test]
fn data_pricer_drains_4_tib_a_year() {
    assert_eq!(u64::from(super::wasm::BYTES_PER_SECOND), 4 * (1u64 << 40) / (365 * 24) / 3600);
}

#[test]
fn data_pricer_charges_the_floor_times_the_demand_exponential() {
    // 10^6 bytes of demand: exponent 10,000 · 10^6 / 70,177,364 = 142 bips, e^0.0142 ≈ 1.0143,
    // so 82,928,201 wei per byte × 10,143 / 10,000 × 10^6 bytes.
    let mut pricer = DataPricer::default();
    assert_eq!(pricer.update(1_000_000, 1_700_000_000), U256::from(84_114_074_274_300u64));
    assert_eq!(pricer.demand, 1_000_000);
}

#[test]
fn prelude_wraps_code_and_only_the_exact_prelude_unwraps() {
    let code = stylus_code(&wasm());
    let init = init_code_prelude(&code);
    assert_eq!(init[..3], [0x7f, 0, 0]);
    assert_eq!(crate::code_from_init_prelude(&init), Some(&code[..]));
    let mut longer = init.clone();
    longer.push(0);
    assert_eq!(crate::code_from_init_prelude(&longer), None, "length must match");
    let mut tampered = init;
    tampered[34] = 0x5b;
    assert_eq!(crate::code_from_init_prelude(&tampered), None);
}

#[test]
fn create_places_code_unactivated_and_a_call_meets_program_not_activated() {
    let net = chain();
    let code = stylus_code(&wasm());
    let created = net.create(ALICE, &init_code_prelude(&code), U256::ZERO, 1_000_000).unwrap();
    let program = created.address.unwrap();
    assert_eq!(program, crate::create_address(ALICE, 0));
    assert_eq!(created.receipt.gas.used, crate::pricing::prelude_gas(code.len() as u64));
    assert_eq!(net.world().code(program), &code[..]);
    reverted_with(&call(&net, program, &[], U256::ZERO), &A::ProgramNotActivated {});
    let version = A::codehashVersionCall { codehash: keccak256(&code) }.abi_encode();
    reverted_with(&call(&net, ARB_WASM, &version, U256::ZERO), &A::ProgramNotActivated {});
}

#[test]
fn create_refuses_evm_init_code_and_changes_nothing() {
    let net = chain();
    let before = net.world().state_digest();
    let evm = hex!("600a600c600039600a6000f3602a60005260206000f3");
    assert!(matches!(
        net.create(ALICE, &evm, U256::ZERO, 1_000_000),
        Err(DevnetError::EvmInitCode)
    ));
    assert_eq!(net.world().state_digest(), before);
}

#[test]
fn activate_program_charges_the_fee_refunds_the_rest_and_enables_calls() {
    let net = chain();
    let code = stylus_code(&wasm());
    let program = net.create(ALICE, &init_code_prelude(&code), U256::ZERO, 1_000_000).unwrap();
    let program = program.address.unwrap();
    let fee = fee_of(&net, program);
    assert!(fee > U256::ZERO);
    let activate = A::activateProgramCall { program }.abi_encode();
    let short = call(&net, ARB_WASM, &activate, fee - U256::from(1));
    reverted_with(&short, &A::ProgramInsufficientValue { have: fee - U256::from(1), want: fee });

    let before = net.world().balance(ALICE);
    let r = call(&net, ARB_WASM, &activate, fee + ETH);
    assert!(r.success(), "{r:?}");
    assert!(r.gas.used >= super::ACTIVATION_FIXED_GAS);
    assert_eq!(net.world().balance(ALICE), before - fee, "the excess comes back");
    assert_eq!(net.world().balance(NETWORK_FEE_ACCOUNT), fee);
    let events = r.events::<A::ProgramActivated>(ARB_WASM);
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].codehash, events[0].program, events[0].dataFee),
        (keccak256(&code), program, fee)
    );

    let answer = call(&net, program, &[], U256::ZERO);
    assert_eq!(U256::from_be_slice(&answer.output), U256::from(42));
    let version = A::codehashVersionCall { codehash: keccak256(&code) }.abi_encode();
    assert_eq!(
        call(&net, ARB_WASM, &version, U256::ZERO).output,
        U256::from(2).to_be_bytes::<32>()
    );
    reverted_with(&call(&net, ARB_WASM, &activate, fee), &A::ProgramUpToDate {});
}

#[test]
fn activate_program_refuses_evm_code_and_names_the_broken_stylus_rule() {
    let net = chain();
    let evm = address!("0x00000000000000000000000000000000000e0e0e");
    net.place_code(evm, &hex!("6000")).unwrap();
    let r = call(&net, ARB_WASM, &A::activateProgramCall { program: evm }.abi_encode(), ETH);
    reverted_with(&r, &A::ProgramNotWasm {});

    let floats = wat::parse_str(
        r#"(module (memory (export "memory") 1)
  (func (export "user_entrypoint") (param i32) (result i32) (drop (f32.const 1)) (i32.const 0)))"#,
    )
    .unwrap();
    let bad = address!("0x00000000000000000000000000000000000bad00");
    net.place_code(bad, &stylus_code(&floats)).unwrap();
    let before = net.world().state_digest();
    let r = call(&net, ARB_WASM, &A::activateProgramCall { program: bad }.abi_encode(), ETH);
    assert_eq!(r.status, Status::Revert);
    let reason = alloy_sol_types::Revert::abi_decode(&r.output).unwrap().reason;
    assert!(reason.contains("no-floats"), "{reason}");
    assert_eq!(net.world().state_digest(), before, "the value came back, nothing activated");
}

#[test]
fn place_bid_caches_the_program_and_its_entry_gets_cheaper() {
    let net = chain();
    let code = stylus_code(&wasm());
    let program = net.create(ALICE, &init_code_prelude(&code), U256::ZERO, 1_000_000).unwrap();
    let program = program.address.unwrap();
    let bid = M::placeBidCall { program }.abi_encode();
    reverted_with(&call(&net, CACHE_MANAGER, &bid, U256::ZERO), &A::ProgramNotActivated {});
    let fee = fee_of(&net, program);
    assert!(call(&net, ARB_WASM, &A::activateProgramCall { program }.abi_encode(), fee).success());
    let uncached = net.entry_gas(program).unwrap();

    let r = call(&net, CACHE_MANAGER, &bid, U256::from(7));
    assert!(r.success(), "{r:?}");
    assert_eq!(r.events::<M::InsertBid>(CACHE_MANAGER)[0].codehash, keccak256(&code));
    assert!(net.entry_gas(program).unwrap() < uncached);
    let cached = C::codehashIsCachedCall { codehash: keccak256(&code) }.abi_encode();
    assert_eq!(call(&net, ARB_WASM_CACHE, &cached, U256::ZERO).output[31], 1);
    assert_eq!(net.world().balance(CACHE_MANAGER), U256::from(7), "the bid is kept");
    reverted_with(
        &call(&net, CACHE_MANAGER, &bid, U256::ZERO),
        &M::AlreadyCached { codehash: keccak256(&code) },
    );
    let huge = M::getMinBid_0Call { size: CACHE_SIZE + 1 }.abi_encode();
    let r = call(&net, CACHE_MANAGER, &huge, U256::ZERO);
    assert_eq!(r.status, Status::Revert);
    assert_eq!(r.output[..4], M::AsmTooLarge::SELECTOR);
}

#[test]
fn arbos_views_answer_what_cargo_stylus_reads() {
    let net = chain();
    let managers = call(&net, ARB_WASM_CACHE, &C::allCacheManagersCall {}.abi_encode(), U256::ZERO);
    assert_eq!(
        C::allCacheManagersCall::abi_decode_returns(&managers.output).unwrap(),
        vec![CACHE_MANAGER]
    );
    let fragments = O::getMaxStylusContractFragmentsCall {}.abi_encode();
    assert_eq!(call(&net, ARB_OWNER_PUBLIC, &fragments, U256::ZERO).output, [0u8; 32]);
    let version = call(&net, ARB_WASM, &A::stylusVersionCall {}.abi_encode(), U256::ZERO);
    assert_eq!(A::stylusVersionCall::abi_decode_returns(&version.output).unwrap(), 2);
    let paused = call(&net, CACHE_MANAGER, &M::isPausedCall {}.abi_encode(), U256::ZERO);
    assert!(!M::isPausedCall::abi_decode_returns(&paused.output).unwrap());
    let unknown = call(&net, ARB_WASM, &hex!("12345678"), U256::ZERO);
    assert_eq!((unknown.status, unknown.output.len()), (Status::Revert, 0));
    assert_eq!(net.world().code(ARB_WASM), [0xfe]);
}

#[test]
fn deployer_creates_activates_constructs_refunds_and_logs() {
    let net = chain();
    let code = stylus_code(&wasm());
    let init = init_code_prelude(&code);
    let expected = deployed_address(&init, &[1], B256::ZERO, 0);
    let fee = {
        let probe = net.create(ALICE, &init, U256::ZERO, 1_000_000).unwrap().address.unwrap();
        let fee = fee_of(&net, probe);
        net.place_code(probe, &[]).unwrap();
        fee
    };
    let deploy = D::deployCall {
        bytecode: init.clone().into(),
        initData: vec![1].into(),
        initValue: U256::from(5),
        salt: B256::ZERO,
    };
    let before = net.world().balance(ALICE);
    let r = call(&net, STYLUS_DEPLOYER, &deploy.abi_encode(), fee + U256::from(5) + ETH);
    assert!(r.success(), "{r:?}");
    let address = D::deployCall::abi_decode_returns(&r.output).unwrap();
    assert_eq!(address, expected);
    assert_eq!(r.events::<D::ContractDeployed>(STYLUS_DEPLOYER)[0].deployedContract, address);
    assert_eq!(net.world().balance(address), U256::from(5), "the constructor got its value");
    assert_eq!(net.world().balance(ALICE), before - fee - U256::from(5), "the rest is refunded");
    assert_eq!(net.world().balance(STYLUS_DEPLOYER), U256::ZERO);
    assert_eq!(U256::from_be_slice(&call(&net, address, &[], U256::ZERO).output), U256::from(42));

    // Already active: a second deployment of the same code pays no fee.
    let again = D::deployCall { initValue: U256::ZERO, ..deploy.clone() };
    let before = net.world().balance(ALICE);
    assert!(call(&net, STYLUS_DEPLOYER, &again.abi_encode(), ETH).success());
    assert_eq!(net.world().balance(ALICE), before);
}

#[test]
fn deployer_salts_with_init_data_and_refuses_what_the_original_refuses() {
    let net = chain();
    let init = init_code_prelude(&stylus_code(&wasm()));
    let salt = B256::repeat_byte(9);
    let salted = D::deployCall {
        bytecode: init.clone().into(),
        initData: vec![2].into(),
        initValue: U256::ZERO,
        salt,
    };
    let r = call(&net, STYLUS_DEPLOYER, &salted.abi_encode(), ETH);
    assert!(r.success(), "{r:?}");
    assert_eq!(
        D::deployCall::abi_decode_returns(&r.output).unwrap(),
        deployed_address(&init, &[2], salt, 0)
    );
    let before = net.world().state_digest();
    reverted_with(
        &call(&net, STYLUS_DEPLOYER, &salted.abi_encode(), ETH),
        &D::ContractDeploymentError { bytecode: init.clone().into() },
    );
    let no_data =
        D::deployCall { initData: vec![].into(), initValue: U256::from(1), ..salted.clone() };
    let fresh = D::deployCall { salt: B256::repeat_byte(8), ..no_data };
    reverted_with(
        &call(&net, STYLUS_DEPLOYER, &fresh.abi_encode(), ETH),
        &D::InitValueButNotInitData {},
    );
    let empty = D::deployCall { bytecode: vec![].into(), ..salted.clone() };
    reverted_with(&call(&net, STYLUS_DEPLOYER, &empty.abi_encode(), ETH), &D::EmptyBytecode {});
    // Already active, so no activation: the constructor cannot get more than was sent.
    let greedy =
        D::deployCall { initValue: ETH * U256::from(2), salt: B256::repeat_byte(7), ..salted };
    let r = call(&net, STYLUS_DEPLOYER, &greedy.abi_encode(), ETH);
    assert_eq!(r.output[..4], D::ContractInitializationError::SELECTOR);
    // Not yet active: the original's `msg.value - initValue` underflows (Solidity's panic 0x11).
    let other = init_code_prelude(&stylus_code(&wasm_answering(43)));
    let greedy = D::deployCall { bytecode: other.into(), ..greedy };
    let r = call(&net, STYLUS_DEPLOYER, &greedy.abi_encode(), ETH);
    assert_eq!(r.status, Status::Revert);
    assert_eq!(alloy_sol_types::Panic::abi_decode(&r.output).unwrap().code, U256::from(0x11));
    assert_eq!(net.world().state_digest(), before, "refusals change nothing");
}
