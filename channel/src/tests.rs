//! Unit tests on the SDK's `TestVM` (through [`PrecompileHost`], whose `ecrecover` is real):
//! every operation and typed error, the attacks of `channels.md` §3 as named tests (section
//! "attacks"), the golden vector, and the hand-written ABI pieces against alloy. PTI and the
//! avatar are answered by the host: an unanswered call succeeds with no return data, and
//! [`PrecompileHost::calls`] records every transfer the adjudicator makes.

use super::*;
use alloy_primitives::{address, b256, hex, keccak256, uint};
use alloy_sol_types::{eip712_domain, sol, Eip712Domain, SolCall, SolStruct, SolType, SolValue};
use paratii_common::testing::{high_s_twin, MadeCall, PrecompileHost, Signer};
use paratii_contracts::{
    avatar::AvatarUnknownSpendingKey,
    channels::{CloseAuthorization, Voucher},
    interfaces::{
        IParatiiAvatar::{tokenCall, transferFromWithKeyCall},
        IParatiiToken::{allowanceCall, permitCall, transferCall, transferFromCall},
    },
    peers::PeerCallReturnedFalse,
    token::{ERC20InsufficientAllowance, ERC2612InvalidSigner},
};

const AVATAR: Address = address!("0x00000000000000000000000000000000000000b2");
const TOKEN: Address = address!("0x00000000000000000000000000000000000000b4");
const ADJUDICATOR: Address = address!("0x00000000000000000000000000000000000000c0");
const OTHER_ADJUDICATOR: Address = address!("0x00000000000000000000000000000000000000c1");
const STRANGER: Address = address!("0x00000000000000000000000000000000000000e1");
const RELAYER: Address = address!("0x00000000000000000000000000000000000000e3");
/// A contract wallet: it holds PTI but has no key; its session key signs its vouchers.
const WALLET: Address = address!("0x00000000000000000000000000000000000000f0");
const VIDEO: B256 = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");
const SALT: B256 = b256!("0x0000000000000000000000000000000000000000000000000000000000000001");
const CHAIN_ID: u64 = 412_346;
const NOW: u64 = 1_700_000_000;
const GRACE: u64 = 3_600;
/// 0.001 PTI per segment.
const PRICE: U256 = uint!(1_000_000_000_000_000_U256);
/// 1 PTI: 1,000 segments.
const DEPOSIT: U256 = uint!(1_000_000_000_000_000_000_U256);
/// The deadline of the tests' close authorizations: ten minutes from [`NOW`].
const AUTH_DEADLINE: u64 = NOW + 600;

fn payer() -> Signer {
    Signer::from_seed(1)
}

/// The payer's session key: the channel's signer.
fn session() -> Signer {
    Signer::from_seed(2)
}

/// The payee signs close authorizations.
fn payee() -> Signer {
    Signer::from_seed(3)
}

fn mallory() -> Signer {
    Signer::from_seed(4)
}

fn channel() -> Channel {
    Channel {
        payer: payer().address(),
        payee: payee().address(),
        signer: session().address(),
        video_id: VIDEO,
        price_per_segment: PRICE,
        salt: SALT,
    }
}

fn worth(segments: u64) -> U256 {
    PRICE * U256::from(segments)
}

/// A host whose avatar at [`AVATAR`] answers `token()` with `token`.
fn host_with_avatar_of(token: Address) -> PrecompileHost {
    let host = PrecompileHost::new();
    host.answer_static_call(AVATAR, tokenCall {}.abi_encode(), token.abi_encode());
    host
}

/// An adjudicator at [`ADJUDICATOR`] on [`CHAIN_ID`] for [`TOKEN`] and the avatar [`AVATAR`].
fn deploy() -> (PrecompileHost, PaymentChannels) {
    let host = host_with_avatar_of(TOKEN);
    host.vm.set_contract_address(ADJUDICATOR);
    host.vm.set_chain_id(CHAIN_ID);
    host.vm.set_block_timestamp(NOW);
    let mut contract = PaymentChannels::from(&host);
    contract.constructor(AVATAR, TOKEN, GRACE).unwrap();
    (host, contract)
}

/// The id, computed with alloy's ABI encoder (not the contract's code).
fn id_of(c: &Channel) -> B256 {
    keccak256(
        (
            U256::from(CHAIN_ID),
            ADJUDICATOR,
            c.payer,
            c.payee,
            c.signer,
            c.video_id,
            c.price_per_segment,
            c.salt,
        )
            .abi_encode(),
    )
}

fn domain_on(chain_id: u64, contract: Address) -> Eip712Domain {
    eip712_domain! {
        name: "Paratii Channels",
        version: "1",
        chain_id: chain_id,
        verifying_contract: contract,
    }
}

fn pack(sig: &paratii_contracts::ecdsa::Signature) -> ByteVec {
    ByteVec(sig.to_packed().to_vec())
}

/// `signer`'s voucher for `segments` of `id`, over alloy's EIP-712 digest, on `chain_id` and
/// `contract`.
fn voucher_on(
    signer: &Signer,
    id: B256,
    segments: u64,
    chain_id: u64,
    contract: Address,
) -> ByteVec {
    let v = Voucher {
        channelId: id,
        segments,
    };
    pack(&signer.sign(v.eip712_signing_hash(&domain_on(chain_id, contract))))
}

/// The session key's voucher for `segments` of the default channel.
fn voucher(segments: u64) -> ByteVec {
    voucher_on(
        &session(),
        id_of(&channel()),
        segments,
        CHAIN_ID,
        ADJUDICATOR,
    )
}

fn close_authorization_by(signer: &Signer, id: B256, segments: u64) -> ByteVec {
    let a = CloseAuthorization {
        channelId: id,
        segments,
        deadline: AUTH_DEADLINE,
    };
    pack(&signer.sign(a.eip712_signing_hash(&domain_on(CHAIN_ID, ADJUDICATOR))))
}

fn open(host: &PrecompileHost, contract: &mut PaymentChannels, c: &Channel, deposit: U256) -> B256 {
    host.vm.set_sender(c.payer);
    contract.open(*c, deposit).unwrap()
}

/// The default channel, opened with [`DEPOSIT`].
fn opened() -> (PrecompileHost, PaymentChannels, B256) {
    let (host, mut contract) = deploy();
    let id = open(&host, &mut contract, &channel(), DEPOSIT);
    (host, contract, id)
}

fn made(to: Address, data: Vec<u8>) -> MadeCall {
    MadeCall {
        to,
        data,
        value: U256::ZERO,
    }
}

fn pull(from: Address, amount: U256) -> MadeCall {
    made(
        TOKEN,
        transferFromCall {
            from,
            to: ADJUDICATOR,
            value: amount,
        }
        .abi_encode(),
    )
}

fn pay(to: Address, amount: U256) -> MadeCall {
    made(TOKEN, transferCall { to, value: amount }.abi_encode())
}

/// The calls made after the first `skip`.
fn calls_after(host: &PrecompileHost, skip: usize) -> Vec<MadeCall> {
    host.calls().into_iter().skip(skip).collect()
}

fn err(e: Error) -> Vec<u8> {
    e.into()
}

/// Every logged event that decodes as `E`, in order.
fn logs_of<E: SolEvent>(host: &PrecompileHost) -> Vec<E> {
    host.vm
        .get_emitted_logs()
        .into_iter()
        .filter_map(|(topics, data)| E::decode_raw_log(topics, &data).ok())
        .collect()
}

fn not_found(id: B256) -> Error {
    Error::NotFound(ChannelNotFound { channelId: id })
}

fn finalized(id: B256) -> Error {
    Error::Finalized(ChannelFinalized { channelId: id })
}

fn stale(id: B256, segments: u64, settled: u64) -> Error {
    Error::StaleVoucher(ChannelStaleVoucher {
        channelId: id,
        segments,
        settled,
    })
}

fn invalid_signer(id: B256, signer: Address) -> Error {
    Error::InvalidSigner(ChannelInvalidSigner {
        channelId: id,
        signer,
        expected: session().address(),
    })
}

/// The address a 65-byte signature recovers from `digest` (through the raw precompile).
fn recover_digest(digest: B256, sig: &ByteVec) -> Address {
    let sig = paratii_contracts::ecdsa::Signature::from_packed(sig).unwrap();
    Address::from_slice(&paratii_common::testing::ecrecover(&sig.ecrecover_input(digest))[12..])
}

/// The address a signature recovers as a voucher for `segments` of `id`.
fn recovered(id: B256, segments: u64, sig: &ByteVec) -> Address {
    let v = Voucher {
        channelId: id,
        segments,
    };
    recover_digest(
        v.eip712_signing_hash(&domain_on(CHAIN_ID, ADJUDICATOR)),
        sig,
    )
}

/// The address a signature recovers as a close authorization for `segments` of `id`.
fn recovered_authorization(id: B256, segments: u64, sig: &ByteVec) -> Address {
    let a = CloseAuthorization {
        channelId: id,
        segments,
        deadline: AUTH_DEADLINE,
    };
    recover_digest(
        a.eip712_signing_hash(&domain_on(CHAIN_ID, ADJUDICATOR)),
        sig,
    )
}

fn invalid_authorization(id: B256, signer: Address) -> Error {
    Error::InvalidCloseAuthorization(ChannelInvalidCloseAuthorization {
        channelId: id,
        signer,
        payee: payee().address(),
    })
}

// --- constructor ---

#[test]
fn constructor_stores_avatar_token_and_grace_period() {
    let (_, contract) = deploy();
    assert_eq!(contract.avatar(), AVATAR);
    assert_eq!(contract.token(), TOKEN);
    assert_eq!(contract.grace_period(), GRACE);
}

/// A deployer's mistake the review's attack would need: an avatar that pulls another token
/// would report deposits in it as arrived here. Refused at construction.
#[test]
fn constructor_reverts_when_avatar_pulls_another_token() {
    let other = Address::repeat_byte(0x77);
    for (answer, seen) in [(Some(other), other), (None, Address::ZERO)] {
        let host = answer.map_or_else(PrecompileHost::new, host_with_avatar_of);
        let mut contract = PaymentChannels::from(&host);
        assert_eq!(
            contract.constructor(AVATAR, TOKEN, GRACE),
            Err(Error::AvatarTokenMismatch(ChannelAvatarTokenMismatch {
                avatar: AVATAR,
                avatarToken: seen,
                token: TOKEN,
            }))
        );
    }
}

#[test]
fn constructor_accepts_15_minutes_and_30_days() {
    for grace in [MIN_GRACE_PERIOD_SECS, MAX_GRACE_PERIOD_SECS] {
        let host = host_with_avatar_of(TOKEN);
        let mut contract = PaymentChannels::from(&host);
        assert_eq!(contract.constructor(AVATAR, TOKEN, grace), Ok(()));
        assert_eq!(contract.grace_period(), grace);
    }
}

#[test]
fn constructor_reverts_when_grace_period_out_of_range() {
    for grace in [0, MIN_GRACE_PERIOD_SECS - 1, MAX_GRACE_PERIOD_SECS + 1] {
        let host = PrecompileHost::new();
        let mut contract = PaymentChannels::from(&host);
        assert_eq!(
            contract.constructor(AVATAR, TOKEN, grace),
            Err(Error::InvalidGracePeriod(ChannelInvalidGracePeriod {
                gracePeriod: grace,
                min: 900,
                max: 2_592_000,
            }))
        );
    }
}

