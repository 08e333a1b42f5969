//! Model-based property tests: random sequences of open (three paths) / top-up / settle /
//! settle-batch / close (payee or relayed) / request-close / withdraw / time warps over four
//! channels of two payers and two payees, run against the contract and a reference model side by
//! side. PTI is mocked by the host (every transfer succeeds); a ledger rebuilt from the transfers
//! the contract made stands in for PTI's balances.
//!
//! After every operation:
//! - the contract's result equals the model's, to the byte (errors encoded by alloy, not by the
//!   contract), and a refused operation changed no storage and made no call;
//! - every channel's stored state equals the model's;
//! - PTI held by the adjudicator == Σ over live channels (deposit − settled × price);
//! - for every finalized channel paid + refunded == deposit, and what each payee and payer
//!   received in the ledger equals the model's payouts and refunds;
//! - paid to a payee ≤ price × the highest segment count its payer's signer ever signed;
//! - settled segments never decrease, and nothing changes a finalized channel.
//!
//! 1,000 cases by default, each up to 40 operations; `PROPTEST_CASES` overrides the count.
//!
//! One file: the operations, the model they are checked against and the state machine that
//! drives both read as one unit.

use std::collections::HashMap;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{
    eip712_domain, Eip712Domain, SolCall, SolError, SolEvent, SolStruct, SolValue,
};
use paratii_channel::{
    ByteVec, Channel, PaymentChannels, SettleItem, MAX_AMOUNT, PHASE_CLOSING, PHASE_FINALIZED,
    PHASE_OPEN, PHASE_WITHDRAWABLE,
};
use paratii_common::testing::{high_s_twin, PrecompileHost, Signer};
use paratii_contracts::{
    channels::{
        ChannelAlreadyExists, ChannelCloseAlreadyRequested, ChannelCloseNotRequested,
        ChannelDepositTooLarge, ChannelDepositTooSmall, ChannelFinalized, ChannelGracePeriodActive,
        ChannelInvalidCloseAuthorization, ChannelInvalidSigner, ChannelNotFound, ChannelNotPayer,
        ChannelSettleSkipped, ChannelSettled, ChannelStaleVoucher, ChannelVoucherExceedsDeposit,
        ChannelZeroTopUp, CloseAuthorization, Voucher,
    },
    ecdsa::Signature,
    interfaces::{
        IParatiiAvatar::{tokenCall, transferFromWithKeyCall},
        IParatiiToken::{transferCall, transferFromCall},
    },
    signature::ECDSAInvalidSignatureS,
};
use proptest::prelude::*;

const TOKEN: Address = Address::new([0xb4; 20]);
const AVATAR: Address = Address::new([0xb2; 20]);
const ADJUDICATOR: Address = Address::new([0xc0; 20]);
const STRANGER: Address = Address::new([0xe1; 20]);
const RELAYER: Address = Address::new([0xe3; 20]);
const CHAIN_ID: u64 = 42_161;
const NOW: u64 = 1_800_000_000;
const GRACE: u64 = 900;
const SLOTS: usize = 4;
/// Prices per segment of the four channels: a round one, a tiny one, an odd one, one wei.
const PRICES: [u64; SLOTS] = [1_000_000_000_000_000, 7, 333_333_333_333_333_333, 1];

/// Who signs a voucher.
#[derive(Debug, Clone, Copy)]
enum Sig {
    /// The channel's signer (its session key, or the payer when the signer is zero).
    Good,
    /// The good signature's malleable twin.
    HighS,
    /// Someone else.
    Mallory,
}

#[derive(Debug, Clone)]
enum Op {
    Open { slot: usize, segments: u64, extra: u64, via: u8, wrong_caller: bool, huge: bool },
    TopUp { slot: usize, segments: u64, by_payer: bool, huge: bool },
    Settle { slot: usize, segments: u64, sig: Sig },
    Batch { items: Vec<(usize, u64, Sig)> },
    Close { slot: usize, segments: u64, sig: Sig, caller: u8 },
    RequestClose { slot: usize, by_payer: bool },
    Withdraw { slot: usize, by_payer: bool },
    Warp { secs: u64 },
}

fn slot() -> impl Strategy<Value = usize> {
    0..SLOTS
}

