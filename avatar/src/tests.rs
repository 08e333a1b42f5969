//! Unit tests on the SDK's `TestVM`: the original scenarios, the original's bug 3 as negative tests
//! (anyone whitelisted-or-owner moving funds, a pool that could never pay out), spending keys, the
//! pool, the whitelist delay, and ownership. The PTI token is fixed at construction; outgoing
//! token calls are asserted by their exact calldata, encoded here
//! from PTI's published interface (`contracts/abi/IParatiiToken.sol`), independently of the
//! contract. The `TestVM` does not roll storage back on a revert, so failing
//! calls are asserted by their returned error (and by what they did not call or log).

use super::*;
use alloy_primitives::address;
use alloy_sol_types::{SolError, SolEvent};
use paratii_common::testing::{MadeCall, PrecompileHost};
use paratii_contracts::{
    interfaces::IParatiiToken,
    ownable::{OwnershipTransferStarted, OwnershipTransferred},
    peers::PeerCallReturnedFalse,
    token::{ERC20InsufficientAllowance, ERC20InsufficientBalance},
};

const OWNER: Address = address!("0x00000000000000000000000000000000000000a0");
const NEW_OWNER: Address = address!("0x00000000000000000000000000000000000000a1");
const TOKEN: Address = address!("0x00000000000000000000000000000000000000b1");
const ALICE: Address = address!("0x00000000000000000000000000000000000000c0");
const BOB: Address = address!("0x00000000000000000000000000000000000000c1");
const CREATOR: Address = address!("0x00000000000000000000000000000000000000c2");
const ALICE_KEY: Address = address!("0x00000000000000000000000000000000000000d0");
const BOB_KEY: Address = address!("0x00000000000000000000000000000000000000d1");
const STRANGER: Address = address!("0x00000000000000000000000000000000000000e0");
const STORE: Address = address!("0x00000000000000000000000000000000000000f0");
const CHANNELS: Address = address!("0x00000000000000000000000000000000000000f1");
/// The current block's timestamp in every test, unix seconds.
const NOW: u64 = 1_700_000_000;
/// One day, in seconds.
const DAY: u64 = 86_400;
/// The tests' whitelist delay: two days.
const DELAY: u64 = 2 * DAY;

/// An avatar owned by `OWNER` for PTI at `TOKEN`, whitelisting `initial` from the start, at
/// `NOW`.
fn deploy_whitelisting(initial: Vec<Address>) -> (PrecompileHost, ParatiiAvatar) {
    let host = PrecompileHost::new();
    host.vm.set_block_timestamp(NOW);
    let mut avatar = ParatiiAvatar::from(&host);
    avatar.constructor(OWNER, TOKEN, DELAY, initial).unwrap();
    (host, avatar)
}

/// An avatar with an empty whitelist.
fn deploy() -> (PrecompileHost, ParatiiAvatar) {
    deploy_whitelisting(vec![])
}

/// An avatar with `STORE` whitelisted from the start.
fn deploy_with_store() -> (PrecompileHost, ParatiiAvatar) {
    deploy_whitelisting(vec![STORE])
}

/// The owner whitelists `account` and the delay passes (the clock moves `DELAY` on).
fn whitelist_after_delay(host: &PrecompileHost, avatar: &mut ParatiiAvatar, account: Address) {
    host.vm.set_sender(OWNER);
    avatar.add_to_whitelist(account).unwrap();
    host.vm.set_block_timestamp(host.vm.block_timestamp() + DELAY);
}

/// `deploy_with_store()` where `ALICE` authorised `ALICE_KEY` for `cap` until `NOW + DAY`.
fn deploy_with_key(cap: u64) -> (PrecompileHost, ParatiiAvatar) {
    let (host, mut avatar) = deploy_with_store();
    host.vm.set_sender(ALICE);
    avatar.authorize_spending_key(ALICE_KEY, U256::from(cap), NOW + DAY).unwrap();
    (host, avatar)
}

fn transfer_from_data(from: Address, to: Address, amount: u64) -> Vec<u8> {
    IParatiiToken::transferFromCall { from, to, value: U256::from(amount) }.abi_encode()
}

fn transfer_data(to: Address, amount: u64) -> Vec<u8> {
    IParatiiToken::transferCall { to, value: U256::from(amount) }.abi_encode()
}

fn token_call(data: Vec<u8>) -> MadeCall {
    MadeCall { to: TOKEN, data, value: U256::ZERO }
}

fn true_word() -> Vec<u8> {
    U256::from(1).to_be_bytes::<32>().to_vec()
}

fn encoded(error: Error) -> Vec<u8> {
    error.into()
}

fn not_whitelisted(caller: Address) -> Vec<u8> {
    encoded(Error::NotWhitelisted(AvatarNotWhitelisted { caller }))
}

fn unauthorized(account: Address) -> Error {
    Error::UnauthorizedAccount(OwnableUnauthorizedAccount { account })
}

fn unknown_key(user: Address, key: Address) -> Error {
    Error::UnknownSpendingKey(AvatarUnknownSpendingKey { user, key })
}

fn log_count(host: &PrecompileHost) -> usize {
    host.vm.get_emitted_logs().len()
}

/// Every log since the first `skip` that decodes as `E`.
fn logs_since<E: SolEvent>(host: &PrecompileHost, skip: usize) -> Vec<E> {
    host.vm
        .get_emitted_logs()
        .into_iter()
        .skip(skip)
        .filter_map(|(topics, data)| E::decode_raw_log(topics, &data).ok())
        .collect()
}

