//! `cargo run -p paratii-test --bin gas-report [-- --json]`: deploys the suite's deployable
//! WASM (`target/wasm/*.wasm`, built by `cargo run -p paratii-build -- wasm`) on the devnet and
//! prints the gas of each journey, with the program's entry priced uncached and cached.
//!
//! "execution" is L2 execution gas after refunds (no intrinsic gas, no L1 data fee, as
//! `OpenZeppelin`'s Stylus benchmarks report it); "total" adds the intrinsic 21,000 + calldata gas
//! so it compares with an Ethereum receipt's `gasUsed` (the `OpenZeppelin` ERC-20 anchor, solc
//! 0.8.30 optimised: transfer to a new holder 51,349, approve 46,150, transferFrom 57,237).

use std::process::ExitCode;

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::{eip712_domain, SolCall, SolStruct, SolValue};
use paratii_contracts::{
    channels::{CloseAuthorization, Voucher},
    signing::Signer,
    token::Permit,
    user_registry::Vote,
};
use paratii_devnet::{Devnet, GasReport, Receipt, Status};
use paratii_test::{
    interfaces::{
        IParatiiAvatar, IParatiiRegistry, IParatiiToken,
        IPaymentChannels::{self, Channel, SettleItem},
        ISendEther, IUserRegistry, IVideoRegistry, IVideoStore,
    },
    Suite, PTI,
};

/// The original Paratii purchase, measured on anvil (receipt `gasUsed`, cancun, solc 0.8.30
/// optimised; `contracts/baseline/measure.sh`): a new buyer's `approve` + `buyVideo`.
const ORIGINAL_APPROVE: u64 = 46_151;
/// See [`ORIGINAL_APPROVE`].
const ORIGINAL_BUY: u64 = 216_463;

const BOB: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
const CAROL: Address = address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");

/// One measured call.
struct Journey {
    contract: &'static str,
    name: &'static str,
    /// Solidity anchor (total gas incl. intrinsic), where one exists: `OpenZeppelin`'s ERC-20 for
    /// the token, the original Paratii contracts for the purchase.
    anchor: Option<u64>,
    uncached: GasReport,
    cached: GasReport,
}

fn wasm(dir: &str) -> Result<Vec<u8>, String> {
    paratii_test::wasm(dir).map_err(|e| e.to_string())
}

/// Runs `calldata` from `from` to `to` in the current state twice, the entries of `programs`
/// priced uncached, then cached, leaving no trace.
fn measure_programs(
    net: &Devnet,
    programs: &[Address],
    from: Address,
    to: Address,
    calldata: &[u8],
    value: U256,
) -> Result<(GasReport, GasReport), String> {
    let mut reports = [GasReport::default(); 2];
    for (i, cached) in [false, true].into_iter().enumerate() {
        let snapshot = net.snapshot();
        for program in programs {
            net.set_cached(*program, cached);
        }
        let receipt: Receipt = net
            .call(from, to, calldata, value)
            .map_err(|e| e.to_string())?;
        net.revert_to(&snapshot);
        for program in programs {
            net.set_cached(*program, false);
        }
        if receipt.status != Status::Success {
            return Err(format!(
                "journey failed: {:?} {} 0x{}",
                receipt.status,
                receipt.failure,
                alloy_primitives::hex::encode(&receipt.output)
            ));
        }
        reports[i] = receipt.gas;
    }
    Ok((reports[0], reports[1]))
}

/// [`measure_programs`] for a journey across the suite: every suite program's entry is priced.
fn measure_suite(
    net: &Devnet,
    suite: &Suite,
    program: Address,
    from: Address,
    calldata: &[u8],
) -> Result<(GasReport, GasReport), String> {
    measure_programs(net, &suite.programs(), from, program, calldata, U256::ZERO)
}

