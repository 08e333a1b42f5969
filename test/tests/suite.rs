//! The suite's real deployable WASM on the devnet, driven through the generated interfaces
//! (`contracts/abi/*.sol`) like an integrator would, from `target/wasm/*.wasm` (written by the
//! devnet's build script before any test runs).

use alloy_primitives::{address, Address, U256};
use alloy_sol_types::{sol, SolCall, SolError, SolEvent, SolInterface};
use paratii_devnet::{CallError, Devnet, DevnetError, Status};

sol!(
    #![sol(all_derives)]
    "../contracts/abi/IParatiiToken.sol"
);
sol!(
    #![sol(all_derives)]
    "../contracts/abi/IParatiiRegistry.sol"
);

const ALICE: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const BOB: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
const CAROL: Address = address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");

fn wasm(dir: &str) -> Vec<u8> {
    paratii_test::wasm(dir).unwrap_or_else(|e| panic!("{e}"))
}

fn pti(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

fn deploy_token(net: &mut Devnet) -> Address {
    let args = IParatiiToken::balanceOfCall { owner: ALICE }.abi_encode()[4..].to_vec();
    net.deploy(ALICE, &wasm("token"), Some(&args)).expect("token should deploy")
}

fn token_error(data: &[u8]) -> IParatiiToken::IParatiiTokenErrors {
    IParatiiToken::IParatiiTokenErrors::abi_decode(data).expect("should be a token error")
}

#[test]
fn token_deploys_with_whole_supply_at_holder() {
    let mut net = Devnet::new();
    let token = deploy_token(&mut net);
    assert_eq!(
        net.view(token, &IParatiiToken::balanceOfCall { owner: ALICE }).unwrap(),
        pti(21_000_000)
    );
    assert_eq!(net.view(token, &IParatiiToken::totalSupplyCall {}).unwrap(), pti(21_000_000));
    assert_eq!(net.view(token, &IParatiiToken::nameCall {}).unwrap(), "Paratii");
    assert_eq!(net.view(token, &IParatiiToken::symbolCall {}).unwrap(), "PTI");
    assert_eq!(net.view(token, &IParatiiToken::decimalsCall {}).unwrap(), 18);
    let mint = net.world().logs()[0].clone();
    let event =
        IParatiiToken::Transfer::decode_raw_log(mint.topics.iter().copied(), &mint.data).unwrap();
    assert_eq!((event.from, event.to, event.value), (Address::ZERO, ALICE, pti(21_000_000)));
}

#[test]
fn token_transfer_moves_balance_and_logs_transfer() {
    let mut net = Devnet::new();
    let token = deploy_token(&mut net);
    let call = IParatiiToken::transferCall { to: BOB, value: pti(5) };
    let receipt = net.call(ALICE, token, &call.abi_encode(), U256::ZERO).unwrap();
    assert_eq!(receipt.status, Status::Success);
    assert!(IParatiiToken::transferCall::abi_decode_returns(&receipt.output).unwrap());
    assert_eq!(receipt.logs.len(), 1);
    let log = &receipt.logs[0];
    assert_eq!(log.address, token);
    let event =
        IParatiiToken::Transfer::decode_raw_log(log.topics.iter().copied(), &log.data).unwrap();
    assert_eq!((event.from, event.to, event.value), (ALICE, BOB, pti(5)));
    assert_eq!(net.view(token, &IParatiiToken::balanceOfCall { owner: BOB }).unwrap(), pti(5));
}

#[test]
fn token_transfer_reverts_with_typed_error_and_leaves_no_trace() {
    let mut net = Devnet::new();
    let token = deploy_token(&mut net);
    let logs_before = net.world().logs().len();
    let err = net
        .send(BOB, token, &IParatiiToken::transferCall { to: CAROL, value: pti(1) })
        .unwrap_err();
    let CallError::Reverted(data) = err else { panic!("should revert, got {err:?}") };
    match token_error(&data) {
        IParatiiToken::IParatiiTokenErrors::ERC20InsufficientBalance(e) => {
            assert_eq!((e.sender, e.balance, e.needed), (BOB, U256::ZERO, pti(1)));
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(net.world().logs().len(), logs_before);
    assert_eq!(
        net.view(token, &IParatiiToken::balanceOfCall { owner: CAROL }).unwrap(),
        U256::ZERO
    );
}

#[test]
fn token_approve_then_transfer_from_spends_allowance() {
    let mut net = Devnet::new();
    let token = deploy_token(&mut net);
    net.send(ALICE, token, &IParatiiToken::approveCall { spender: BOB, value: pti(10) }).unwrap();
    net.send(
        BOB,
        token,
        &IParatiiToken::transferFromCall { from: ALICE, to: CAROL, value: pti(4) },
    )
    .unwrap();
    assert_eq!(
        net.view(token, &IParatiiToken::allowanceCall { owner: ALICE, spender: BOB }).unwrap(),
        pti(6)
    );
    assert_eq!(net.view(token, &IParatiiToken::balanceOfCall { owner: CAROL }).unwrap(), pti(4));
    let err = net
        .send(
            BOB,
            token,
            &IParatiiToken::transferFromCall { from: ALICE, to: CAROL, value: pti(7) },
        )
        .unwrap_err();
    let CallError::Reverted(data) = err else { panic!("should revert") };
    assert_eq!(data[..4], IParatiiToken::ERC20InsufficientAllowance::SELECTOR);
}

#[test]
fn static_call_fails_when_program_writes() {
    let mut net = Devnet::new();
    let token = deploy_token(&mut net);
    let call = IParatiiToken::transferCall { to: BOB, value: pti(1) };
    let receipt = net.static_call(ALICE, token, &call.abi_encode()).unwrap();
    assert_eq!(receipt.status, Status::Failure);
    assert!(receipt.failure.contains("static"), "{}", receipt.failure);
    assert_eq!(net.view(token, &IParatiiToken::balanceOfCall { owner: BOB }).unwrap(), U256::ZERO);
}

#[test]
fn deploy_fails_and_leaves_no_code_when_constructor_reverts() {
    let mut net = Devnet::new();
    let args = IParatiiToken::balanceOfCall { owner: Address::ZERO }.abi_encode()[4..].to_vec();
    let err = net.deploy(ALICE, &wasm("token"), Some(&args)).unwrap_err();
    let DevnetError::ConstructorFailed(receipt) = err else { panic!("should fail, got {err:?}") };
    assert_eq!(receipt.status, Status::Revert);
    assert_eq!(receipt.output[..4], IParatiiToken::ERC20InvalidReceiver::SELECTOR);
    let address = paratii_devnet::create_address(ALICE, 0);
    assert_eq!(net.call(ALICE, address, &[], U256::ZERO), Err(DevnetError::NoCode(address)));
}

#[test]
fn registry_round_trip_and_owner_only_writes() {
    let mut net = Devnet::new();
    // The constructor takes the owner and the change delay: two words.
    let mut ctor = ALICE.into_word().to_vec();
    ctor.extend_from_slice(&U256::from(paratii_test::CHANGE_DELAY).to_be_bytes::<32>());
    let registry =
        net.deploy(ALICE, &wasm("registry"), Some(&ctor)).expect("registry should deploy");
    let token = deploy_token(&mut net);
    net.send(
        ALICE,
        registry,
        &IParatiiRegistry::registerAddressCall { name: "ParatiiToken".into(), value: token },
    )
    .unwrap();
    net.send(
        ALICE,
        registry,
        &IParatiiRegistry::registerStringCall {
            name: "Gateway".into(),
            value: "https://gateway.example/ipfs/ and a little more than one word".into(),
        },
    )
    .unwrap();
    assert_eq!(
        net.view(registry, &IParatiiRegistry::getContractCall { name: "ParatiiToken".into() })
            .unwrap(),
        token
    );
    assert_eq!(
        net.view(
            registry,
            &IParatiiRegistry::getContractByKeyCall {
                key: paratii_contracts::names::PARATII_TOKEN.key
            }
        )
        .unwrap(),
        token
    );
    assert_eq!(
        net.view(registry, &IParatiiRegistry::getStringCall { name: "Gateway".into() }).unwrap(),
        "https://gateway.example/ipfs/ and a little more than one word"
    );
    let Err(CallError::Reverted(data)) = net.send(
        BOB,
        registry,
        &IParatiiRegistry::registerUintCall { name: "X".into(), value: U256::from(1) },
    ) else {
        panic!("should revert")
    };
    let IParatiiRegistry::IParatiiRegistryErrors::OwnableUnauthorizedAccount(e) =
        IParatiiRegistry::IParatiiRegistryErrors::abi_decode(&data).unwrap()
    else {
        panic!("unexpected error")
    };
    assert_eq!(e.account, BOB);
}

#[test]
fn deploy_fails_with_rule_name_when_module_invalid() {
    let mut net = Devnet::new();
    let module = wat::parse_str(
        r#"(module (memory (export "memory") 1) (func (export "user_entrypoint") (param i32) (result i32) (drop (f64.const 1)) i32.const 0))"#,
    )
    .unwrap();
    let Err(DevnetError::Invalid(violation)) = net.deploy(ALICE, &module, None) else {
        panic!("should refuse a module with floats")
    };
    assert_eq!(violation.rule.name(), "no-floats");
}

#[test]
fn token_permit_with_real_signature_sets_allowance_through_ecrecover() {
    use alloy_sol_types::{eip712_domain, SolStruct};
    use paratii_contracts::{signing::Signer, token::Permit};
    let mut net = Devnet::new();
    let owner = Signer::from_seed(7);
    let args = IParatiiToken::balanceOfCall { owner: owner.address() }.abi_encode()[4..].to_vec();
    let token = net.deploy(ALICE, &wasm("token"), Some(&args)).unwrap();
    let chain_id = net.world().block.chain_id;
    let deadline = U256::from(net.world().block.timestamp + 600);
    let permit =
        Permit { owner: owner.address(), spender: BOB, value: pti(3), nonce: U256::ZERO, deadline };
    let domain = eip712_domain! { name: "Paratii", version: "1", chain_id: chain_id, verifying_contract: token, };
    let sig = owner.sign(permit.eip712_signing_hash(&domain));
    let call = IParatiiToken::permitCall {
        owner: owner.address(),
        spender: BOB,
        value: pti(3),
        deadline,
        v: sig.v,
        r: sig.r,
        s: sig.s,
    };
    net.send(CAROL, token, &call).expect("a relayed permit should succeed");
    assert_eq!(
        net.view(token, &IParatiiToken::allowanceCall { owner: owner.address(), spender: BOB })
            .unwrap(),
        pti(3)
    );
    assert_eq!(
        net.view(token, &IParatiiToken::noncesCall { owner: owner.address() }).unwrap(),
        U256::from(1)
    );
    // Replaying the same signature now recovers another address.
    let Err(CallError::Reverted(data)) = net.send(CAROL, token, &call) else {
        panic!("replay should revert")
    };
    assert_eq!(data[..4], IParatiiToken::ERC2612InvalidSigner::SELECTOR);
}

#[test]
fn transfer_gas_breakdown_adds_up_to_gas_used() {
    let mut net = Devnet::new();
    let token = deploy_token(&mut net);
    let call = IParatiiToken::transferCall { to: BOB, value: pti(1) };
    let receipt = net.call(ALICE, token, &call.abi_encode(), U256::ZERO).unwrap();
    let g = receipt.gas;
    // Every gas unit is entry, compute ink, host-I/O ink or EVM gas (ink rounds down once).
    let parts = g.entry + (g.compute_ink + g.hostio_ink) / paratii_devnet::INK_PRICE + g.evm;
    assert!(g.used + g.refund >= parts && g.used + g.refund <= parts + 1, "{g:?}");
    // A cold transfer to a new holder: two cold balance slots, one set and one reset.
    assert!(g.evm >= 2 * 2_100 + 20_000 + 2_900, "{g:?}");
    let data = call.abi_encode();
    let zeros = data.iter().fold(0u64, |n, b| n + u64::from(*b == 0));
    assert_eq!(g.intrinsic, 21_000 + 4 * zeros + 16 * (data.len() as u64 - zeros));
    // Cached entry is cheaper by the init costs and nothing else.
    net.set_cached(token, true).unwrap();
    let cached = net.call(ALICE, token, &call.abi_encode(), U256::ZERO).unwrap().gas;
    let shape = net.world().program_shape(token).unwrap();
    assert_eq!(g.entry - cached.entry, paratii_devnet::pricing::MIN_INIT_GAS + shape.init_cost());
    assert_eq!(Some(cached.entry), net.entry_gas(token), "entry_gas reports what calls pay");
}

#[test]
fn typed_revert_decodes_into_interface_errors() {
    let mut net = Devnet::new();
    let token = deploy_token(&mut net);
    let err = net
        .send(BOB, token, &IParatiiToken::transferCall { to: CAROL, value: pti(2) })
        .unwrap_err();
    let Some(IParatiiToken::IParatiiTokenErrors::ERC20InsufficientBalance(e)) = err.revert() else {
        panic!("should decode, got {err:?}")
    };
    assert_eq!((e.sender, e.needed), (BOB, pti(2)));
}

#[test]
fn deploy_fails_with_typed_errors_when_module_is_bad() {
    let mut net = Devnet::new();
    let rule = |net: &mut Devnet, wasm: &[u8]| match net.deploy(ALICE, wasm, None) {
        Err(DevnetError::Invalid(v)) => v.rule.name(),
        other => panic!("should be refused, got {other:?}"),
    };
    assert_eq!(rule(&mut net, b"not wasm at all"), "wasm-features");
    let no_entry = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    assert_eq!(rule(&mut net, &no_entry), "exports");
    let unknown_import = wat::parse_str(
        r#"(module (import "vm_hooks" "selfdestruct" (func (param i32)))
           (memory (export "memory") 1)
           (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
    )
    .unwrap();
    assert_eq!(rule(&mut net, &unknown_import), "imports");
    assert!(net.world().logs().is_empty());
}

#[test]
fn suite_deploys_with_the_callers_parameters() {
    use paratii_test::{
        interfaces::{IParatiiAvatar, IParatiiRegistry, IPaymentChannels},
        Suite, SuiteConfig, PTI,
    };
    let mut net = Devnet::new();
    let admin = address!("0x00000000000000000000000000000000000000b7");
    let config = SuiteConfig {
        grace_period: 15 * 60,
        whitelist_delay: 86_400,
        change_delay: 3 * 86_400,
        pool_share: PTI / U256::from(10),
        ..SuiteConfig::new(admin, ALICE)
    };
    let s = Suite::deploy_with(&mut net, &config).unwrap();
    assert_eq!(s.admin, admin);
    assert_eq!(net.view(s.channels, &IPaymentChannels::gracePeriodCall {}).unwrap(), 15 * 60);
    assert_eq!(net.view(s.avatar, &IParatiiAvatar::whitelistDelayCall {}).unwrap(), 86_400);
    assert_eq!(net.view(s.registry, &IParatiiRegistry::changeDelayCall {}).unwrap(), 3 * 86_400);
    assert_eq!(
        net.view(
            s.registry,
            &IParatiiRegistry::getUintCall { name: "VideoRedistributionPoolShare".into() }
        )
        .unwrap(),
        PTI / U256::from(10)
    );
    assert!(net
        .view(s.avatar, &IParatiiAvatar::isOnWhitelistCall { account: s.channels })
        .unwrap());
    // A parameter out of its contract's range fails that deployment, named.
    let err = Suite::deploy_with(&mut Devnet::new(), &SuiteConfig { grace_period: 60, ..config })
        .unwrap_err();
    assert!(matches!(err, paratii_test::SuiteError::Deploy { contract: "channel", .. }), "{err}");
}