// --- construction and ownership ---

#[test]
fn constructor_sets_owner_token_delay_and_logs() {
    let (host, avatar) = deploy();
    assert_eq!(avatar.owner(), OWNER);
    assert_eq!(avatar.pending_owner(), Address::ZERO);
    assert_eq!(avatar.token(), TOKEN);
    assert_eq!(avatar.whitelist_delay(), DELAY);
    assert_eq!(
        host.last_log::<OwnershipTransferred>(),
        OwnershipTransferred { previousOwner: Address::ZERO, newOwner: OWNER }
    );
}

#[test]
fn constructor_reverts_when_owner_is_zero() {
    let host = PrecompileHost::new();
    let mut avatar = ParatiiAvatar::from(&host);
    assert_eq!(
        avatar.constructor(Address::ZERO, TOKEN, DELAY, vec![]),
        Err(Error::InvalidOwner(OwnableInvalidOwner { owner: Address::ZERO }))
    );
}

#[test]
fn constructor_reverts_when_whitelist_delay_out_of_range() {
    for delay in [0, MIN_WHITELIST_DELAY_SECS - 1, MAX_WHITELIST_DELAY_SECS + 1] {
        let host = PrecompileHost::new();
        let mut avatar = ParatiiAvatar::from(&host);
        assert_eq!(
            avatar.constructor(OWNER, TOKEN, delay, vec![]),
            Err(Error::InvalidWhitelistDelay(AvatarInvalidWhitelistDelay {
                delay,
                min: MIN_WHITELIST_DELAY_SECS,
                max: MAX_WHITELIST_DELAY_SECS,
            }))
        );
    }
}

#[test]
fn constructor_whitelists_initial_contracts_at_once_and_logs() {
    let (host, avatar) = deploy_whitelisting(vec![STORE, CHANNELS]);
    assert!(avatar.is_on_whitelist(STORE));
    assert!(avatar.is_on_whitelist(CHANNELS));
    assert_eq!(avatar.whitelisted_from(STORE), NOW);
    assert_eq!(
        logs_since::<WhitelistUpdated>(&host, 0),
        [STORE, CHANNELS].map(|account| WhitelistUpdated {
            account,
            whitelisted: true,
            effectiveAt: NOW,
        })
    );
}

#[test]
fn constructor_reverts_when_an_initial_contract_is_zero() {
    let host = PrecompileHost::new();
    let mut avatar = ParatiiAvatar::from(&host);
    assert_eq!(
        avatar.constructor(OWNER, TOKEN, DELAY, vec![STORE, Address::ZERO]),
        Err(Error::InvalidAccount(AvatarInvalidAccount { account: Address::ZERO }))
    );
}

/// Attack (review, high): the owner whitelists its own account to pull a user's approved PTI.
/// It can, but only after the delay, announced at once, during which the user can leave.
#[test]
fn owner_cannot_pull_approved_pti_before_the_whitelist_delay() {
    let (host, mut avatar) = deploy_with_store();
    host.vm.set_sender(OWNER);
    avatar.add_to_whitelist(OWNER).unwrap();
    assert_eq!(
        host.last_log::<WhitelistUpdated>(),
        WhitelistUpdated { account: OWNER, whitelisted: true, effectiveAt: NOW + DELAY }
    );
    assert_eq!(avatar.transfer_from(ALICE, OWNER, U256::from(10)), Err(not_whitelisted(OWNER)));
    host.vm.set_block_timestamp(NOW + DELAY - 1);
    assert_eq!(avatar.transfer_from(ALICE, OWNER, U256::from(10)), Err(not_whitelisted(OWNER)));
    assert!(host.calls().is_empty());
    host.vm.set_block_timestamp(NOW + DELAY);
    assert_eq!(avatar.transfer_from(ALICE, OWNER, U256::from(10)), Ok(true));
}

#[test]
fn remove_from_whitelist_cancels_a_scheduled_contract() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(OWNER);
    avatar.add_to_whitelist(STRANGER).unwrap();
    avatar.remove_from_whitelist(STRANGER).unwrap();
    assert_eq!(avatar.whitelisted_from(STRANGER), 0);
    host.vm.set_block_timestamp(NOW + DELAY);
    assert!(!avatar.is_on_whitelist(STRANGER));
    host.vm.set_sender(STRANGER);
    assert_eq!(
        avatar.transfer_from(ALICE, STRANGER, U256::from(1)),
        Err(not_whitelisted(STRANGER))
    );
}

#[test]
fn add_to_whitelist_keeps_the_scheduled_time_when_added_again() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(OWNER);
    avatar.add_to_whitelist(STRANGER).unwrap();
    host.vm.set_block_timestamp(NOW + DAY);
    let before = log_count(&host);
    avatar.add_to_whitelist(STRANGER).unwrap();
    assert_eq!(log_count(&host), before);
    assert_eq!(avatar.whitelisted_from(STRANGER), NOW + DELAY);
}