/// [`measure_programs`] for a call to one program.
fn measure(
    net: &Devnet,
    program: Address,
    from: Address,
    calldata: &[u8],
) -> Result<(GasReport, GasReport), String> {
    measure_programs(net, &[program], from, program, calldata, U256::ZERO)
}

fn send(net: &Devnet, program: Address, from: Address, calldata: &[u8]) -> Result<(), String> {
    let receipt = net
        .call(from, program, calldata, U256::ZERO)
        .map_err(|e| e.to_string())?;
    if receipt.status == Status::Success {
        Ok(())
    } else {
        Err(format!("setup call failed: {:?}", receipt.status))
    }
}

#[allow(clippy::too_many_lines)]
fn journeys() -> Result<Vec<Journey>, String> {
    let mut net = Devnet::new();
    let alice = Signer::from_seed(1);
    let a = alice.address();
    let mut out = Vec::new();
    let mut record = |contract, name, anchor, (uncached, cached)| {
        out.push(Journey {
            contract,
            name,
            anchor,
            uncached,
            cached,
        });
    };

    let holder = IParatiiToken::balanceOfCall { owner: a }.abi_encode()[4..].to_vec();
    let token = net
        .deploy(a, &wasm("token")?, Some(&holder))
        .map_err(|e| e.to_string())?;
    let pti = U256::from(10u64).pow(U256::from(18));

    let transfer = IParatiiToken::transferCall {
        to: BOB,
        value: pti,
    }
    .abi_encode();
    record(
        "token",
        "transfer (new holder)",
        Some(51_349),
        measure(&net, token, a, &transfer)?,
    );
    send(&net, token, a, &transfer)?;
    record(
        "token",
        "transfer (existing holder)",
        None,
        measure(&net, token, a, &transfer)?,
    );
    let approve = IParatiiToken::approveCall {
        spender: BOB,
        value: pti * U256::from(10),
    }
    .abi_encode();
    record(
        "token",
        "approve (first)",
        Some(46_150),
        measure(&net, token, a, &approve)?,
    );
    send(&net, token, a, &approve)?;
    let transfer_from = IParatiiToken::transferFromCall {
        from: a,
        to: CAROL,
        value: pti,
    }
    .abi_encode();
    record(
        "token",
        "transferFrom",
        Some(57_237),
        measure(&net, token, BOB, &transfer_from)?,
    );
    let deadline = U256::from(net.world().block.timestamp + 3_600);
    let chain_id = net.world().block.chain_id;
    let permit = Permit {
        owner: a,
        spender: CAROL,
        value: pti,
        nonce: U256::ZERO,
        deadline,
    };
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
    }
    .abi_encode();
    record(
        "token",
        "permit (relayed)",
        None,
        measure(&net, token, CAROL, &permit_call)?,
    );
    let balance = IParatiiToken::balanceOfCall { owner: a }.abi_encode();
    record(
        "token",
        "balanceOf",
        None,
        measure(&net, token, BOB, &balance)?,
    );

    let owner = (a, paratii_test::CHANGE_DELAY).abi_encode_params();
    let registry = net
        .deploy(a, &wasm("registry")?, Some(&owner))
        .map_err(|e| e.to_string())?;
    let register = IParatiiRegistry::registerAddressCall {
        name: "ParatiiToken".into(),
        value: token,
    }
    .abi_encode();
    record(
        "registry",
        "registerAddress",
        None,
        measure(&net, registry, a, &register)?,
    );
    send(&net, registry, a, &register)?;
    let get = IParatiiRegistry::getContractByKeyCall {
        key: paratii_contracts::names::PARATII_TOKEN.key,
    }
    .abi_encode();
    record(
        "registry",
        "getContractByKey",
        None,
        measure(&net, registry, BOB, &get)?,
    );
    let get_by_name = IParatiiRegistry::getContractCall {
        name: "ParatiiToken".into(),
    }
    .abi_encode();
    record(
        "registry",
        "getContract",
        None,
        measure(&net, registry, BOB, &get_by_name)?,
    );
    let string = IParatiiRegistry::registerStringCall {
        name: "Gateway".into(),
        value: "https://gateway.example/ipfs/".into(),
    }
    .abi_encode();
    record(
        "registry",
        "registerString",
        None,
        measure(&net, registry, a, &string)?,
    );
    let unregister = IParatiiRegistry::unregisterAddressCall {
        name: "ParatiiToken".into(),
    }
    .abi_encode();
    record(
        "registry",
        "unregisterAddress (scheduled)",
        None,
        measure(&net, registry, a, &unregister)?,
    );
    let repoint = IParatiiRegistry::registerAddressCall {
        name: "ParatiiToken".into(),
        value: BOB,
    }
    .abi_encode();
    record(
        "registry",
        "registerAddress (re-point, scheduled)",
        None,
        measure(&net, registry, a, &repoint)?,
    );
    let snapshot = net.snapshot();
    send(&net, registry, a, &repoint)?;
    net.block_mut().timestamp += paratii_test::CHANGE_DELAY;
    let apply = IParatiiRegistry::applyAddressChangeCall {
        name: "ParatiiToken".into(),
    }
    .abi_encode();
    record(
        "registry",
        "applyAddressChange (after the delay)",
        None,
        measure(&net, registry, BOB, &apply)?,
    );
    net.revert_to(&snapshot);

    let send_ether = net
        .deploy(a, &wasm("send-ether")?, None)
        .map_err(|e| e.to_string())?;
    net.fund(a, U256::from(10u64).pow(U256::from(20)));
    let note = ISendEther::transferCall {
        to: BOB,
        description: "thanks for the video".into(),
    }
    .abi_encode();
    let one_eth = U256::from(10u64).pow(U256::from(18));
    record(
        "sendEther",
        "transfer 1 ETH with a note",
        None,
        measure_programs(&net, &[send_ether], a, send_ether, &note, one_eth)?,
    );

    let mut args = a.into_word().to_vec();
    args.extend_from_slice(registry.into_word().as_slice());
    let videos = net
        .deploy(a, &wasm("video-registry")?, Some(&args))
        .map_err(|e| e.to_string())?;
    let store = address!("0x00000000000000000000000000000000000005e0");
    let register_store = IParatiiRegistry::registerAddressCall {
        name: "VideoStore".into(),
        value: store,
    }
    .abi_encode();
    send(&net, registry, a, &register_store)?;
    let salt = alloy_primitives::B256::repeat_byte(0x11);
    let video_id = paratii_contracts::video_id(BOB, salt);
    let register_video = IVideoRegistry::registerVideoCall {
        salt,
        owner: BOB,
        price: pti * U256::from(14),
        original: alloy_primitives::B256::repeat_byte(1),
        transcoded: alloy_primitives::B256::repeat_byte(2),
        metadata: alloy_primitives::B256::repeat_byte(3),
    }
    .abi_encode();
    record(
        "videos",
        "registerVideo",
        None,
        measure(&net, videos, BOB, &register_video)?,
    );
    send(&net, videos, BOB, &register_video)?;
    let view = IVideoRegistry::recordViewCall { video_id }.abi_encode();
    record(
        "videos",
        "recordView (store, lookup)",
        None,
        measure(&net, videos, store, &view)?,
    );
    let terms = IVideoRegistry::saleTermsCall { video_id }.abi_encode();
    record(
        "videos",
        "saleTerms",
        None,
        measure(&net, videos, store, &terms)?,
    );
    Ok(out)
}

