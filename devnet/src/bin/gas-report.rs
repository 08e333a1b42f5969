//! `cargo run -p paratii-devnet --bin gas-report [-- --json]`: deploys the suite's deployable
//! WASM (`target/wasm/*.wasm`, built by `cargo run -p paratii-build -- wasm`) on the devnet and
//! prints the gas of each journey, with the program's entry priced uncached and cached.
//!
//! "execution" is L2 execution gas after refunds (no intrinsic gas, no L1 data fee, as
//! `OpenZeppelin`'s Stylus benchmarks report it); "total" adds the intrinsic 21,000 + calldata gas
//! so it compares with an Ethereum receipt's `gasUsed` (the `OpenZeppelin` ERC-20 anchor, solc
//! 0.8.30 optimised: transfer to a new holder 51,349, approve 46,150, transferFrom 57,237).

use std::process::ExitCode;

use alloy_primitives::{address, Address, U256};
use alloy_sol_types::{eip712_domain, sol, SolCall, SolStruct};
use paratii_contracts::{signing::Signer, token::Permit};
use paratii_devnet::{Devnet, GasReport, Receipt, Status};

sol!("../contracts/abi/IParatiiToken.sol");
sol!("../contracts/abi/IParatiiRegistry.sol");
sol!("../contracts/abi/ISendEther.sol");
sol!("../contracts/abi/IVideoRegistry.sol");

const BOB: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
const CAROL: Address = address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");

/// One measured call.
struct Journey {
    contract: &'static str,
    name: &'static str,
    /// Solidity `OpenZeppelin` anchor (total gas incl. intrinsic), where one exists.
    anchor: Option<u64>,
    uncached: GasReport,
    cached: GasReport,
}

fn wasm(name: &str) -> Result<Vec<u8>, String> {
    let path = format!("{}/../target/wasm/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).map_err(|e| {
        format!("{path}: {e}; build the suite first: cargo run -p paratii-build -- wasm")
    })
}

/// Runs `call` from the current state twice (entry uncached, then cached), leaving no trace.
fn measure(
    net: &Devnet,
    program: Address,
    from: Address,
    calldata: &[u8],
) -> Result<(GasReport, GasReport), String> {
    measure_with_value(net, program, from, calldata, U256::ZERO)
}

/// [`measure`] with ETH attached.
fn measure_with_value(
    net: &Devnet,
    program: Address,
    from: Address,
    calldata: &[u8],
    value: U256,
) -> Result<(GasReport, GasReport), String> {
    let mut reports = [GasReport::default(); 2];
    for (i, cached) in [false, true].into_iter().enumerate() {
        let snapshot = net.snapshot();
        net.set_cached(program, cached);
        let receipt: Receipt = net
            .call(from, program, calldata, value)
            .map_err(|e| e.to_string())?;
        net.revert_to(snapshot);
        net.set_cached(program, false);
        if receipt.status != Status::Success {
            return Err(format!(
                "journey failed: {:?} {}",
                receipt.status, receipt.failure
            ));
        }
        reports[i] = receipt.gas;
    }
    Ok((reports[0], reports[1]))
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

    let mut owner = vec![0u8; 12];
    owner.extend_from_slice(a.as_slice());
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
        "unregisterAddress",
        None,
        measure(&net, registry, a, &unregister)?,
    );

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
        measure_with_value(&net, send_ether, a, &note, one_eth)?,
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
    let video_id = alloy_primitives::B256::repeat_byte(0x11);
    let register_video = IVideoRegistry::registerVideoCall {
        video_id,
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

fn main() -> ExitCode {
    let json = std::env::args().any(|a| a == "--json");
    let journeys = match journeys() {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
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
                    "solidity_oz_total": j.anchor,
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
        "{:<9} {:<27} {:>10} {:>10} {:>10} {:>10} {:>8}   uncached breakdown (entry/compute/hostio/evm/refund)",
        "contract", "journey", "exec", "exec", "total", "total", "OZ total"
    );
    println!(
        "{:<9} {:<27} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "", "", "uncached", "cached", "uncached", "cached", "(solc)"
    );
    for j in &journeys {
        let u = &j.uncached;
        println!(
            "{:<9} {:<27} {:>10} {:>10} {:>10} {:>10} {:>8}   {}/{}/{}/{}/{}",
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
    ExitCode::SUCCESS
}