// --- open ---

#[test]
fn open_escrows_deposit_and_logs_opened() {
    let (host, mut contract) = deploy();
    let c = channel();
    host.vm.set_sender(c.payer);
    let id = contract.open(c, DEPOSIT).unwrap();
    assert_eq!(id, id_of(&c));
    assert_eq!(contract.channel_id(c), id);
    assert_eq!(host.calls(), vec![pull(c.payer, DEPOSIT)]);
    assert_eq!(
        contract.channel_state(id),
        (DEPOSIT, 0, 0, false, PHASE_OPEN)
    );
    assert_eq!(
        host.last_log::<ChannelOpened>(),
        ChannelOpened {
            channelId: id,
            payer: c.payer,
            payee: c.payee,
            signer: c.signer,
            videoId: VIDEO,
            pricePerSegment: PRICE,
            salt: SALT,
            deposit: DEPOSIT,
        }
    );
}

#[test]
fn open_accepts_one_segment_and_u96_max_deposits() {
    let (host, mut contract) = deploy();
    let mut c = channel();
    open(&host, &mut contract, &c, PRICE);
    c.salt = B256::repeat_byte(2);
    let id = open(&host, &mut contract, &c, MAX_AMOUNT);
    assert_eq!(contract.channel_state(id).0, MAX_AMOUNT);
    assert_eq!(MAX_AMOUNT, U256::from((1u128 << 96) - 1));
}

#[test]
fn open_reverts_when_caller_is_not_payer() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        contract.open(channel(), DEPOSIT),
        Err(err(Error::NotPayer(ChannelNotPayer {
            channelId: id_of(&channel()),
            caller: STRANGER,
        })))
    );
    assert!(host.calls().is_empty());
}

#[test]
fn open_reverts_when_payee_is_zero_or_payer() {
    let (host, mut contract) = deploy();
    for bad in [Address::ZERO, payer().address()] {
        let c = Channel {
            payee: bad,
            ..channel()
        };
        host.vm.set_sender(c.payer);
        assert_eq!(
            contract.open(c, DEPOSIT),
            Err(err(Error::InvalidPayee(ChannelInvalidPayee {
                payer: c.payer,
                payee: bad,
            })))
        );
    }
}

#[test]
fn open_reverts_when_price_is_zero_or_above_u96() {
    let (host, mut contract) = deploy();
    for bad in [U256::ZERO, MAX_AMOUNT + U256::from(1), U256::MAX] {
        let c = Channel {
            price_per_segment: bad,
            ..channel()
        };
        host.vm.set_sender(c.payer);
        assert_eq!(
            contract.open(c, DEPOSIT),
            Err(err(Error::InvalidPrice(ChannelInvalidPrice {
                pricePerSegment: bad,
                max: MAX_AMOUNT,
            })))
        );
    }
}

#[test]
fn open_reverts_when_deposit_below_one_segment() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(payer().address());
    for deposit in [U256::ZERO, PRICE - U256::from(1)] {
        assert_eq!(
            contract.open(channel(), deposit),
            Err(err(Error::DepositTooSmall(ChannelDepositTooSmall {
                deposit,
                minimum: PRICE,
            })))
        );
    }
}

#[test]
fn open_reverts_when_deposit_exceeds_u96() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(payer().address());
    let deposit = MAX_AMOUNT + U256::from(1);
    assert_eq!(
        contract.open(channel(), deposit),
        Err(err(Error::DepositTooLarge(ChannelDepositTooLarge {
            deposit,
            max: MAX_AMOUNT,
        })))
    );
}

#[test]
fn open_and_settle_call_only_the_constructor_token() {
    // Escrow is in the token fixed at construction: no registry entry is ever consulted.
    let (host, mut contract) = deploy();
    let c = channel();
    host.vm.set_sender(c.payer);
    contract.open(c, DEPOSIT).unwrap();
    host.vm.set_sender(RELAYER);
    contract.settle(channel(), 10, voucher(10)).unwrap();
    assert_eq!(contract.token(), TOKEN);
    assert!(host.calls().iter().all(|call| call.to == TOKEN));
    assert_eq!(host.calls().len(), 2, "the pull and the payout");
}

#[test]
fn open_reverts_with_token_error_when_allowance_short() {
    let (host, mut contract) = deploy();
    let error = ERC20InsufficientAllowance {
        spender: ADJUDICATOR,
        allowance: U256::ZERO,
        needed: DEPOSIT,
    }
    .abi_encode();
    host.answer_call(
        TOKEN,
        pull(payer().address(), DEPOSIT).data,
        Err(error.clone()),
    );
    host.vm.set_sender(payer().address());
    assert_eq!(contract.open(channel(), DEPOSIT), Err(error));
}

// --- openWithPermit ---

fn permit_call(v: u8, r: B256, s: B256) -> Vec<u8> {
    permitCall {
        owner: payer().address(),
        spender: ADJUDICATOR,
        value: DEPOSIT,
        deadline: U256::from(NOW + 600),
        v,
        r,
        s,
    }
    .abi_encode()
}

#[test]
fn open_with_permit_permits_then_pulls() {
    let (host, mut contract) = deploy();
    let (r, s) = (B256::repeat_byte(0x0a), B256::repeat_byte(0x0b));
    host.vm.set_sender(payer().address());
    let id = contract
        .open_with_permit(channel(), DEPOSIT, U256::from(NOW + 600), 27, r, s)
        .unwrap();
    assert_eq!(id, id_of(&channel()));
    assert_eq!(
        host.calls(),
        vec![
            made(TOKEN, permit_call(27, r, s)),
            pull(payer().address(), DEPOSIT)
        ]
    );
    assert_eq!(host.last_log::<ChannelOpened>().deposit, DEPOSIT);
}

#[test]
fn open_with_permit_succeeds_when_permit_front_run_and_allowance_covers() {
    let (host, mut contract) = deploy();
    let (r, s) = (B256::repeat_byte(0x0a), B256::repeat_byte(0x0b));
    let used = ERC2612InvalidSigner {
        signer: STRANGER,
        owner: payer().address(),
    }
    .abi_encode();
    host.answer_call(TOKEN, permit_call(27, r, s), Err(used));
    host.answer_static_call(
        TOKEN,
        allowanceCall {
            owner: payer().address(),
            spender: ADJUDICATOR,
        }
        .abi_encode(),
        DEPOSIT.to_be_bytes::<32>().to_vec(),
    );
    host.vm.set_sender(payer().address());
    assert!(contract
        .open_with_permit(channel(), DEPOSIT, U256::from(NOW + 600), 27, r, s)
        .is_ok());
    assert_eq!(
        calls_after(&host, 1),
        vec![pull(payer().address(), DEPOSIT)]
    );
}

#[test]
fn open_with_permit_reverts_with_permit_error_when_allowance_short() {
    let (host, mut contract) = deploy();
    let (r, s) = (B256::repeat_byte(0x0a), B256::repeat_byte(0x0b));
    let bad = ERC2612InvalidSigner {
        signer: STRANGER,
        owner: payer().address(),
    }
    .abi_encode();
    host.answer_call(TOKEN, permit_call(27, r, s), Err(bad.clone()));
    host.answer_static_call(
        TOKEN,
        allowanceCall {
            owner: payer().address(),
            spender: ADJUDICATOR,
        }
        .abi_encode(),
        (DEPOSIT - U256::from(1)).to_be_bytes::<32>().to_vec(),
    );
    host.vm.set_sender(payer().address());
    assert_eq!(
        contract.open_with_permit(channel(), DEPOSIT, U256::from(NOW + 600), 27, r, s),
        Err(bad)
    );
    assert_eq!(host.calls().len(), 1, "no pull after the failed permit");
}

#[test]
fn open_with_permit_reverts_when_caller_is_not_payer() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        contract.open_with_permit(channel(), DEPOSIT, U256::MAX, 27, B256::ZERO, B256::ZERO),
        Err(err(Error::NotPayer(ChannelNotPayer {
            channelId: id_of(&channel()),
            caller: STRANGER,
        })))
    );
    assert!(host.calls().is_empty());
}

// --- openFor (spending key through the avatar) ---

#[test]
fn open_for_pulls_through_avatar_charged_to_key() {
    let (host, mut contract) = deploy();
    let key = session().address();
    host.vm.set_sender(key);
    let id = contract.open_for(channel(), DEPOSIT).unwrap();
    assert_eq!(
        host.calls(),
        vec![made(
            AVATAR,
            transferFromWithKeyCall {
                user: payer().address(),
                key,
                to: ADJUDICATOR,
                amount: DEPOSIT,
            }
            .abi_encode()
        )]
    );
    assert_eq!(
        contract.channel_state(id),
        (DEPOSIT, 0, 0, false, PHASE_OPEN)
    );
    assert_eq!(host.last_log::<ChannelOpened>().payer, payer().address());
}

#[test]
fn open_for_reverts_with_avatar_error_when_key_unknown() {
    let (host, mut contract) = deploy();
    let error = AvatarUnknownSpendingKey {
        user: payer().address(),
        key: STRANGER,
    }
    .abi_encode();
    host.answer_call(
        AVATAR,
        transferFromWithKeyCall {
            user: payer().address(),
            key: STRANGER,
            to: ADJUDICATOR,
            amount: DEPOSIT,
        }
        .abi_encode(),
        Err(error.clone()),
    );
    host.vm.set_sender(STRANGER);
    assert_eq!(contract.open_for(channel(), DEPOSIT), Err(error));
}

#[test]
fn open_for_reverts_when_payer_is_zero() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(session().address());
    assert_eq!(
        contract.open_for(
            Channel {
                payer: Address::ZERO,
                ..channel()
            },
            DEPOSIT
        ),
        Err(err(Error::InvalidPayer(ChannelInvalidPayer {
            payer: Address::ZERO
        })))
    );
}

// --- topUp ---

#[test]
fn top_up_adds_to_deposit_and_logs() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.top_up(channel(), PRICE).unwrap();
    assert_eq!(calls_after(&host, 1), vec![pull(payer().address(), PRICE)]);
    assert_eq!(contract.channel_state(id).0, DEPOSIT + PRICE);
    assert_eq!(
        host.last_log::<ChannelToppedUp>(),
        ChannelToppedUp {
            channelId: id,
            amount: PRICE,
            deposit: DEPOSIT + PRICE,
            closeCancelled: false,
        }
    );
}

#[test]
fn top_up_cancels_pending_close_request() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    contract.top_up(channel(), PRICE).unwrap();
    assert_eq!(contract.channel_state(id).2, 0);
    assert_eq!(contract.channel_state(id).4, PHASE_OPEN);
    assert!(host.last_log::<ChannelToppedUp>().closeCancelled);
}

#[test]
fn top_up_reverts_when_amount_is_zero() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    assert_eq!(
        contract.top_up(channel(), U256::ZERO),
        Err(err(Error::ZeroTopUp(ChannelZeroTopUp { channelId: id })))
    );
}