#[test]
fn transfer_ownership_hands_over_whitelisting_and_disbursing_after_acceptance() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(OWNER);
    avatar.transfer_ownership(NEW_OWNER).unwrap();
    assert_eq!(
        host.last_log::<OwnershipTransferStarted>(),
        OwnershipTransferStarted { previousOwner: OWNER, newOwner: NEW_OWNER }
    );
    assert_eq!(avatar.pending_owner(), NEW_OWNER);
    // Not the owner yet.
    host.vm.set_sender(NEW_OWNER);
    assert_eq!(avatar.add_to_whitelist(STORE), Err(unauthorized(NEW_OWNER)));
    host.vm.set_sender(STRANGER);
    assert_eq!(avatar.accept_ownership(), Err(unauthorized(STRANGER)));
    host.vm.set_sender(NEW_OWNER);
    avatar.accept_ownership().unwrap();
    assert_eq!(
        host.last_log::<OwnershipTransferred>(),
        OwnershipTransferred { previousOwner: OWNER, newOwner: NEW_OWNER }
    );
    assert_eq!((avatar.owner(), avatar.pending_owner()), (NEW_OWNER, Address::ZERO));
    avatar.add_to_whitelist(STORE).unwrap();
    assert_eq!(avatar.whitelisted_from(STORE), NOW + DELAY);
    host.vm.set_sender(OWNER);
    assert_eq!(avatar.remove_from_whitelist(STORE), Err(unauthorized(OWNER)));
    assert_eq!(avatar.disburse_ether(vec![], vec![]), Err(unauthorized(OWNER)));
}

#[test]
fn renounce_ownership_freezes_the_whitelist() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(STRANGER);
    assert_eq!(avatar.renounce_ownership(), Err(unauthorized(STRANGER)));
    host.vm.set_sender(OWNER);
    avatar.renounce_ownership().unwrap();
    assert_eq!(avatar.owner(), Address::ZERO);
    assert_eq!(avatar.add_to_whitelist(STORE), Err(unauthorized(OWNER)));
}

// --- the original scenarios ---

#[test]
fn add_and_remove_from_whitelist_update_membership_and_log_only_changes() {
    // Original "owner can add to and remove from whitelist": add 2, 3, 4; remove 3; re-add 4.
    let (host, mut avatar) = deploy();
    let [two, three, four] = [2u8, 3, 4].map(Address::repeat_byte);
    host.vm.set_sender(OWNER);
    let before = log_count(&host);
    for account in [two, three, four] {
        avatar.add_to_whitelist(account).unwrap();
    }
    host.vm.set_block_timestamp(NOW + DELAY);
    avatar.remove_from_whitelist(three).unwrap();
    let after_changes = log_count(&host);
    avatar.add_to_whitelist(four).unwrap();
    assert_eq!(log_count(&host), after_changes, "re-adding should not log");
    assert_eq!(
        logs_since::<WhitelistUpdated>(&host, before),
        [(two, true), (three, true), (four, true), (three, false)].map(|(account, whitelisted)| {
            WhitelistUpdated { account, whitelisted, effectiveAt: NOW + DELAY }
        })
    );
    assert!(avatar.is_on_whitelist(two));
    assert!(!avatar.is_on_whitelist(three));
    assert!(avatar.is_on_whitelist(four));
    // Still one entry: removing 4 once takes it off.
    avatar.remove_from_whitelist(four).unwrap();
    assert!(!avatar.is_on_whitelist(four));
    assert!(!avatar.is_on_whitelist(STRANGER));
}

#[test]
fn remove_from_whitelist_changes_nothing_when_not_whitelisted() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(OWNER);
    let before = log_count(&host);
    avatar.remove_from_whitelist(STORE).unwrap();
    assert_eq!(log_count(&host), before);
    assert!(!avatar.is_on_whitelist(STORE));
}

#[test]
fn add_to_whitelist_reverts_when_account_is_zero() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(OWNER);
    assert_eq!(
        avatar.add_to_whitelist(Address::ZERO),
        Err(Error::InvalidAccount(AvatarInvalidAccount { account: Address::ZERO }))
    );
    assert!(!avatar.is_on_whitelist(Address::ZERO));
}

#[test]
fn whitelist_changes_revert_when_caller_is_not_owner() {
    let (host, mut avatar) = deploy_with_store();
    for caller in [STRANGER, STORE, ALICE] {
        host.vm.set_sender(caller);
        assert_eq!(avatar.add_to_whitelist(caller), Err(unauthorized(caller)));
        assert_eq!(avatar.remove_from_whitelist(STORE), Err(unauthorized(caller)));
    }
    assert!(avatar.is_on_whitelist(STORE));
    assert!(!avatar.is_on_whitelist(STRANGER));
}

#[test]
fn transfer_from_calls_token_transfer_from_only_when_caller_is_whitelisted() {
    // Original "can transfer tokens": a non-whitelisted transferFrom reverts, a whitelisted one
    // moves the tokens (here: issues exactly the token's transferFrom).
    let (host, mut avatar) = deploy();
    host.vm.set_sender(STORE);
    assert_eq!(avatar.transfer_from(ALICE, CREATOR, U256::from(14)), Err(not_whitelisted(STORE)));
    assert!(host.calls().is_empty());
    whitelist_after_delay(&host, &mut avatar, STORE);
    host.vm.set_sender(STORE);
    let before = log_count(&host);
    assert_eq!(avatar.transfer_from(ALICE, CREATOR, U256::from(14)), Ok(true));
    assert_eq!(host.calls(), [token_call(transfer_from_data(ALICE, CREATOR, 14))]);
    assert_eq!(log_count(&host), before, "the token logs, not the avatar");
}

