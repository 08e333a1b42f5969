//! The access matrix: every state-changing function of the action contracts (avatar, video
//! registry, user registry, video store, send-ether) called by each of seven roles, on the real
//! wired suite, each from the same state (a snapshot), with the expected outcome: allowed, or
//! refused with the exact typed error.
//!
//! Roles: the contract owner (`admin` of every owned contract), a user `U` (registered, owns the
//! video `v`, approved the avatar, authorised the spending key `K` and the posting key `P`),
//! another registered user `O` (also funded and approving), `U`'s spending key, `U`'s posting
//! key, the whitelisted contract (the video store, which is also the registered `VideoStore`,
//! calling directly) and a stranger. The registry's writes are in the matrix too (its scheduled
//! changes are what bounds every re-pointing of a peer). The matrix prints as a table when the
//! test runs with `--nocapture`.

mod common;

use std::fmt::Write as _;

use alloy_json_abi::{JsonAbi, StateMutability};
use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::{eip712_domain, SolCall, SolError, SolStruct};
use common::{ADMIN, HOLDER};
use paratii_contracts::{names, signing::Signer, token::Permit, user_registry::Vote};
use paratii_devnet::{Devnet, Status};
use paratii_test::{
    interfaces::{
        IParatiiAvatar, IParatiiRegistry, IParatiiToken, ISendEther, IUserRegistry, IVideoRegistry,
        IVideoStore,
    },
    Suite, CHANGE_DELAY, POOL_SHARE, PTI,
};

const OTHER: Address = address!("0x00000000000000000000000000000000000000b2");
const KEY: Address = address!("0x00000000000000000000000000000000000000b9");
const STRANGER: Address = address!("0x00000000000000000000000000000000000000e0");
const NEW_KEY: Address = address!("0x00000000000000000000000000000000000000f9");
/// The salts `U` registers `v` and `v2` with, and the salt of a new registration.
const V_SALT: B256 = B256::repeat_byte(0x11);
const V2_SALT: B256 = B256::repeat_byte(0x22);
const NEW_SALT: B256 = B256::repeat_byte(0x33);
/// A registry name no contract reads, with a scheduled address and number change due.
const SPARE: &str = "Spare";

/// What a cell expects.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    /// The call succeeds.
    Allowed,
    /// The call reverts with exactly this data.
    Denied(Vec<u8>),
    /// The call reverts with an error of this selector (its values depend on a recovered
    /// signer).
    DeniedWith([u8; 4]),
}

/// One row: a state-changing function, who may call it, and the error everyone else gets.
struct Row {
    function: &'static str,
    to: Address,
    calldata: Vec<u8>,
    allowed: Vec<Address>,
    denied: Box<dyn Fn(Address) -> Expect>,
}

fn row<C: SolCall>(
    to: Address,
    call: &C,
    allowed: &[Address],
    denied: impl Fn(Address) -> Expect + 'static,
) -> Row {
    Row {
        function: C::SIGNATURE,
        to,
        calldata: call.abi_encode(),
        allowed: allowed.to_vec(),
        denied: Box::new(denied),
    }
}

fn err(e: &impl SolError) -> Expect {
    Expect::Denied(e.abi_encode())
}

fn pti(n: u64) -> U256 {
    PTI * U256::from(n)
}

#[test]
fn access_matrix_allows_exactly_the_intended_roles_with_typed_errors() {
    // The table is one long function: in unoptimised builds its frame outgrows a test thread's
    // default 2 MiB stack.
    std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(matrix)
        .expect("should spawn")
        .join()
        .expect("the matrix should hold");
}

