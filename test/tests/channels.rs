//! The payment-channel adjudicator end to end on the devnet, through the generated ABI, over the
//! whole wired suite (PTI and the avatar fixed at construction): the issue's
//! four journeys — a viewer streams 300 segments and stops at 137; an advertiser pays a viewer
//! per segment; a payer exits through the grace period after the payee vanished; a producer
//! settles 100 viewers' channels in one batch with two bad items — plus the permit and
//! spending-key openings. Vouchers are signed off chain with real keys (EIP-712, alloy), checked
//! on chain through `ecrecover`.

mod common;

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::{eip712_domain, Eip712Domain, SolCall, SolError, SolStruct};
use common::{Chain, ADMIN, HOLDER};
use paratii_contracts::{
    channels::{CloseAuthorization, Voucher},
    signing::Signer,
    token::Permit,
};
use paratii_devnet::{Devnet, Receipt};
use paratii_test::{
    interfaces::{
        IParatiiAvatar, IParatiiToken,
        IPaymentChannels::{self, Channel, SettleItem},
    },
    GRACE_PERIOD, PTI,
};

const PRODUCER: Address = address!("0x00000000000000000000000000000000000000c0");
const RELAYER: Address = address!("0x00000000000000000000000000000000000000e1");
const VIDEO: B256 = B256::repeat_byte(0x11);

/// 0.01 PTI per segment.
fn price() -> U256 {
    PTI / U256::from(100)
}

impl Chain {
    /// Gives `who` `amount` PTI and approves it all to the adjudicator.
    fn fund_and_approve(&self, who: Address, amount: U256) {
        self.ok(HOLDER, self.s.token, &IParatiiToken::transferCall { to: who, value: amount });
        self.ok(
            who,
            self.s.token,
            &IParatiiToken::approveCall { spender: self.s.channels, value: amount },
        );
    }

    fn domain(&self) -> Eip712Domain {
        eip712_domain! {
            name: "Paratii Channels", version: "1", chain_id: self.net.world().block.chain_id,
            verifying_contract: self.s.channels,
        }
    }

    fn id(&self, channel: &Channel) -> B256 {
        self.net
            .view(self.s.channels, &IPaymentChannels::channelIdCall { channel: channel.clone() })
            .unwrap()
    }

    /// A voucher for `segments` in total, signed by `signer`, packed r ‖ s ‖ v.
    fn voucher(&self, signer: &Signer, channel: &Channel, segments: u64) -> Vec<u8> {
        let voucher = Voucher { channelId: self.id(channel), segments };
        signer.sign(voucher.eip712_signing_hash(&self.domain())).to_packed().to_vec()
    }

    fn open(&self, channel: &Channel, deposit: U256) -> Receipt {
        self.ok(
            channel.payer,
            self.s.channels,
            &IPaymentChannels::openCall { channel: channel.clone(), deposit },
        )
    }

    /// The payee's close authorization of `channel` at `segments` until `deadline`, packed.
    fn close_authorization(
        &self,
        payee: &Signer,
        channel: &Channel,
        segments: u64,
        deadline: u64,
    ) -> Vec<u8> {
        let auth = CloseAuthorization { channelId: self.id(channel), segments, deadline };
        payee.sign(auth.eip712_signing_hash(&self.domain())).to_packed().to_vec()
    }

    /// `(deposit, settled, close requested at, finalized, phase)`.
    fn state(&self, channel: &Channel) -> (U256, u64, u64, bool, u8) {
        let s = self
            .net
            .view(
                self.s.channels,
                &IPaymentChannels::channelStateCall { channel_id: self.id(channel) },
            )
            .unwrap();
        (s._0, s._1, s._2, s._3, s._4)
    }
}

fn channel(payer: Address, recipient: Address, signer: Address, salt: u8) -> Channel {
    Channel {
        payer,
        payee: recipient,
        signer,
        videoId: VIDEO,
        pricePerSegment: price(),
        salt: B256::repeat_byte(salt),
    }
}