#[test]
fn transfer_from_succeeds_when_token_returns_true() {
    let (host, mut avatar) = deploy_with_store();
    host.answer_call(TOKEN, transfer_from_data(ALICE, CREATOR, 5), Ok(true_word()));
    host.vm.set_sender(STORE);
    assert_eq!(avatar.transfer_from(ALICE, CREATOR, U256::from(5)), Ok(true));
    assert_eq!(host.calls().len(), 1);
}

// --- the original's bug 3, fixed: only whitelisted contracts move funds, the pool pays out ---

#[test]
fn transfer_from_reverts_when_caller_is_stranger_or_owner() {
    let (host, mut avatar) = deploy_with_store();
    for caller in [STRANGER, OWNER, ALICE, CREATOR] {
        host.vm.set_sender(caller);
        assert_eq!(
            avatar.transfer_from(ALICE, caller, U256::from(1)),
            Err(not_whitelisted(caller))
        );
    }
    assert!(host.calls().is_empty());
}

#[test]
fn transfer_from_reverts_once_removed_from_whitelist() {
    let (host, mut avatar) = deploy_with_store();
    host.vm.set_sender(OWNER);
    avatar.remove_from_whitelist(STORE).unwrap();
    assert_eq!(
        host.last_log::<WhitelistUpdated>(),
        WhitelistUpdated { account: STORE, whitelisted: false, effectiveAt: NOW }
    );
    host.vm.set_sender(STORE);
    assert_eq!(avatar.transfer_from(ALICE, CREATOR, U256::from(1)), Err(not_whitelisted(STORE)));
    assert!(host.calls().is_empty());
}

#[test]
fn transfer_from_bubbles_token_revert_data_unchanged() {
    let (host, mut avatar) = deploy_with_store();
    let revert = ERC20InsufficientAllowance {
        spender: Address::ZERO,
        allowance: U256::from(3),
        needed: U256::from(14),
    }
    .abi_encode();
    host.answer_call(TOKEN, transfer_from_data(ALICE, CREATOR, 14), Err(revert.clone()));
    host.vm.set_sender(STORE);
    assert_eq!(avatar.transfer_from(ALICE, CREATOR, U256::from(14)), Err(revert));
}

#[test]
fn transfer_from_reverts_when_token_returns_false() {
    let (host, mut avatar) = deploy_with_store();
    host.answer_call(TOKEN, transfer_from_data(ALICE, CREATOR, 14), Ok(vec![0; 32]));
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.transfer_from(ALICE, CREATOR, U256::from(14)),
        Err(PeerCallReturnedFalse { target: TOKEN }.abi_encode())
    );
}

#[test]
fn receive_accepts_ether_and_logs() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(ALICE);
    host.vm.set_value(U256::from(1_000));
    assert_eq!(avatar.receive(), Ok(()));
    assert_eq!(
        host.last_log::<PoolEtherReceived>(),
        PoolEtherReceived { from: ALICE, amount: U256::from(1_000) }
    );
}

#[test]
fn disburse_pays_pool_pti_with_an_event_per_payout() {
    let (host, mut avatar) = deploy();
    host.answer_call(TOKEN, transfer_data(BOB, 30), Ok(true_word()));
    host.vm.set_sender(OWNER);
    let before = log_count(&host);
    avatar.disburse(vec![ALICE, BOB], vec![U256::from(70), U256::from(30)]).unwrap();
    assert_eq!(
        host.calls(),
        [token_call(transfer_data(ALICE, 70)), token_call(transfer_data(BOB, 30))]
    );
    assert_eq!(
        logs_since::<PoolDisbursed>(&host, before),
        [(ALICE, 70u64), (BOB, 30)].map(|(to, amount)| PoolDisbursed {
            token: TOKEN,
            to,
            amount: U256::from(amount)
        })
    );
}

#[test]
fn disburse_reverts_when_caller_is_not_owner() {
    let (host, mut avatar) = deploy_with_store();
    for caller in [STRANGER, STORE] {
        host.vm.set_sender(caller);
        assert_eq!(
            avatar.disburse(vec![caller], vec![U256::from(1)]),
            Err(encoded(unauthorized(caller)))
        );
        assert_eq!(
            avatar.disburse_ether(vec![caller], vec![U256::from(1)]),
            Err(unauthorized(caller))
        );
    }
    assert!(host.calls().is_empty());
}

#[test]
fn disburse_reverts_when_lengths_differ() {
    let (host, mut avatar) = deploy();
    host.vm.set_balance(host.vm.contract_address(), U256::from(100));
    host.vm.set_sender(OWNER);
    let mismatch = Error::LengthMismatch(AvatarLengthMismatch {
        recipients: U256::from(2),
        amounts: U256::from(1),
    });
    assert_eq!(
        avatar.disburse(vec![ALICE, BOB], vec![U256::from(1)]),
        Err(encoded(mismatch.clone()))
    );
    assert_eq!(avatar.disburse_ether(vec![ALICE, BOB], vec![U256::from(1)]), Err(mismatch));
    assert!(host.calls().is_empty());
}

#[test]
fn disburse_reverts_before_any_payout_when_a_recipient_is_zero() {
    let (host, mut avatar) = deploy();
    host.vm.set_balance(host.vm.contract_address(), U256::from(100));
    host.vm.set_sender(OWNER);
    let invalid = Error::InvalidRecipient(AvatarInvalidRecipient { to: Address::ZERO });
    let (recipients, amounts) = (vec![ALICE, Address::ZERO], vec![U256::from(1), U256::from(2)]);
    assert_eq!(avatar.disburse(recipients.clone(), amounts.clone()), Err(encoded(invalid.clone())));
    assert_eq!(avatar.disburse_ether(recipients, amounts), Err(invalid));
    assert!(host.calls().is_empty());
}

