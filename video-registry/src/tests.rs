//! Unit tests on the SDK's `TestVM`: the original scenarios, the original's bugs as negative
//! tests (squatting, stats wiped by updates, anyone writing stats), and the access rules. Stats
//! writers are looked up in a `ParatiiRegistry` answered by [`PrecompileHost`].

use super::*;
use alloy_primitives::{address, b256};
use paratii_common::testing::PrecompileHost;

const OWNER: Address = address!("0x00000000000000000000000000000000000000a0");
const REGISTRY: Address = address!("0x00000000000000000000000000000000000000b0");
const CREATOR: Address = address!("0x00000000000000000000000000000000000000c0");
const PLATFORM: Address = address!("0x00000000000000000000000000000000000000d0");
const STRANGER: Address = address!("0x00000000000000000000000000000000000000e0");
const STORE: Address = address!("0x00000000000000000000000000000000000000f0");
const CHANNELS: Address = address!("0x00000000000000000000000000000000000000f1");
const USERS: Address = address!("0x00000000000000000000000000000000000000f2");
/// The salt of the tests' video.
const SALT: B256 = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");
const ORIGINAL: B256 = b256!("0x0000000000000000000000000000000000000000000000000000000000000001");
const TRANSCODED: B256 =
    b256!("0x0000000000000000000000000000000000000000000000000000000000000002");
const METADATA: B256 = b256!("0x0000000000000000000000000000000000000000000000000000000000000003");

/// The id of `CREATOR`'s video with `SALT`, computed with alloy's ABI encoder.
fn video() -> B256 {
    id_of(CREATOR, SALT)
}

fn id_of(owner: Address, salt: B256) -> B256 {
    use alloy_sol_types::SolValue;
    alloy_primitives::keccak256((owner, salt).abi_encode())
}

fn deploy() -> (PrecompileHost, VideoRegistry) {
    let host = PrecompileHost::new();
    for (name, address) in [
        (names::VIDEO_STORE, STORE),
        (names::PAYMENT_CHANNELS, CHANNELS),
        (names::USER_REGISTRY, USERS),
    ] {
        host.answer_lookup(REGISTRY, name.key, address);
    }
    let mut registry = VideoRegistry::from(&host);
    registry.constructor(OWNER, REGISTRY).unwrap();
    (host, registry)
}

fn register_as(
    host: &PrecompileHost,
    r: &mut VideoRegistry,
    caller: Address,
    owner: Address,
) -> Result<B256, Error> {
    host.vm.set_sender(caller);
    r.register_video(SALT, owner, U256::from(31_415), ORIGINAL, TRANSCODED, METADATA)
}

fn not_owner_or_registrar(caller: Address) -> Error {
    Error::NotOwnerOrRegistrar(VideoRegistryNotOwnerOrRegistrar { videoId: video(), caller })
}

// --- the original scenarios ---

#[test]
fn register_video_records_owner_registrar_price_hashes_and_logs() {
    let (host, mut r) = deploy();
    assert_eq!(register_as(&host, &mut r, CREATOR, CREATOR), Ok(video()));
    assert_eq!(
        r.get_video(video()).unwrap(),
        (CREATOR, CREATOR, U256::from(31_415), ORIGINAL, TRANSCODED, METADATA)
    );
    assert_eq!(r.get_stats(video()).unwrap(), (0, 0, 0));
    assert_eq!(r.sale_terms(video()).unwrap(), (CREATOR, U256::from(31_415)));
    assert_eq!(
        host.last_log::<VideoRegistered>(),
        VideoRegistered {
            videoId: video(),
            owner: CREATOR,
            registrar: CREATOR,
            price: U256::from(31_415),
            original: ORIGINAL,
            transcoded: TRANSCODED,
            metadata: METADATA,
        }
    );
}

#[test]
fn anyone_can_register_a_video_for_themselves() {
    let (host, mut r) = deploy();
    let id = register_as(&host, &mut r, STRANGER, STRANGER).unwrap();
    assert_eq!(id, id_of(STRANGER, SALT));
    assert_eq!(r.video_id(STRANGER, SALT), id);
    assert!(r.is_registered(id));
}

#[test]
fn update_video_by_owner_or_registrar_changes_hashes_and_price() {
    let (host, mut r) = deploy();
    host.vm.set_sender(OWNER);
    r.set_registrar(PLATFORM, true).unwrap();
    register_as(&host, &mut r, PLATFORM, CREATOR).unwrap();
    for caller in [CREATOR, PLATFORM] {
        host.vm.set_sender(caller);
        let hash = B256::repeat_byte(caller.0[19]);
        r.update_video(video(), U256::from(7), hash, hash, hash).unwrap();
        assert_eq!(
            r.get_video(video()).unwrap(),
            (CREATOR, PLATFORM, U256::from(7), hash, hash, hash)
        );
        assert_eq!(
            host.last_log::<VideoUpdated>(),
            VideoUpdated {
                videoId: video(),
                price: U256::from(7),
                original: hash,
                transcoded: hash,
                metadata: hash
            }
        );
    }
}