#[test]
fn top_up_reverts_when_deposit_would_exceed_u96() {
    let (host, mut contract, _) = opened();
    host.vm.set_sender(payer().address());
    let amount = MAX_AMOUNT - DEPOSIT + U256::from(1);
    assert_eq!(
        contract.top_up(channel(), amount),
        Err(err(Error::DepositTooLarge(ChannelDepositTooLarge {
            deposit: MAX_AMOUNT + U256::from(1),
            max: MAX_AMOUNT,
        })))
    );
    // A top-up that would overflow 256 bits reports the saturated total.
    assert_eq!(
        contract.top_up(channel(), U256::MAX),
        Err(err(Error::DepositTooLarge(ChannelDepositTooLarge {
            deposit: U256::MAX,
            max: MAX_AMOUNT,
        })))
    );
    assert_eq!(host.calls().len(), 1, "only the opening pull");
}

#[test]
fn top_up_reverts_when_channel_not_found() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(payer().address());
    assert_eq!(
        contract.top_up(channel(), PRICE),
        Err(err(not_found(id_of(&channel()))))
    );
}

// --- settle ---

#[test]
fn settle_pays_payee_segments_times_price_and_logs() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    contract.settle(channel(), 10, voucher(10)).unwrap();
    assert_eq!(
        calls_after(&host, 1),
        vec![pay(payee().address(), worth(10))]
    );
    assert_eq!(
        contract.channel_state(id),
        (DEPOSIT, 10, 0, false, PHASE_OPEN)
    );
    assert_eq!(
        host.last_log::<ChannelSettled>(),
        ChannelSettled {
            channelId: id,
            segments: 10,
            amount: worth(10),
        }
    );
}

#[test]
fn settle_pays_only_the_delta_when_settled_before() {
    let (host, mut contract, _) = opened();
    host.vm.set_sender(payee().address());
    contract.settle(channel(), 10, voucher(10)).unwrap();
    contract.settle(channel(), 25, voucher(25)).unwrap();
    assert_eq!(
        calls_after(&host, 1),
        vec![
            pay(payee().address(), worth(10)),
            pay(payee().address(), worth(15))
        ]
    );
    assert_eq!(host.last_log::<ChannelSettled>().amount, worth(15));
}

#[test]
fn settle_pays_whole_deposit_at_last_segment() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    contract.settle(channel(), 1_000, voucher(1_000)).unwrap();
    assert_eq!(calls_after(&host, 1), vec![pay(payee().address(), DEPOSIT)]);
    assert_eq!(contract.channel_state(id).1, 1_000);
}

#[test]
fn settle_accepts_payer_signature_when_signer_is_zero() {
    let (host, mut contract) = deploy();
    let c = Channel {
        signer: Address::ZERO,
        ..channel()
    };
    let id = open(&host, &mut contract, &c, DEPOSIT);
    let sig = voucher_on(&payer(), id, 5, CHAIN_ID, ADJUDICATOR);
    assert_eq!(contract.settle(c, 5, sig), Ok(()));
    // ...and the session key, not named in this channel, cannot sign for it.
    let sig = voucher_on(&session(), id, 6, CHAIN_ID, ADJUDICATOR);
    assert_eq!(
        contract.settle(c, 6, sig),
        Err(err(Error::InvalidSigner(ChannelInvalidSigner {
            channelId: id,
            signer: session().address(),
            expected: payer().address(),
        })))
    );
}

#[test]
fn settle_reverts_when_payer_signs_but_signer_is_session_key() {
    let (_, mut contract, id) = opened();
    let sig = voucher_on(&payer(), id, 5, CHAIN_ID, ADJUDICATOR);
    assert_eq!(
        contract.settle(channel(), 5, sig),
        Err(err(invalid_signer(id, payer().address())))
    );
}

#[test]
fn settle_reverts_when_voucher_exceeds_deposit() {
    let (host, mut contract, id) = opened();
    assert_eq!(
        contract.settle(channel(), 1_001, voucher(1_001)),
        Err(err(Error::VoucherExceedsDeposit(
            ChannelVoucherExceedsDeposit {
                channelId: id,
                segments: 1_001,
                amount: worth(1_001),
                deposit: DEPOSIT,
            }
        )))
    );
    assert_eq!(
        host.calls().len(),
        1,
        "nothing paid: never a partial payout"
    );
    assert_eq!(contract.channel_state(id).1, 0);
}

#[test]
fn settle_reverts_when_channel_not_found() {
    let (_, mut contract) = deploy();
    assert_eq!(
        contract.settle(channel(), 1, voucher(1)),
        Err(err(not_found(id_of(&channel()))))
    );
}

#[test]
fn settle_reverts_when_token_returns_false() {
    let (host, mut contract, _) = opened();
    let falsy = U256::ZERO.to_be_bytes::<32>().to_vec();
    host.answer_call(TOKEN, pay(payee().address(), worth(3)).data, Ok(falsy));
    assert_eq!(
        contract.settle(channel(), 3, voucher(3)),
        Err(PeerCallReturnedFalse { target: TOKEN }.abi_encode())
    );
}

#[test]
fn settle_accepts_token_returning_true() {
    let (host, mut contract, _) = opened();
    let truthy = U256::from(1).to_be_bytes::<32>().to_vec();
    host.answer_call(TOKEN, pay(payee().address(), worth(3)).data, Ok(truthy));
    assert_eq!(contract.settle(channel(), 3, voucher(3)), Ok(()));
}

#[test]
fn settle_does_not_cancel_close_request() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    contract.settle(channel(), 4, voucher(4)).unwrap();
    assert_eq!(contract.channel_state(id).2, NOW);
}

// --- settleBatch ---

fn item(c: &Channel, signer: &Signer, segments: u64) -> SettleItem {
    let sig = voucher_on(signer, id_of(c), segments, CHAIN_ID, ADJUDICATOR);
    let sig = paratii_contracts::ecdsa::Signature::from_packed(&sig).unwrap();
    SettleItem {
        channel: *c,
        segments,
        v: sig.v,
        r: sig.r,
        s: sig.s,
    }
}

/// Three channels of three payers to one payee, opened.
fn three_payers() -> (PrecompileHost, PaymentChannels, Vec<Channel>) {
    let (host, mut contract) = deploy();
    let channels: Vec<Channel> = (0..3u8)
        .map(|i| Channel {
            payer: Signer::from_seed(10 + u64::from(i)).address(),
            signer: session().address(),
            salt: B256::repeat_byte(i),
            ..channel()
        })
        .collect();
    for c in &channels {
        open(&host, &mut contract, c, DEPOSIT);
    }
    (host, contract, channels)
}

#[test]
fn settle_batch_aggregates_payouts_to_one_payee_into_one_transfer() {
    let (host, mut contract, channels) = three_payers();
    let items: Vec<SettleItem> = channels
        .iter()
        .zip([10, 20, 30])
        .map(|(c, n)| item(c, &session(), n))
        .collect();
    host.vm.set_sender(RELAYER);
    assert_eq!(contract.settle_batch(items), Ok(U256::from(3)));
    assert_eq!(
        calls_after(&host, 3),
        vec![pay(payee().address(), worth(60))]
    );
    let settled = logs_of::<ChannelSettled>(&host);
    assert_eq!(
        settled,
        channels
            .iter()
            .zip([10, 20, 30])
            .map(|(c, n)| ChannelSettled {
                channelId: id_of(c),
                segments: n,
                amount: worth(n),
            })
            .collect::<Vec<_>>()
    );
    for (c, n) in channels.iter().zip([10, 20, 30]) {
        assert_eq!(contract.channel_state(id_of(c)).1, n);
    }
}

#[test]
fn settle_batch_pays_each_payee_once() {
    let (host, mut contract) = deploy();
    let a = channel();
    let b = Channel {
        payee: STRANGER,
        ..channel()
    };
    open(&host, &mut contract, &a, DEPOSIT);
    open(&host, &mut contract, &b, DEPOSIT);
    let items = vec![
        item(&a, &session(), 1),
        item(&b, &session(), 2),
        item(&a, &session(), 4),
    ];
    assert_eq!(contract.settle_batch(items), Ok(U256::from(3)));
    assert_eq!(
        calls_after(&host, 2),
        vec![pay(a.payee, worth(4)), pay(STRANGER, worth(2))]
    );
    assert_eq!(contract.channel_state(id_of(&a)).1, 4);
}

#[test]
fn settle_batch_skips_bad_items_and_settles_the_rest() {
    let (host, mut contract, channels) = three_payers();
    let forged = item(&channels[1], &mallory(), 20);
    let items = vec![
        item(&channels[0], &session(), 10),
        forged,
        item(&channels[2], &session(), 2_000),
        item(&channels[2], &session(), 30),
    ];
    assert_eq!(contract.settle_batch(items), Ok(U256::from(2)));
    assert_eq!(
        calls_after(&host, 3),
        vec![pay(payee().address(), worth(40))]
    );
    let skipped = logs_of::<ChannelSettleSkipped>(&host);
    let forged_signer = {
        let sig = ByteVec(
            Signature::new(forged.v, forged.r, forged.s)
                .unwrap()
                .to_packed()
                .to_vec(),
        );
        recovered(id_of(&channels[1]), 20, &sig)
    };
    assert_eq!(
        skipped,
        vec![
            ChannelSettleSkipped {
                channelId: id_of(&channels[1]),
                index: U256::from(1),
                reason: err(invalid_signer(id_of(&channels[1]), forged_signer)).into(),
            },
            ChannelSettleSkipped {
                channelId: id_of(&channels[2]),
                index: U256::from(2),
                reason: err(Error::VoucherExceedsDeposit(ChannelVoucherExceedsDeposit {
                    channelId: id_of(&channels[2]),
                    segments: 2_000,
                    amount: worth(2_000),
                    deposit: DEPOSIT,
                }))
                .into(),
            },
        ]
    );
    assert_eq!(contract.channel_state(id_of(&channels[1])).1, 0);
    assert_eq!(contract.channel_state(id_of(&channels[2])).1, 30);
}

#[test]
fn settle_batch_skips_replayed_and_high_s_items() {
    let (host, mut contract, channels) = three_payers();
    let good = item(&channels[0], &session(), 10);
    let twin = high_s_twin(&paratii_contracts::ecdsa::Signature {
        v: good.v,
        r: good.r,
        s: good.s,
    });
    let malleated = SettleItem {
        v: twin.v,
        s: twin.s,
        ..good
    };
    assert_eq!(
        contract.settle_batch(vec![good, good, malleated]),
        Ok(U256::from(1))
    );
    let id = id_of(&channels[0]);
    // The replay is stale; the high-s twin is refused for its `s` before any count is compared.
    assert_eq!(
        logs_of::<ChannelSettleSkipped>(&host),
        vec![
            ChannelSettleSkipped {
                channelId: id,
                index: U256::from(1),
                reason: err(Error::StaleVoucher(ChannelStaleVoucher {
                    channelId: id,
                    segments: 10,
                    settled: 10,
                }))
                .into(),
            },
            ChannelSettleSkipped {
                channelId: id,
                index: U256::from(2),
                reason: err(Error::InvalidSignatureS(ECDSAInvalidSignatureS {
                    s: twin.s
                }))
                .into(),
            },
        ]
    );
}

#[test]
fn settle_batch_makes_no_call_when_every_item_fails() {
    let (host, mut contract, channels) = three_payers();
    let items = vec![item(&channels[0], &mallory(), 1)];
    assert_eq!(contract.settle_batch(items), Ok(U256::ZERO));
    assert_eq!(host.calls().len(), 3, "only the opening pulls");
    assert_eq!(contract.settle_batch(Vec::new()), Ok(U256::ZERO));
}