#[test]
fn disburse_bubbles_insufficient_balance_from_token() {
    let (host, mut avatar) = deploy();
    let revert = ERC20InsufficientBalance {
        sender: Address::ZERO,
        balance: U256::from(10),
        needed: U256::from(30),
    }
    .abi_encode();
    host.answer_call(TOKEN, transfer_data(BOB, 30), Err(revert.clone()));
    host.vm.set_sender(OWNER);
    let before = log_count(&host);
    assert_eq!(
        avatar.disburse(vec![ALICE, BOB], vec![U256::from(10), U256::from(30)]),
        Err(revert)
    );
    // Only the payout that went through logged (on chain the whole call reverts).
    assert_eq!(
        logs_since::<PoolDisbursed>(&host, before),
        [PoolDisbursed { token: TOKEN, to: ALICE, amount: U256::from(10) }]
    );
}

#[test]
fn disburse_reverts_when_token_returns_false() {
    let (host, mut avatar) = deploy();
    host.answer_call(TOKEN, transfer_data(ALICE, 10), Ok(vec![0; 32]));
    host.vm.set_sender(OWNER);
    assert_eq!(
        avatar.disburse(vec![ALICE], vec![U256::from(10)]),
        Err(PeerCallReturnedFalse { target: TOKEN }.abi_encode())
    );
}

#[test]
fn disburse_ether_pays_each_recipient_with_value_and_logs() {
    let (host, mut avatar) = deploy();
    host.vm.set_balance(host.vm.contract_address(), U256::from(100));
    host.vm.set_sender(OWNER);
    let before = log_count(&host);
    avatar.disburse_ether(vec![ALICE, BOB], vec![U256::from(60), U256::from(40)]).unwrap();
    assert_eq!(
        host.calls(),
        [(ALICE, 60u64), (BOB, 40)].map(|(to, value)| MadeCall {
            to,
            data: Vec::new(),
            value: U256::from(value)
        })
    );
    assert_eq!(
        logs_since::<PoolDisbursed>(&host, before),
        [(ALICE, 60u64), (BOB, 40)].map(|(to, amount)| PoolDisbursed {
            token: Address::ZERO,
            to,
            amount: U256::from(amount)
        })
    );
}

#[test]
fn disburse_ether_reverts_before_any_payout_when_pool_is_short() {
    let (host, mut avatar) = deploy();
    host.vm.set_balance(host.vm.contract_address(), U256::from(99));
    host.vm.set_sender(OWNER);
    let before = log_count(&host);
    assert_eq!(
        avatar.disburse_ether(vec![ALICE, BOB], vec![U256::from(60), U256::from(40)]),
        Err(Error::InsufficientEther(AvatarInsufficientEther {
            balance: U256::from(99),
            needed: U256::from(100)
        }))
    );
    assert!(host.calls().is_empty());
    assert_eq!(log_count(&host), before);
}

#[test]
fn disburse_ether_reverts_when_sum_overflows() {
    let (host, mut avatar) = deploy();
    host.vm.set_balance(host.vm.contract_address(), U256::MAX);
    host.vm.set_sender(OWNER);
    assert_eq!(
        avatar.disburse_ether(vec![ALICE, BOB], vec![U256::MAX, U256::from(1)]),
        Err(Error::InsufficientEther(AvatarInsufficientEther {
            balance: U256::MAX,
            needed: U256::MAX
        }))
    );
    assert!(host.calls().is_empty());
}

#[test]
fn disburse_ether_reverts_when_recipient_refuses() {
    let (host, mut avatar) = deploy();
    host.vm.set_balance(host.vm.contract_address(), U256::from(100));
    host.answer_call(BOB, Vec::new(), Err(b"no thanks".to_vec()));
    host.vm.set_sender(OWNER);
    assert_eq!(
        avatar.disburse_ether(vec![ALICE, BOB], vec![U256::from(60), U256::from(40)]),
        Err(Error::EtherRefused(AvatarEtherRefused { to: BOB, amount: U256::from(40) }))
    );
}

// --- spending keys ---

#[test]
fn authorize_spending_key_stores_cap_and_expiry_and_logs() {
    let (host, avatar) = deploy_with_key(500);
    assert_eq!(
        host.last_log::<SpendingKeyAuthorized>(),
        SpendingKeyAuthorized {
            user: ALICE,
            key: ALICE_KEY,
            cap: U256::from(500),
            expiry: NOW + DAY
        }
    );
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (U256::from(500), NOW + DAY));
    assert!(avatar.is_spending_key(ALICE, ALICE_KEY));
    // Per user: the same key is nobody else's.
    assert_eq!(avatar.spending_key(BOB, ALICE_KEY), (U256::ZERO, 0));
    assert!(!avatar.is_spending_key(BOB, ALICE_KEY));
}

#[test]
fn spending_key_reads_zeros_when_never_authorized() {
    let (_, avatar) = deploy();
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (U256::ZERO, 0));
    assert!(!avatar.is_spending_key(ALICE, ALICE_KEY));
}

