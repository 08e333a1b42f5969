//! The golden vectors in `channel/testdata/`, signed by cast.

use super::*;

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
        serde_json::from_str(include_str!("../../testdata/voucher.json")).expect("should be JSON");
    let facts: serde_json::Value =
        serde_json::from_str(include_str!("../../testdata/channel.json")).expect("should be JSON");
    let sig_hex = include_str!("../../testdata/voucher.sig").trim();
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
        channelId: json["message"]["channelId"].as_str().unwrap().parse().unwrap(),
        segments: json["message"]["segments"].as_u64().unwrap(),
    };
    let domain = domain_on(
        domain["chainId"].as_u64().unwrap(),
        domain["verifyingContract"].as_str().unwrap().parse().unwrap(),
    );
    assert_eq!(json["domain"]["name"], "Paratii Channels");
    assert_eq!(json["domain"]["version"], "1");
    assert_eq!(typed.eip712_signing_hash(&domain), GOLDEN_DIGEST);
    assert_eq!(contract.domain_separator().to_string(), facts["domainSeparator"].as_str().unwrap());
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
    contract.settle(c, 1_000, ByteVec(GOLDEN_SIG.to_vec())).unwrap();
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
        serde_json::from_str(include_str!("../../testdata/close.json")).expect("should be JSON");
    let sig = hex::decode(include_str!("../../testdata/close.sig").trim()).unwrap();
    assert_eq!(json["primaryType"], "CloseAuthorization");
    assert_eq!(json["domain"]["name"], "Paratii Channels");
    let typed = CloseAuthorization {
        channelId: json["message"]["channelId"].as_str().unwrap().parse().unwrap(),
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