#[test]
fn settle_batch_reverts_whole_batch_when_transfer_returns_false() {
    let (host, mut contract, channels) = three_payers();
    let falsy = U256::ZERO.to_be_bytes::<32>().to_vec();
    host.answer_call(TOKEN, pay(payee().address(), worth(1)).data, Ok(falsy));
    assert_eq!(
        contract.settle_batch(vec![item(&channels[0], &session(), 1)]),
        Err(PeerCallReturnedFalse { target: TOKEN }.abi_encode())
    );
}

// --- close ---

#[test]
fn close_pays_delta_refunds_rest_and_finalizes() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    contract.settle(channel(), 100, voucher(100)).unwrap();
    contract.close(channel(), 250, voucher(250)).unwrap();
    assert_eq!(
        calls_after(&host, 2),
        vec![
            pay(payee().address(), worth(150)),
            pay(payer().address(), DEPOSIT - worth(250))
        ]
    );
    assert_eq!(
        contract.channel_state(id),
        (DEPOSIT, 250, 0, true, PHASE_FINALIZED)
    );
    assert_eq!(
        host.last_log::<ChannelClosed>(),
        ChannelClosed {
            channelId: id,
            payer: payer().address(),
            payee: payee().address(),
            videoId: VIDEO,
            segments: 250,
            paid: worth(250),
            refunded: DEPOSIT - worth(250),
        }
    );
}

#[test]
fn close_without_voucher_refunds_everything_when_nothing_settled() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    contract.close(channel(), 0, ByteVec::default()).unwrap();
    assert_eq!(calls_after(&host, 1), vec![pay(payer().address(), DEPOSIT)]);
    let closed = host.last_log::<ChannelClosed>();
    assert_eq!(
        (closed.segments, closed.paid, closed.refunded),
        (0, U256::ZERO, DEPOSIT)
    );
    assert!(contract.channel_state(id).3);
}

#[test]
fn close_makes_no_refund_call_when_deposit_fully_paid() {
    let (host, mut contract, _) = opened();
    host.vm.set_sender(payee().address());
    contract.close(channel(), 1_000, voucher(1_000)).unwrap();
    assert_eq!(calls_after(&host, 1), vec![pay(payee().address(), DEPOSIT)]);
}

#[test]
fn close_reverts_when_caller_is_not_payee() {
    let (host, mut contract, id) = opened();
    for caller in [payer().address(), STRANGER] {
        host.vm.set_sender(caller);
        assert_eq!(
            contract.close(channel(), 5, voucher(5)),
            Err(err(Error::NotPayee(ChannelNotPayee {
                channelId: id,
                caller,
            })))
        );
    }
}

#[test]
fn close_reverts_when_voucher_exceeds_deposit() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    assert_eq!(
        contract.close(channel(), 1_001, voucher(1_001)),
        Err(err(Error::VoucherExceedsDeposit(
            ChannelVoucherExceedsDeposit {
                channelId: id,
                segments: 1_001,
                amount: worth(1_001),
                deposit: DEPOSIT,
            }
        )))
    );
}

#[test]
fn close_reverts_when_voucher_signed_by_stranger() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    let sig = voucher_on(&mallory(), id, 5, CHAIN_ID, ADJUDICATOR);
    assert_eq!(
        contract.close(channel(), 5, sig),
        Err(err(invalid_signer(id, mallory().address())))
    );
}

// --- closeWithAuthorization ---

#[test]
fn close_with_authorization_by_relayer_pays_payee_and_refunds_payer() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(RELAYER);
    let auth = close_authorization_by(&payee(), id, 40);
    contract
        .close_with_authorization(channel(), 40, AUTH_DEADLINE, voucher(40), auth)
        .unwrap();
    assert_eq!(
        calls_after(&host, 1),
        vec![
            pay(payee().address(), worth(40)),
            pay(payer().address(), DEPOSIT - worth(40))
        ]
    );
    assert_eq!(contract.channel_state(id).4, PHASE_FINALIZED);
}

/// Attack (review, low): a close authorization the payee has outgrown cannot be replayed once
/// its deadline has passed.
#[test]
fn close_with_authorization_reverts_when_deadline_passed() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(RELAYER);
    let auth = close_authorization_by(&payee(), id, 40);
    host.vm.set_block_timestamp(AUTH_DEADLINE + 1);
    assert_eq!(
        contract.close_with_authorization(channel(), 40, AUTH_DEADLINE, voucher(40), auth),
        Err(err(Error::CloseAuthorizationExpired(
            ChannelCloseAuthorizationExpired {
                channelId: id,
                deadline: AUTH_DEADLINE,
                now: AUTH_DEADLINE + 1,
            }
        )))
    );
    assert!(!contract.channel_state(id).3);
}

#[test]
fn close_with_authorization_succeeds_at_its_deadline() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(RELAYER);
    let auth = close_authorization_by(&payee(), id, 40);
    host.vm.set_block_timestamp(AUTH_DEADLINE);
    contract
        .close_with_authorization(channel(), 40, AUTH_DEADLINE, voucher(40), auth)
        .unwrap();
    assert_eq!(contract.channel_state(id).4, PHASE_FINALIZED);
}

#[test]
fn close_with_authorization_reverts_when_relayer_changes_deadline() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(RELAYER);
    let auth = close_authorization_by(&payee(), id, 40);
    let later = AUTH_DEADLINE + 86_400;
    let a = CloseAuthorization {
        channelId: id,
        segments: 40,
        deadline: later,
    };
    let signer = recover_digest(
        a.eip712_signing_hash(&domain_on(CHAIN_ID, ADJUDICATOR)),
        &auth,
    );
    assert_eq!(
        contract.close_with_authorization(channel(), 40, later, voucher(40), auth),
        Err(err(invalid_authorization(id, signer)))
    );
}

#[test]
fn close_with_authorization_reverts_when_signed_by_stranger() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(RELAYER);
    let auth = close_authorization_by(&mallory(), id, 40);
    assert_eq!(
        contract.close_with_authorization(channel(), 40, AUTH_DEADLINE, voucher(40), auth),
        Err(err(invalid_authorization(id, mallory().address())))
    );
}

#[test]
fn close_with_authorization_reverts_when_relayer_changes_segments() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(RELAYER);
    // The payee agreed to close at 40; a relayer submits 30 with an older voucher.
    let auth = close_authorization_by(&payee(), id, 40);
    let signer = recovered_authorization(id, 30, &auth);
    assert_ne!(signer, payee().address());
    assert_eq!(
        contract.close_with_authorization(channel(), 30, AUTH_DEADLINE, voucher(30), auth),
        Err(err(invalid_authorization(id, signer)))
    );
    assert!(!contract.channel_state(id).3);
}

#[test]
fn close_with_authorization_reverts_when_authorization_is_empty() {
    let (host, mut contract, _) = opened();
    host.vm.set_sender(RELAYER);
    assert_eq!(
        contract.close_with_authorization(
            channel(),
            4,
            AUTH_DEADLINE,
            voucher(4),
            ByteVec::default()
        ),
        Err(err(Error::InvalidSignatureLength(
            ECDSAInvalidSignatureLength { length: U256::ZERO }
        )))
    );
}

// --- requestClose / withdraw ---

#[test]
fn request_close_starts_grace_period_and_logs_until() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    assert_eq!(contract.request_close(channel()), Ok(()));
    assert_eq!(
        contract.channel_state(id),
        (DEPOSIT, 0, NOW, false, PHASE_CLOSING)
    );
    assert_eq!(
        host.last_log::<ChannelCloseRequested>(),
        ChannelCloseRequested {
            channelId: id,
            until: NOW + GRACE,
        }
    );
    assert_eq!(host.calls().len(), 1, "no transfer");
}

#[test]
fn request_close_reverts_when_already_requested() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + 10);
    assert_eq!(
        contract.request_close(channel()),
        Err(Error::CloseAlreadyRequested(ChannelCloseAlreadyRequested {
            channelId: id,
            until: NOW + GRACE,
        }))
    );
    assert_eq!(
        contract.channel_state(id).2,
        NOW,
        "the clock is not restarted"
    );
}

#[test]
fn request_close_reverts_when_caller_is_not_payer() {
    let (host, mut contract, id) = opened();
    for caller in [payee().address(), STRANGER] {
        host.vm.set_sender(caller);
        assert_eq!(
            contract.request_close(channel()),
            Err(Error::NotPayer(ChannelNotPayer {
                channelId: id,
                caller,
            }))
        );
    }
}

#[test]
fn withdraw_refunds_unsettled_rest_after_grace_period_and_finalizes() {
    let (host, mut contract, id) = opened();
    contract.settle(channel(), 100, voucher(100)).unwrap();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE);
    assert_eq!(contract.channel_state(id).4, PHASE_WITHDRAWABLE);
    contract.withdraw(channel()).unwrap();
    assert_eq!(
        calls_after(&host, 2),
        vec![pay(payer().address(), DEPOSIT - worth(100))]
    );
    assert_eq!(
        host.last_log::<ChannelClosed>(),
        ChannelClosed {
            channelId: id,
            payer: payer().address(),
            payee: payee().address(),
            videoId: VIDEO,
            segments: 100,
            paid: worth(100),
            refunded: DEPOSIT - worth(100),
        }
    );
    assert_eq!(contract.channel_state(id).4, PHASE_FINALIZED);
}

#[test]
fn withdraw_reverts_when_close_not_requested() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    assert_eq!(
        contract.withdraw(channel()),
        Err(err(Error::CloseNotRequested(ChannelCloseNotRequested {
            channelId: id
        })))
    );
}

#[test]
fn withdraw_reverts_one_second_before_grace_period_ends() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE - 1);
    assert_eq!(
        contract.withdraw(channel()),
        Err(err(Error::GracePeriodActive(ChannelGracePeriodActive {
            channelId: id,
            until: NOW + GRACE,
            now: NOW + GRACE - 1,
        })))
    );
    host.vm.set_block_timestamp(NOW + GRACE);
    assert_eq!(contract.withdraw(channel()), Ok(()));
}

#[test]
fn withdraw_reverts_when_caller_is_not_payer() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE);
    host.vm.set_sender(payee().address());
    assert_eq!(
        contract.withdraw(channel()),
        Err(err(Error::NotPayer(ChannelNotPayer {
            channelId: id,
            caller: payee().address(),
        })))
    );
}

#[test]
fn withdraw_makes_no_transfer_when_deposit_fully_settled() {
    let (host, mut contract, _) = opened();
    contract.settle(channel(), 1_000, voucher(1_000)).unwrap();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE);
    contract.withdraw(channel()).unwrap();
    assert_eq!(host.calls().len(), 2, "the pull and the settle only");
    assert_eq!(host.last_log::<ChannelClosed>().refunded, U256::ZERO);
}

// --- views ---

