//! Deploy-time constants (`paratii_contracts::immutables`): a module with its constants baked in
//! (the adjudicator's avatar, token and grace period; the avatar's token and whitelist delay; the
//! registry of the store and of the video and user registries) behaves exactly like one deployed
//! as built (which reads them from storage), skips the storage read on every journey, and
//! refuses constructor arguments that differ from its baked values.

mod common;

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::{eip712_domain, SolCall, SolError, SolStruct, SolValue};
use common::{ADMIN, HOLDER};
use paratii_contracts::{
    channels::Voucher,
    immutables::{
        self, AvatarImmutables, ChannelImmutables, RegistryImmutableMismatch, RegistryImmutables,
    },
    signing::Signer,
};
use paratii_devnet::{Devnet, DevnetError, Receipt};
use paratii_test::{
    interfaces::{
        IParatiiAvatar, IParatiiToken,
        IPaymentChannels::{self, Channel},
        IUserRegistry, IVideoRegistry, IVideoStore,
    },
    Suite, SuiteConfig, GRACE_PERIOD, PTI,
};

const PAYEE: Address = address!("0x00000000000000000000000000000000000000c0");

/// What one journey left behind: balances, the channel's state, the events' payloads, and each
/// step's receipt gas (execution + intrinsic).
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    balances: [U256; 3],
    state: (U256, u64, u64, bool, u8),
    logs: Vec<(Vec<B256>, Vec<u8>)>,
    views: (Address, Address, u64),
}

/// Open, top up, settle, request to close, wait out the grace period, withdraw: every channel
/// journey that reads the token or the grace period.
fn journey(bake: bool) -> (Outcome, Suite, Vec<u64>) {
    let mut net = Devnet::new();
    let config = SuiteConfig { bake_immutables: bake, ..SuiteConfig::new(ADMIN, HOLDER) };
    let s = Suite::deploy_with(&mut net, &config).expect("suite should deploy");
    let payer = Signer::from_seed(77);
    let price = PTI / U256::from(100);
    let ch = Channel {
        payer: payer.address(),
        payee: PAYEE,
        signer: Address::ZERO,
        videoId: B256::repeat_byte(0x11),
        pricePerSegment: price,
        salt: B256::repeat_byte(1),
    };
    let deposit = price * U256::from(100);
    let funds = deposit * U256::from(2);
    ok(&net, HOLDER, s.token, &IParatiiToken::transferCall { to: ch.payer, value: funds });
    ok(&net, ch.payer, s.token, &IParatiiToken::approveCall { spender: s.channels, value: funds });
    let domain = eip712_domain! {
        name: "Paratii Channels", version: "1", chain_id: net.world().block.chain_id,
        verifying_contract: s.channels,
    };
    let id: B256 =
        net.view(s.channels, &IPaymentChannels::channelIdCall { channel: ch.clone() }).unwrap();
    let voucher = payer
        .sign(Voucher { channelId: id, segments: 40 }.eip712_signing_hash(&domain))
        .to_packed()
        .to_vec();
    let c = || ch.clone();
    let mut receipts = vec![
        ok(&net, ch.payer, s.channels, &IPaymentChannels::openCall { channel: c(), deposit }),
        ok(
            &net,
            ch.payer,
            s.channels,
            &IPaymentChannels::topUpCall { channel: c(), amount: deposit },
        ),
        ok(
            &net,
            PAYEE,
            s.channels,
            &IPaymentChannels::settleCall {
                channel: c(),
                segments: 40,
                voucher_signature: voucher.into(),
            },
        ),
        ok(&net, ch.payer, s.channels, &IPaymentChannels::requestCloseCall { channel: c() }),
    ];
    net.advance_time(GRACE_PERIOD).unwrap();
    receipts.push(ok(&net, ch.payer, s.channels, &IPaymentChannels::withdrawCall { channel: c() }));
    let pti = |who: Address| -> U256 {
        net.view(s.token, &IParatiiToken::balanceOfCall { owner: who }).unwrap()
    };
    let state =
        net.view(s.channels, &IPaymentChannels::channelStateCall { channel_id: id }).unwrap();
    let outcome = Outcome {
        balances: [pti(ch.payer), pti(PAYEE), pti(s.channels)],
        state: (state._0, state._1, state._2, state._3, state._4),
        logs: receipts
            .iter()
            .flat_map(|r| r.logs.iter().map(|l| (l.topics.clone(), l.data.clone())))
            .collect(),
        views: (
            net.view(s.channels, &IPaymentChannels::avatarCall {}).unwrap(),
            net.view(s.channels, &IPaymentChannels::tokenCall {}).unwrap(),
            net.view(s.channels, &IPaymentChannels::gracePeriodCall {}).unwrap(),
        ),
    };
    let gas = receipts.iter().map(|r| r.gas.used).collect();
    (outcome, s, gas)
}