#[test]
fn viewer_streams_300_segments_stops_at_137_and_close_pays_exactly_137() {
    let c = Chain::new();
    let viewer = address!("0x00000000000000000000000000000000000000b1");
    // The player's session key signs every segment; the main wallet signed once (the open).
    let session = Signer::from_seed(901);
    let ch = channel(viewer, PRODUCER, session.address(), 1);
    let deposit = price() * U256::from(300);
    c.fund_and_approve(viewer, deposit);
    let opened = c.open(&ch, deposit);
    let id = c.id(&ch);
    assert_eq!(opened.events::<IPaymentChannels::ChannelOpened>(c.s.channels)[0].deposit, deposit);
    assert_eq!(c.pti_of(c.s.channels), deposit);

    // One voucher per segment, off chain; the viewer stops after segment 137.
    let vouchers: Vec<Vec<u8>> = (1..=137).map(|n| c.voucher(&session, &ch, n)).collect();
    let last = vouchers.last().unwrap().clone();
    let closed = c.ok(
        PRODUCER,
        c.s.channels,
        &IPaymentChannels::closeCall {
            channel: ch.clone(),
            segments: 137,
            voucher_signature: last.into(),
        },
    );
    let paid = price() * U256::from(137);
    assert_eq!(c.pti_of(PRODUCER), paid);
    assert_eq!(c.pti_of(viewer), deposit - paid);
    assert_eq!(c.pti_of(c.s.channels), U256::ZERO);
    let record = &closed.events::<IPaymentChannels::ChannelClosed>(c.s.channels)[0];
    assert_eq!(
        (record.channelId, record.segments, record.paid, record.refunded),
        (id, 137, paid, deposit - paid)
    );
    assert!(c.state(&ch).3, "finalized");
    // An older voucher can no longer move anything.
    let data = c.reverts(
        RELAYER,
        c.s.channels,
        &IPaymentChannels::settleCall {
            channel: ch,
            segments: 100,
            voucher_signature: vouchers[99].clone().into(),
        },
    );
    assert_eq!(data[..4], IPaymentChannels::ChannelFinalized::SELECTOR);
}

#[test]
fn advertiser_pays_viewer_per_segment_settled_by_a_relayer_then_closed() {
    let c = Chain::new();
    // The negative price: the advertiser is the payer, the viewer the payee.
    let advertiser = Signer::from_seed(902);
    let viewer = address!("0x00000000000000000000000000000000000000b2");
    let ch = channel(advertiser.address(), viewer, Address::ZERO, 2);
    let deposit = price() * U256::from(60);
    c.fund_and_approve(advertiser.address(), deposit);
    c.open(&ch, deposit);
    // The viewer holds no ETH: a relayer settles the advertiser's voucher for 20 segments.
    let settled = c.ok(
        RELAYER,
        c.s.channels,
        &IPaymentChannels::settleCall {
            channel: ch.clone(),
            segments: 20,
            voucher_signature: c.voucher(&advertiser, &ch, 20).into(),
        },
    );
    assert_eq!(
        settled.events::<IPaymentChannels::ChannelSettled>(c.s.channels)[0].amount,
        price() * U256::from(20)
    );
    assert_eq!(c.pti_of(viewer), price() * U256::from(20));
    // The viewer watches the whole ad (30 segments) and closes: only the delta moves.
    c.ok(
        viewer,
        c.s.channels,
        &IPaymentChannels::closeCall {
            channel: ch.clone(),
            segments: 30,
            voucher_signature: c.voucher(&advertiser, &ch, 30).into(),
        },
    );
    assert_eq!(c.pti_of(viewer), price() * U256::from(30));
    assert_eq!(c.pti_of(advertiser.address()), price() * U256::from(30));
}

