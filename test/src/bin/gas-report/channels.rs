//! The payment-channel journeys over the wired suite.

use super::{
    address, eip712_domain, j, send_typed, Address, Channel, CloseAuthorization, Devnet,
    IParatiiAvatar, IParatiiToken, IPaymentChannels, Meter, Permit, SettleItem, Signer, SolStruct,
    Suite, Voucher, B256, PTI, U256,
};

/// A channel of the gas journeys: `payer` pays `recipient` 10¹² wei (10⁻⁶ PTI) per segment; the
/// salt is a small counter, as a payer's client numbers its channels to one payee.
fn channel_of(payer: Address, recipient: Address, salt: u8) -> Channel {
    Channel {
        payer,
        payee: recipient,
        signer: Address::ZERO,
        videoId: B256::repeat_byte(0x11),
        pricePerSegment: U256::from(1_000_000_000_000u64),
        salt: B256::from(U256::from(salt)),
    }
}

/// The payment-channel journeys over the wired suite, every entry uncached then cached. The
/// payee already holds PTI (a producer who was paid before), so payouts update a balance.
#[allow(clippy::too_many_lines)]
pub(crate) fn channel_journeys(m: &mut Meter) -> Result<(), String> {
    let mut net = Devnet::new();
    let admin = address!("0x00000000000000000000000000000000000000a0");
    let holder = address!("0x00000000000000000000000000000000000000a1");
    let producer = address!("0x00000000000000000000000000000000000000c0");
    let relayer = address!("0x00000000000000000000000000000000000000e1");
    let suite = Suite::deploy(&mut net, admin, holder).map_err(|e| e.to_string())?;
    m.price_entries_of(&suite.programs());
    let fund = |who: Address, amount: U256| {
        send_typed(
            &net,
            suite.token,
            holder,
            &IParatiiToken::transferCall { to: who, value: amount },
        )
    };
    fund(producer, PTI)?;
    let chain_id = net.world().block.chain_id;
    let domain = eip712_domain! { name: "Paratii Channels", version: "1", chain_id: chain_id, verifying_contract: suite.channels, };
    let deposit = PTI * U256::from(2);

    // Viewers, each funded and approving the adjudicator; 11 channels to the producer, and the
    // twelfth viewer opens once the adjudicator holds escrow.
    let viewers: Vec<Signer> = (0..12).map(|i| Signer::from_seed(300 + i)).collect();
    for v in &viewers {
        fund(v.address(), deposit)?;
        send_typed(
            &net,
            suite.token,
            v.address(),
            &IParatiiToken::approveCall { spender: suite.channels, value: deposit },
        )?;
    }
    let first = channel_of(viewers[0].address(), producer, 0);
    let open = IPaymentChannels::openCall { channel: first.clone(), deposit };
    m.call(&net, j::OPEN_FIRST, first.payer, suite.channels, &open)?;

    // A first channel in one transaction: permit + open.
    let fresh = Signer::from_seed(399);
    fund(fresh.address(), deposit)?;
    let deadline = U256::from(net.world().block.timestamp + 600);
    let permit = Permit {
        owner: fresh.address(),
        spender: suite.channels,
        value: deposit,
        nonce: U256::ZERO,
        deadline,
    };
    let token_domain = eip712_domain! { name: "Paratii", version: "1", chain_id: chain_id, verifying_contract: suite.token, };
    let sig = fresh.sign(permit.eip712_signing_hash(&token_domain));
    let with_permit = IPaymentChannels::openWithPermitCall {
        channel: channel_of(fresh.address(), producer, 99),
        deposit,
        deadline,
        v: sig.v,
        r: sig.r,
        s: sig.s,
    };
    m.call(&net, j::OPEN_WITH_PERMIT, fresh.address(), suite.channels, &with_permit)?;

    // A spending key opens for its user through the avatar.
    let user = address!("0x00000000000000000000000000000000000000b7");
    let key = address!("0x00000000000000000000000000000000000000b8");
    fund(user, deposit)?;
    send_typed(
        &net,
        suite.token,
        user,
        &IParatiiToken::approveCall { spender: suite.avatar, value: deposit },
    )?;
    let expiry = net.world().block.timestamp + 3_600;
    send_typed(
        &net,
        suite.avatar,
        user,
        &IParatiiAvatar::authorizeSpendingKeyCall { key, cap: deposit, expiry },
    )?;
    let open_for =
        IPaymentChannels::openForCall { channel: channel_of(user, producer, 98), deposit };
    m.call(&net, j::OPEN_FOR, key, suite.channels, &open_for)?;

    let mut channels = Vec::new();
    for (i, v) in viewers.iter().take(11).enumerate() {
        let ch = channel_of(v.address(), producer, u8::try_from(i).unwrap_or(0));
        send_typed(
            &net,
            suite.channels,
            v.address(),
            &IPaymentChannels::openCall { channel: ch.clone(), deposit },
        )?;
        channels.push(ch);
    }
    // The usual open: the adjudicator already holds other channels' escrow.
    let twelfth = channel_of(viewers[11].address(), producer, 11);
    let open = IPaymentChannels::openCall { channel: twelfth.clone(), deposit };
    m.call(&net, j::OPEN, twelfth.payer, suite.channels, &open)?;
    let voucher = |signer: &Signer,
                   ch: &Channel,
                   segments: u64|
     -> Result<paratii_contracts::ecdsa::Signature, String> {
        let id = net
            .view(suite.channels, &IPaymentChannels::channelIdCall { channel: ch.clone() })
            .map_err(|e| e.to_string())?;
        Ok(signer.sign(Voucher { channelId: id, segments }.eip712_signing_hash(&domain)))
    };
    let top_up =
        IPaymentChannels::topUpCall { channel: channels[0].clone(), amount: U256::from(1) };
    send_typed(
        &net,
        suite.token,
        viewers[0].address(),
        &IParatiiToken::approveCall { spender: suite.channels, value: U256::MAX },
    )?;
    fund(viewers[0].address(), U256::from(1))?;
    m.call(&net, j::TOP_UP, viewers[0].address(), suite.channels, &top_up)?;
    for segments in [10u64, 1_000_000] {
        let sig = voucher(&viewers[0], &channels[0], segments)?;
        let settle = IPaymentChannels::settleCall {
            channel: channels[0].clone(),
            segments,
            voucher_signature: sig.to_packed().to_vec().into(),
        };
        let journey = if segments == 10 { j::SETTLE_10 } else { j::SETTLE_1M };
        m.call(&net, journey, relayer, suite.channels, &settle)?;
    }
    let sig = voucher(&viewers[0], &channels[0], 137)?;
    let close = IPaymentChannels::closeCall {
        channel: channels[0].clone(),
        segments: 137,
        voucher_signature: sig.to_packed().to_vec().into(),
    };
    m.call(&net, j::CLOSE, producer, suite.channels, &close)?;
    // The ad case: a viewer with no ETH (a key, so a random 20-byte address in the calldata) is
    // the payee, and a relayer closes with the viewer's authorization.
    let viewer_key = Signer::from_seed(77);
    let advertised = channel_of(viewers[11].address(), viewer_key.address(), 97);
    send_typed(
        &net,
        suite.channels,
        viewers[11].address(),
        &IPaymentChannels::openCall { channel: advertised.clone(), deposit },
    )?;
    let deadline = net.world().block.timestamp + 600;
    let id = net
        .view(suite.channels, &IPaymentChannels::channelIdCall { channel: advertised.clone() })
        .map_err(|e| e.to_string())?;
    let authorization = viewer_key.sign(
        CloseAuthorization { channelId: id, segments: 137, deadline }.eip712_signing_hash(&domain),
    );
    let close_relayed = IPaymentChannels::closeWithAuthorizationCall {
        channel: advertised.clone(),
        segments: 137,
        deadline,
        voucher_signature: voucher(&viewers[11], &advertised, 137)?.to_packed().to_vec().into(),
        close_authorization: authorization.to_packed().to_vec().into(),
    };
    m.call(&net, j::CLOSE_WITH_AUTHORIZATION, relayer, suite.channels, &close_relayed)?;
    let request = IPaymentChannels::requestCloseCall { channel: channels[0].clone() };
    m.call(&net, j::REQUEST_CLOSE, viewers[0].address(), suite.channels, &request)?;
    let snapshot = net.snapshot();
    send_typed(&net, suite.channels, viewers[0].address(), &request)?;
    net.advance_time(paratii_test::GRACE_PERIOD).map_err(|e| e.to_string())?;
    let withdraw = IPaymentChannels::withdrawCall { channel: channels[0].clone() };
    m.call(&net, j::WITHDRAW, viewers[0].address(), suite.channels, &withdraw)?;
    net.revert_to(&snapshot).map_err(|e| e.to_string())?;

    let items = |n: usize| -> Result<IPaymentChannels::settleBatchCall, String> {
        let mut items = Vec::new();
        for (v, ch) in viewers.iter().zip(&channels).take(n) {
            let sig = voucher(v, ch, 50)?;
            items.push(SettleItem {
                channel: ch.clone(),
                segments: 50,
                v: sig.v,
                r: sig.r,
                s: sig.s,
            });
        }
        Ok(IPaymentChannels::settleBatchCall { items })
    };
    m.call(&net, j::SETTLE_BATCH_1, producer, suite.channels, &items(1)?)?;
    m.call(&net, j::SETTLE_BATCH_11, producer, suite.channels, &items(11)?)?;
    Ok(())
}
