//! The purchase journeys over the wired suite.

use super::{
    address, eip712_domain, j, send_typed, Devnet, IParatiiAvatar, IParatiiToken, IUserRegistry,
    IVideoRegistry, IVideoStore, Meter, Permit, Signer, SolStruct, Suite, Vote, B256, PTI, U256,
};

/// The purchase journeys over the whole wired suite, every entry uncached then cached.
#[allow(clippy::too_many_lines)]
pub(crate) fn purchase_journeys(m: &mut Meter) -> Result<(), String> {
    let mut net = Devnet::new();
    let admin = address!("0x00000000000000000000000000000000000000a0");
    let holder = address!("0x00000000000000000000000000000000000000a1");
    let creator = address!("0x00000000000000000000000000000000000000c0");
    let suite = Suite::deploy(&mut net, admin, holder).map_err(|e| e.to_string())?;
    m.price_entries_of(&suite.programs());
    let price = PTI * U256::from(14);
    let salt = B256::repeat_byte(0x11);
    let video = paratii_contracts::video_id(creator, salt);
    let register = IVideoRegistry::registerVideoCall {
        salt,
        owner: creator,
        price,
        original: B256::repeat_byte(1),
        transcoded: B256::repeat_byte(2),
        metadata: B256::repeat_byte(3),
    };
    send_typed(&net, suite.videos, creator, &register)?;
    // A sale happened before (the creator and the pool hold PTI), as in the baseline's row 2.
    let earlier = address!("0x00000000000000000000000000000000000000b0");
    send_typed(
        &net,
        suite.token,
        holder,
        &IParatiiToken::transferCall { to: earlier, value: price },
    )?;
    send_typed(
        &net,
        suite.token,
        earlier,
        &IParatiiToken::approveCall { spender: suite.avatar, value: price },
    )?;
    send_typed(
        &net,
        suite.store,
        earlier,
        &IVideoStore::buyVideoCall {
            video_id: video,
            proof_of_buy: B256::repeat_byte(9),
            max_price: price,
        },
    )?;

    // A new buyer, funded with exactly the price.
    let buyer = Signer::from_seed(5);
    let b = buyer.address();
    send_typed(&net, suite.token, holder, &IParatiiToken::transferCall { to: b, value: price })?;
    let approve = IParatiiToken::approveCall { spender: suite.avatar, value: price };
    m.call(&net, j::APPROVE_AVATAR, b, suite.token, &approve)?;
    let snapshot = net.snapshot();
    send_typed(&net, suite.token, b, &approve)?;
    let buy = IVideoStore::buyVideoCall {
        video_id: video,
        proof_of_buy: B256::repeat_byte(9),
        max_price: price,
    };
    m.call(&net, j::BUY_VIDEO, b, suite.store, &buy)?;
    net.revert_to(&snapshot).map_err(|e| e.to_string())?;

    let deadline = U256::from(net.world().block.timestamp + 600);
    let chain_id = net.world().block.chain_id;
    let permit =
        Permit { owner: b, spender: suite.avatar, value: price, nonce: U256::ZERO, deadline };
    let domain = eip712_domain! { name: "Paratii", version: "1", chain_id: chain_id, verifying_contract: suite.token, };
    let sig = buyer.sign(permit.eip712_signing_hash(&domain));
    let buy_permit = IVideoStore::buyVideoWithPermitCall {
        video_id: video,
        proof_of_buy: B256::repeat_byte(9),
        max_price: price,
        value: price,
        deadline,
        v: sig.v,
        r: sig.r,
        s: sig.s,
    };
    m.call(&net, j::BUY_VIDEO_WITH_PERMIT, b, suite.store, &buy_permit)?;

    // Spending key: the user approves and authorises a key once; the key buys.
    let key = address!("0x00000000000000000000000000000000000000b9");
    send_typed(&net, suite.token, b, &approve)?;
    let expiry = net.world().block.timestamp + 3_600;
    let authorize = IParatiiAvatar::authorizeSpendingKeyCall { key, cap: price, expiry };
    m.call(&net, j::AUTHORIZE_SPENDING_KEY, b, suite.avatar, &authorize)?;
    send_typed(&net, suite.avatar, b, &authorize)?;
    let buy_for = IVideoStore::buyVideoForCall {
        user: b,
        video_id: video,
        proof_of_buy: B256::repeat_byte(9),
        max_price: price,
    };
    m.call(&net, j::BUY_VIDEO_FOR, key, suite.store, &buy_for)?;
    send_typed(&net, suite.store, key, &buy_for)?;

    let metadata = IUserRegistry::registerUserCall { metadata: B256::repeat_byte(7) };
    m.call(&net, j::REGISTER_USER, b, suite.users, &metadata)?;
    let like = IUserRegistry::likeVideoCall { video_id: video, liked: true };
    m.call(&net, j::LIKE_VIDEO, b, suite.users, &like)?;
    let posting = Signer::from_seed(6);
    let authorize_posting = IUserRegistry::authorizePostingKeyCall {
        user: b,
        key: posting.address(),
        expiry: expiry - 1,
    };
    m.call(&net, j::AUTHORIZE_POSTING_KEY, b, suite.users, &authorize_posting)?;
    send_typed(&net, suite.users, b, &authorize_posting)?;
    let vote = Vote { user: b, videoId: video, liked: true, nonce: U256::ZERO, deadline };
    let users_domain = eip712_domain! { name: "Paratii Users", version: "1", chain_id: chain_id, verifying_contract: suite.users, };
    let vote_sig = posting.sign(vote.eip712_signing_hash(&users_domain));
    let by_sig = IUserRegistry::likeVideoBySigCall {
        user: b,
        video_id: video,
        liked: true,
        deadline,
        signature: vote_sig.to_packed().to_vec().into(),
    };
    m.call(&net, j::LIKE_VIDEO_BY_SIG, holder, suite.users, &by_sig)?;
    let pool = net
        .view(suite.token, &IParatiiToken::balanceOfCall { owner: suite.avatar })
        .map_err(|e| e.to_string())?;
    let disburse = IParatiiAvatar::disburseCall { recipients: vec![creator], amounts: vec![pool] };
    m.call(&net, j::DISBURSE, admin, suite.avatar, &disburse)?;
    Ok(())
}