fn ok<C: SolCall>(net: &Devnet, from: Address, to: Address, call: &C) -> Receipt {
    net.send_receipt(from, to, call).unwrap_or_else(|e| panic!("{} failed: {e}", C::SIGNATURE))
}

#[test]
fn channel_journeys_match_whether_constants_are_baked_or_stored() {
    let (baked, suite, baked_gas) = journey(true);
    let (stored, stored_suite, stored_gas) = journey(false);
    // Both deployments sit at the same addresses (the same deployer, the same nonces), so the
    // events and the views compare byte for byte.
    assert_eq!(suite.channels, stored_suite.channels);
    assert_eq!(baked, stored);
    assert_eq!(baked.views, (suite.avatar, suite.token, GRACE_PERIOD));
    let price = PTI / U256::from(100);
    assert_eq!(baked.balances, [price * U256::from(160), price * U256::from(40), U256::ZERO]);
    // Open, top-up, settle, request-close and withdraw each read the token or the grace period
    // once: baked, that cold storage read (2,100 gas) is gone, less the entry cost of the
    // placeholder's bytes.
    for (step, (b, s)) in baked_gas.iter().zip(&stored_gas).enumerate() {
        assert!(b + 1_900 < *s, "step {step}: baked {b} gas, stored {s} gas");
    }
}

#[test]
fn deploy_reverts_with_immutables_mismatch_when_constructor_arguments_differ() {
    let mut net = Devnet::new();
    let s = Suite::deploy(&mut net, ADMIN, HOLDER).expect("suite should deploy");
    let mut module = paratii_test::wasm("channel").unwrap();
    let baked = ChannelImmutables { avatar: s.avatar, token: s.token, grace_period: 7_200 };
    immutables::patch(&mut module, &baked.encode()).unwrap();
    let args = (s.avatar, s.token, GRACE_PERIOD).abi_encode_params();
    let Err(DevnetError::ConstructorFailed(receipt)) = net.deploy(ADMIN, &module, Some(&args))
    else {
        panic!("the deployment should revert");
    };
    assert_eq!(
        IPaymentChannels::ChannelImmutablesMismatch::abi_decode(&receipt.output).unwrap(),
        IPaymentChannels::ChannelImmutablesMismatch {
            avatar: s.avatar,
            token: s.token,
            gracePeriod: 7_200
        }
    );
    // The same module with matching arguments deploys.
    let args = (s.avatar, s.token, 7_200u64).abi_encode_params();
    net.deploy(ADMIN, &module, Some(&args)).expect("matching arguments should deploy");
}

#[test]
fn patch_refuses_module_when_already_baked() {
    let mut module = paratii_test::wasm("channel").unwrap();
    let values = ChannelImmutables {
        avatar: Address::repeat_byte(1),
        token: Address::repeat_byte(2),
        grace_period: GRACE_PERIOD,
    };
    immutables::patch(&mut module, &values.encode()).unwrap();
    assert_eq!(
        immutables::patch(&mut module, &values.encode()),
        Err(immutables::PatchError::NotFound)
    );
}

/// Register a video, buy it (approved), like it: the journeys that read the store's, the
/// avatar's and the two registries' constants. The outcome (balances, events, views) and each
/// step's gas.
fn purchase_and_like(bake: bool) -> (Outcome, Vec<u64>) {
    let mut net = Devnet::new();
    let config = SuiteConfig { bake_immutables: bake, ..SuiteConfig::new(ADMIN, HOLDER) };
    let s = Suite::deploy_with(&mut net, &config).expect("suite should deploy");
    let buyer = address!("0x00000000000000000000000000000000000000b1");
    let price = PTI * U256::from(14);
    let salt = B256::repeat_byte(0x11);
    let video = paratii_contracts::video_id(PAYEE, salt);
    ok(&net, HOLDER, s.token, &IParatiiToken::transferCall { to: buyer, value: price });
    ok(&net, buyer, s.token, &IParatiiToken::approveCall { spender: s.avatar, value: price });
    ok(
        &net,
        PAYEE,
        s.videos,
        &IVideoRegistry::registerVideoCall {
            salt,
            owner: PAYEE,
            price,
            original: B256::repeat_byte(1),
            transcoded: B256::repeat_byte(2),
            metadata: B256::repeat_byte(3),
        },
    );
    let receipts = [
        ok(
            &net,
            buyer,
            s.store,
            &IVideoStore::buyVideoCall {
                video_id: video,
                proof_of_buy: B256::repeat_byte(9),
                max_price: price,
            },
        ),
        ok(&net, buyer, s.users, &IUserRegistry::likeVideoCall { video_id: video, liked: true }),
    ];
    let pti = |who: Address| -> U256 {
        net.view(s.token, &IParatiiToken::balanceOfCall { owner: who }).unwrap()
    };
    let stats = net.view(s.videos, &IVideoRegistry::getStatsCall { video_id: video }).unwrap();
    let outcome = Outcome {
        balances: [pti(buyer), pti(PAYEE), pti(s.avatar)],
        // Views, likes, dislikes.
        state: (U256::from(stats._0), stats._1, stats._2, false, 0),
        logs: receipts
            .iter()
            .flat_map(|r| r.logs.iter().map(|l| (l.topics.clone(), l.data.clone())))
            .collect(),
        views: (
            net.view(s.store, &IVideoStore::registryCall {}).unwrap(),
            net.view(s.avatar, &IParatiiAvatar::tokenCall {}).unwrap(),
            net.view(s.avatar, &IParatiiAvatar::whitelistDelayCall {}).unwrap(),
        ),
    };
    let registries = (
        net.view(s.users, &IUserRegistry::registryCall {}).unwrap(),
        net.view(s.videos, &IVideoRegistry::registryCall {}).unwrap(),
    );
    assert_eq!(registries, (s.registry, s.registry));
    assert_eq!(outcome.views, (s.registry, s.token, paratii_test::WHITELIST_DELAY));
    (outcome, receipts.iter().map(|r| r.gas.used).collect())
}