#[test]
fn payer_exits_after_grace_period_when_payee_vanished() {
    let c = Chain::new();
    let viewer = address!("0x00000000000000000000000000000000000000b3");
    let ch = channel(viewer, PRODUCER, Address::ZERO, 3);
    let deposit = price() * U256::from(100);
    c.fund_and_approve(viewer, deposit);
    c.open(&ch, deposit);
    let requested =
        c.ok(viewer, c.s.channels, &IPaymentChannels::requestCloseCall { channel: ch.clone() });
    let until = c.now() + GRACE_PERIOD;
    assert_eq!(
        requested.events::<IPaymentChannels::ChannelCloseRequested>(c.s.channels)[0].until,
        until
    );
    // During the grace period the payer cannot withdraw.
    let data =
        c.reverts(viewer, c.s.channels, &IPaymentChannels::withdrawCall { channel: ch.clone() });
    assert_eq!(data[..4], IPaymentChannels::ChannelGracePeriodActive::SELECTOR);
    // The payee never shows up; the grace period passes.
    c.net.set_timestamp(until).unwrap();
    let closed =
        c.ok(viewer, c.s.channels, &IPaymentChannels::withdrawCall { channel: ch.clone() });
    assert_eq!(c.pti_of(viewer), deposit);
    let record = &closed.events::<IPaymentChannels::ChannelClosed>(c.s.channels)[0];
    assert_eq!((record.paid, record.refunded), (U256::ZERO, deposit));
    assert_eq!(c.state(&ch).4, 4, "finalized");
}

#[test]
fn producer_settles_100_channels_in_one_batch_skipping_two_bad_items() {
    let c = Chain::new();
    let deposit = price() * U256::from(50);
    let mut items = Vec::new();
    let mut expected = U256::ZERO;
    for i in 0..100u8 {
        let viewer = Signer::from_seed(1_000 + u64::from(i));
        let ch = channel(viewer.address(), PRODUCER, Address::ZERO, i);
        c.fund_and_approve(viewer.address(), deposit);
        c.open(&ch, deposit);
        let segments = 10 + u64::from(i % 40);
        let signature = match i {
            // Signed by someone else.
            40 => c.voucher(&Signer::from_seed(7), &ch, segments),
            // Worth more than the deposit.
            70 => c.voucher(&viewer, &ch, 51),
            _ => {
                expected += price() * U256::from(segments);
                c.voucher(&viewer, &ch, segments)
            }
        };
        let sig = paratii_contracts::ecdsa::Signature::from_packed(&signature).unwrap();
        items.push(SettleItem {
            channel: ch,
            segments: if i == 70 { 51 } else { segments },
            v: sig.v,
            r: sig.r,
            s: sig.s,
        });
    }
    let receipt = c.ok(PRODUCER, c.s.channels, &IPaymentChannels::settleBatchCall { items });
    let skipped = receipt.events::<IPaymentChannels::ChannelSettleSkipped>(c.s.channels);
    assert_eq!(
        skipped.iter().map(|e| e.index).collect::<Vec<_>>(),
        vec![U256::from(40), U256::from(70)]
    );
    assert_eq!(receipt.events::<IPaymentChannels::ChannelSettled>(c.s.channels).len(), 98);
    // One token transfer for the whole batch.
    let transfers = receipt.events::<IParatiiToken::Transfer>(c.s.token);
    assert_eq!(transfers.len(), 1);
    assert_eq!(
        (transfers[0].from, transfers[0].to, transfers[0].value),
        (c.s.channels, PRODUCER, expected)
    );
    assert_eq!(c.pti_of(PRODUCER), expected);
    assert_eq!(c.pti_of(c.s.channels), deposit * U256::from(100) - expected);
}

#[test]
fn open_with_permit_needs_no_prior_approve() {
    let c = Chain::new();
    let viewer = Signer::from_seed(903);
    let v = viewer.address();
    let deposit = price() * U256::from(10);
    c.ok(HOLDER, c.s.token, &IParatiiToken::transferCall { to: v, value: deposit });
    let deadline = U256::from(c.now() + 600);
    let permit =
        Permit { owner: v, spender: c.s.channels, value: deposit, nonce: U256::ZERO, deadline };
    let domain = eip712_domain! {
        name: "Paratii", version: "1", chain_id: c.net.world().block.chain_id,
        verifying_contract: c.s.token,
    };
    let sig = viewer.sign(permit.eip712_signing_hash(&domain));
    let ch = channel(v, PRODUCER, Address::ZERO, 4);
    c.ok(
        v,
        c.s.channels,
        &IPaymentChannels::openWithPermitCall {
            channel: ch.clone(),
            deposit,
            deadline,
            v: sig.v,
            r: sig.r,
            s: sig.s,
        },
    );
    assert_eq!(c.state(&ch).0, deposit);
    assert_eq!(c.pti_of(v), U256::ZERO);
}

