//! Journeys on one contract at a time, each program deployed alone.

use super::{
    address, eip712_domain, j, send_typed, wasm, Devnet, IParatiiRegistry, IParatiiToken,
    ISendEther, IVideoRegistry, Meter, Permit, Signer, SolCall, SolStruct, SolValue, BOB, CAROL,
    U256,
};

/// The single-contract journeys, each program deployed alone; only the called program's entry
/// is priced.
#[allow(clippy::too_many_lines)]
pub(crate) fn journeys(m: &mut Meter) -> Result<(), String> {
    let mut net = Devnet::new();
    let alice = Signer::from_seed(1);
    let a = alice.address();
    m.price_entries_of(&[]);

    let holder = IParatiiToken::balanceOfCall { owner: a }.abi_encode()[4..].to_vec();
    let token = net.deploy(a, &wasm("token")?, Some(&holder)).map_err(|e| e.to_string())?;
    let pti = U256::from(10u64).pow(U256::from(18));

    let transfer = IParatiiToken::transferCall { to: BOB, value: pti };
    m.call(&net, j::TRANSFER_NEW_HOLDER, a, token, &transfer)?;
    send_typed(&net, token, a, &transfer)?;
    m.call(&net, j::TRANSFER_EXISTING_HOLDER, a, token, &transfer)?;
    let approve = IParatiiToken::approveCall { spender: BOB, value: pti * U256::from(10) };
    m.call(&net, j::APPROVE_FIRST, a, token, &approve)?;
    send_typed(&net, token, a, &approve)?;
    let transfer_from = IParatiiToken::transferFromCall { from: a, to: CAROL, value: pti };
    m.call(&net, j::TRANSFER_FROM, BOB, token, &transfer_from)?;
    let deadline = U256::from(net.world().block.timestamp + 3_600);
    let chain_id = net.world().block.chain_id;
    let permit = Permit { owner: a, spender: CAROL, value: pti, nonce: U256::ZERO, deadline };
    let domain = eip712_domain! { name: "Paratii", version: "1", chain_id: chain_id, verifying_contract: token, };
    let sig = alice.sign(permit.eip712_signing_hash(&domain));
    let permit_call = IParatiiToken::permitCall {
        owner: a,
        spender: CAROL,
        value: pti,
        deadline,
        v: sig.v,
        r: sig.r,
        s: sig.s,
    };
    m.call(&net, j::PERMIT, CAROL, token, &permit_call)?;
    let balance = IParatiiToken::balanceOfCall { owner: a };
    m.call(&net, j::BALANCE_OF, BOB, token, &balance)?;

    let owner = (a, paratii_test::CHANGE_DELAY).abi_encode_params();
    let registry = net.deploy(a, &wasm("registry")?, Some(&owner)).map_err(|e| e.to_string())?;
    let register =
        IParatiiRegistry::registerAddressCall { name: "ParatiiToken".into(), value: token };
    m.call(&net, j::REGISTER_ADDRESS, a, registry, &register)?;
    send_typed(&net, registry, a, &register)?;
    let get =
        IParatiiRegistry::getContractByKeyCall { key: paratii_contracts::names::PARATII_TOKEN.key };
    m.call(&net, j::GET_CONTRACT_BY_KEY, BOB, registry, &get)?;
    let get_by_name = IParatiiRegistry::getContractCall { name: "ParatiiToken".into() };
    m.call(&net, j::GET_CONTRACT, BOB, registry, &get_by_name)?;
    let string = IParatiiRegistry::registerStringCall {
        name: "Gateway".into(),
        value: "https://gateway.example/ipfs/".into(),
    };
    m.call(&net, j::REGISTER_STRING, a, registry, &string)?;
    let unregister = IParatiiRegistry::unregisterAddressCall { name: "ParatiiToken".into() };
    m.call(&net, j::UNREGISTER_ADDRESS, a, registry, &unregister)?;
    let repoint = IParatiiRegistry::registerAddressCall { name: "ParatiiToken".into(), value: BOB };
    m.call(&net, j::REPOINT_ADDRESS, a, registry, &repoint)?;
    let snapshot = net.snapshot();
    send_typed(&net, registry, a, &repoint)?;
    net.advance_time(paratii_test::CHANGE_DELAY).map_err(|e| e.to_string())?;
    let apply = IParatiiRegistry::applyAddressChangeCall { name: "ParatiiToken".into() };
    m.call(&net, j::APPLY_ADDRESS_CHANGE, BOB, registry, &apply)?;
    net.revert_to(&snapshot).map_err(|e| e.to_string())?;

    let send_ether = net.deploy(a, &wasm("send-ether")?, None).map_err(|e| e.to_string())?;
    net.fund(a, U256::from(10u64).pow(U256::from(20))).map_err(|e| e.to_string())?;
    let note = ISendEther::transferCall { to: BOB, description: "thanks for the video".into() };
    let one_eth = U256::from(10u64).pow(U256::from(18));
    m.raw(&net, j::SEND_ETHER, a, send_ether, &note.abi_encode(), one_eth)?;

    let mut args = a.into_word().to_vec();
    args.extend_from_slice(registry.into_word().as_slice());
    let videos = net.deploy(a, &wasm("video-registry")?, Some(&args)).map_err(|e| e.to_string())?;
    let store = address!("0x00000000000000000000000000000000000005e0");
    let register_store =
        IParatiiRegistry::registerAddressCall { name: "VideoStore".into(), value: store };
    send_typed(&net, registry, a, &register_store)?;
    let salt = alloy_primitives::B256::repeat_byte(0x11);
    let video_id = paratii_contracts::video_id(BOB, salt);
    let register_video = IVideoRegistry::registerVideoCall {
        salt,
        owner: BOB,
        price: pti * U256::from(14),
        original: alloy_primitives::B256::repeat_byte(1),
        transcoded: alloy_primitives::B256::repeat_byte(2),
        metadata: alloy_primitives::B256::repeat_byte(3),
    };
    m.call(&net, j::REGISTER_VIDEO, BOB, videos, &register_video)?;
    send_typed(&net, videos, BOB, &register_video)?;
    let view = IVideoRegistry::recordViewCall { video_id };
    m.call(&net, j::RECORD_VIEW, store, videos, &view)?;
    let terms = IVideoRegistry::saleTermsCall { video_id };
    m.call(&net, j::SALE_TERMS, store, videos, &terms)?;
    Ok(())
}