/// Sends `call` from `from`, which must succeed (setup steps).
fn send_typed<C: SolCall>(
    net: &Devnet,
    to: Address,
    from: Address,
    call: &C,
) -> Result<(), String> {
    net.send_receipt(from, to, call)
        .map(|_| ())
        .map_err(|e| format!("setup call failed: {e}"))
}

/// The purchase journeys over the whole wired suite, every entry uncached then cached.
#[allow(clippy::too_many_lines)]
fn purchase_journeys() -> Result<Vec<Journey>, String> {
    let mut net = Devnet::new();
    let admin = address!("0x00000000000000000000000000000000000000a0");
    let holder = address!("0x00000000000000000000000000000000000000a1");
    let creator = address!("0x00000000000000000000000000000000000000c0");
    let suite = Suite::deploy(&mut net, admin, holder).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut record = |contract, name, anchor, (uncached, cached)| {
        out.push(Journey {
            contract,
            name,
            anchor,
            uncached,
            cached,
        });
    };
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
        &IParatiiToken::transferCall {
            to: earlier,
            value: price,
        },
    )?;
    send_typed(
        &net,
        suite.token,
        earlier,
        &IParatiiToken::approveCall {
            spender: suite.avatar,
            value: price,
        },
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
    send_typed(
        &net,
        suite.token,
        holder,
        &IParatiiToken::transferCall {
            to: b,
            value: price,
        },
    )?;
    let approve = IParatiiToken::approveCall {
        spender: suite.avatar,
        value: price,
    }
    .abi_encode();
    record(
        "token",
        "approve avatar (new buyer)",
        Some(ORIGINAL_APPROVE),
        measure_suite(&net, &suite, suite.token, b, &approve)?,
    );
    let snapshot = net.snapshot();
    send(&net, suite.token, b, &approve)?;
    let buy = IVideoStore::buyVideoCall {
        video_id: video,
        proof_of_buy: B256::repeat_byte(9),
        max_price: price,
    }
    .abi_encode();
    record(
        "store",
        "buyVideo (approved)",
        Some(ORIGINAL_BUY),
        measure_suite(&net, &suite, suite.store, b, &buy)?,
    );
    net.revert_to(&snapshot);

    let deadline = U256::from(net.world().block.timestamp + 600);
    let chain_id = net.world().block.chain_id;
    let permit = Permit {
        owner: b,
        spender: suite.avatar,
        value: price,
        nonce: U256::ZERO,
        deadline,
    };
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
    }
    .abi_encode();
    record(
        "store",
        "buyVideoWithPermit (1 tx)",
        Some(ORIGINAL_APPROVE + ORIGINAL_BUY),
        measure_suite(&net, &suite, suite.store, b, &buy_permit)?,
    );

    // Spending key: the user approves and authorises a key once; the key buys.
    let key = address!("0x00000000000000000000000000000000000000b9");
    send(&net, suite.token, b, &approve)?;
    let expiry = net.world().block.timestamp + 3_600;
    let authorize = IParatiiAvatar::authorizeSpendingKeyCall {
        key,
        cap: price,
        expiry,
    }
    .abi_encode();
    record(
        "avatar",
        "authorizeSpendingKey",
        None,
        measure_suite(&net, &suite, suite.avatar, b, &authorize)?,
    );
    send(&net, suite.avatar, b, &authorize)?;
    let buy_for = IVideoStore::buyVideoForCall {
        user: b,
        video_id: video,
        proof_of_buy: B256::repeat_byte(9),
        max_price: price,
    }
    .abi_encode();
    record(
        "store",
        "buyVideoFor (spending key)",
        None,
        measure_suite(&net, &suite, suite.store, key, &buy_for)?,
    );
    send(&net, suite.store, key, &buy_for)?;

    let metadata = IUserRegistry::registerUserCall {
        metadata: B256::repeat_byte(7),
    }
    .abi_encode();
    record(
        "users",
        "registerUser",
        None,
        measure_suite(&net, &suite, suite.users, b, &metadata)?,
    );
    let like = IUserRegistry::likeVideoCall {
        video_id: video,
        liked: true,
    }
    .abi_encode();
    record(
        "users",
        "likeVideo (first vote)",
        None,
        measure_suite(&net, &suite, suite.users, b, &like)?,
    );
    let posting = Signer::from_seed(6);
    let authorize_posting = IUserRegistry::authorizePostingKeyCall {
        user: b,
        key: posting.address(),
        expiry: expiry - 1,
    }
    .abi_encode();
    record(
        "users",
        "authorizePostingKey",
        None,
        measure_suite(&net, &suite, suite.users, b, &authorize_posting)?,
    );
    send(&net, suite.users, b, &authorize_posting)?;
    let vote = Vote {
        user: b,
        videoId: video,
        liked: true,
        nonce: U256::ZERO,
        deadline,
    };
    let users_domain = eip712_domain! { name: "Paratii Users", version: "1", chain_id: chain_id, verifying_contract: suite.users, };
    let vote_sig = posting.sign(vote.eip712_signing_hash(&users_domain));
    let by_sig = IUserRegistry::likeVideoBySigCall {
        user: b,
        video_id: video,
        liked: true,
        deadline,
        signature: vote_sig.to_packed().to_vec().into(),
    }
    .abi_encode();
    record(
        "users",
        "likeVideoBySig (relayed)",
        None,
        measure_suite(&net, &suite, suite.users, holder, &by_sig)?,
    );
    let pool = net
        .view(
            suite.token,
            &IParatiiToken::balanceOfCall {
                owner: suite.avatar,
            },
        )
        .map_err(|e| e.to_string())?;
    let disburse = IParatiiAvatar::disburseCall {
        recipients: vec![creator],
        amounts: vec![pool],
    }
    .abi_encode();
    record(
        "avatar",
        "disburse (1 payout)",
        None,
        measure_suite(&net, &suite, suite.avatar, admin, &disburse)?,
    );
    Ok(out)
}

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
fn channel_journeys() -> Result<Vec<Journey>, String> {
    let mut net = Devnet::new();
    let admin = address!("0x00000000000000000000000000000000000000a0");
    let holder = address!("0x00000000000000000000000000000000000000a1");
    let producer = address!("0x00000000000000000000000000000000000000c0");
    let relayer = address!("0x00000000000000000000000000000000000000e1");
    let suite = Suite::deploy(&mut net, admin, holder).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut record = |name, (uncached, cached)| {
        out.push(Journey {
            contract: "channels",
            name,
            anchor: None,
            uncached,
            cached,
        });
    };
    let fund = |who: Address, amount: U256| {
        send_typed(
            &net,
            suite.token,
            holder,
            &IParatiiToken::transferCall {
                to: who,
                value: amount,
            },
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
            &IParatiiToken::approveCall {
                spender: suite.channels,
                value: deposit,
            },
        )?;
    }
    let first = channel_of(viewers[0].address(), producer, 0);
    let open = IPaymentChannels::openCall {
        channel: first.clone(),
        deposit,
    }
    .abi_encode();
    record(
        "open (adjudicator's first escrow)",
        measure_suite(&net, &suite, suite.channels, first.payer, &open)?,
    );

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
    }
    .abi_encode();
    record(
        "openWithPermit (1 tx)",
        measure_suite(&net, &suite, suite.channels, fresh.address(), &with_permit)?,
    );

    // A spending key opens for its user through the avatar.
    let user = address!("0x00000000000000000000000000000000000000b7");
    let key = address!("0x00000000000000000000000000000000000000b8");
    fund(user, deposit)?;
    send_typed(
        &net,
        suite.token,
        user,
        &IParatiiToken::approveCall {
            spender: suite.avatar,
            value: deposit,
        },
    )?;
    let expiry = net.world().block.timestamp + 3_600;
    send_typed(
        &net,
        suite.avatar,
        user,
        &IParatiiAvatar::authorizeSpendingKeyCall {
            key,
            cap: deposit,
            expiry,
        },
    )?;
    let open_for = IPaymentChannels::openForCall {
        channel: channel_of(user, producer, 98),
        deposit,
    }
    .abi_encode();
    record(
        "openFor (spending key)",
        measure_suite(&net, &suite, suite.channels, key, &open_for)?,
    );

    let mut channels = Vec::new();
    for (i, v) in viewers.iter().take(11).enumerate() {
        let ch = channel_of(v.address(), producer, u8::try_from(i).unwrap_or(0));
        send_typed(
            &net,
            suite.channels,
            v.address(),
            &IPaymentChannels::openCall {
                channel: ch.clone(),
                deposit,
            },
        )?;
        channels.push(ch);
    }
    // The usual open: the adjudicator already holds other channels' escrow.
    let twelfth = channel_of(viewers[11].address(), producer, 11);
    let open = IPaymentChannels::openCall {
        channel: twelfth.clone(),
        deposit,
    }
    .abi_encode();
    record(
        "open (approved)",
        measure_suite(&net, &suite, suite.channels, twelfth.payer, &open)?,
    );
    let voucher = |signer: &Signer,
                   ch: &Channel,
                   segments: u64|
     -> Result<paratii_contracts::ecdsa::Signature, String> {
        let id = net
            .view(
                suite.channels,
                &IPaymentChannels::channelIdCall {
                    channel: ch.clone(),
                },
            )
            .map_err(|e| e.to_string())?;
        Ok(signer.sign(
            Voucher {
                channelId: id,
                segments,
            }
            .eip712_signing_hash(&domain),
        ))
    };
    let top_up = IPaymentChannels::topUpCall {
        channel: channels[0].clone(),
        amount: U256::from(1),
    }
    .abi_encode();
    send_typed(
        &net,
        suite.token,
        viewers[0].address(),
        &IParatiiToken::approveCall {
            spender: suite.channels,
            value: U256::MAX,
        },
    )?;
    fund(viewers[0].address(), U256::from(1))?;
    record(
        "topUp",
        measure_suite(&net, &suite, suite.channels, viewers[0].address(), &top_up)?,
    );
    for segments in [10u64, 1_000_000] {
        let sig = voucher(&viewers[0], &channels[0], segments)?;
        let settle = IPaymentChannels::settleCall {
            channel: channels[0].clone(),
            segments,
            voucher_signature: sig.to_packed().to_vec().into(),
        }
        .abi_encode();
        record(
            if segments == 10 {
                "settle 10 segments (relayed)"
            } else {
                "settle 10^6 segments (relayed)"
            },
            measure_suite(&net, &suite, suite.channels, relayer, &settle)?,
        );
    }
    let sig = voucher(&viewers[0], &channels[0], 137)?;
    let close = IPaymentChannels::closeCall {
        channel: channels[0].clone(),
        segments: 137,
        voucher_signature: sig.to_packed().to_vec().into(),
    }
    .abi_encode();
    record(
        "close (payee, 137 segments)",
        measure_suite(&net, &suite, suite.channels, producer, &close)?,
    );
    // The ad case: a viewer with no ETH (a key, so a random 20-byte address in the calldata) is
    // the payee, and a relayer closes with the viewer's authorization.
    let viewer_key = Signer::from_seed(77);
    let advertised = channel_of(viewers[11].address(), viewer_key.address(), 97);
    send_typed(
        &net,
        suite.channels,
        viewers[11].address(),
        &IPaymentChannels::openCall {
            channel: advertised.clone(),
            deposit,
        },
    )?;
    let deadline = net.world().block.timestamp + 600;
    let id = net
        .view(
            suite.channels,
            &IPaymentChannels::channelIdCall {
                channel: advertised.clone(),
            },
        )
        .map_err(|e| e.to_string())?;
    let authorization = viewer_key.sign(
        CloseAuthorization {
            channelId: id,
            segments: 137,
            deadline,
        }
        .eip712_signing_hash(&domain),
    );
    let close_relayed = IPaymentChannels::closeWithAuthorizationCall {
        channel: advertised.clone(),
        segments: 137,
        deadline,
        voucher_signature: voucher(&viewers[11], &advertised, 137)?
            .to_packed()
            .to_vec()
            .into(),
        close_authorization: authorization.to_packed().to_vec().into(),
    }
    .abi_encode();
    record(
        "closeWithAuthorization (relayed, 137 segments)",
        measure_suite(&net, &suite, suite.channels, relayer, &close_relayed)?,
    );
    let request = IPaymentChannels::requestCloseCall {
        channel: channels[0].clone(),
    }
    .abi_encode();
    record(
        "requestClose",
        measure_suite(&net, &suite, suite.channels, viewers[0].address(), &request)?,
    );
    let snapshot = net.snapshot();
    send(&net, suite.channels, viewers[0].address(), &request)?;
    net.block_mut().timestamp += paratii_test::GRACE_PERIOD;
    let withdraw = IPaymentChannels::withdrawCall {
        channel: channels[0].clone(),
    }
    .abi_encode();
    record(
        "withdraw (after grace)",
        measure_suite(
            &net,
            &suite,
            suite.channels,
            viewers[0].address(),
            &withdraw,
        )?,
    );
    net.revert_to(&snapshot);

    let items = |n: usize| -> Result<Vec<u8>, String> {
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
        Ok(IPaymentChannels::settleBatchCall { items }.abi_encode())
    };
    record(
        "settleBatch 1 channel",
        measure_suite(&net, &suite, suite.channels, producer, &items(1)?)?,
    );
    record(
        "settleBatch 11 channels",
        measure_suite(&net, &suite, suite.channels, producer, &items(11)?)?,
    );
    Ok(out)
}

