//! Unit tests on the SDK's `TestVM`, with a real `ecrecover` ([`PrecompileHost`]).

use super::*;
use alloy_primitives::{address, hex};
use alloy_sol_types::{SolError, SolEvent};
use paratii_common::testing::{high_s_twin, PrecompileHost, Signer};
use paratii_contracts::token::Permit;

const TOKEN: Address = address!("0x5FbDB2315678afecb367f032d93F642f64180aa3");
const CHAIN_ID: u64 = 412_346;
const BOB: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
const CAROL: Address = address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");

fn alice() -> Signer {
    // anvil's dev key #0, the key of the cast golden vector.
    Signer::from_bytes(B256::from(hex!(
        "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    )))
}

fn deploy() -> (PrecompileHost, ParatiiToken) {
    let host = PrecompileHost::new();
    host.vm.set_contract_address(TOKEN);
    host.vm.set_chain_id(CHAIN_ID);
    host.vm.set_block_timestamp(1_700_000_000);
    let mut token = ParatiiToken::from(&host);
    token.constructor(alice().address()).unwrap();
    host.vm.set_sender(alice().address());
    (host, token)
}

fn logs(host: &PrecompileHost) -> Vec<(Vec<B256>, Vec<u8>)> {
    host.vm.get_emitted_logs()
}

fn last_transfer(host: &PrecompileHost) -> Transfer {
    let (topics, data) = logs(host).pop().expect("should have logged");
    Transfer::decode_raw_log(topics, &data).expect("should be a Transfer")
}

fn last_approval(host: &PrecompileHost) -> Approval {
    let (topics, data) = logs(host).pop().expect("should have logged");
    Approval::decode_raw_log(topics, &data).expect("should be an Approval")
}

fn pti(n: u64) -> U256 {
    U256::from(n) * U256::from(10).pow(U256::from(18))
}

fn sign_permit(
    token: &ParatiiToken,
    signer: &Signer,
    owner: Address,
    spender: Address,
    value: U256,
    deadline: U256,
) -> paratii_contracts::ecdsa::Signature {
    let permit = Permit { owner, spender, value, nonce: token.nonces(owner), deadline };
    let domain = alloy_sol_types::eip712_domain! {
        name: "Paratii", version: "1", chain_id: CHAIN_ID, verifying_contract: TOKEN,
    };
    signer.sign(alloy_sol_types::SolStruct::eip712_signing_hash(&permit, &domain))
}

// --- construction and metadata (original: "test basic sanity") ---

#[test]
fn constructor_mints_21_million_pti_to_holder() {
    let (host, token) = deploy();
    assert_eq!(token.balance_of(alice().address()), pti(21_000_000));
    assert_eq!(token.total_supply(), pti(21_000_000));
    assert_eq!(
        last_transfer(&host),
        Transfer { from: Address::ZERO, to: alice().address(), value: INITIAL_SUPPLY }
    );
}

#[test]
fn constructor_reverts_when_holder_is_zero() {
    let host = PrecompileHost::new();
    let mut token = ParatiiToken::from(&host);
    assert_eq!(
        token.constructor(Address::ZERO),
        Err(Error::InvalidReceiver(ERC20InvalidReceiver { receiver: Address::ZERO }))
    );
    assert!(logs(&host).is_empty());
}

#[test]
fn metadata_reads_paratii_pti_18() {
    let (_, token) = deploy();
    assert_eq!((token.name().as_str(), token.symbol().as_str()), ("Paratii", "PTI"));
    assert_eq!(token.decimals(), 18);
}

#[test]
fn error_encodes_as_erc6093_revert_data() {
    let err = Error::InsufficientBalance(ERC20InsufficientBalance {
        sender: BOB,
        balance: U256::from(1),
        needed: U256::from(2),
    });
    let bytes: Vec<u8> = err.into();
    assert_eq!(&bytes[..4], &hex!("e450d38c")); // ERC20InsufficientBalance(address,uint256,uint256)
    assert_eq!(bytes.len(), 4 + 3 * 32);
}

// --- transfer ---

#[test]
fn transfer_moves_value_and_logs_transfer() {
    let (host, mut token) = deploy();
    assert_eq!(token.transfer(BOB, pti(3)), Ok(true));
    assert_eq!(token.balance_of(BOB), pti(3));
    assert_eq!(token.balance_of(alice().address()), pti(21_000_000 - 3));
    assert_eq!(last_transfer(&host), Transfer { from: alice().address(), to: BOB, value: pti(3) });
}

#[test]
fn transfer_reverts_when_balance_insufficient() {
    let (host, mut token) = deploy();
    token.transfer(BOB, pti(1)).unwrap();
    host.vm.set_sender(BOB);
    let before = logs(&host).len();
    assert_eq!(
        token.transfer(CAROL, pti(2)),
        Err(Error::InsufficientBalance(ERC20InsufficientBalance {
            sender: BOB,
            balance: pti(1),
            needed: pti(2)
        }))
    );
    assert_eq!((token.balance_of(BOB), token.balance_of(CAROL)), (pti(1), U256::ZERO));
    assert_eq!(logs(&host).len(), before);
}

#[test]
fn transfer_reverts_when_receiver_is_zero() {
    let (_, mut token) = deploy();
    assert_eq!(
        token.transfer(Address::ZERO, pti(1)),
        Err(Error::InvalidReceiver(ERC20InvalidReceiver { receiver: Address::ZERO }))
    );
    assert_eq!(token.balance_of(alice().address()), INITIAL_SUPPLY);
}

#[test]
fn transfer_to_self_keeps_balance_and_logs_transfer() {
    let (host, mut token) = deploy();
    let a = alice().address();
    assert_eq!(token.transfer(a, pti(5)), Ok(true));
    assert_eq!(token.balance_of(a), INITIAL_SUPPLY);
    assert_eq!(last_transfer(&host), Transfer { from: a, to: a, value: pti(5) });
}

#[test]
fn transfer_of_zero_succeeds_and_logs_transfer() {
    let (host, mut token) = deploy();
    host.vm.set_sender(BOB);
    assert_eq!(token.transfer(CAROL, U256::ZERO), Ok(true));
    assert_eq!(last_transfer(&host), Transfer { from: BOB, to: CAROL, value: U256::ZERO });
}

// --- approve / transferFrom ---

#[test]
fn approve_sets_allowance_and_logs_approval() {
    let (host, mut token) = deploy();
    let a = alice().address();
    assert_eq!(token.approve(BOB, pti(7)), Ok(true));
    assert_eq!(token.allowance(a, BOB), pti(7));
    assert_eq!(last_approval(&host), Approval { owner: a, spender: BOB, value: pti(7) });
    token.approve(BOB, pti(2)).unwrap();
    assert_eq!(token.allowance(a, BOB), pti(2), "approve replaces, never adds");
}

#[test]
fn approve_reverts_when_spender_is_zero() {
    let (_, mut token) = deploy();
    assert_eq!(
        token.approve(Address::ZERO, pti(1)),
        Err(Error::InvalidSpender(ERC20InvalidSpender { spender: Address::ZERO }))
    );
}

#[test]
fn transfer_from_moves_value_and_spends_allowance() {
    let (host, mut token) = deploy();
    let a = alice().address();
    token.approve(BOB, pti(10)).unwrap();
    host.vm.set_sender(BOB);
    assert_eq!(token.transfer_from(a, CAROL, pti(4)), Ok(true));
    assert_eq!(token.balance_of(CAROL), pti(4));
    assert_eq!(token.allowance(a, BOB), pti(6));
    assert_eq!(last_transfer(&host), Transfer { from: a, to: CAROL, value: pti(4) });
}

#[test]
fn transfer_from_reverts_when_allowance_insufficient() {
    let (host, mut token) = deploy();
    let a = alice().address();
    token.approve(BOB, pti(3)).unwrap();
    host.vm.set_sender(BOB);
    assert_eq!(
        token.transfer_from(a, CAROL, pti(4)),
        Err(Error::InsufficientAllowance(ERC20InsufficientAllowance {
            spender: BOB,
            allowance: pti(3),
            needed: pti(4)
        }))
    );
    assert_eq!((token.allowance(a, BOB), token.balance_of(CAROL)), (pti(3), U256::ZERO));
}

#[test]
fn transfer_from_reverts_without_spending_allowance_when_balance_insufficient() {
    let (host, mut token) = deploy();
    token.transfer(BOB, pti(1)).unwrap();
    host.vm.set_sender(BOB);
    token.approve(CAROL, pti(5)).unwrap();
    host.vm.set_sender(CAROL);
    assert_eq!(
        token.transfer_from(BOB, CAROL, pti(2)),
        Err(Error::InsufficientBalance(ERC20InsufficientBalance {
            sender: BOB,
            balance: pti(1),
            needed: pti(2)
        }))
    );
    assert_eq!(token.allowance(BOB, CAROL), pti(5));
}

#[test]
fn transfer_from_reverts_when_receiver_is_zero() {
    let (host, mut token) = deploy();
    let a = alice().address();
    token.approve(BOB, pti(5)).unwrap();
    host.vm.set_sender(BOB);
    assert_eq!(
        token.transfer_from(a, Address::ZERO, pti(1)),
        Err(Error::InvalidReceiver(ERC20InvalidReceiver { receiver: Address::ZERO }))
    );
    assert_eq!(token.allowance(a, BOB), pti(5));
}

#[test]
fn transfer_from_reverts_when_sender_is_zero() {
    let (host, mut token) = deploy();
    host.vm.set_sender(BOB);
    assert_eq!(
        token.transfer_from(Address::ZERO, CAROL, U256::ZERO),
        Err(Error::InvalidSender(ERC20InvalidSender { sender: Address::ZERO }))
    );
}

#[test]
fn transfer_from_keeps_allowance_when_infinite() {
    let (host, mut token) = deploy();
    let a = alice().address();
    token.approve(BOB, U256::MAX).unwrap();
    host.vm.set_sender(BOB);
    token.transfer_from(a, CAROL, pti(9)).unwrap();
    assert_eq!(token.allowance(a, BOB), U256::MAX);
}

// --- increase / decrease ---

#[test]
fn increase_allowance_adds_and_logs_new_allowance() {
    let (host, mut token) = deploy();
    let a = alice().address();
    token.approve(BOB, pti(1)).unwrap();
    assert_eq!(token.increase_allowance(BOB, pti(2)), Ok(true));
    assert_eq!(token.allowance(a, BOB), pti(3));
    assert_eq!(last_approval(&host), Approval { owner: a, spender: BOB, value: pti(3) });
}

#[test]
fn increase_allowance_reverts_when_overflowing() {
    let (_, mut token) = deploy();
    token.approve(BOB, U256::MAX).unwrap();
    assert_eq!(
        token.increase_allowance(BOB, U256::from(1)),
        Err(Error::AllowanceOverflow(ERC20AllowanceOverflow {
            spender: BOB,
            allowance: U256::MAX,
            added: U256::from(1)
        }))
    );
}

#[test]
fn increase_approval_matches_increase_allowance() {
    let (_, mut token) = deploy();
    token.increase_approval(BOB, pti(4)).unwrap();
    token.increase_allowance(BOB, pti(1)).unwrap();
    assert_eq!(token.allowance(alice().address(), BOB), pti(5));
}

#[test]
fn decrease_allowance_subtracts_and_logs_new_allowance() {
    let (host, mut token) = deploy();
    let a = alice().address();
    token.approve(BOB, pti(5)).unwrap();
    assert_eq!(token.decrease_allowance(BOB, pti(2)), Ok(true));
    assert_eq!(token.allowance(a, BOB), pti(3));
    assert_eq!(last_approval(&host), Approval { owner: a, spender: BOB, value: pti(3) });
}

#[test]
fn decrease_allowance_reverts_when_below_zero() {
    let (_, mut token) = deploy();
    token.approve(BOB, pti(1)).unwrap();
    assert_eq!(
        token.decrease_allowance(BOB, pti(2)),
        Err(Error::FailedDecreaseAllowance(ERC20FailedDecreaseAllowance {
            spender: BOB,
            allowance: pti(1),
            requestedDecrease: pti(2)
        }))
    );
    assert_eq!(token.allowance(alice().address(), BOB), pti(1));
}

#[test]
fn decrease_approval_floors_at_zero_when_below_zero() {
    let (host, mut token) = deploy();
    let a = alice().address();
    token.approve(BOB, pti(1)).unwrap();
    assert_eq!(token.decrease_approval(BOB, pti(2)), Ok(true));
    assert_eq!(token.allowance(a, BOB), U256::ZERO);
    assert_eq!(last_approval(&host), Approval { owner: a, spender: BOB, value: U256::ZERO });
    token.approve(BOB, pti(3)).unwrap();
    token.decrease_approval(BOB, pti(1)).unwrap();
    assert_eq!(token.allowance(a, BOB), pti(2));
}

#[test]
fn decrease_approval_reverts_when_spender_is_zero() {
    let (_, mut token) = deploy();
    assert_eq!(
        token.decrease_approval(Address::ZERO, pti(1)),
        Err(Error::InvalidSpender(ERC20InvalidSpender { spender: Address::ZERO }))
    );
}

// --- permit ---

/// The committed golden vector: typed data signed by `cast wallet sign --data` (see
/// `token/testdata/README.md`; CI re-signs it with cast and compares).
struct Golden {
    owner: Address,
    spender: Address,
    value: U256,
    deadline: U256,
    signature: paratii_contracts::ecdsa::Signature,
}

fn golden() -> Golden {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../testdata/permit.json")).expect("should be JSON");
    let sig_hex = include_str!("../testdata/permit.sig").trim();
    let field = |k: &str| json["message"][k].as_str().expect("should be a string").to_owned();
    let domain = &json["domain"];
    assert_eq!(domain["name"], "Paratii");
    assert_eq!(domain["version"], "1");
    assert_eq!(domain["chainId"], CHAIN_ID);
    assert_eq!(domain["verifyingContract"].as_str().unwrap().parse::<Address>().unwrap(), TOKEN);
    assert_eq!(json["message"]["nonce"], "0");
    Golden {
        owner: field("owner").parse().unwrap(),
        spender: field("spender").parse().unwrap(),
        value: field("value").parse().unwrap(),
        deadline: field("deadline").parse().unwrap(),
        signature: paratii_contracts::ecdsa::Signature::from_packed(
            &hex::decode(sig_hex).expect("should be hex"),
        )
        .expect("should be a well-formed signature"),
    }
}

#[test]
fn permit_accepts_cast_golden_vector() {
    let (host, mut token) = deploy();
    let g = golden();
    assert_eq!(g.owner, alice().address());
    host.vm.set_sender(CAROL); // anyone may relay a permit
    let sig = g.signature;
    assert_eq!(token.permit(g.owner, g.spender, g.value, g.deadline, sig.v, sig.r, sig.s), Ok(()));
    assert_eq!(token.allowance(g.owner, g.spender), g.value);
    assert_eq!(token.nonces(g.owner), U256::from(1));
    assert_eq!(
        last_approval(&host),
        Approval { owner: g.owner, spender: g.spender, value: g.value }
    );
}

#[test]
fn permit_reverts_when_golden_vector_s_is_flipped_high() {
    let (host, mut token) = deploy();
    let g = golden();
    let twin = high_s_twin(&g.signature);
    let before = logs(&host).len();
    assert_eq!(
        token.permit(g.owner, g.spender, g.value, g.deadline, twin.v, twin.r, twin.s),
        Err(Error::InvalidSignatureS(ECDSAInvalidSignatureS { s: twin.s }))
    );
    assert_eq!(
        (token.nonces(g.owner), token.allowance(g.owner, g.spender)),
        (U256::ZERO, U256::ZERO)
    );
    assert_eq!(logs(&host).len(), before);
}

#[test]
fn permit_reverts_when_golden_vector_is_replayed() {
    let (_, mut token) = deploy();
    let g = golden();
    let sig = g.signature;
    token.permit(g.owner, g.spender, g.value, g.deadline, sig.v, sig.r, sig.s).unwrap();
    let err = token.permit(g.owner, g.spender, g.value, g.deadline, sig.v, sig.r, sig.s);
    // The nonce moved on, so the same signature recovers some other address.
    assert!(
        matches!(err, Err(Error::InvalidSigner(ERC2612InvalidSigner { signer, owner }))
            if owner == g.owner && signer != g.owner),
        "{err:?}"
    );
    assert_eq!(token.nonces(g.owner), U256::from(1));
}

#[test]
fn permit_reverts_when_deadline_passed() {
    let (host, mut token) = deploy();
    let a = alice().address();
    let deadline = U256::from(1_700_000_000u64 - 1);
    let sig = sign_permit(&token, &alice(), a, BOB, pti(1), deadline);
    assert_eq!(
        token.permit(a, BOB, pti(1), deadline, sig.v, sig.r, sig.s),
        Err(Error::ExpiredSignature(ERC2612ExpiredSignature { deadline }))
    );
    // Valid up to and including the deadline second.
    host.vm.set_block_timestamp(1_700_000_000 - 1);
    assert_eq!(token.permit(a, BOB, pti(1), deadline, sig.v, sig.r, sig.s), Ok(()));
}

#[test]
fn permit_reverts_when_signed_by_someone_else() {
    let (_, mut token) = deploy();
    let a = alice().address();
    let mallory = Signer::from_seed(666);
    let deadline = U256::MAX;
    let sig = sign_permit(&token, &mallory, a, BOB, pti(1), deadline);
    assert_eq!(
        token.permit(a, BOB, pti(1), deadline, sig.v, sig.r, sig.s),
        Err(Error::InvalidSigner(ERC2612InvalidSigner { signer: mallory.address(), owner: a }))
    );
    assert_eq!(token.allowance(a, BOB), U256::ZERO);
}

#[test]
fn permit_reverts_when_value_differs_from_signed() {
    let (_, mut token) = deploy();
    let a = alice().address();
    let sig = sign_permit(&token, &alice(), a, BOB, pti(1), U256::MAX);
    let err = token.permit(a, BOB, pti(2), U256::MAX, sig.v, sig.r, sig.s);
    assert!(matches!(err, Err(Error::InvalidSigner(_))), "{err:?}");
}

#[test]
fn permit_reverts_when_v_is_not_27_or_28() {
    let (_, mut token) = deploy();
    let a = alice().address();
    let sig = sign_permit(&token, &alice(), a, BOB, pti(1), U256::MAX);
    for v in [0u8, 1, 29] {
        assert_eq!(
            token.permit(a, BOB, pti(1), U256::MAX, v, sig.r, sig.s),
            Err(Error::InvalidSignatureV(ECDSAInvalidSignatureV { v }))
        );
    }
}

#[test]
fn permit_reverts_when_signature_recovers_nothing() {
    let (_, mut token) = deploy();
    let a = alice().address();
    assert_eq!(
        token.permit(a, BOB, pti(1), U256::MAX, 27, B256::ZERO, B256::with_last_byte(1)),
        Err(Error::InvalidSignature(ECDSAInvalidSignature {}))
    );
}

#[test]
fn permit_reverts_when_spender_is_zero() {
    let (_, mut token) = deploy();
    let a = alice().address();
    let sig = sign_permit(&token, &alice(), a, Address::ZERO, pti(1), U256::MAX);
    assert_eq!(
        token.permit(a, Address::ZERO, pti(1), U256::MAX, sig.v, sig.r, sig.s),
        Err(Error::InvalidSpender(ERC20InvalidSpender { spender: Address::ZERO }))
    );
    assert_eq!(token.nonces(a), U256::ZERO);
}

#[test]
fn permit_then_transfer_from_spends_permitted_allowance() {
    let (host, mut token) = deploy();
    let a = alice().address();
    let sig = sign_permit(&token, &alice(), a, BOB, pti(3), U256::MAX);
    token.permit(a, BOB, pti(3), U256::MAX, sig.v, sig.r, sig.s).unwrap();
    host.vm.set_sender(BOB);
    token.transfer_from(a, BOB, pti(3)).unwrap();
    assert_eq!((token.balance_of(BOB), token.allowance(a, BOB)), (pti(3), U256::ZERO));
}

#[test]
fn permit_nonces_advance_in_order() {
    let (_, mut token) = deploy();
    let a = alice().address();
    for i in 0..3u64 {
        assert_eq!(token.nonces(a), U256::from(i));
        let sig = sign_permit(&token, &alice(), a, BOB, pti(i), U256::MAX);
        token.permit(a, BOB, pti(i), U256::MAX, sig.v, sig.r, sig.s).unwrap();
    }
    assert_eq!(token.nonces(a), U256::from(3));
}

#[test]
fn domain_separator_equals_alloy_eip712_domain() {
    let (_, token) = deploy();
    let domain = alloy_sol_types::eip712_domain! {
        name: "Paratii", version: "1", chain_id: CHAIN_ID, verifying_contract: TOKEN,
    };
    assert_eq!(token.domain_separator(), domain.separator());
}

#[test]
fn eip712_domain_reports_name_version_chain_and_contract() {
    let (_, token) = deploy();
    let (fields, name, version, chain_id, contract, salt, extensions) = token.eip712_domain();
    assert_eq!(fields, alloy_primitives::FixedBytes([0x0f]));
    assert_eq!((name.as_str(), version.as_str()), ("Paratii", "1"));
    assert_eq!((chain_id, contract), (U256::from(CHAIN_ID), TOKEN));
    assert_eq!((salt, extensions.len()), (B256::ZERO, 0));
}

#[test]
fn permit_error_selectors_match_eip2612_and_oz_names() {
    assert_eq!(ERC2612ExpiredSignature::SELECTOR, hex!("62791302"));
    assert_eq!(ERC2612InvalidSigner::SELECTOR, hex!("4b800e46"));
    assert_eq!(ECDSAInvalidSignatureS::SELECTOR, hex!("d78bce0c"));
}

#[test]
fn permit_and_transfers_keep_nonce_and_balance_apart() {
    let (host, mut token) = deploy();
    let a = alice().address();
    for i in 0..2u64 {
        let sig = sign_permit(&token, &alice(), a, BOB, pti(i), U256::MAX);
        token.permit(a, BOB, pti(i), U256::MAX, sig.v, sig.r, sig.s).unwrap();
    }
    assert_eq!(token.balance_of(a), INITIAL_SUPPLY);
    // Alice's whole balance leaves her word; the nonce stays.
    token.transfer(BOB, INITIAL_SUPPLY).unwrap();
    assert_eq!(token.balance_of(a), U256::ZERO);
    assert_eq!(token.nonces(a), U256::from(2));
    assert_eq!(
        token.transfer(BOB, U256::from(1)),
        Err(Error::InsufficientBalance(ERC20InsufficientBalance {
            sender: a,
            balance: U256::ZERO,
            needed: U256::from(1),
        }))
    );
    // And comes back without touching it.
    host.vm.set_sender(BOB);
    token.transfer(a, INITIAL_SUPPLY).unwrap();
    assert_eq!(token.balance_of(a), INITIAL_SUPPLY);
    assert_eq!(token.balance_of(BOB), U256::ZERO);
    assert_eq!(token.nonces(a), U256::from(2));
    // The third permit signs nonce 2.
    let sig = sign_permit(&token, &alice(), a, CAROL, pti(3), U256::MAX);
    token.permit(a, CAROL, pti(3), U256::MAX, sig.v, sig.r, sig.s).unwrap();
    assert_eq!(token.nonces(a), U256::from(3));
    assert_eq!(token.allowance(a, CAROL), pti(3));
}