#[test]
fn spending_key_opens_for_its_user_through_the_avatar_within_cap() {
    let c = Chain::new();
    let user = address!("0x00000000000000000000000000000000000000b5");
    let key = Signer::from_seed(904);
    let deposit = price() * U256::from(10);
    c.ok(
        HOLDER,
        c.s.token,
        &IParatiiToken::transferCall { to: user, value: deposit * U256::from(3) },
    );
    c.ok(user, c.s.token, &IParatiiToken::approveCall { spender: c.s.avatar, value: U256::MAX });
    c.ok(
        user,
        c.s.avatar,
        &IParatiiAvatar::authorizeSpendingKeyCall {
            key: key.address(),
            cap: deposit,
            expiry: c.now() + 3_600,
        },
    );
    // The key opens a channel paid by the user, and is the channel's signer.
    let ch = channel(user, PRODUCER, key.address(), 5);
    c.ok(
        key.address(),
        c.s.channels,
        &IPaymentChannels::openForCall { channel: ch.clone(), deposit },
    );
    assert_eq!(c.state(&ch).0, deposit);
    assert_eq!(c.pti_of(user), deposit * U256::from(2));
    // The cap is spent: a second channel is refused by the avatar.
    let data = c.reverts(
        key.address(),
        c.s.channels,
        &IPaymentChannels::openForCall {
            channel: channel(user, PRODUCER, key.address(), 6),
            deposit,
        },
    );
    assert_eq!(data[..4], IParatiiAvatar::AvatarSpendingCapExceeded::SELECTOR);
    // The key's vouchers pay the producer.
    c.ok(
        PRODUCER,
        c.s.channels,
        &IPaymentChannels::closeCall {
            channel: ch.clone(),
            segments: 4,
            voucher_signature: c.voucher(&key, &ch, 4).into(),
        },
    );
    assert_eq!(c.pti_of(PRODUCER), price() * U256::from(4));
}

#[test]
fn close_by_anyone_carrying_the_payees_authorization() {
    let c = Chain::new();
    let viewer = Signer::from_seed(905);
    let producer = Signer::from_seed(906);
    let ch = channel(viewer.address(), producer.address(), Address::ZERO, 7);
    let deposit = price() * U256::from(10);
    c.fund_and_approve(viewer.address(), deposit);
    c.open(&ch, deposit);
    let deadline = c.now() + 600;
    c.ok(
        RELAYER,
        c.s.channels,
        &IPaymentChannels::closeWithAuthorizationCall {
            channel: ch.clone(),
            segments: 6,
            deadline,
            voucher_signature: c.voucher(&viewer, &ch, 6).into(),
            close_authorization: c.close_authorization(&producer, &ch, 6, deadline).into(),
        },
    );
    assert_eq!(c.pti_of(producer.address()), price() * U256::from(6));
    assert_eq!(c.pti_of(viewer.address()), price() * U256::from(4));
}

/// Attack (review, low): the payee (a viewer paid by an advertiser) signed a close at 40 with a
/// ten-minute deadline, then, after it passed, accepted vouchers up to 80. The advertiser
/// replays the old authorization: refused with the deadline and the time; the payee then closes
/// at 80. Before the fix the channel closed at 40 and the payee lost 0.4 PTI.
#[test]
fn stale_close_authorization_cannot_close_below_a_later_agreement() {
    let c = Chain::new();
    let advertiser = Signer::from_seed(908);
    let viewer = Signer::from_seed(909);
    let ch = channel(advertiser.address(), viewer.address(), Address::ZERO, 9);
    let deposit = price() * U256::from(100);
    c.fund_and_approve(advertiser.address(), deposit);
    c.open(&ch, deposit);
    let deadline = c.now() + 600;
    let stale = c.close_authorization(&viewer, &ch, 40, deadline);
    c.net.set_timestamp(deadline + 1).unwrap();
    let replay = IPaymentChannels::closeWithAuthorizationCall {
        channel: ch.clone(),
        segments: 40,
        deadline,
        voucher_signature: c.voucher(&advertiser, &ch, 40).into(),
        close_authorization: stale.into(),
    };
    assert_eq!(
        c.reverts(RELAYER, c.s.channels, &replay),
        IPaymentChannels::ChannelCloseAuthorizationExpired {
            channelId: c.id(&ch),
            deadline,
            now: deadline + 1,
        }
        .abi_encode()
    );
    // The viewer's close at the later agreement, relayed with a fresh authorization.
    let fresh = c.now() + 600;
    c.ok(
        RELAYER,
        c.s.channels,
        &IPaymentChannels::closeWithAuthorizationCall {
            channel: ch.clone(),
            segments: 80,
            deadline: fresh,
            voucher_signature: c.voucher(&advertiser, &ch, 80).into(),
            close_authorization: c.close_authorization(&viewer, &ch, 80, fresh).into(),
        },
    );
    assert_eq!(c.pti_of(viewer.address()), price() * U256::from(80));
    assert_eq!(c.pti_of(advertiser.address()), price() * U256::from(20));
}