#[test]
fn authorize_spending_key_replaces_earlier_authorization_and_resets_cap() {
    let (host, mut avatar) = deploy_with_key(500);
    host.vm.set_sender(STORE);
    avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(450)).unwrap();
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(50));
    host.vm.set_sender(ALICE);
    avatar.authorize_spending_key(ALICE_KEY, U256::from(200), NOW + 2 * DAY).unwrap();
    assert_eq!(
        host.last_log::<SpendingKeyAuthorized>(),
        SpendingKeyAuthorized {
            user: ALICE,
            key: ALICE_KEY,
            cap: U256::from(200),
            expiry: NOW + 2 * DAY
        }
    );
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (U256::from(200), NOW + 2 * DAY));
}

#[test]
fn authorize_spending_key_reverts_when_key_is_zero_or_caller() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(ALICE);
    for key in [Address::ZERO, ALICE] {
        assert_eq!(
            avatar.authorize_spending_key(key, U256::from(1), NOW + DAY),
            Err(Error::InvalidSpendingKey(AvatarInvalidSpendingKey { user: ALICE, key }))
        );
        assert_eq!(avatar.spending_key(ALICE, key), (U256::ZERO, 0));
    }
}

#[test]
fn authorize_spending_key_reverts_when_cap_too_high() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(ALICE);
    let max = (U256::from(1) << 96) - U256::from(1);
    assert_eq!(MAX_SPENDING_CAP, max);
    for cap in [max + U256::from(1), U256::MAX] {
        assert_eq!(
            avatar.authorize_spending_key(ALICE_KEY, cap, NOW + DAY),
            Err(Error::CapTooHigh(AvatarCapTooHigh { cap, max }))
        );
    }
    assert!(!avatar.is_spending_key(ALICE, ALICE_KEY));
    avatar.authorize_spending_key(ALICE_KEY, max, NOW + DAY).unwrap();
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (max, NOW + DAY));
}

#[test]
fn authorize_spending_key_reverts_when_expiry_not_in_future() {
    let (host, mut avatar) = deploy();
    host.vm.set_sender(ALICE);
    for expiry in [0, NOW - 1, NOW] {
        assert_eq!(
            avatar.authorize_spending_key(ALICE_KEY, U256::from(1), expiry),
            Err(Error::ExpiryNotInFuture(AvatarExpiryNotInFuture { expiry, now: NOW }))
        );
    }
    assert!(!avatar.is_spending_key(ALICE, ALICE_KEY));
    avatar.authorize_spending_key(ALICE_KEY, U256::from(1), NOW + 1).unwrap();
    assert!(avatar.is_spending_key(ALICE, ALICE_KEY));
}

#[test]
fn authorize_spending_key_accepts_zero_cap_as_a_key_that_spends_nothing() {
    let (host, mut avatar) = deploy_with_key(0);
    assert!(avatar.is_spending_key(ALICE, ALICE_KEY));
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(1)),
        Err(encoded(Error::SpendingCapExceeded(AvatarSpendingCapExceeded {
            user: ALICE,
            key: ALICE_KEY,
            amount: U256::from(1),
            remaining: U256::ZERO
        })))
    );
    assert!(host.calls().is_empty());
}

#[test]
fn revoke_spending_key_clears_it_and_logs() {
    let (host, mut avatar) = deploy_with_key(500);
    host.vm.set_sender(ALICE);
    avatar.revoke_spending_key(ALICE_KEY).unwrap();
    assert_eq!(
        host.last_log::<SpendingKeyRevoked>(),
        SpendingKeyRevoked { user: ALICE, key: ALICE_KEY }
    );
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (U256::ZERO, 0));
    assert!(!avatar.is_spending_key(ALICE, ALICE_KEY));
}

#[test]
fn revoke_spending_key_reverts_when_key_unknown() {
    let (host, mut avatar) = deploy_with_key(500);
    // Never authorised by this user: Bob cannot revoke Alice's key either.
    host.vm.set_sender(BOB);
    assert_eq!(avatar.revoke_spending_key(ALICE_KEY), Err(unknown_key(BOB, ALICE_KEY)));
    assert!(avatar.is_spending_key(ALICE, ALICE_KEY));
    // Already revoked.
    host.vm.set_sender(ALICE);
    avatar.revoke_spending_key(ALICE_KEY).unwrap();
    let before = log_count(&host);
    assert_eq!(avatar.revoke_spending_key(ALICE_KEY), Err(unknown_key(ALICE, ALICE_KEY)));
    assert_eq!(log_count(&host), before);
}

#[test]
fn revoke_spending_key_succeeds_when_key_expired() {
    let (host, mut avatar) = deploy_with_key(500);
    host.vm.set_block_timestamp(NOW + 2 * DAY);
    assert!(!avatar.is_spending_key(ALICE, ALICE_KEY));
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (U256::from(500), NOW + DAY));
    host.vm.set_sender(ALICE);
    avatar.revoke_spending_key(ALICE_KEY).unwrap();
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY), (U256::ZERO, 0));
}