#[test]
fn purchase_and_like_match_whether_constants_are_baked_or_stored() {
    let (baked, baked_gas) = purchase_and_like(true);
    let (stored, stored_gas) = purchase_and_like(false);
    assert_eq!(baked, stored);
    assert_eq!(baked.state, (U256::from(1), 1, 0, false, 0), "one view, one like");
    let price = PTI * U256::from(14);
    let pool = price * paratii_test::POOL_SHARE / PTI;
    assert_eq!(baked.balances, [U256::ZERO, price - pool, pool]);
    // A purchase reads four constants (the store's, the user and video registries' registry,
    // the avatar's token), a like two (both registries' registry): baked, each cold storage read
    // (2,100 gas) is gone, less the entry cost of the placeholders' bytes.
    assert!(baked_gas[0] + 4 * 1_900 < stored_gas[0], "purchase: {baked_gas:?} {stored_gas:?}");
    assert!(baked_gas[1] + 2 * 1_900 < stored_gas[1], "like: {baked_gas:?} {stored_gas:?}");
}

#[test]
fn deploy_reverts_with_registry_mismatch_when_a_registry_argument_differs() {
    let mut net = Devnet::new();
    let s = Suite::deploy(&mut net, ADMIN, HOLDER).expect("suite should deploy");
    let other = Address::repeat_byte(0x0e);
    for (dir, args) in [
        ("video-store", other.abi_encode()),
        ("video-registry", (ADMIN, other).abi_encode_params()),
        ("user-registry", (ADMIN, other).abi_encode_params()),
    ] {
        let mut module = paratii_test::wasm(dir).unwrap();
        immutables::patch(&mut module, &RegistryImmutables { registry: s.registry }.encode())
            .unwrap();
        let Err(DevnetError::ConstructorFailed(receipt)) = net.deploy(ADMIN, &module, Some(&args))
        else {
            panic!("{dir}: the deployment should revert");
        };
        assert_eq!(
            RegistryImmutableMismatch::abi_decode(&receipt.output).unwrap(),
            RegistryImmutableMismatch { baked: s.registry, registry: other },
            "{dir}"
        );
    }
}

#[test]
fn deploy_reverts_with_avatar_mismatch_when_the_delay_differs() {
    let mut net = Devnet::new();
    let s = Suite::deploy(&mut net, ADMIN, HOLDER).expect("suite should deploy");
    let mut module = paratii_test::wasm("avatar").unwrap();
    let baked = AvatarImmutables { token: s.token, whitelist_delay: 259_200 };
    immutables::patch(&mut module, &baked.encode()).unwrap();
    let args = |delay: u64| (ADMIN, s.token, delay, Vec::<Address>::new()).abi_encode_params();
    let Err(DevnetError::ConstructorFailed(receipt)) =
        net.deploy(ADMIN, &module, Some(&args(paratii_test::WHITELIST_DELAY)))
    else {
        panic!("the deployment should revert");
    };
    assert_eq!(
        IParatiiAvatar::AvatarImmutablesMismatch::abi_decode(&receipt.output).unwrap(),
        IParatiiAvatar::AvatarImmutablesMismatch { token: s.token, whitelistDelay: 259_200 }
    );
    net.deploy(ADMIN, &module, Some(&args(259_200))).expect("matching arguments should deploy");
}