fn main() -> ExitCode {
    let json = std::env::args().any(|a| a == "--json");
    let journeys = match journeys().and_then(|mut j| {
        j.extend(purchase_journeys()?);
        j.extend(channel_journeys()?);
        Ok(j)
    }) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let target = one_transaction_target(&journeys);
    if json {
        let items: Vec<serde_json::Value> = journeys
            .iter()
            .map(|j| {
                let gas = |g: &GasReport| {
                    serde_json::json!({
                        "execution": g.used, "total": g.total(), "intrinsic": g.intrinsic,
                        "refund": g.refund, "entry": g.entry, "compute_gas": g.compute_gas(),
                        "hostio_gas": g.hostio_gas(), "evm": g.evm,
                    })
                };
                serde_json::json!({
                    "contract": j.contract, "journey": j.name,
                    "uncached": gas(&j.uncached), "cached": gas(&j.cached),
                    "solidity_total": j.anchor,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&items).expect("should serialise")
        );
        return ExitCode::SUCCESS;
    }
    println!(
        "{:<9} {:<34} {:>10} {:>10} {:>10} {:>10} {:>8}   uncached breakdown (entry/compute/hostio/evm/refund)",
        "contract", "journey", "exec", "exec", "total", "total", "Solidity"
    );
    println!(
        "{:<9} {:<34} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "", "", "uncached", "cached", "uncached", "cached", "(solc)"
    );
    for j in &journeys {
        let u = &j.uncached;
        println!(
            "{:<9} {:<34} {:>10} {:>10} {:>10} {:>10} {:>8}   {}/{}/{}/{}/{}",
            j.contract,
            j.name,
            u.used,
            j.cached.used,
            u.total(),
            j.cached.total(),
            j.anchor.map_or_else(|| "-".to_owned(), |a| a.to_string()),
            u.entry,
            u.compute_gas(),
            u.hostio_gas(),
            u.evm,
            u.refund
        );
    }
    println!(
        "\nexec = L2 execution gas after refunds; total = exec + intrinsic (21,000 + calldata). \
         Prices: Nitro ArbOS {} (paratii_devnet::pricing).",
        paratii_devnet::pricing::ARBOS_VERSION
    );
    let original = ORIGINAL_APPROVE + ORIGINAL_BUY;
    for t in &target {
        println!(
            "{}: {} uncached, {} cached (total) vs the original's approve + buyVideo {} + {} = {}; \
             target < half ({}): {}.",
            t.name,
            t.uncached,
            t.cached,
            ORIGINAL_APPROVE,
            ORIGINAL_BUY,
            original,
            original / 2,
            if t.met { "met" } else { "missed" }
        );
    }
    if target.len() < 2 {
        println!(
            "purchase target: a purchase journey is missing; target < half ({}).",
            original / 2
        );
    }
    for line in channel_targets(&journeys) {
        println!("{line}");
    }
    ExitCode::SUCCESS
}

/// The payment-channel issue's targets (totals incl. intrinsic), each judged uncached and cached.
fn channel_targets(journeys: &[Journey]) -> Vec<String> {
    let find = |name: &str| {
        journeys
            .iter()
            .find(|j| j.contract == "channels" && j.name == name)
    };
    let verdict = |gas: u64, limit: u64| if gas <= limit { "met" } else { "missed" };
    let mut lines = Vec::new();
    for (name, limit) in [
        ("open (approved)", 75_000),
        ("settle 10 segments (relayed)", 55_000),
        ("close (payee, 137 segments)", 60_000),
    ] {
        if let Some(j) = find(name) {
            let (u, c) = (j.uncached.total(), j.cached.total());
            lines.push(format!(
                "channels {name}: {u} uncached ({}), {c} cached ({}); target <= {limit}.",
                verdict(u, limit),
                verdict(c, limit)
            ));
        } else {
            lines.push(format!(
                "channels {name}: journey missing; target <= {limit}."
            ));
        }
    }
    if let (Some(one), Some(eleven)) = (
        find("settleBatch 1 channel"),
        find("settleBatch 11 channels"),
    ) {
        let extra = |a: &GasReport, b: &GasReport| b.total().saturating_sub(a.total()) / 10;
        let (u, c) = (
            extra(&one.uncached, &eleven.uncached),
            extra(&one.cached, &eleven.cached),
        );
        lines.push(format!(
            "channels settleBatch, each extra channel to one payee: {u} uncached ({}), {c} cached \
             ({}); target <= 10000.",
            verdict(u, 10_000),
            verdict(c, 10_000)
        ));
    } else {
        lines.push("channels settleBatch: journeys missing; target <= 10000.".to_owned());
    }
    if let (Some(ten), Some(million)) = (
        find("settle 10 segments (relayed)"),
        find("settle 10^6 segments (relayed)"),
    ) {
        let same =
            ten.cached.used == million.cached.used && ten.uncached.used == million.uncached.used;
        lines.push(format!(
            "channels settle 10 vs 10^6 segments: execution {} vs {} gas; target the same: {}.",
            ten.cached.used,
            million.cached.used,
            if same { "met" } else { "missed" }
        ));
    } else {
        lines.push("channels settle 10 vs 10^6 segments: journeys missing.".to_owned());
    }
    lines
}

/// The target: a one-transaction purchase costs less than half of the original two.
struct Target {
    name: &'static str,
    uncached: u64,
    cached: u64,
    met: bool,
}

/// The target for the permit purchase (a first purchase, no approval before) and for an
/// approved buyer's purchase.
fn one_transaction_target(journeys: &[Journey]) -> Vec<Target> {
    ["buyVideoWithPermit (1 tx)", "buyVideo (approved)"]
        .into_iter()
        .filter_map(|name| journeys.iter().find(|j| j.name == name))
        .map(|j| {
            let (uncached, cached) = (j.uncached.total(), j.cached.total());
            Target {
                name: j.name,
                uncached,
                cached,
                met: uncached.max(cached) * 2 < ORIGINAL_APPROVE + ORIGINAL_BUY,
            }
        })
        .collect()
}