#[test]
fn transfer_from_with_key_charges_cap_across_pulls_down_to_zero_then_refuses() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(STORE);
    let before = log_count(&host);
    for (amount, left) in [(30u64, 70u64), (45, 25), (25, 0)] {
        assert_eq!(
            avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(amount)),
            Ok(true)
        );
        assert_eq!(
            host.last_log::<SpendingKeyCharged>(),
            SpendingKeyCharged {
                user: ALICE,
                key: ALICE_KEY,
                spender: STORE,
                amount: U256::from(amount),
                remaining: U256::from(left)
            }
        );
        assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(left));
    }
    assert_eq!(
        host.calls(),
        [30, 45, 25].map(|amount| token_call(transfer_from_data(ALICE, CREATOR, amount)))
    );
    assert_eq!(logs_since::<SpendingKeyCharged>(&host, before).len(), 3);
    assert_eq!(
        avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(1)),
        Err(encoded(Error::SpendingCapExceeded(AvatarSpendingCapExceeded {
            user: ALICE,
            key: ALICE_KEY,
            amount: U256::from(1),
            remaining: U256::ZERO
        })))
    );
    assert_eq!(host.calls().len(), 3);
    // Still a key (the user registry may rely on it), just an empty one.
    assert!(avatar.is_spending_key(ALICE, ALICE_KEY));
}

#[test]
fn transfer_from_with_key_reverts_when_amount_exceeds_remaining() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(STORE);
    for amount in [U256::from(101), U256::from(1) << 96, U256::MAX] {
        assert_eq!(
            avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, amount),
            Err(encoded(Error::SpendingCapExceeded(AvatarSpendingCapExceeded {
                user: ALICE,
                key: ALICE_KEY,
                amount,
                remaining: U256::from(100)
            })))
        );
    }
    assert!(host.calls().is_empty());
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(100));
}

#[test]
fn transfer_from_with_key_refuses_at_expiry_and_allows_one_second_before() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(STORE);
    host.vm.set_block_timestamp(NOW + DAY - 1);
    assert!(avatar.is_spending_key(ALICE, ALICE_KEY));
    assert_eq!(avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(10)), Ok(true));
    for now in [NOW + DAY, NOW + DAY + 1] {
        host.vm.set_block_timestamp(now);
        assert!(!avatar.is_spending_key(ALICE, ALICE_KEY));
        assert_eq!(
            avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(10)),
            Err(encoded(Error::SpendingKeyExpired(AvatarSpendingKeyExpired {
                user: ALICE,
                key: ALICE_KEY,
                expiry: NOW + DAY
            })))
        );
    }
    assert_eq!(host.calls().len(), 1);
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(90));
}

#[test]
fn transfer_from_with_key_reverts_at_once_when_key_revoked() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(ALICE);
    avatar.revoke_spending_key(ALICE_KEY).unwrap();
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(1)),
        Err(encoded(unknown_key(ALICE, ALICE_KEY)))
    );
    assert!(host.calls().is_empty());
}

#[test]
fn transfer_from_with_key_reverts_when_key_belongs_to_another_user() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(BOB);
    avatar.authorize_spending_key(BOB_KEY, U256::from(100), NOW + DAY).unwrap();
    host.vm.set_sender(STORE);
    // Alice's key cannot pull Bob's funds, nor Bob's key Alice's.
    for (user, key) in [(BOB, ALICE_KEY), (ALICE, BOB_KEY)] {
        assert_eq!(
            avatar.transfer_from_with_key(user, key, CREATOR, U256::from(1)),
            Err(encoded(unknown_key(user, key)))
        );
    }
    assert!(host.calls().is_empty());
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(100));
    assert_eq!(avatar.spending_key(BOB, BOB_KEY).0, U256::from(100));
}

#[test]
fn transfer_from_with_key_reverts_when_key_is_not_the_users_key() {
    // A whitelisted contract whose caller is not one of the user's keys (a stranger, or the
    // user's own address, which is never a spending key) gets nothing.
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(STORE);
    for key in [STRANGER, ALICE, Address::ZERO] {
        assert_eq!(
            avatar.transfer_from_with_key(ALICE, key, CREATOR, U256::from(1)),
            Err(encoded(unknown_key(ALICE, key)))
        );
    }
    assert!(host.calls().is_empty());
}

#[test]
fn transfer_from_with_key_reverts_when_caller_is_not_whitelisted() {
    // Not the key holder itself, not the owner, not a stranger: only whitelisted contracts.
    let (host, mut avatar) = deploy_with_key(100);
    for caller in [ALICE_KEY, ALICE, OWNER, STRANGER, CHANNELS] {
        host.vm.set_sender(caller);
        assert_eq!(
            avatar.transfer_from_with_key(ALICE, ALICE_KEY, caller, U256::from(1)),
            Err(not_whitelisted(caller))
        );
    }
    assert!(host.calls().is_empty());
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(100));
}

#[test]
fn transfer_from_with_key_bubbles_token_revert_data_unchanged() {
    let (host, mut avatar) = deploy_with_key(100);
    let revert = ERC20InsufficientAllowance {
        spender: Address::ZERO,
        allowance: U256::ZERO,
        needed: U256::from(10),
    }
    .abi_encode();
    host.answer_call(TOKEN, transfer_from_data(ALICE, CREATOR, 10), Err(revert.clone()));
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(10)),
        Err(revert)
    );
    assert_eq!(host.calls(), [token_call(transfer_from_data(ALICE, CREATOR, 10))]);
}

#[test]
fn transfer_from_with_key_reverts_when_token_returns_false() {
    let (host, mut avatar) = deploy_with_key(100);
    host.answer_call(TOKEN, transfer_from_data(ALICE, CREATOR, 10), Ok(vec![0; 32]));
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.transfer_from_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(10)),
        Err(PeerCallReturnedFalse { target: TOKEN }.abi_encode())
    );
}