/// Attack (review, critical): whoever holds the registry points `ParatiiAvatar` (and
/// `ParatiiToken`) at a contract that answers `true` to everything, then opens, as a "spending
/// key", a channel funded by nothing and tries to settle it out of a victim's escrow. The
/// adjudicator never looks either up: the open goes to the real avatar, which refuses the
/// unknown key, and the victim's escrow stays whole.
#[test]
fn repointed_registry_avatar_cannot_fund_a_channel_with_nothing() {
    let mut c = Chain::new();
    let victim = Signer::from_seed(910);
    let escrow = PTI;
    let victims = channel(victim.address(), PRODUCER, Address::ZERO, 10);
    c.fund_and_approve(victim.address(), escrow);
    c.open(&victims, escrow);
    let fake = c.net.deploy(ADMIN, &common::always_true(), None).unwrap();
    c.repoint(paratii_contracts::names::PARATII_AVATAR.name, fake);
    c.repoint(paratii_contracts::names::PARATII_TOKEN.name, fake);
    let attacker = Signer::from_seed(911);
    let loot = channel(attacker.address(), RELAYER, attacker.address(), 11);
    let refused = c.reverts(
        attacker.address(),
        c.s.channels,
        &IPaymentChannels::openForCall { channel: loot.clone(), deposit: escrow },
    );
    assert_eq!(
        refused,
        IParatiiAvatar::AvatarUnknownSpendingKey {
            user: attacker.address(),
            key: attacker.address(),
        }
        .abi_encode()
    );
    assert_eq!(c.state(&loot).0, U256::ZERO);
    assert_eq!(c.pti_of(c.s.channels), escrow);
    // A real spending key still opens with real PTI, whatever the registry says.
    let user = address!("0x00000000000000000000000000000000000000b6");
    let key = Signer::from_seed(912);
    c.ok(HOLDER, c.s.token, &IParatiiToken::transferCall { to: user, value: escrow });
    c.ok(user, c.s.token, &IParatiiToken::approveCall { spender: c.s.avatar, value: escrow });
    c.ok(
        user,
        c.s.avatar,
        &IParatiiAvatar::authorizeSpendingKeyCall {
            key: key.address(),
            cap: escrow,
            expiry: c.now() + 3_600,
        },
    );
    c.ok(
        key.address(),
        c.s.channels,
        &IPaymentChannels::openForCall {
            channel: channel(user, PRODUCER, key.address(), 12),
            deposit: escrow,
        },
    );
    assert_eq!(c.pti_of(c.s.channels), escrow + escrow);
    assert_eq!(c.pti_of(user), U256::ZERO);
}