#[test]
fn channel_state_reports_each_phase() {
    let (host, mut contract) = deploy();
    let id = id_of(&channel());
    assert_eq!(
        contract.channel_state(id),
        (U256::ZERO, 0, 0, false, PHASE_NONE)
    );
    open(&host, &mut contract, &channel(), DEPOSIT);
    assert_eq!(contract.channel_state(id).4, PHASE_OPEN);
    contract.request_close(channel()).unwrap();
    assert_eq!(contract.channel_state(id).4, PHASE_CLOSING);
    host.vm.set_block_timestamp(NOW + GRACE);
    assert_eq!(contract.channel_state(id).4, PHASE_WITHDRAWABLE);
    contract.withdraw(channel()).unwrap();
    assert_eq!(contract.channel_state(id).4, PHASE_FINALIZED);
}

#[test]
fn channel_state_word_round_trips_at_extremes() {
    for state in [
        ChannelState::default(),
        ChannelState {
            deposit: (1 << 96) - 1,
            settled: u64::MAX,
            close_requested_at: u64::MAX,
            finalized: true,
        },
        ChannelState {
            deposit: 1,
            settled: 0,
            close_requested_at: 0,
            finalized: true,
        },
        ChannelState {
            deposit: 1 << 95,
            settled: 7,
            close_requested_at: NOW,
            finalized: false,
        },
    ] {
        assert_eq!(ChannelState::from_word(state.to_word()), state);
    }
    // The layout: deposit in the low 96 bits, finalized at bit 127, settled above, then time.
    let word = ChannelState {
        deposit: 5,
        settled: 6,
        close_requested_at: 7,
        finalized: true,
    }
    .to_word();
    assert_eq!(
        U256::from_be_bytes(word.0),
        U256::from(5) | (U256::from(1) << 127) | (U256::from(6) << 128) | (U256::from(7) << 192)
    );
}

#[test]
fn phase_never_ends_grace_when_request_time_plus_grace_overflows() {
    let state = ChannelState {
        deposit: 1,
        close_requested_at: u64::MAX - 1,
        ..ChannelState::default()
    };
    assert_eq!(state.closes_at(GRACE), u64::MAX);
    assert_eq!(state.phase(u64::MAX - 1, GRACE), PHASE_CLOSING);
}

#[test]
fn voucher_digest_equals_alloy_eip712_signing_hash() {
    let (_, contract) = deploy();
    let id = id_of(&channel());
    for segments in [0, 1, 1_000_000, u64::MAX] {
        let v = Voucher {
            channelId: id,
            segments,
        };
        assert_eq!(
            contract.voucher_digest(id, segments),
            v.eip712_signing_hash(&domain_on(CHAIN_ID, ADJUDICATOR))
        );
    }
}

#[test]
fn close_authorization_digest_under_contract_domain_equals_alloy_eip712_signing_hash() {
    let (_, contract) = deploy();
    let a = CloseAuthorization {
        channelId: B256::repeat_byte(9),
        segments: 77,
        deadline: AUTH_DEADLINE,
    };
    assert_eq!(
        eip712::typed_data_digest(
            contract.domain_separator(),
            eip712::close_authorization_struct_hash(a.channelId, a.segments, a.deadline)
        ),
        a.eip712_signing_hash(&domain_on(CHAIN_ID, ADJUDICATOR))
    );
    assert_eq!(
        contract.domain_separator(),
        domain_on(CHAIN_ID, ADJUDICATOR).separator()
    );
}

#[test]
fn eip712_domain_decodes_as_eip5267_tuple() {
    type Domain = (
        alloy_sol_types::sol_data::FixedBytes<1>,
        alloy_sol_types::sol_data::String,
        alloy_sol_types::sol_data::String,
        alloy_sol_types::sol_data::Uint<256>,
        alloy_sol_types::sol_data::Address,
        alloy_sol_types::sol_data::FixedBytes<32>,
        alloy_sol_types::sol_data::Array<alloy_sol_types::sol_data::Uint<256>>,
    );
    let (_, contract) = deploy();
    let encoded = <Eip712DomainReturn as stylus_sdk::abi::AbiType>::abi_encode_return(
        &contract.eip712_domain(),
    );
    let expected = (
        alloy_primitives::FixedBytes([0x0f]),
        String::from("Paratii Channels"),
        String::from("1"),
        U256::from(CHAIN_ID),
        ADJUDICATOR,
        B256::ZERO,
        Vec::<U256>::new(),
    );
    assert_eq!(encoded, Domain::abi_encode_params(&expected));
    assert_eq!(
        Domain::abi_decode_params_validate(&encoded).unwrap(),
        expected
    );
}

// --- the hand-written ABI pieces against alloy ---