#[allow(clippy::too_many_lines, clippy::many_single_char_names)]
fn matrix() {
    let mut net = Devnet::new();
    let s = Suite::deploy(&mut net, ADMIN, HOLDER).unwrap();
    let user = Signer::from_seed(101);
    let posting = Signer::from_seed(102);
    let (u, p, w) = (user.address(), posting.address(), s.store);
    let roles = [
        ("owner", ADMIN),
        ("user", u),
        ("other user", OTHER),
        ("spending key", KEY),
        ("posting key", p),
        ("whitelisted", w),
        ("stranger", STRANGER),
    ];
    let send = |from: Address, to: Address, data: Vec<u8>| {
        let r = net.call(from, to, &data, U256::ZERO).unwrap();
        assert_eq!(r.status, Status::Success, "setup call failed: {:?}", r.output);
    };
    // Due changes under `SPARE` (an address and a number), and a string, for the registry rows.
    for data in [
        IParatiiRegistry::registerAddressCall { name: SPARE.into(), value: STRANGER }.abi_encode(),
        IParatiiRegistry::registerAddressCall { name: SPARE.into(), value: OTHER }.abi_encode(),
        IParatiiRegistry::registerUintCall { name: SPARE.into(), value: U256::from(1) }
            .abi_encode(),
        IParatiiRegistry::registerStringCall { name: SPARE.into(), value: "x".into() }.abi_encode(),
    ] {
        send(ADMIN, s.registry, data);
    }
    net.advance_time(CHANGE_DELAY).unwrap();
    let now = net.world().block.timestamp;
    let price = pti(14);
    let (v, v2) = (paratii_contracts::video_id(u, V_SALT), paratii_contracts::video_id(u, V2_SALT));
    // U owns v and v2; U and O are registered, funded and approve the avatar; K and P are U's.
    for salt in [V_SALT, V2_SALT] {
        send(
            u,
            s.videos,
            IVideoRegistry::registerVideoCall {
                salt,
                owner: u,
                price,
                original: B256::repeat_byte(1),
                transcoded: B256::ZERO,
                metadata: B256::repeat_byte(3),
            }
            .abi_encode(),
        );
    }
    for who in [u, OTHER] {
        send(
            HOLDER,
            s.token,
            IParatiiToken::transferCall { to: who, value: pti(100) }.abi_encode(),
        );
        send(
            who,
            s.token,
            IParatiiToken::approveCall { spender: s.avatar, value: pti(100) }.abi_encode(),
        );
        send(
            who,
            s.users,
            IUserRegistry::registerUserCall { metadata: B256::repeat_byte(7) }.abi_encode(),
        );
    }
    send(
        u,
        s.avatar,
        IParatiiAvatar::authorizeSpendingKeyCall { key: KEY, cap: pti(50), expiry: now + 3_600 }
            .abi_encode(),
    );
    send(
        u,
        s.users,
        IUserRegistry::authorizePostingKeyCall { user: u, key: p, expiry: now + 3_600 }
            .abi_encode(),
    );
    // The pool holds PTI and ETH to disburse.
    send(
        HOLDER,
        s.token,
        IParatiiToken::transferCall { to: s.avatar, value: pti(10) }.abi_encode(),
    );
    net.fund(s.avatar, U256::from(1_000)).unwrap();
    let chain_id = net.world().block.chain_id;
    let deadline = U256::from(now + 600);
    let vote = Vote { user: u, videoId: v, liked: true, nonce: U256::ZERO, deadline };
    let vote_sig = posting.sign(vote.eip712_signing_hash(&eip712_domain! {
        name: "Paratii Users", version: "1", chain_id: chain_id, verifying_contract: s.users,
    }));
    let permit =
        Permit { owner: u, spender: s.avatar, value: pti(100), nonce: U256::ZERO, deadline };
    let permit_sig = user.sign(permit.eip712_signing_hash(&eip712_domain! {
        name: "Paratii", version: "1", chain_id: chain_id, verifying_contract: s.token,
    }));
    let unauthorized = |c: Address| err(&IParatiiAvatar::OwnableUnauthorizedAccount { account: c });
    let registry_unauthorized =
        |c: Address| err(&IParatiiRegistry::OwnableUnauthorizedAccount { account: c });
    let pool_part = price * POOL_SHARE / PTI;
    let avatar = s.avatar;

    let rows = vec![
        // --- ParatiiAvatar ---
        row(avatar, &IParatiiAvatar::addToWhitelistCall { account: OTHER }, &[ADMIN], unauthorized),
        row(
            avatar,
            &IParatiiAvatar::removeFromWhitelistCall { account: w },
            &[ADMIN],
            unauthorized,
        ),
        row(
            avatar,
            &IParatiiAvatar::transferFromCall { from: u, to: STRANGER, amount: pti(1) },
            &[w],
            |c| err(&IParatiiAvatar::AvatarNotWhitelisted { caller: c }),
        ),
        row(
            avatar,
            &IParatiiAvatar::transferFromWithKeyCall {
                user: u,
                key: KEY,
                to: STRANGER,
                amount: pti(1),
            },
            &[w],
            |c| err(&IParatiiAvatar::AvatarNotWhitelisted { caller: c }),
        ),
        row(
            avatar,
            &IParatiiAvatar::payCall { from: u, to: STRANGER, amount: pti(1), to_pool: pti(1) },
            &[w],
            |c| err(&IParatiiAvatar::AvatarNotWhitelisted { caller: c }),
        ),
        row(
            avatar,
            &IParatiiAvatar::payWithKeyCall {
                user: u,
                key: KEY,
                to: STRANGER,
                amount: pti(1),
                to_pool: pti(1),
            },
            &[w],
            |c| err(&IParatiiAvatar::AvatarNotWhitelisted { caller: c }),
        ),
        // Self-service: everyone authorises keys for itself.
        row(
            avatar,
            &IParatiiAvatar::authorizeSpendingKeyCall {
                key: NEW_KEY,
                cap: pti(1),
                expiry: now + 60,
            },
            &[ADMIN, u, OTHER, KEY, p, w, STRANGER],
            |_| unreachable!(),
        ),
        row(avatar, &IParatiiAvatar::revokeSpendingKeyCall { key: KEY }, &[u], |c| {
            err(&IParatiiAvatar::AvatarUnknownSpendingKey { user: c, key: KEY })
        }),
        row(
            avatar,
            &IParatiiAvatar::disburseCall { recipients: vec![STRANGER], amounts: vec![pti(1)] },
            &[ADMIN],
            unauthorized,
        ),
        row(
            avatar,
            &IParatiiAvatar::disburseEtherCall {
                recipients: vec![STRANGER],
                amounts: vec![U256::from(1)],
            },
            &[ADMIN],
            unauthorized,
        ),
        row(
            avatar,
            &IParatiiAvatar::transferOwnershipCall { new_owner: OTHER },
            &[ADMIN],
            unauthorized,
        ),
        row(avatar, &IParatiiAvatar::renounceOwnershipCall {}, &[ADMIN], unauthorized),
        // Nobody is pending: nobody accepts.
        row(avatar, &IParatiiAvatar::acceptOwnershipCall {}, &[], unauthorized),
        // Plain ETH into the pool: anyone.
        Row {
            function: "receive()",
            to: avatar,
            calldata: Vec::new(),
            allowed: vec![ADMIN, u, OTHER, KEY, p, w, STRANGER],
            denied: Box::new(|_| unreachable!()),
        },
        // --- VideoRegistry ---
        row(
            s.videos,
            &IVideoRegistry::registerVideoCall {
                salt: NEW_SALT,
                owner: u,
                price,
                original: B256::repeat_byte(1),
                transcoded: B256::ZERO,
                metadata: B256::ZERO,
            },
            &[u],
            move |c| {
                err(&IVideoRegistry::VideoRegistryNotApprovedRegistrar { caller: c, owner: u })
            },
        ),
        row(
            s.videos,
            &IVideoRegistry::updateVideoCall {
                video_id: v,
                price: pti(1),
                original: B256::repeat_byte(4),
                transcoded: B256::repeat_byte(5),
                metadata: B256::repeat_byte(6),
            },
            &[u],
            move |c| {
                err(&IVideoRegistry::VideoRegistryNotOwnerOrRegistrar { videoId: v, caller: c })
            },
        ),
        row(s.videos, &IVideoRegistry::removeVideoCall { video_id: v }, &[u], move |c| {
            err(&IVideoRegistry::VideoRegistryNotOwnerOrRegistrar { videoId: v, caller: c })
        }),
        row(
            s.videos,
            &IVideoRegistry::setRegistrarCall { registrar: OTHER, approved: true },
            &[ADMIN],
            |c| err(&IVideoRegistry::OwnableUnauthorizedAccount { account: c }),
        ),
        row(s.videos, &IVideoRegistry::recordViewCall { video_id: v }, &[w], |c| {
            err(&IVideoRegistry::VideoRegistryUnauthorizedStatsWriter { caller: c })
        }),
        row(
            s.videos,
            &IVideoRegistry::recordVoteCall { video_id: v, previous: 0, next: 1 },
            &[],
            |c| err(&IVideoRegistry::VideoRegistryUnauthorizedStatsWriter { caller: c }),
        ),
        row(s.videos, &IVideoRegistry::transferOwnershipCall { new_owner: OTHER }, &[ADMIN], |c| {
            err(&IVideoRegistry::OwnableUnauthorizedAccount { account: c })
        }),
        row(s.videos, &IVideoRegistry::acceptOwnershipCall {}, &[], |c| {
            err(&IVideoRegistry::OwnableUnauthorizedAccount { account: c })
        }),
        row(s.videos, &IVideoRegistry::renounceOwnershipCall {}, &[ADMIN], |c| {
            err(&IVideoRegistry::OwnableUnauthorizedAccount { account: c })
        }),
        // --- UserRegistry ---
        row(
            s.users,
            &IUserRegistry::registerUserCall { metadata: B256::repeat_byte(8) },
            &[ADMIN, KEY, p, w, STRANGER],
            |c| err(&IUserRegistry::UserRegistryAlreadyRegistered { user: c }),
        ),
        row(
            s.users,
            &IUserRegistry::updateUserCall { metadata: B256::repeat_byte(8) },
            &[u, OTHER],
            |c| err(&IUserRegistry::UserRegistryUnknownUser { user: c }),
        ),
        row(s.users, &IUserRegistry::removeUserCall { user: u }, &[ADMIN, u], move |c| {
            err(&IUserRegistry::UserRegistryNotUserOrOwner { caller: c, user: u })
        }),
        row(s.users, &IUserRegistry::recordAcquisitionCall { user: u, video_id: v2 }, &[w], |c| {
            err(&IUserRegistry::UserRegistryUnauthorizedStore { caller: c })
        }),
        // Self-service: anyone votes for itself.
        row(
            s.users,
            &IUserRegistry::likeVideoCall { video_id: v, liked: true },
            &[ADMIN, u, OTHER, KEY, p, w, STRANGER],
            |_| unreachable!(),
        ),
        row(
            s.users,
            &IUserRegistry::likeVideoForCall { user: u, video_id: v, liked: true },
            &[p],
            move |c| err(&IUserRegistry::UserRegistryNotPostingKey { user: u, key: c }),
        ),
        // Relayed signature: anyone may submit it.
        row(
            s.users,
            &IUserRegistry::likeVideoBySigCall {
                user: u,
                video_id: v,
                liked: true,
                deadline,
                signature: vote_sig.to_packed().to_vec().into(),
            },
            &[ADMIN, u, OTHER, KEY, p, w, STRANGER],
            |_| unreachable!(),
        ),
        row(
            s.users,
            &IUserRegistry::authorizePostingKeyCall { user: u, key: NEW_KEY, expiry: now + 60 },
            &[u, KEY],
            move |c| err(&IUserRegistry::UserRegistryNotUserOrSpendingKey { caller: c, user: u }),
        ),
        row(
            s.users,
            &IUserRegistry::revokePostingKeyCall { user: u, key: p },
            &[u, KEY],
            move |c| err(&IUserRegistry::UserRegistryNotUserOrSpendingKey { caller: c, user: u }),
        ),
        row(s.users, &IUserRegistry::transferOwnershipCall { new_owner: OTHER }, &[ADMIN], |c| {
            err(&IUserRegistry::OwnableUnauthorizedAccount { account: c })
        }),
        row(s.users, &IUserRegistry::acceptOwnershipCall {}, &[], |c| {
            err(&IUserRegistry::OwnableUnauthorizedAccount { account: c })
        }),
        row(s.users, &IUserRegistry::renounceOwnershipCall {}, &[ADMIN], |c| {
            err(&IUserRegistry::OwnableUnauthorizedAccount { account: c })
        }),
        // --- VideoStore (no owner) ---
        // Self-service, paid by the caller: only callers who approved the avatar get through.
        row(
            s.store,
            &IVideoStore::buyVideoCall { video_id: v2, proof_of_buy: B256::ZERO, max_price: price },
            &[u, OTHER],
            move |_| {
                err(&IParatiiToken::ERC20InsufficientAllowance {
                    spender: avatar,
                    allowance: U256::ZERO,
                    needed: pool_part,
                })
            },
        ),
        row(
            s.store,
            &IVideoStore::buyVideoForCall {
                user: u,
                video_id: v2,
                proof_of_buy: B256::ZERO,
                max_price: price,
            },
            &[KEY],
            move |c| err(&IParatiiAvatar::AvatarUnknownSpendingKey { user: u, key: c }),
        ),
        // A permit signed by U serves U only: for anyone else it recovers someone else, and the
        // purchase goes on only for a caller whose allowance already covers the price (O).
        row(
            s.store,
            &IVideoStore::buyVideoWithPermitCall {
                video_id: v2,
                proof_of_buy: B256::ZERO,
                max_price: price,
                value: pti(100),
                deadline,
                v: permit_sig.v,
                r: permit_sig.r,
                s: permit_sig.s,
            },
            &[u, OTHER],
            |_| Expect::DeniedWith(IParatiiToken::ERC2612InvalidSigner::SELECTOR),
        ),
        // --- SendEther (no state, no owner) ---
        row(
            s.send_ether,
            &ISendEther::transferCall { to: STRANGER, description: "hi".into() },
            &[ADMIN, u, OTHER, KEY, p, w, STRANGER],
            |_| unreachable!(),
        ),
        // --- ParatiiRegistry: writes stay the owner's; due changes are anyone's to apply ---
        row(
            s.registry,
            &IParatiiRegistry::registerAddressCall { name: "VideoStore".into(), value: STRANGER },
            &[ADMIN],
            registry_unauthorized,
        ),
        row(
            s.registry,
            &IParatiiRegistry::unregisterAddressCall { name: "VideoStore".into() },
            &[ADMIN],
            registry_unauthorized,
        ),
        row(
            s.registry,
            &IParatiiRegistry::registerUintCall { name: SPARE.into(), value: U256::from(2) },
            &[ADMIN],
            registry_unauthorized,
        ),
        row(
            s.registry,
            &IParatiiRegistry::unregisterUintCall {
                name: names::VIDEO_REDISTRIBUTION_POOL_SHARE.name.into(),
            },
            &[ADMIN],
            registry_unauthorized,
        ),
        row(
            s.registry,
            &IParatiiRegistry::registerStringCall { name: SPARE.into(), value: "y".into() },
            &[ADMIN],
            registry_unauthorized,
        ),
        row(
            s.registry,
            &IParatiiRegistry::unregisterStringCall { name: SPARE.into() },
            &[ADMIN],
            registry_unauthorized,
        ),
        row(
            s.registry,
            &IParatiiRegistry::applyAddressChangeCall { name: SPARE.into() },
            &[ADMIN, u, OTHER, KEY, p, w, STRANGER],
            |_| unreachable!(),
        ),
        row(
            s.registry,
            &IParatiiRegistry::applyUintChangeCall { name: SPARE.into() },
            &[ADMIN, u, OTHER, KEY, p, w, STRANGER],
            |_| unreachable!(),
        ),
        row(
            s.registry,
            &IParatiiRegistry::cancelChangeCall { name: SPARE.into() },
            &[ADMIN],
            registry_unauthorized,
        ),
        row(
            s.registry,
            &IParatiiRegistry::transferOwnershipCall { new_owner: OTHER },
            &[ADMIN],
            registry_unauthorized,
        ),
        row(s.registry, &IParatiiRegistry::acceptOwnershipCall {}, &[], registry_unauthorized),
        row(
            s.registry,
            &IParatiiRegistry::renounceOwnershipCall {},
            &[ADMIN],
            registry_unauthorized,
        ),
    ];

    let mut table =
        format!("{:<40} {}\n", "function", roles.map(|(name, _)| format!("{name:<13}")).join(""));
    let mut mismatches = Vec::new();
    for r in &rows {
        let _ = write!(table, "{:<40} ", r.function.split('(').next().unwrap_or(""));
        for (name, caller) in roles {
            let expected =
                if r.allowed.contains(&caller) { Expect::Allowed } else { (r.denied)(caller) };
            let snapshot = net.snapshot();
            let receipt = net.call(caller, r.to, &r.calldata, U256::ZERO).unwrap();
            net.revert_to(&snapshot).unwrap();
            let actual = match receipt.status {
                Status::Success => Expect::Allowed,
                Status::Revert => match expected {
                    Expect::DeniedWith(sel) if receipt.output.get(..4) == Some(&sel[..]) => {
                        Expect::DeniedWith(sel)
                    }
                    _ => Expect::Denied(receipt.output.clone()),
                },
                Status::Failure => Expect::Denied(receipt.failure.into_bytes()),
            };
            let _ =
                write!(table, "{:<13}", if actual == Expect::Allowed { "allow" } else { "deny" });
            if actual != expected {
                mismatches.push(format!(
                    "{} by {name}: expected {expected:?}, got {actual:?}",
                    r.function
                ));
            }
        }
        table.push('\n');
    }
    println!("{table}");
    assert!(mismatches.is_empty(), "{} cells differ:\n{}", mismatches.len(), mismatches.join("\n"));
    // The rows are listed by hand: every state-changing function of each action contract's
    // published ABI must have one.
    for (name, to) in [
        ("IParatiiAvatar", s.avatar),
        ("IUserRegistry", s.users),
        ("IVideoRegistry", s.videos),
        ("IVideoStore", s.store),
        ("ISendEther", s.send_ether),
        ("IParatiiRegistry", s.registry),
    ] {
        let path = format!("{}/../contracts/abi/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let abi: JsonAbi = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mutating: Vec<String> = abi
            .functions()
            .filter(|f| {
                !matches!(f.state_mutability, StateMutability::View | StateMutability::Pure)
            })
            .map(alloy_json_abi::Function::signature)
            .collect();
        assert!(!mutating.is_empty(), "{name} has state-changing functions");
        for signature in mutating {
            assert!(
                rows.iter().any(|r| r.to == to && r.function == signature),
                "{name}.{signature} has no row in the matrix"
            );
        }
    }
}