#[test]
fn update_video_reverts_for_stranger_and_keeps_data() {
    let (host, mut r) = deploy();
    register_as(&host, &mut r, CREATOR, CREATOR).unwrap();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        r.update_video(video(), U256::ZERO, METADATA, METADATA, METADATA),
        Err(not_owner_or_registrar(STRANGER))
    );
    assert_eq!(r.get_video(video()).unwrap().3, ORIGINAL);
}

#[test]
fn remove_video_by_owner_then_id_reads_unknown_and_is_never_reused() {
    let (host, mut r) = deploy();
    register_as(&host, &mut r, CREATOR, CREATOR).unwrap();
    host.vm.set_sender(STRANGER);
    assert_eq!(r.remove_video(video()), Err(not_owner_or_registrar(STRANGER)));
    host.vm.set_sender(CREATOR);
    r.remove_video(video()).unwrap();
    assert_eq!(host.last_log::<VideoRemoved>(), VideoRemoved { videoId: video() });
    assert!(!r.is_registered(video()));
    assert_eq!(
        r.get_video(video()),
        Err(Error::UnknownVideo(VideoRegistryUnknownVideo { videoId: video() }))
    );
    // Nobody, not even its owner, gets the id back: records kept under it elsewhere (votes,
    // acquisitions, sales) must never describe another video.
    assert_eq!(
        register_as(&host, &mut r, CREATOR, CREATOR),
        Err(Error::Removed(VideoRegistryRemoved { videoId: video() }))
    );
    assert!(!r.is_registered(video()));
}

// --- the original's bugs, fixed ---

#[test]
fn register_reverts_when_registering_for_someone_else_unapproved() {
    // Original bug: anyone could claim an unregistered id with any owner and price.
    let (host, mut r) = deploy();
    assert_eq!(
        register_as(&host, &mut r, STRANGER, CREATOR),
        Err(Error::NotApprovedRegistrar(VideoRegistryNotApprovedRegistrar {
            caller: STRANGER,
            owner: CREATOR
        }))
    );
    assert!(!r.is_registered(video()));
}

#[test]
fn register_reverts_when_id_is_taken() {
    // Original bug: the registrar (or anyone, on Gen-2's update path) could re-register and wipe stats.
    let (host, mut r) = deploy();
    register_as(&host, &mut r, CREATOR, CREATOR).unwrap();
    assert_eq!(
        register_as(&host, &mut r, CREATOR, CREATOR),
        Err(Error::AlreadyRegistered(VideoRegistryAlreadyRegistered {
            videoId: video(),
            owner: CREATOR
        }))
    );
}

/// Attack (review, medium): a front-runner copies a producer's pending registration. For
/// itself it gets another id; naming the producer as owner it is refused; the producer's
/// registration then goes through under the id the producer expected.
#[test]
fn register_video_front_run_gains_nothing() {
    let (host, mut r) = deploy();
    let squatted = register_as(&host, &mut r, STRANGER, STRANGER).unwrap();
    assert_ne!(squatted, video());
    assert_eq!(
        register_as(&host, &mut r, STRANGER, CREATOR),
        Err(Error::NotApprovedRegistrar(VideoRegistryNotApprovedRegistrar {
            caller: STRANGER,
            owner: CREATOR
        }))
    );
    assert_eq!(register_as(&host, &mut r, CREATOR, CREATOR), Ok(video()));
    assert_eq!(r.sale_terms(video()).unwrap().0, CREATOR);
}

#[test]
fn update_video_keeps_stats() {
    let (host, mut r) = deploy();
    register_as(&host, &mut r, CREATOR, CREATOR).unwrap();
    host.vm.set_sender(STORE);
    r.record_view(video()).unwrap();
    host.vm.set_sender(USERS);
    r.record_vote(video(), VOTE_NONE, VOTE_LIKE).unwrap();
    host.vm.set_sender(CREATOR);
    r.update_video(video(), U256::from(1), ORIGINAL, TRANSCODED, METADATA).unwrap();
    assert_eq!(r.get_stats(video()).unwrap(), (1, 1, 0));
}

#[test]
fn approved_registrar_registers_for_creator_until_revoked() {
    let (host, mut r) = deploy();
    host.vm.set_sender(OWNER);
    r.set_registrar(PLATFORM, true).unwrap();
    assert_eq!(
        host.last_log::<RegistrarApproved>(),
        RegistrarApproved { registrar: PLATFORM, approved: true }
    );
    register_as(&host, &mut r, PLATFORM, CREATOR).unwrap();
    assert_eq!(r.get_video(video()).unwrap().1, PLATFORM);
    host.vm.set_sender(OWNER);
    r.set_registrar(PLATFORM, false).unwrap();
    assert!(!r.is_registrar(PLATFORM));
    host.vm.set_sender(PLATFORM);
    let other = B256::repeat_byte(9);
    let other_id = id_of(CREATOR, other);
    assert!(!r.is_registered(other_id));
    assert_eq!(
        r.register_video(other, CREATOR, U256::ZERO, ORIGINAL, B256::ZERO, B256::ZERO),
        Err(Error::NotApprovedRegistrar(VideoRegistryNotApprovedRegistrar {
            caller: PLATFORM,
            owner: CREATOR,
        }))
    );
}