sol! {
    interface IPaymentChannels {
        struct Channel {
            address payer;
            address payee;
            address signer;
            bytes32 videoId;
            uint256 pricePerSegment;
            bytes32 salt;
        }
        struct SettleItem {
            Channel channel;
            uint64 segments;
            uint8 v;
            bytes32 r;
            bytes32 s;
        }
        function open(Channel channel, uint256 deposit) external returns (bytes32);
        function openWithPermit(Channel channel, uint256 deposit, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external returns (bytes32);
        function openFor(Channel channel, uint256 deposit) external returns (bytes32);
        function topUp(Channel channel, uint256 amount) external;
        function settle(Channel channel, uint64 segments, bytes voucherSignature) external;
        function settleBatch(SettleItem[] items) external returns (uint256);
        function close(Channel channel, uint64 segments, bytes voucherSignature) external;
        function closeWithAuthorization(Channel channel, uint64 segments, bytes voucherSignature, bytes closeAuthorization) external;
        function requestClose(Channel channel) external;
        function withdraw(Channel channel) external;
        function channelId(Channel channel) external view returns (bytes32);
    }
}

fn sol_channel(c: &Channel) -> IPaymentChannels::Channel {
    IPaymentChannels::Channel {
        payer: c.payer,
        payee: c.payee,
        signer: c.signer,
        videoId: c.video_id,
        pricePerSegment: c.price_per_segment,
        salt: c.salt,
    }
}

#[test]
fn sdk_selectors_equal_alloy_selectors_of_the_struct_signatures() {
    use stylus_sdk::function_selector;
    use IPaymentChannels as I;
    let pairs: [([u8; 4], [u8; 4]); 11] = [
        (
            function_selector!("open", Channel, U256),
            I::openCall::SELECTOR,
        ),
        (
            function_selector!("openWithPermit", Channel, U256, U256, u8, B256, B256),
            I::openWithPermitCall::SELECTOR,
        ),
        (
            function_selector!("openFor", Channel, U256),
            I::openForCall::SELECTOR,
        ),
        (
            function_selector!("topUp", Channel, U256),
            I::topUpCall::SELECTOR,
        ),
        (
            function_selector!("settle", Channel, u64, ByteVec),
            I::settleCall::SELECTOR,
        ),
        (
            function_selector!("settleBatch", Vec<SettleItem>),
            I::settleBatchCall::SELECTOR,
        ),
        (
            function_selector!("close", Channel, u64, ByteVec),
            I::closeCall::SELECTOR,
        ),
        (
            function_selector!("closeWithAuthorization", Channel, u64, ByteVec, ByteVec),
            I::closeWithAuthorizationCall::SELECTOR,
        ),
        (
            function_selector!("requestClose", Channel),
            I::requestCloseCall::SELECTOR,
        ),
        (
            function_selector!("withdraw", Channel),
            I::withdrawCall::SELECTOR,
        ),
        (
            function_selector!("channelId", Channel),
            I::channelIdCall::SELECTOR,
        ),
    ];
    for (sdk, alloy) in pairs {
        assert_eq!(sdk, alloy);
    }
}

#[test]
fn eip712_data_words_equal_alloy_struct_hashes() {
    use alloy_sol_types::SolValue as _;
    let it = item(&channel(), &session(), 12);
    let sol = IPaymentChannels::SettleItem {
        channel: sol_channel(&it.channel),
        segments: it.segments,
        v: it.v,
        r: it.r,
        s: it.s,
    };
    assert_eq!(
        ChannelSol::eip712_data_word(&it.channel),
        sol.channel.eip712_data_word()
    );
    assert_eq!(SettleItemSol::eip712_data_word(&it), sol.eip712_data_word());
}

#[test]
fn channel_abi_equals_sol_channel_both_ways() {
    let c = Channel {
        signer: Address::ZERO,
        price_per_segment: MAX_AMOUNT,
        ..channel()
    };
    let sol = sol_channel(&c);
    let encoded = sol.abi_encode();
    assert_eq!(ChannelSol::abi_encode(&c), encoded);
    assert_eq!(ChannelSol::abi_decode_validate(&encoded).unwrap(), c);
    // The contracts crate's `Channel` (Channels.sol) is the same type.
    assert_eq!(c.to_sol().abi_encode(), encoded);
    assert_eq!(
        paratii_contracts::channels::Channel::SOL_NAME,
        ChannelSol::SOL_NAME
    );
}

#[test]
fn channel_decode_refuses_dirty_address_words() {
    let mut encoded = sol_channel(&channel()).abi_encode();
    encoded[32] = 1; // the payee word's highest byte
    assert!(ChannelSol::abi_decode_validate(&encoded).is_err());
}

#[test]
fn settle_item_abi_equals_sol_settle_item_both_ways() {
    let it = item(&channel(), &session(), 12);
    let sol = IPaymentChannels::SettleItem {
        channel: sol_channel(&it.channel),
        segments: it.segments,
        v: it.v,
        r: it.r,
        s: it.s,
    };
    let encoded = vec![sol.clone(), sol].abi_encode();
    let ours = vec![it, it];
    assert_eq!(
        <alloy_sol_types::sol_data::Array<SettleItemSol>>::abi_encode(&ours),
        encoded
    );
    assert_eq!(
        <alloy_sol_types::sol_data::Array<SettleItemSol>>::abi_decode_validate(&encoded).unwrap(),
        ours
    );
    let mut dirty = encoded.clone();
    dirty[64 + 7 * 32] = 1; // the first item's `v` word, high byte
    assert!(
        <alloy_sol_types::sol_data::Array<SettleItemSol>>::abi_decode_validate(&dirty).is_err()
    );
}

#[test]
fn byte_vec_abi_equals_alloy_bytes() {
    let sig = voucher(3);
    let encoded = alloy_primitives::Bytes::from(sig.0.clone()).abi_encode();
    assert_eq!(ByteVecSol::abi_encode(&sig), encoded);
    assert_eq!(ByteVecSol::abi_decode(&encoded).unwrap(), sig);
}

#[test]
// One table row per variant.
#[allow(clippy::too_many_lines)]
fn error_encoding_equals_alloy_for_every_variant() {
    let id = B256::repeat_byte(7);
    let (a, b) = (payer().address(), payee().address());
    let x = U256::from(123_456_789u64);
    let cases: Vec<(Error, Vec<u8>)> = vec![
        (
            Error::InvalidGracePeriod(ChannelInvalidGracePeriod {
                gracePeriod: 5,
                min: 6,
                max: 7,
            }),
            ChannelInvalidGracePeriod {
                gracePeriod: 5,
                min: 6,
                max: 7,
            }
            .abi_encode(),
        ),
        (
            Error::NotPayer(ChannelNotPayer {
                channelId: id,
                caller: a,
            }),
            ChannelNotPayer {
                channelId: id,
                caller: a,
            }
            .abi_encode(),
        ),
        (
            Error::NotPayee(ChannelNotPayee {
                channelId: id,
                caller: a,
            }),
            ChannelNotPayee {
                channelId: id,
                caller: a,
            }
            .abi_encode(),
        ),
        (
            Error::InvalidPayer(ChannelInvalidPayer { payer: a }),
            ChannelInvalidPayer { payer: a }.abi_encode(),
        ),
        (
            Error::InvalidPayee(ChannelInvalidPayee { payer: a, payee: b }),
            ChannelInvalidPayee { payer: a, payee: b }.abi_encode(),
        ),
        (
            Error::InvalidPrice(ChannelInvalidPrice {
                pricePerSegment: x,
                max: U256::MAX,
            }),
            ChannelInvalidPrice {
                pricePerSegment: x,
                max: U256::MAX,
            }
            .abi_encode(),
        ),
        (
            Error::AlreadyExists(ChannelAlreadyExists { channelId: id }),
            ChannelAlreadyExists { channelId: id }.abi_encode(),
        ),
        (
            not_found(id),
            ChannelNotFound { channelId: id }.abi_encode(),
        ),
        (
            finalized(id),
            ChannelFinalized { channelId: id }.abi_encode(),
        ),
        (
            Error::DepositTooSmall(ChannelDepositTooSmall {
                deposit: x,
                minimum: U256::MAX,
            }),
            ChannelDepositTooSmall {
                deposit: x,
                minimum: U256::MAX,
            }
            .abi_encode(),
        ),
        (
            Error::DepositTooLarge(ChannelDepositTooLarge {
                deposit: U256::MAX,
                max: x,
            }),
            ChannelDepositTooLarge {
                deposit: U256::MAX,
                max: x,
            }
            .abi_encode(),
        ),
        (
            Error::ZeroTopUp(ChannelZeroTopUp { channelId: id }),
            ChannelZeroTopUp { channelId: id }.abi_encode(),
        ),
        (
            Error::InvalidSigner(ChannelInvalidSigner {
                channelId: id,
                signer: a,
                expected: b,
            }),
            ChannelInvalidSigner {
                channelId: id,
                signer: a,
                expected: b,
            }
            .abi_encode(),
        ),
        (
            Error::InvalidCloseAuthorization(ChannelInvalidCloseAuthorization {
                channelId: id,
                signer: a,
                payee: b,
            }),
            ChannelInvalidCloseAuthorization {
                channelId: id,
                signer: a,
                payee: b,
            }
            .abi_encode(),
        ),
        (
            Error::CloseAuthorizationExpired(ChannelCloseAuthorizationExpired {
                channelId: id,
                deadline: 7,
                now: u64::MAX,
            }),
            ChannelCloseAuthorizationExpired {
                channelId: id,
                deadline: 7,
                now: u64::MAX,
            }
            .abi_encode(),
        ),
        (
            Error::AvatarTokenMismatch(ChannelAvatarTokenMismatch {
                avatar: a,
                avatarToken: b,
                token: a,
            }),
            ChannelAvatarTokenMismatch {
                avatar: a,
                avatarToken: b,
                token: a,
            }
            .abi_encode(),
        ),
        (
            stale(id, u64::MAX, 3),
            ChannelStaleVoucher {
                channelId: id,
                segments: u64::MAX,
                settled: 3,
            }
            .abi_encode(),
        ),
        (
            Error::VoucherExceedsDeposit(ChannelVoucherExceedsDeposit {
                channelId: id,
                segments: 9,
                amount: U256::MAX,
                deposit: x,
            }),
            ChannelVoucherExceedsDeposit {
                channelId: id,
                segments: 9,
                amount: U256::MAX,
                deposit: x,
            }
            .abi_encode(),
        ),
        (
            Error::CloseAlreadyRequested(ChannelCloseAlreadyRequested {
                channelId: id,
                until: u64::MAX,
            }),
            ChannelCloseAlreadyRequested {
                channelId: id,
                until: u64::MAX,
            }
            .abi_encode(),
        ),
        (
            Error::CloseNotRequested(ChannelCloseNotRequested { channelId: id }),
            ChannelCloseNotRequested { channelId: id }.abi_encode(),
        ),
        (
            Error::GracePeriodActive(ChannelGracePeriodActive {
                channelId: id,
                until: 8,
                now: 7,
            }),
            ChannelGracePeriodActive {
                channelId: id,
                until: 8,
                now: 7,
            }
            .abi_encode(),
        ),
        (
            Error::InvalidSignature(ECDSAInvalidSignature {}),
            ECDSAInvalidSignature {}.abi_encode(),
        ),
        (
            Error::InvalidSignatureLength(ECDSAInvalidSignatureLength { length: x }),
            ECDSAInvalidSignatureLength { length: x }.abi_encode(),
        ),
        (
            Error::InvalidSignatureS(ECDSAInvalidSignatureS { s: id }),
            ECDSAInvalidSignatureS { s: id }.abi_encode(),
        ),
        (
            Error::InvalidSignatureV(ECDSAInvalidSignatureV { v: 255 }),
            ECDSAInvalidSignatureV { v: 255 }.abi_encode(),
        ),
    ];
    // Exhaustive, no wildcard: a new variant stops this from compiling until it has a number
    // here and a case above.
    let variant = |e: &Error| match e {
        Error::InvalidGracePeriod(_) => 0,
        Error::NotPayer(_) => 1,
        Error::NotPayee(_) => 2,
        Error::InvalidPayer(_) => 3,
        Error::InvalidPayee(_) => 4,
        Error::InvalidPrice(_) => 5,
        Error::AlreadyExists(_) => 6,
        Error::NotFound(_) => 7,
        Error::Finalized(_) => 8,
        Error::DepositTooSmall(_) => 9,
        Error::DepositTooLarge(_) => 10,
        Error::ZeroTopUp(_) => 11,
        Error::InvalidSigner(_) => 12,
        Error::InvalidCloseAuthorization(_) => 13,
        Error::CloseAuthorizationExpired(_) => 14,
        Error::AvatarTokenMismatch(_) => 15,
        Error::StaleVoucher(_) => 16,
        Error::VoucherExceedsDeposit(_) => 17,
        Error::CloseAlreadyRequested(_) => 18,
        Error::CloseNotRequested(_) => 19,
        Error::GracePeriodActive(_) => 20,
        Error::InvalidSignature(_) => 21,
        Error::InvalidSignatureLength(_) => 22,
        Error::InvalidSignatureS(_) => 23,
        Error::InvalidSignatureV(_) => 24,
    };
    let covered: Vec<usize> = cases.iter().map(|(e, _)| variant(e)).collect();
    assert_eq!(
        covered,
        (0..25).collect::<Vec<_>>(),
        "every variant, once, in order"
    );
    for (error, alloy) in cases {
        assert_eq!(Vec::from(error.clone()), alloy, "{error:?}");
    }
}

// --- golden vector (channel/testdata, signed by cast) ---

/// anvil's dev key #0.
const GOLDEN_KEY: B256 =
    b256!("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const GOLDEN_ADJUDICATOR: Address = address!("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
const GOLDEN_ID: B256 = b256!("0x9f5636818860c167ddebb2282276e7ff36012120dfe04cee2b10ef117780ea02");
const GOLDEN_DIGEST: B256 =
    b256!("0x18a9a0e49e2d2e52490649b1b533f4af5277c17fdbf048a10e63f5f17d3f4aaa");
const GOLDEN_SIG: [u8; 65] = hex!("b8d26bfcabbbf4d69547e8274b620ce6ce64bc2e2bbdb74105f4a68c0aa11fac2db119d1c367d1f804e1b32d0b2f7cc986493913d3d28f12514415c0dea9d11c1b");

fn golden_channel() -> Channel {
    Channel {
        payer: address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
        payee: address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        signer: Address::ZERO,
        video_id: VIDEO,
        price_per_segment: PRICE,
        salt: SALT,
    }
}

fn deploy_golden() -> (PrecompileHost, PaymentChannels) {
    let host = host_with_avatar_of(TOKEN);
    host.vm.set_contract_address(GOLDEN_ADJUDICATOR);
    host.vm.set_chain_id(CHAIN_ID);
    host.vm.set_block_timestamp(NOW);
    let mut contract = PaymentChannels::from(&host);
    contract.constructor(AVATAR, TOKEN, GRACE).unwrap();
    (host, contract)
}

#[test]
fn voucher_golden_vector_matches_cast() {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../testdata/voucher.json")).expect("should be JSON");
    let facts: serde_json::Value =
        serde_json::from_str(include_str!("../testdata/channel.json")).expect("should be JSON");
    let sig_hex = include_str!("../testdata/voucher.sig").trim();
    assert_eq!(json["message"]["channelId"], GOLDEN_ID.to_string());
    assert_eq!(json["message"]["segments"], 1_000);
    assert_eq!(facts["channelId"], GOLDEN_ID.to_string());
    assert_eq!(facts["digest"], GOLDEN_DIGEST.to_string());
    assert_eq!(hex::decode(sig_hex).unwrap(), GOLDEN_SIG);

    let (_, contract) = deploy_golden();
    let c = golden_channel();
    assert_eq!(contract.channel_id(c), GOLDEN_ID);
    assert_eq!(contract.voucher_digest(GOLDEN_ID, 1_000), GOLDEN_DIGEST);
    // The typed data file, read field by field, hashes to the same digest with alloy.
    let domain = &json["domain"];
    assert_eq!(json["primaryType"], "Voucher");
    let typed = Voucher {
        channelId: json["message"]["channelId"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
        segments: json["message"]["segments"].as_u64().unwrap(),
    };
    let domain = domain_on(
        domain["chainId"].as_u64().unwrap(),
        domain["verifyingContract"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
    );
    assert_eq!(json["domain"]["name"], "Paratii Channels");
    assert_eq!(json["domain"]["version"], "1");
    assert_eq!(typed.eip712_signing_hash(&domain), GOLDEN_DIGEST);
    assert_eq!(
        contract.domain_separator().to_string(),
        facts["domainSeparator"].as_str().unwrap()
    );
    assert_eq!(
        eip712::voucher_struct_hash(GOLDEN_ID, 1_000).to_string(),
        facts["structHash"].as_str().unwrap()
    );
    let signer = Signer::from_bytes(GOLDEN_KEY);
    assert_eq!(signer.address(), c.payer);
    assert_eq!(signer.sign(GOLDEN_DIGEST).to_packed(), GOLDEN_SIG);
}

#[test]
fn settle_accepts_golden_vector_voucher() {
    let (host, mut contract) = deploy_golden();
    let c = golden_channel();
    host.vm.set_sender(c.payer);
    assert_eq!(contract.open(c, DEPOSIT), Ok(GOLDEN_ID));
    host.vm.set_sender(RELAYER);
    contract
        .settle(c, 1_000, ByteVec(GOLDEN_SIG.to_vec()))
        .unwrap();
    assert_eq!(contract.channel_state(GOLDEN_ID).1, 1_000);
    assert_eq!(host.last_log::<ChannelSettled>().amount, DEPOSIT);
}

/// anvil's dev key #1, the golden channel's payee.
const GOLDEN_PAYEE_KEY: B256 =
    b256!("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
/// The golden close authorization's deadline (`channel/testdata/close.json`).
const GOLDEN_CLOSE_DEADLINE: u64 = 1_800_000_000;

/// `channel/testdata/close.json` (signed by cast with anvil's key #1, the payee, in
/// `close.sig`) hashes, with alloy and with the contract, to the digest that key signs; the
/// contract closes with it.
#[test]
fn close_authorization_golden_vector_matches_cast_and_closes() {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../testdata/close.json")).expect("should be JSON");
    let sig = hex::decode(include_str!("../testdata/close.sig").trim()).unwrap();
    assert_eq!(json["primaryType"], "CloseAuthorization");
    assert_eq!(json["domain"]["name"], "Paratii Channels");
    let typed = CloseAuthorization {
        channelId: json["message"]["channelId"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
        segments: json["message"]["segments"].as_u64().unwrap(),
        deadline: json["message"]["deadline"].as_u64().unwrap(),
    };
    assert_eq!(
        (typed.channelId, typed.segments, typed.deadline),
        (GOLDEN_ID, 1_000, GOLDEN_CLOSE_DEADLINE)
    );
    let digest = typed.eip712_signing_hash(&domain_on(CHAIN_ID, GOLDEN_ADJUDICATOR));
    let (host, mut contract) = deploy_golden();
    assert_eq!(
        eip712::typed_data_digest(
            contract.domain_separator(),
            eip712::close_authorization_struct_hash(GOLDEN_ID, 1_000, GOLDEN_CLOSE_DEADLINE)
        ),
        digest
    );
    let payee = Signer::from_bytes(GOLDEN_PAYEE_KEY);
    assert_eq!(payee.address(), golden_channel().payee);
    assert_eq!(payee.sign(digest).to_packed().to_vec(), sig);

    let c = golden_channel();
    host.vm.set_sender(c.payer);
    contract.open(c, DEPOSIT).unwrap();
    host.vm.set_sender(RELAYER);
    contract
        .close_with_authorization(
            c,
            1_000,
            GOLDEN_CLOSE_DEADLINE,
            ByteVec(GOLDEN_SIG.to_vec()),
            ByteVec(sig),
        )
        .unwrap();
    assert_eq!(contract.channel_state(GOLDEN_ID).4, PHASE_FINALIZED);
    assert_eq!(host.last_log::<ChannelClosed>().paid, DEPOSIT);
}

// --- attacks (channels.md §3), one named test each ---

/// §3.1: a replayed voucher, and an older one, are stale.
#[test]
fn settle_reverts_when_voucher_replayed_or_older() {
    let (host, mut contract, id) = opened();
    contract.settle(channel(), 10, voucher(10)).unwrap();
    assert_eq!(
        contract.settle(channel(), 10, voucher(10)),
        Err(err(stale(id, 10, 10)))
    );
    assert_eq!(
        contract.settle(channel(), 9, voucher(9)),
        Err(err(stale(id, 9, 10)))
    );
    assert_eq!(host.calls().len(), 2, "paid once");
}

/// §3.1 / §3.4: a payee closing with an older voucher cannot lower what was settled.
#[test]
fn close_keeps_settled_count_when_voucher_is_stale() {
    let (host, mut contract, id) = opened();
    contract.settle(channel(), 50, voucher(50)).unwrap();
    host.vm.set_sender(payee().address());
    contract.close(channel(), 20, voucher(20)).unwrap();
    assert_eq!(
        calls_after(&host, 2),
        vec![pay(payer().address(), DEPOSIT - worth(50))]
    );
    let closed = host.last_log::<ChannelClosed>();
    assert_eq!((closed.segments, closed.paid), (50, worth(50)));
    assert_eq!(contract.channel_state(id).1, 50);
}

/// §3.2: the high-s twin of a valid voucher recovers the same signer through the raw
/// precompile, and is refused.
#[test]
fn settle_reverts_when_voucher_s_is_high() {
    let (_, mut contract, _) = opened();
    let sig = paratii_contracts::ecdsa::Signature::from_packed(&voucher(5)).unwrap();
    let twin = high_s_twin(&sig);
    assert_eq!(
        contract.settle(channel(), 5, pack(&twin)),
        Err(err(Error::InvalidSignatureS(ECDSAInvalidSignatureS {
            s: twin.s
        })))
    );
}

/// §3.2: 64-byte (EIP-2098 compact) and 66-byte signatures are refused.
#[test]
fn settle_reverts_when_signature_is_not_65_bytes() {
    let (_, mut contract, _) = opened();
    let sig = voucher(5);
    for len in [64usize, 66] {
        let mut bytes = sig.0.clone();
        bytes.resize(len, 0);
        assert_eq!(
            contract.settle(channel(), 5, ByteVec(bytes)),
            Err(err(Error::InvalidSignatureLength(
                ECDSAInvalidSignatureLength {
                    length: U256::from(len)
                }
            )))
        );
    }
}

/// §3.2: `v` other than 27 or 28 is refused.
#[test]
fn settle_reverts_when_v_is_not_27_or_28() {
    let (_, mut contract, _) = opened();
    let mut bytes = voucher(5).0;
    bytes[64] = 1;
    assert_eq!(
        contract.settle(channel(), 5, ByteVec(bytes)),
        Err(err(Error::InvalidSignatureV(ECDSAInvalidSignatureV {
            v: 1
        })))
    );
}

/// §3.14: a signature that recovers nothing (r = 0) is refused, never taken as the zero signer.
#[test]
fn settle_reverts_when_signature_recovers_zero_address_even_with_zero_signer() {
    let (host, mut contract) = deploy();
    let c = Channel {
        signer: Address::ZERO,
        ..channel()
    };
    open(&host, &mut contract, &c, DEPOSIT);
    let mut bytes = vec![0u8; 65];
    bytes[64] = 27;
    assert_eq!(
        contract.settle(c, 5, ByteVec(bytes)),
        Err(err(Error::InvalidSignature(ECDSAInvalidSignature {})))
    );
}

/// §3.3: a voucher signed for another chain recovers another address.
#[test]
fn settle_reverts_when_voucher_signed_for_another_chain() {
    let (_, mut contract, id) = opened();
    let sig = voucher_on(&session(), id, 5, 42_161, ADJUDICATOR);
    let signer = recovered(id, 5, &sig);
    assert_ne!(signer, session().address());
    assert_eq!(
        contract.settle(channel(), 5, sig),
        Err(err(invalid_signer(id, signer)))
    );
}

/// §3.3 (go-nitro #889): a voucher signed for another adjudicator on the same chain.
#[test]
fn settle_reverts_when_voucher_signed_for_another_contract() {
    let (_, mut contract, id) = opened();
    let sig = voucher_on(&session(), id, 5, CHAIN_ID, OTHER_ADJUDICATOR);
    let signer = recovered(id, 5, &sig);
    assert_eq!(
        contract.settle(channel(), 5, sig),
        Err(err(invalid_signer(id, signer)))
    );
}

/// §3.3 / µRaiden #134: a voucher for another channel (same payer, payee and key, another salt)
/// does not pay this one.
#[test]
fn settle_reverts_when_voucher_is_for_another_channel() {
    let (host, mut contract, id) = opened();
    let other = Channel {
        salt: B256::repeat_byte(0x22),
        ..channel()
    };
    open(&host, &mut contract, &other, DEPOSIT);
    let sig = voucher_on(&session(), id_of(&other), 5, CHAIN_ID, ADJUDICATOR);
    let signer = recovered(id, 5, &sig);
    assert_eq!(
        contract.settle(channel(), 5, sig),
        Err(err(invalid_signer(id, signer)))
    );
}

/// §3.3: type confusion. A `CloseAuthorization` signed by the channel's signer is no voucher.
#[test]
fn settle_reverts_when_signature_is_a_close_authorization() {
    let (_, mut contract, id) = opened();
    let auth = close_authorization_by(&session(), id, 5);
    let signer = recovered(id, 5, &auth);
    assert_ne!(signer, session().address());
    assert_eq!(
        contract.settle(channel(), 5, auth),
        Err(err(invalid_signer(id, signer)))
    );
}

/// §3.3: type confusion the other way. In a channel whose signer is the payee's own key (the
/// payer chose it), the payee's voucher signature cannot serve as its close authorization.
#[test]
fn close_with_authorization_reverts_when_authorization_is_a_voucher() {
    let (host, mut contract) = deploy();
    let c = Channel {
        signer: payee().address(),
        ..channel()
    };
    let id = open(&host, &mut contract, &c, DEPOSIT);
    let v = voucher_on(&payee(), id, 5, CHAIN_ID, ADJUDICATOR);
    let signer = recovered_authorization(id, 5, &v);
    assert_ne!(signer, payee().address());
    host.vm.set_sender(RELAYER);
    assert_eq!(
        contract.close_with_authorization(c, 5, AUTH_DEADLINE, v.clone(), v),
        Err(err(invalid_authorization(id, signer)))
    );
    assert!(!contract.channel_state(id).3);
}

/// §3.4: the payer requests a close hoping to leave the last segments unpaid; the payee settles
/// its latest voucher during the grace period, and may still close.
#[test]
fn settle_and_close_succeed_during_grace_period_after_close_request() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE - 1);
    host.vm.set_sender(RELAYER);
    contract.settle(channel(), 300, voucher(300)).unwrap();
    host.vm.set_sender(payee().address());
    contract.close(channel(), 400, voucher(400)).unwrap();
    assert_eq!(
        calls_after(&host, 1),
        vec![
            pay(payee().address(), worth(300)),
            pay(payee().address(), worth(100)),
            pay(payer().address(), DEPOSIT - worth(400))
        ]
    );
    assert_eq!(contract.channel_state(id).4, PHASE_FINALIZED);
}

/// §3.4 / §3.7: after the grace period, until the payer withdraws, a watchtower can still settle.
#[test]
fn settle_succeeds_after_grace_period_until_payer_withdraws() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE + 1);
    host.vm.set_sender(RELAYER);
    contract.settle(channel(), 7, voucher(7)).unwrap();
    host.vm.set_sender(payer().address());
    contract.withdraw(channel()).unwrap();
    assert_eq!(
        contract.settle(channel(), 8, voucher(8)),
        Err(err(finalized(id)))
    );
}

/// §3.5 (Livepeer d153b78): a stranger can neither cancel a pending close (by topping up) nor
/// start one, nor withdraw.
#[test]
fn top_up_request_close_and_withdraw_revert_when_caller_is_stranger() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_sender(STRANGER);
    assert_eq!(
        contract.top_up(channel(), PRICE),
        Err(err(Error::NotPayer(ChannelNotPayer {
            channelId: id,
            caller: STRANGER,
        })))
    );
    assert_eq!(contract.channel_state(id).2, NOW, "still pending");
    let (host2, mut other, id2) = opened();
    host2.vm.set_sender(STRANGER);
    assert_eq!(
        other.request_close(channel()),
        Err(Error::NotPayer(ChannelNotPayer {
            channelId: id2,
            caller: STRANGER,
        }))
    );
    assert_eq!(other.channel_state(id2).2, 0, "never started");
    host.vm.set_block_timestamp(NOW + GRACE);
    assert_eq!(
        contract.withdraw(channel()),
        Err(err(Error::NotPayer(ChannelNotPayer {
            channelId: id,
            caller: STRANGER,
        })))
    );
}

/// §3.6: the payee never settles nor closes; the payer exits after the grace period, whole.
#[test]
fn withdraw_refunds_payer_after_grace_period_when_payee_never_acts() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE);
    contract.withdraw(channel()).unwrap();
    assert_eq!(calls_after(&host, 1), vec![pay(payer().address(), DEPOSIT)]);
    assert_eq!(contract.channel_state(id).4, PHASE_FINALIZED);
}