/// A hostile PTI for [`reentrant_token_cannot_settle_twice_during_a_payout`]: `transferFrom`
/// returns true (moving nothing); the first `transfer` calls `target` with `calldata` (both baked
/// in), records the call's status byte at storage slot 1, and returns true.
fn hostile_token(target: Address, calldata: &[u8]) -> Vec<u8> {
    let wat = format!(
        r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "storage_load_bytes32" (func $load (param i32 i32)))
  (import "vm_hooks" "storage_cache_bytes32" (func $cache (param i32 i32)))
  (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
  (import "vm_hooks" "call_contract" (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 2048) "{target}")
  (data (i32.const 2112) "{calldata}")
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (local $sel i32)
    (call $read_args (i32.const 0))
    (local.set $sel (i32.load (i32.const 0)))
    ;; transfer(address,uint256): a9059cbb, armed once (slot 0 holds the flag)
    (if (i32.eq (local.get $sel) (i32.const 0xbb9c05a9)) (then
      (call $load (i32.const 1000) (i32.const 1064))
      (if (i32.eqz (i32.load8_u (i32.const 1095))) (then
        (i32.store8 (i32.const 1095) (i32.const 1))
        (call $cache (i32.const 1000) (i32.const 1064))
        (call $flush (i32.const 0))
        (i32.store8 (i32.const 1159)
          (call $call (i32.const 2048) (i32.const 2112) (i32.const {len})
            (i32.const 1200) (i64.const 5000000) (i32.const 1300)))
        (i32.store8 (i32.const 1063) (i32.const 1))
        (call $cache (i32.const 1032) (i32.const 1128))
        (call $flush (i32.const 0))))))
    ;; every call answers `true`
    (i32.store8 (i32.const 1431) (i32.const 1))
    (call $write_result (i32.const 1400) (i32.const 32))
    (i32.const 0)))"#,
        target = common::wat_bytes(target.as_slice()),
        calldata = common::wat_bytes(calldata),
        len = calldata.len(),
    );
    wat::parse_str(wat).expect("the hostile token should assemble")
}

#[test]
fn reentrant_token_cannot_settle_twice_during_a_payout() {
    let mut net = Devnet::new();
    let admin = ADMIN;
    // The token is deployed first, a stub avatar naming it second, the adjudicator third: their
    // addresses are known up front.
    let token_at = paratii_devnet::create_address(admin, 0);
    let channels_at = paratii_devnet::create_address(admin, 2);
    let payer = Signer::from_seed(907);
    let ch = channel(payer.address(), PRODUCER, Address::ZERO, 8);
    let chain_id = net.world().block.chain_id;
    let domain = eip712_domain! {
        name: "Paratii Channels", version: "1", chain_id: chain_id,
        verifying_contract: channels_at,
    };
    let id = paratii_contracts::eip712::channel_id(
        chain_id,
        channels_at,
        &paratii_contracts::channels::Channel {
            payer: ch.payer,
            payee: ch.payee,
            signer: ch.signer,
            videoId: ch.videoId,
            pricePerSegment: ch.pricePerSegment,
            salt: ch.salt,
        },
    );
    let sig = payer.sign(Voucher { channelId: id, segments: 10 }.eip712_signing_hash(&domain));
    let settle = IPaymentChannels::settleCall {
        channel: ch.clone(),
        segments: 10,
        voucher_signature: sig.to_packed().to_vec().into(),
    };
    let token = net.deploy(admin, &hostile_token(channels_at, &settle.abi_encode()), None).unwrap();
    assert_eq!(token, token_at);
    let avatar = net.deploy(admin, &common::answering(token.into_word()), None).unwrap();
    let mut args = avatar.into_word().to_vec();
    args.extend_from_slice(token.into_word().as_slice());
    args.extend_from_slice(&U256::from(GRACE_PERIOD).to_be_bytes::<32>());
    let channels = net.deploy(admin, &paratii_test::wasm("channel").unwrap(), Some(&args)).unwrap();
    assert_eq!(channels, channels_at);
    net.send_receipt(
        ch.payer,
        channels,
        &IPaymentChannels::openCall { channel: ch.clone(), deposit: price() * U256::from(100) },
    )
    .expect("open");
    // The relayer's settle pays out; during the payout the token re-enters with the same
    // voucher. The inner call fails (the state was written before the transfer, and the SDK
    // refuses re-entry); the outer settle completes once.
    let receipt = net.send_receipt(RELAYER, channels, &settle).expect("settle");
    assert_eq!(net.world().storage(token, U256::from(1)), B256::with_last_byte(2));
    assert_eq!(receipt.events::<IPaymentChannels::ChannelSettled>(channels).len(), 1);
    let state = net.view(channels, &IPaymentChannels::channelStateCall { channel_id: id }).unwrap();
    assert_eq!(state._1, 10);
}