fn sig() -> impl Strategy<Value = Sig> {
    prop_oneof![8 => Just(Sig::Good), 1 => Just(Sig::HighS), 1 => Just(Sig::Mallory)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (slot(), 0u64..60, 0u64..3, 0u8..3, prop::bool::weighted(0.1), prop::bool::weighted(0.05))
            .prop_map(|(slot, segments, extra, via, wrong_caller, huge)| Op::Open { slot, segments, extra, via, wrong_caller, huge }),
        1 => (slot(), 0u64..20, prop::bool::weighted(0.85), prop::bool::weighted(0.05))
            .prop_map(|(slot, segments, by_payer, huge)| Op::TopUp { slot, segments, by_payer, huge }),
        4 => (slot(), 0u64..90, sig()).prop_map(|(slot, segments, sig)| Op::Settle { slot, segments, sig }),
        2 => prop::collection::vec((slot(), 0u64..90, sig()), 0..5).prop_map(|items| Op::Batch { items }),
        2 => (slot(), 0u64..90, sig(), 0u8..4)
            .prop_map(|(slot, segments, sig, caller)| Op::Close { slot, segments, sig, caller }),
        2 => (slot(), prop::bool::weighted(0.85)).prop_map(|(slot, by_payer)| Op::RequestClose { slot, by_payer }),
        2 => (slot(), prop::bool::weighted(0.85)).prop_map(|(slot, by_payer)| Op::Withdraw { slot, by_payer }),
        2 => (0u64..1_500).prop_map(|secs| Op::Warp { secs }),
    ]
}

/// `channelState(id)`: deposit, settled, close requested at, finalized, phase.
type StateView = (U256, u64, u64, bool, u8);

/// One channel as the model sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Model {
    deposit: U256,
    settled: u64,
    requested_at: u64,
    finalized: bool,
    paid: U256,
    refunded: U256,
}

struct World {
    host: PrecompileHost,
    contract: PaymentChannels,
    channels: [Channel; SLOTS],
    /// The model, by slot (`None`: never opened).
    model: [Option<Model>; SLOTS],
    /// The highest count each channel's signer signed so far (in any operation).
    max_signed: [u64; SLOTS],
    now: u64,
    /// PTI held by the adjudicator, and received by each address, from the transfers made.
    held: U256,
    received: HashMap<Address, U256>,
    calls_seen: usize,
    logs_seen: usize,
    /// Each finalized channel's state when it was finalized.
    frozen: [Option<StateView>; SLOTS],
}

fn payer(slot: usize) -> Signer {
    Signer::from_seed(1 + (slot % 2) as u64)
}

fn session(slot: usize) -> Signer {
    Signer::from_seed(5 + (slot % 2) as u64)
}

fn payee(slot: usize) -> Signer {
    Signer::from_seed(3 + ((slot / 2) % 2) as u64)
}

fn mallory() -> Signer {
    Signer::from_seed(9)
}

/// The key that signs `slot`'s vouchers: its session key for even slots, the payer (signer
/// zero) for odd ones.
fn voucher_key(slot: usize) -> Signer {
    if slot.is_multiple_of(2) {
        session(slot)
    } else {
        payer(slot)
    }
}

fn domain() -> Eip712Domain {
    eip712_domain! {
        name: "Paratii Channels",
        version: "1",
        chain_id: CHAIN_ID,
        verifying_contract: ADJUDICATOR,
    }
}

fn signed(signer: &Signer, digest: B256) -> Signature {
    signer.sign(digest)
}

fn enc<E: SolError>(e: &E) -> Vec<u8> {
    e.abi_encode()
}

impl World {
    fn new() -> Self {
        let host = PrecompileHost::new();
        host.vm.set_contract_address(ADJUDICATOR);
        host.vm.set_chain_id(CHAIN_ID);
        host.vm.set_block_timestamp(NOW);
        host.answer_static_call(AVATAR, tokenCall {}.abi_encode(), TOKEN.abi_encode());
        let mut contract = PaymentChannels::from(&host);
        contract.constructor(AVATAR, TOKEN, GRACE).unwrap();
        let channels = core::array::from_fn(|i| Channel {
            payer: payer(i).address(),
            payee: payee(i).address(),
            signer: if i.is_multiple_of(2) { session(i).address() } else { Address::ZERO },
            video_id: B256::repeat_byte(0x10 + u8::try_from(i).unwrap()),
            price_per_segment: U256::from(PRICES[i]),
            salt: B256::repeat_byte(u8::try_from(i).unwrap()),
        });
        Self {
            host,
            contract,
            channels,
            model: [None; SLOTS],
            max_signed: [0; SLOTS],
            now: NOW,
            held: U256::ZERO,
            received: HashMap::new(),
            calls_seen: 0,
            logs_seen: 0,
            frozen: [None; SLOTS],
        }
    }