/// §3.7: a payee without ETH has a relayer settle for it; the payout goes to the payee.
#[test]
fn settle_by_relayer_pays_payee() {
    let (host, mut contract, _) = opened();
    host.vm.set_sender(RELAYER);
    contract.settle(channel(), 3, voucher(3)).unwrap();
    assert_eq!(
        calls_after(&host, 1),
        vec![pay(payee().address(), worth(3))]
    );
}

/// §3.8: settle-then-close and close-then-settle end in the same balances and record.
#[test]
fn settle_and_close_reach_same_outcome_in_either_order() {
    let run = |settle_first: bool| {
        let (host, mut contract, id) = opened();
        host.vm.set_sender(payee().address());
        let settle = |contract: &mut PaymentChannels| contract.settle(channel(), 10, voucher(10));
        if settle_first {
            settle(&mut contract).unwrap();
        }
        contract.close(channel(), 12, voucher(12)).unwrap();
        if !settle_first {
            assert_eq!(settle(&mut contract), Err(err(finalized(id))));
        }
        let mut paid = [U256::ZERO; 2];
        for call in calls_after(&host, 1) {
            let t = transferCall::abi_decode(&call.data).unwrap();
            paid[usize::from(t.to == payer().address())] += t.value;
        }
        (paid, contract.channel_state(id))
    };
    assert_eq!(run(true), run(false));
    assert_eq!(
        run(true).0,
        [worth(12), DEPOSIT - worth(12)],
        "payee, then payer"
    );
}