#[test]
fn set_registrar_reverts_when_caller_is_not_owner() {
    let (host, mut r) = deploy();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        r.set_registrar(STRANGER, true),
        Err(Error::UnauthorizedAccount(OwnableUnauthorizedAccount { account: STRANGER }))
    );
}

#[test]
fn register_reverts_on_bad_input() {
    let (host, mut r) = deploy();
    host.vm.set_sender(CREATOR);
    let register = |r: &mut VideoRegistry, salt, owner, price, original| {
        r.register_video(salt, owner, price, original, B256::ZERO, B256::ZERO)
    };
    assert_eq!(
        register(&mut r, SALT, Address::ZERO, U256::ZERO, ORIGINAL),
        Err(Error::InvalidVideoOwner(VideoRegistryInvalidOwner { owner: Address::ZERO }))
    );
    let too_high = U256::from(1) << 96;
    assert_eq!(
        register(&mut r, SALT, CREATOR, too_high, ORIGINAL),
        Err(Error::PriceTooHigh(VideoRegistryPriceTooHigh {
            price: too_high,
            max: too_high - U256::from(1)
        }))
    );
    assert_eq!(
        register(&mut r, SALT, CREATOR, U256::ZERO, B256::ZERO),
        Err(Error::MissingOriginal(VideoRegistryMissingOriginal { videoId: video() }))
    );
    // The largest price fits: PTI's whole supply and then some.
    register(&mut r, SALT, CREATOR, too_high - U256::from(1), ORIGINAL).unwrap();
    assert_eq!(r.sale_terms(video()).unwrap().1, too_high - U256::from(1));
}

// --- stats writers ---

#[test]
fn record_view_counts_only_from_store_or_channels() {
    let (host, mut r) = deploy();
    register_as(&host, &mut r, CREATOR, CREATOR).unwrap();
    for (n, writer) in [STORE, CHANNELS].into_iter().enumerate() {
        host.vm.set_sender(writer);
        r.record_view(video()).unwrap();
        let views = n as u64 + 1;
        assert_eq!(host.last_log::<VideoViewed>(), VideoViewed { videoId: video(), views });
    }
    for stranger in [STRANGER, CREATOR, USERS, OWNER] {
        host.vm.set_sender(stranger);
        assert_eq!(
            r.record_view(video()),
            Err(Error::UnauthorizedStatsWriter(VideoRegistryUnauthorizedStatsWriter {
                caller: stranger
            }))
        );
    }
    assert_eq!(r.get_stats(video()).unwrap(), (2, 0, 0));
}

#[test]
fn record_vote_moves_one_voter_between_counters() {
    let (host, mut r) = deploy();
    register_as(&host, &mut r, CREATOR, CREATOR).unwrap();
    host.vm.set_sender(USERS);
    r.record_vote(video(), VOTE_NONE, VOTE_LIKE).unwrap();
    assert_eq!(r.get_stats(video()).unwrap(), (0, 1, 0));
    r.record_vote(video(), VOTE_NONE, VOTE_DISLIKE).unwrap();
    assert_eq!(r.get_stats(video()).unwrap(), (0, 1, 1));
    // A like overrides a dislike and vice versa.
    r.record_vote(video(), VOTE_DISLIKE, VOTE_LIKE).unwrap();
    assert_eq!(r.get_stats(video()).unwrap(), (0, 2, 0));
    r.record_vote(video(), VOTE_LIKE, VOTE_NONE).unwrap();
    assert_eq!(
        host.last_log::<VideoVotesChanged>(),
        VideoVotesChanged { videoId: video(), likes: 1, dislikes: 0 }
    );
}

#[test]
fn record_vote_reverts_for_invalid_votes_and_other_callers() {
    let (host, mut r) = deploy();
    register_as(&host, &mut r, CREATOR, CREATOR).unwrap();
    host.vm.set_sender(USERS);
    for (previous, next) in [(VOTE_LIKE, VOTE_LIKE), (3, VOTE_LIKE), (VOTE_NONE, 3)] {
        assert_eq!(
            r.record_vote(video(), previous, next),
            Err(Error::InvalidVote(VideoRegistryInvalidVote { previous, next }))
        );
    }
    host.vm.set_sender(STORE);
    assert_eq!(
        r.record_vote(video(), VOTE_NONE, VOTE_LIKE),
        Err(Error::UnauthorizedStatsWriter(VideoRegistryUnauthorizedStatsWriter { caller: STORE }))
    );
    host.vm.set_sender(USERS);
    let unknown = B256::repeat_byte(0x22);
    assert_eq!(
        r.record_vote(unknown, VOTE_NONE, VOTE_LIKE),
        Err(Error::UnknownVideo(VideoRegistryUnknownVideo { videoId: unknown }))
    );
    assert_eq!(r.get_stats(video()).unwrap(), (0, 0, 0));
}
