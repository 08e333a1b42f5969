//! Unit tests on the SDK's `TestVM`: the original scenarios, the original's bug 3 as negative tests
//! (anyone whitelisted-or-owner moving funds, a pool that could never pay out), spending keys, the
//! pool, the whitelist delay, and ownership. The PTI token is fixed at construction; outgoing
//! token calls are asserted by their exact calldata, encoded here
//! from PTI's published interface (`contracts/abi/IParatiiToken.sol`), independently of the
//! contract. The `TestVM` does not roll storage back on a revert, so failing
//! calls are asserted by their returned error (and by what they did not call or log).

mod original;
mod ownership;
mod pay;
mod spending_keys;
mod whitelist;

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