#[test]
fn spending_key_storage_packs_remaining_and_expiry_into_one_slot() {
    use stylus_sdk::storage::StorageType;
    assert_eq!(<SpendingKey as StorageType>::REQUIRED_SLOTS, 1);
}

// --- a sale's two parts in one call ---

fn pool_address(host: &PrecompileHost) -> Address {
    use stylus_sdk::stylus_core::host::AccountAccess;
    host.vm.contract_address()
}

#[test]
fn pay_pulls_pool_part_then_owner_part() {
    let (host, mut avatar) = deploy_with_store();
    host.vm.set_sender(STORE);
    assert_eq!(avatar.pay(ALICE, CREATOR, U256::from(70), U256::from(30)), Ok(true));
    assert_eq!(
        host.calls(),
        [
            token_call(transfer_from_data(ALICE, pool_address(&host), 30)),
            token_call(transfer_from_data(ALICE, CREATOR, 70)),
        ]
    );
}

#[test]
fn pay_skips_zero_parts() {
    let (host, mut avatar) = deploy_with_store();
    host.vm.set_sender(STORE);
    avatar.pay(ALICE, CREATOR, U256::from(70), U256::ZERO).unwrap();
    avatar.pay(ALICE, CREATOR, U256::ZERO, U256::from(30)).unwrap();
    avatar.pay(ALICE, CREATOR, U256::ZERO, U256::ZERO).unwrap();
    assert_eq!(
        host.calls(),
        [
            token_call(transfer_from_data(ALICE, CREATOR, 70)),
            token_call(transfer_from_data(ALICE, pool_address(&host), 30)),
        ]
    );
}

#[test]
fn pay_reverts_when_caller_is_not_whitelisted() {
    let (host, mut avatar) = deploy_with_store();
    for caller in [OWNER, ALICE, STRANGER] {
        host.vm.set_sender(caller);
        assert_eq!(
            avatar.pay(ALICE, caller, U256::from(70), U256::from(30)),
            Err(not_whitelisted(caller))
        );
    }
    assert!(host.calls().is_empty());
}

#[test]
fn pay_bubbles_token_revert_data_unchanged() {
    let (host, mut avatar) = deploy_with_store();
    let short = ERC20InsufficientAllowance {
        spender: pool_address(&host),
        allowance: U256::from(5),
        needed: U256::from(30),
    }
    .abi_encode();
    host.answer_call(TOKEN, transfer_from_data(ALICE, pool_address(&host), 30), Err(short.clone()));
    host.vm.set_sender(STORE);
    assert_eq!(avatar.pay(ALICE, CREATOR, U256::from(70), U256::from(30)), Err(short));
}

#[test]
fn pay_with_key_charges_the_total_once_then_pulls_both_parts() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(STORE);
    let before = log_count(&host);
    assert_eq!(
        avatar.pay_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(70), U256::from(30)),
        Ok(true)
    );
    assert_eq!(
        logs_since::<SpendingKeyCharged>(&host, before),
        [SpendingKeyCharged {
            user: ALICE,
            key: ALICE_KEY,
            spender: STORE,
            amount: U256::from(100),
            remaining: U256::ZERO
        }]
    );
    assert_eq!(
        host.calls(),
        [
            token_call(transfer_from_data(ALICE, pool_address(&host), 30)),
            token_call(transfer_from_data(ALICE, CREATOR, 70)),
        ]
    );
}

#[test]
fn pay_with_key_refuses_whole_sale_when_only_one_part_fits() {
    let (host, mut avatar) = deploy_with_key(50);
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.pay_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(70), U256::from(30)),
        Err(encoded(Error::SpendingCapExceeded(AvatarSpendingCapExceeded {
            user: ALICE,
            key: ALICE_KEY,
            amount: U256::from(100),
            remaining: U256::from(50)
        })))
    );
    assert!(host.calls().is_empty());
    assert_eq!(avatar.spending_key(ALICE, ALICE_KEY).0, U256::from(50));
}

#[test]
fn pay_with_key_reports_max_amount_when_total_overflows() {
    let (host, mut avatar) = deploy_with_key(50);
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.pay_with_key(ALICE, ALICE_KEY, CREATOR, U256::MAX, U256::from(1)),
        Err(encoded(Error::SpendingCapExceeded(AvatarSpendingCapExceeded {
            user: ALICE,
            key: ALICE_KEY,
            amount: U256::MAX,
            remaining: U256::from(50)
        })))
    );
}

#[test]
fn pay_with_key_refuses_unknown_expired_and_foreign_keys() {
    let (host, mut avatar) = deploy_with_key(100);
    host.vm.set_sender(STORE);
    assert_eq!(
        avatar.pay_with_key(BOB, ALICE_KEY, CREATOR, U256::from(1), U256::ZERO),
        Err(encoded(unknown_key(BOB, ALICE_KEY)))
    );
    host.vm.set_block_timestamp(NOW + DAY);
    assert_eq!(
        avatar.pay_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(1), U256::ZERO),
        Err(encoded(Error::SpendingKeyExpired(AvatarSpendingKeyExpired {
            user: ALICE,
            key: ALICE_KEY,
            expiry: NOW + DAY
        })))
    );
    host.vm.set_sender(STRANGER);
    assert_eq!(
        avatar.pay_with_key(ALICE, ALICE_KEY, CREATOR, U256::from(1), U256::ZERO),
        Err(not_whitelisted(STRANGER))
    );
    assert!(host.calls().is_empty());
}
