//! `VideoRegistry` on the devnet, wired to the real `ParatiiRegistry`: stats writers are looked up
//! in the registry at call time through real cross-contract static calls.

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::sol;
use paratii_devnet::{CallError, Devnet};

sol!(
    #![sol(all_derives)]
    "../contracts/abi/IVideoRegistry.sol"
);
sol!(
    #![sol(all_derives)]
    "../contracts/abi/IParatiiRegistry.sol"
);

const ADMIN: Address = address!("0x00000000000000000000000000000000000000a0");
const CREATOR: Address = address!("0x00000000000000000000000000000000000000c0");
const STORE: Address = address!("0x00000000000000000000000000000000000000f0");
const STRANGER: Address = address!("0x00000000000000000000000000000000000000e0");
const VIDEO: B256 = B256::repeat_byte(0x11);

fn wasm(name: &str) -> Vec<u8> {
    let path = format!("{}/../target/wasm/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}; run paratii-build wasm"))
}

fn words(addresses: &[Address]) -> Vec<u8> {
    addresses.iter().flat_map(|a| a.into_word().0).collect()
}

fn setup() -> (Devnet, Address, Address) {
    let mut net = Devnet::new();
    let registry = net
        .deploy(ADMIN, &wasm("registry"), Some(&words(&[ADMIN])))
        .unwrap();
    let videos = net
        .deploy(
            ADMIN,
            &wasm("video-registry"),
            Some(&words(&[ADMIN, registry])),
        )
        .unwrap();
    net.send(
        ADMIN,
        registry,
        &IParatiiRegistry::registerAddressCall {
            name: "VideoStore".into(),
            value: STORE,
        },
    )
    .unwrap();
    net.send(
        CREATOR,
        videos,
        &IVideoRegistry::registerVideoCall {
            video_id: VIDEO,
            owner: CREATOR,
            price: U256::from(14),
            original: B256::with_last_byte(1),
            transcoded: B256::with_last_byte(2),
            metadata: B256::with_last_byte(3),
        },
    )
    .unwrap();
    (net, registry, videos)
}

#[test]
fn store_registered_in_registry_records_views() {
    let (net, _, videos) = setup();
    net.send(
        STORE,
        videos,
        &IVideoRegistry::recordViewCall { video_id: VIDEO },
    )
    .unwrap();
    let stats = net
        .view(videos, &IVideoRegistry::getStatsCall { video_id: VIDEO })
        .unwrap();
    assert_eq!((stats._0, stats._1, stats._2), (1, 0, 0));
    let terms = net
        .view(videos, &IVideoRegistry::saleTermsCall { video_id: VIDEO })
        .unwrap();
    assert_eq!((terms._0, terms._1), (CREATOR, U256::from(14)));
}

#[test]
fn stranger_cannot_record_views() {
    let (net, _, videos) = setup();
    let err = net
        .send(
            STRANGER,
            videos,
            &IVideoRegistry::recordViewCall { video_id: VIDEO },
        )
        .err()
        .expect("should revert");
    let Some(IVideoRegistry::IVideoRegistryErrors::VideoRegistryUnauthorizedStatsWriter(e)) =
        err.revert()
    else {
        panic!("should be unauthorized, got {err:?}")
    };
    assert_eq!(e.caller, STRANGER);
}

#[test]
fn store_loses_access_as_soon_as_the_registry_unregisters_it() {
    let (net, registry, videos) = setup();
    net.send(
        ADMIN,
        registry,
        &IParatiiRegistry::unregisterAddressCall {
            name: "VideoStore".into(),
        },
    )
    .unwrap();
    let err = net
        .send(
            STORE,
            videos,
            &IVideoRegistry::recordViewCall { video_id: VIDEO },
        )
        .err()
        .expect("should revert");
    assert!(matches!(err, CallError::Reverted(_)), "{err:?}");
    assert!(err
        .revert::<IVideoRegistry::IVideoRegistryErrors>()
        .is_some());
}

#[test]
fn registering_for_another_owner_needs_approval() {
    let (net, _, videos) = setup();
    let call = IVideoRegistry::registerVideoCall {
        video_id: B256::repeat_byte(0x22),
        owner: CREATOR,
        price: U256::ZERO,
        original: B256::with_last_byte(1),
        transcoded: B256::ZERO,
        metadata: B256::ZERO,
    };
    let err = net
        .send(STRANGER, videos, &call)
        .err()
        .expect("should revert");
    assert!(matches!(
        err.revert(),
        Some(IVideoRegistry::IVideoRegistryErrors::VideoRegistryNotApprovedRegistrar(_))
    ));
    net.send(
        ADMIN,
        videos,
        &IVideoRegistry::setRegistrarCall {
            registrar: STRANGER,
            approved: true,
        },
    )
    .unwrap();
    net.send(STRANGER, videos, &call).unwrap();
    let video = net
        .view(
            videos,
            &IVideoRegistry::getVideoCall {
                video_id: B256::repeat_byte(0x22),
            },
        )
        .unwrap();
    assert_eq!((video._0, video._1), (CREATOR, STRANGER));
}