    fn id(&self, slot: usize) -> B256 {
        paratii_contracts::eip712::channel_id(CHAIN_ID, ADJUDICATOR, &self.channels[slot].to_sol())
    }

    fn price(slot: usize) -> U256 {
        U256::from(PRICES[slot])
    }

    /// A voucher for `segments` of `slot`, signed as `sig` says; records what the channel's
    /// signer signed.
    fn voucher(&mut self, slot: usize, segments: u64, sig: Sig) -> Signature {
        let digest = Voucher { channelId: self.id(slot), segments }.eip712_signing_hash(&domain());
        match sig {
            Sig::Mallory => signed(&mallory(), digest),
            Sig::Good | Sig::HighS => {
                self.max_signed[slot] = self.max_signed[slot].max(segments);
                let good = signed(&voucher_key(slot), digest);
                if matches!(sig, Sig::HighS) {
                    high_s_twin(&good)
                } else {
                    good
                }
            }
        }
    }

    fn close_authorization(&self, slot: usize, segments: u64, by_payee: bool) -> Signature {
        let digest = CloseAuthorization { channelId: self.id(slot), segments, deadline: u64::MAX }
            .eip712_signing_hash(&domain());
        let signer = if by_payee { payee(slot) } else { mallory() };
        signed(&signer, digest)
    }

    /// The model's verdict on a voucher signature (check 3 of a settle or a raising close).
    fn voucher_error(&self, slot: usize, sig: Sig, signature: &Signature) -> Option<Vec<u8>> {
        match sig {
            Sig::Good => None,
            Sig::HighS => Some(enc(&ECDSAInvalidSignatureS { s: signature.s })),
            Sig::Mallory => Some(enc(&ChannelInvalidSigner {
                channelId: self.id(slot),
                signer: mallory().address(),
                expected: voucher_key(slot).address(),
            })),
        }
    }

    /// Checks 1 and 2: the channel exists and is live.
    fn live(&self, slot: usize) -> Result<Model, Vec<u8>> {
        let channel_id = self.id(slot);
        match self.model[slot] {
            None => Err(enc(&ChannelNotFound { channelId: channel_id })),
            Some(m) if m.finalized => Err(enc(&ChannelFinalized { channelId: channel_id })),
            Some(m) => Ok(m),
        }
    }

    /// The model's settle of a checked voucher: checks 4 and 5, then the effect.
    fn settle_model(&mut self, slot: usize, segments: u64, m: Model) -> Result<U256, Vec<u8>> {
        let channel_id = self.id(slot);
        if segments <= m.settled {
            return Err(enc(&ChannelStaleVoucher {
                channelId: channel_id,
                segments,
                settled: m.settled,
            }));
        }
        let amount = Self::price(slot) * U256::from(segments);
        if amount > m.deposit {
            return Err(enc(&ChannelVoucherExceedsDeposit {
                channelId: channel_id,
                segments,
                amount,
                deposit: m.deposit,
            }));
        }
        let due = Self::price(slot) * U256::from(segments - m.settled);
        self.model[slot] = Some(Model { settled: segments, paid: m.paid + due, ..m });
        Ok(due)
    }