/// §3.8: a permit front-run by a griefer does not block the open (covered by
/// `open_with_permit_succeeds_when_permit_front_run_and_allowance_covers`); and a stranger
/// cannot spend the payer's allowance to this contract, since an open pulls from its caller.
#[test]
fn open_reverts_when_stranger_opens_with_payers_allowance() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(STRANGER);
    let c = Channel {
        payee: STRANGER,
        ..channel()
    };
    assert_eq!(
        contract.open(c, DEPOSIT),
        Err(err(Error::NotPayer(ChannelNotPayer {
            channelId: id_of(&c),
            caller: STRANGER,
        })))
    );
    assert!(host.calls().is_empty());
}

/// §3.9: effects come before every transfer. The `TestVM` does not roll back a reverted call's
/// writes, so a payout made to revert shows what was stored before it ran: the new count. A
/// re-entrant settle of the same voucher from inside the transfer is therefore stale.
#[test]
fn settle_stores_count_before_transfer_so_reentrant_replay_is_stale() {
    let (host, mut contract, id) = opened();
    host.answer_call(
        TOKEN,
        pay(payee().address(), worth(10)).data,
        Err(b"inside transfer".to_vec()),
    );
    assert_eq!(
        contract.settle(channel(), 10, voucher(10)),
        Err(b"inside transfer".to_vec())
    );
    assert_eq!(contract.channel_state(id).1, 10, "stored before the call");
    assert_eq!(
        contract.settle(channel(), 10, voucher(10)),
        Err(err(stale(id, 10, 10)))
    );
}

/// §3.9: the same for close and withdraw: finalized before the first transfer.
#[test]
fn close_and_withdraw_finalize_before_transfer_so_reentry_is_refused() {
    let (host, mut contract, id) = opened();
    host.answer_call(
        TOKEN,
        pay(payee().address(), worth(10)).data,
        Err(b"inside transfer".to_vec()),
    );
    host.vm.set_sender(payee().address());
    assert_eq!(
        contract.close(channel(), 10, voucher(10)),
        Err(b"inside transfer".to_vec())
    );
    assert!(contract.channel_state(id).3, "finalized before the call");
    assert_eq!(
        contract.close(channel(), 10, voucher(10)),
        Err(err(finalized(id)))
    );

    let (host, mut contract, id) = opened();
    host.answer_call(
        TOKEN,
        pay(payer().address(), DEPOSIT).data,
        Err(b"inside transfer".to_vec()),
    );
    host.vm.set_sender(payer().address());
    contract.request_close(channel()).unwrap();
    host.vm.set_block_timestamp(NOW + GRACE);
    assert_eq!(
        contract.withdraw(channel()),
        Err(b"inside transfer".to_vec())
    );
    assert_eq!(contract.withdraw(channel()), Err(err(finalized(id))));
}

/// §3.10: amounts are `segments × price` computed on chain: paying in many steps sums to the
/// same as paying at once, to the wei, even at a price that is not a round number.
#[test]
fn settle_amounts_sum_exactly_to_segments_times_price() {
    let (host, mut contract) = deploy();
    let price = U256::from(333_333_333_333_333_333u64);
    let c = Channel {
        price_per_segment: price,
        ..channel()
    };
    let id = open(&host, &mut contract, &c, price * U256::from(1_000));
    let mut total = U256::ZERO;
    for n in [1u64, 7, 8, 99, 500, 999] {
        contract
            .settle(c, n, voucher_on(&session(), id, n, CHAIN_ID, ADJUDICATOR))
            .unwrap();
        total += host.last_log::<ChannelSettled>().amount;
        assert_eq!(total, price * U256::from(n));
    }
}

/// §3.11: the largest counts and amounts are refused with typed errors, never wrapped: a voucher
/// at `u64::MAX` segments on a `2⁹⁶ − 1` price is worth 2¹⁶⁰-ish, above any deposit.
#[test]
fn settle_reverts_when_segments_times_price_is_huge() {
    let (host, mut contract) = deploy();
    let c = Channel {
        price_per_segment: MAX_AMOUNT,
        ..channel()
    };
    let id = open(&host, &mut contract, &c, MAX_AMOUNT);
    let sig = voucher_on(&session(), id, u64::MAX, CHAIN_ID, ADJUDICATOR);
    assert_eq!(
        contract.settle(c, u64::MAX, sig),
        Err(err(Error::VoucherExceedsDeposit(
            ChannelVoucherExceedsDeposit {
                channelId: id,
                segments: u64::MAX,
                amount: MAX_AMOUNT * U256::from(u64::MAX),
                deposit: MAX_AMOUNT,
            }
        )))
    );
    contract
        .settle(c, 1, voucher_on(&session(), id, 1, CHAIN_ID, ADJUDICATOR))
        .unwrap();
    assert_eq!(host.last_log::<ChannelSettled>().amount, MAX_AMOUNT);
}

/// §3.12: per-channel escrow: a voucher of one channel cannot reach another channel's deposit.
#[test]
fn settle_cannot_spend_another_channels_deposit() {
    let (host, mut contract, id) = opened();
    let other = Channel {
        salt: B256::repeat_byte(0x33),
        ..channel()
    };
    open(&host, &mut contract, &other, DEPOSIT);
    // 1,500 segments would need both deposits.
    assert_eq!(
        contract.settle(channel(), 1_500, voucher(1_500)),
        Err(err(Error::VoucherExceedsDeposit(
            ChannelVoucherExceedsDeposit {
                channelId: id,
                segments: 1_500,
                amount: worth(1_500),
                deposit: DEPOSIT,
            }
        )))
    );
    assert_eq!(contract.channel_state(id).1, 0);
}

/// §3.13 (Raiden #170): a finalized id never reopens, so its old vouchers never pay again; the
/// parties open a new channel with a new salt, where the old vouchers do not verify.
#[test]
fn open_reverts_when_channel_finalized_and_new_salt_refuses_old_vouchers() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    contract.close(channel(), 10, voucher(10)).unwrap();
    host.vm.set_sender(payer().address());
    assert_eq!(
        contract.open(channel(), DEPOSIT),
        Err(err(Error::AlreadyExists(ChannelAlreadyExists {
            channelId: id
        })))
    );
    let fresh = Channel {
        salt: B256::repeat_byte(0x44),
        ..channel()
    };
    let fresh_id = open(&host, &mut contract, &fresh, DEPOSIT);
    assert_ne!(fresh_id, id);
    let old = voucher(10);
    assert_eq!(
        contract.settle(fresh, 10, old.clone()),
        Err(err(invalid_signer(fresh_id, recovered(fresh_id, 10, &old))))
    );
}

/// §3.13: the same parameters open once; any change in calldata names another (absent) channel,
/// so a caller cannot lie about the price or the payee.
#[test]
fn settle_reverts_when_parameters_differ_from_opened_channel() {
    let (host, mut contract, _) = opened();
    host.vm.set_sender(payer().address());
    assert_eq!(
        contract.open(channel(), DEPOSIT),
        Err(err(Error::AlreadyExists(ChannelAlreadyExists {
            channelId: id_of(&channel())
        })))
    );
    let lying = Channel {
        price_per_segment: PRICE * U256::from(2),
        ..channel()
    };
    assert_eq!(
        contract.settle(lying, 5, voucher(5)),
        Err(err(not_found(id_of(&lying))))
    );
}

/// §3.13: nothing changes a finalized channel.
#[test]
fn finalized_channel_refuses_every_operation() {
    let (host, mut contract, id) = opened();
    host.vm.set_sender(payee().address());
    contract.close(channel(), 10, voucher(10)).unwrap();
    let before = contract.channel_state(id);
    let calls = host.calls().len();
    host.vm.set_sender(payer().address());
    assert_eq!(contract.top_up(channel(), PRICE), Err(err(finalized(id))));
    assert_eq!(contract.request_close(channel()), Err(finalized(id)));
    assert_eq!(contract.withdraw(channel()), Err(err(finalized(id))));
    assert_eq!(
        contract.settle(channel(), 20, voucher(20)),
        Err(err(finalized(id)))
    );
    assert_eq!(
        contract.settle_batch(vec![item(&channel(), &session(), 20)]),
        Ok(U256::ZERO)
    );
    host.vm.set_sender(payee().address());
    assert_eq!(
        contract.close(channel(), 20, voucher(20)),
        Err(err(finalized(id)))
    );
    assert_eq!(contract.channel_state(id), before);
    assert_eq!(host.calls().len(), calls);
}

/// §3.15: a contract-wallet payer (no key of its own) registers an EOA session key at open;
/// its vouchers verify with `ecrecover`, no ERC-1271 involved.
#[test]
fn settle_accepts_session_key_voucher_when_payer_is_contract_wallet() {
    let (host, mut contract) = deploy();
    let c = Channel {
        payer: WALLET,
        ..channel()
    };
    let id = open(&host, &mut contract, &c, DEPOSIT);
    let sig = voucher_on(&session(), id, 9, CHAIN_ID, ADJUDICATOR);
    assert_eq!(contract.settle(c, 9, sig), Ok(()));
}

/// §3.16: both recipients of every transfer are non-zero by construction (the payer is a
/// caller or an avatar-checked user, the payee is checked at open), so PTI never refuses a
/// payout; a refused transfer reverts the whole call (see the `*_returns_false` tests).
#[test]
fn open_reverts_when_payee_is_zero_so_payouts_never_go_to_zero() {
    let (host, mut contract) = deploy();
    host.vm.set_sender(session().address());
    let c = Channel {
        payee: Address::ZERO,
        ..channel()
    };
    assert_eq!(
        contract.open_for(c, DEPOSIT),
        Err(err(Error::InvalidPayee(ChannelInvalidPayee {
            payer: c.payer,
            payee: Address::ZERO,
        })))
    );
}