    #[allow(clippy::too_many_lines)]
    fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let before = self.host.vm.snapshot().storage;
        let (got, want): (Result<(), Vec<u8>>, Result<(), Vec<u8>>) = match *op {
            Op::Open { slot, segments, extra, via, wrong_caller, huge } => {
                let c = self.channels[slot];
                let channel_id = self.id(slot);
                let deposit = if huge {
                    MAX_AMOUNT + U256::from(1)
                } else {
                    Self::price(slot) * U256::from(segments) + U256::from(extra)
                };
                let caller = match (via, wrong_caller) {
                    (2, _) => session(slot).address(),
                    (_, true) => STRANGER,
                    _ => c.payer,
                };
                let want = if via != 2 && caller != c.payer {
                    Err(enc(&ChannelNotPayer { channelId: channel_id, caller }))
                } else if self.model[slot].is_some() {
                    Err(enc(&ChannelAlreadyExists { channelId: channel_id }))
                } else if deposit < Self::price(slot) {
                    Err(enc(&ChannelDepositTooSmall { deposit, minimum: Self::price(slot) }))
                } else if deposit > MAX_AMOUNT {
                    Err(enc(&ChannelDepositTooLarge { deposit, max: MAX_AMOUNT }))
                } else {
                    self.model[slot] = Some(Model { deposit, ..Model::default() });
                    Ok(())
                };
                self.host.vm.set_sender(caller);
                let got = match via {
                    0 => self.contract.open(c, deposit),
                    1 => self.contract.open_with_permit(
                        c,
                        deposit,
                        U256::from(self.now + 60),
                        27,
                        B256::repeat_byte(1),
                        B256::repeat_byte(2),
                    ),
                    _ => self.contract.open_for(c, deposit),
                };
                if let Ok(id) = got {
                    prop_assert_eq!(id, channel_id);
                }
                (got.map(|_| ()), want)
            }
            Op::TopUp { slot, segments, by_payer, huge } => {
                let c = self.channels[slot];
                let channel_id = self.id(slot);
                let amount =
                    if huge { MAX_AMOUNT } else { Self::price(slot) * U256::from(segments) };
                let caller = if by_payer { c.payer } else { STRANGER };
                let want = self.live(slot).and_then(|m| {
                    if caller != c.payer {
                        return Err(enc(&ChannelNotPayer { channelId: channel_id, caller }));
                    }
                    if amount.is_zero() {
                        return Err(enc(&ChannelZeroTopUp { channelId: channel_id }));
                    }
                    let deposit = m.deposit + amount;
                    if deposit > MAX_AMOUNT {
                        return Err(enc(&ChannelDepositTooLarge { deposit, max: MAX_AMOUNT }));
                    }
                    self.model[slot] = Some(Model { deposit, requested_at: 0, ..m });
                    Ok(())
                });
                self.host.vm.set_sender(caller);
                (self.contract.top_up(c, amount), want)
            }
            Op::Settle { slot, segments, sig } => {
                let c = self.channels[slot];
                let signature = self.voucher(slot, segments, sig);
                let want = self.live(slot).and_then(|m| {
                    if let Some(e) = self.voucher_error(slot, sig, &signature) {
                        return Err(e);
                    }
                    self.settle_model(slot, segments, m).map(|_| ())
                });
                self.host.vm.set_sender(RELAYER);
                let got =
                    self.contract.settle(c, segments, ByteVec(signature.to_packed().to_vec()));
                (got, want)
            }
            Op::Batch { ref items } => {
                let mut batch = Vec::new();
                let mut reasons = Vec::new();
                let mut settled = 0u64;
                for &(slot, segments, sig) in items {
                    let signature = self.voucher(slot, segments, sig);
                    batch.push(SettleItem {
                        channel: self.channels[slot],
                        segments,
                        v: signature.v,
                        r: signature.r,
                        s: signature.s,
                    });
                    let outcome = self.live(slot).and_then(|m| {
                        if let Some(e) = self.voucher_error(slot, sig, &signature) {
                            return Err(e);
                        }
                        self.settle_model(slot, segments, m)
                    });
                    match outcome {
                        Ok(_) => settled += 1,
                        Err(reason) => reasons.push(reason),
                    }
                }
                self.host.vm.set_sender(RELAYER);
                let got = self.contract.settle_batch(batch);
                prop_assert_eq!(got.clone(), Ok(U256::from(settled)));
                let logs = self.host.vm.get_emitted_logs();
                let new_logs = &logs[self.logs_seen..];
                prop_assert_eq!(new_logs.len(), items.len());
                let skipped: Vec<Vec<u8>> = new_logs
                    .iter()
                    .filter_map(|(t, d)| ChannelSettleSkipped::decode_raw_log(t.clone(), d).ok())
                    .map(|e| e.reason.to_vec())
                    .collect();
                prop_assert_eq!(skipped, reasons);
                let settled_logs = new_logs
                    .iter()
                    .filter(|(t, d)| ChannelSettled::decode_raw_log(t.clone(), d).is_ok())
                    .count();
                prop_assert_eq!(settled_logs as u64, settled);
                (got.map(|_| ()), Ok(()))
            }
            Op::Close { slot, segments, sig, caller } => {
                let c = self.channels[slot];
                let channel_id = self.id(slot);
                let signature = self.voucher(slot, segments, sig);
                // 0, 1: the payee closes; 2: a relayer with the payee's authorization;
                // 3: a relayer with an authorization signed by someone else.
                let relayed = caller >= 2;
                let authorization = self.close_authorization(slot, segments, caller == 2);
                let want = self.live(slot).and_then(|m| {
                    if caller == 3 {
                        return Err(enc(&ChannelInvalidCloseAuthorization {
                            channelId: channel_id,
                            signer: mallory().address(),
                            payee: c.payee,
                        }));
                    }
                    let mut m = m;
                    if segments > m.settled {
                        if let Some(e) = self.voucher_error(slot, sig, &signature) {
                            return Err(e);
                        }
                        self.settle_model(slot, segments, m)?;
                        m = self.model[slot].unwrap();
                    }
                    let refunded = m.deposit - Self::price(slot) * U256::from(m.settled);
                    self.model[slot] = Some(Model { finalized: true, refunded, ..m });
                    Ok(())
                });
                let voucher = ByteVec(signature.to_packed().to_vec());
                let got = if relayed {
                    self.host.vm.set_sender(RELAYER);
                    self.contract.close_with_authorization(
                        c,
                        segments,
                        u64::MAX,
                        voucher,
                        ByteVec(authorization.to_packed().to_vec()),
                    )
                } else {
                    self.host.vm.set_sender(c.payee);
                    self.contract.close(c, segments, voucher)
                };
                (got, want)
            }
            Op::RequestClose { slot, by_payer } => {
                let c = self.channels[slot];
                let channel_id = self.id(slot);
                let caller = if by_payer { c.payer } else { c.payee };
                let now = self.now;
                let want = self.live(slot).and_then(|m| {
                    if m.requested_at != 0 {
                        return Err(enc(&ChannelCloseAlreadyRequested {
                            channelId: channel_id,
                            until: m.requested_at + GRACE,
                        }));
                    }
                    if caller != c.payer {
                        return Err(enc(&ChannelNotPayer { channelId: channel_id, caller }));
                    }
                    self.model[slot] = Some(Model { requested_at: now, ..m });
                    Ok(())
                });
                self.host.vm.set_sender(caller);
                (self.contract.request_close(c).map_err(Vec::from), want)
            }
            Op::Withdraw { slot, by_payer } => {
                let c = self.channels[slot];
                let channel_id = self.id(slot);
                let caller = if by_payer { c.payer } else { STRANGER };
                let now = self.now;
                let want = self.live(slot).and_then(|m| {
                    if m.requested_at == 0 {
                        return Err(enc(&ChannelCloseNotRequested { channelId: channel_id }));
                    }
                    let until = m.requested_at + GRACE;
                    if now < until {
                        return Err(enc(&ChannelGracePeriodActive {
                            channelId: channel_id,
                            until,
                            now,
                        }));
                    }
                    if caller != c.payer {
                        return Err(enc(&ChannelNotPayer { channelId: channel_id, caller }));
                    }
                    let refunded = m.deposit - Self::price(slot) * U256::from(m.settled);
                    self.model[slot] = Some(Model { finalized: true, refunded, ..m });
                    Ok(())
                });
                self.host.vm.set_sender(caller);
                (self.contract.withdraw(c), want)
            }
            Op::Warp { secs } => {
                self.now += secs;
                self.host.vm.set_block_timestamp(self.now);
                (Ok(()), Ok(()))
            }
        };
        prop_assert_eq!(&got, &want, "{:?}", op);
        if got.is_err() {
            prop_assert_eq!(&self.host.vm.snapshot().storage, &before, "refused but wrote");
            prop_assert_eq!(self.host.calls().len(), self.calls_seen, "refused but called");
        }
        self.read_calls()?;
        self.logs_seen = self.host.vm.get_emitted_logs().len();
        self.check_state()
    }

    /// Updates the ledger from the calls made since the last operation.
    fn read_calls(&mut self) -> Result<(), TestCaseError> {
        let calls = self.host.calls();
        for call in &calls[self.calls_seen..] {
            prop_assert_eq!(call.value, U256::ZERO);
            if let Ok(t) = transferFromCall::abi_decode(&call.data) {
                prop_assert_eq!(call.to, TOKEN);
                prop_assert_eq!(t.to, ADJUDICATOR);
                self.held += t.value;
            } else if let Ok(t) = transferFromWithKeyCall::abi_decode(&call.data) {
                prop_assert_eq!(call.to, AVATAR);
                prop_assert_eq!(t.to, ADJUDICATOR);
                self.held += t.amount;
            } else if let Ok(t) = transferCall::abi_decode(&call.data) {
                prop_assert_eq!(call.to, TOKEN);
                prop_assert!(!t.value.is_zero(), "no zero transfers");
                prop_assert!(t.value <= self.held, "paid out more than held");
                self.held -= t.value;
                *self.received.entry(t.to).or_default() += t.value;
            }
        }
        self.calls_seen = calls.len();
        Ok(())
    }

    fn check_state(&mut self) -> Result<(), TestCaseError> {
        let mut live_sum = U256::ZERO;
        let mut paid_to: HashMap<Address, U256> = HashMap::new();
        let mut refunded_to: HashMap<Address, U256> = HashMap::new();
        for slot in 0..SLOTS {
            let state = self.contract.channel_state(self.id(slot));
            let Some(m) = self.model[slot] else {
                prop_assert_eq!(state, (U256::ZERO, 0, 0, false, 0));
                continue;
            };
            prop_assert_eq!(
                (state.0, state.1, state.2, state.3),
                (m.deposit, m.settled, m.requested_at, m.finalized)
            );
            let phase = if m.finalized {
                PHASE_FINALIZED
            } else if m.requested_at == 0 {
                PHASE_OPEN
            } else if self.now < m.requested_at + GRACE {
                PHASE_CLOSING
            } else {
                PHASE_WITHDRAWABLE
            };
            prop_assert_eq!(state.4, phase, "phase");
            let price = Self::price(slot);
            prop_assert_eq!(m.paid, price * U256::from(m.settled));
            prop_assert!(
                m.paid <= price * U256::from(self.max_signed[slot]),
                "paid beyond what the signer signed"
            );
            if m.finalized {
                prop_assert_eq!(m.paid + m.refunded, m.deposit);
                match self.frozen[slot] {
                    Some(frozen) => prop_assert_eq!(frozen, state, "finalized channel changed"),
                    None => self.frozen[slot] = Some(state),
                }
            } else {
                live_sum += m.deposit - m.paid;
            }
            let c = self.channels[slot];
            *paid_to.entry(c.payee).or_default() += m.paid;
            *refunded_to.entry(c.payer).or_default() += m.refunded;
        }
        prop_assert_eq!(self.held, live_sum, "held != Σ live (deposit − paid)");
        for (payee, paid) in paid_to {
            prop_assert_eq!(self.received.get(&payee).copied().unwrap_or_default(), paid);
        }
        for (payer, refunded) in refunded_to {
            prop_assert_eq!(self.received.get(&payer).copied().unwrap_or_default(), refunded);
        }
        Ok(())
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// The contract agrees with the model after every operation of any sequence, and the
    /// conservation, payout and monotonicity properties of the module docs hold throughout.
    #[test]
    fn random_sequences_match_model_and_conserve_pti(ops in prop::collection::vec(op(), 1..40)) {
        let mut world = World::new();
        let mut settled_before = [0u64; SLOTS];
        for op in &ops {
            world.apply(op)?;
            for (slot, before) in settled_before.iter_mut().enumerate() {
                let now = world.contract.channel_state(world.id(slot)).1;
                prop_assert!(now >= *before, "settled segments decreased");
                *before = now;
            }
        }
    }
}

/// Closes the gap the random sequences leave: a payee who never closes cannot keep the
/// payer's deposit: after the grace period the payer always gets back everything unsettled.
#[test]
fn payer_always_exits_after_grace_period() {
    let mut world = World::new();
    let ops = [
        Op::Open { slot: 0, segments: 50, extra: 1, via: 0, wrong_caller: false, huge: false },
        Op::Settle { slot: 0, segments: 20, sig: Sig::Good },
        Op::RequestClose { slot: 0, by_payer: true },
        Op::Warp { secs: GRACE },
        Op::Withdraw { slot: 0, by_payer: true },
    ];
    for op in &ops {
        world.apply(op).unwrap();
    }
    let expected = U256::from(PRICES[0]) * U256::from(30) + U256::from(1);
    assert_eq!(world.received[&payer(0).address()], expected);
    assert_eq!(world.held, U256::ZERO);
}
