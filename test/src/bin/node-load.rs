//! `node-load [--senders N] [--transfers M] [--json]`: a load generator against the local node,
//! over HTTP on loopback, with a report. It measures
//! - **readiness**: from `RunningNode::start` to the first answered `eth_chainId`;
//! - **deployment**: PTI deployed through the `StylusDeployer` (creation, activation and
//!   constructor in one signed transaction), and its receipt;
//! - **throughput**: N senders (anvil's accounts 1..=N, funded with PTI first) each submit M
//!   pre-signed PTI transfers (EIP-1559, consecutive nonces) on their own keep-alive connection,
//!   all at once; the clock runs from the first request to the last answer. Every transfer's
//!   receipt is then checked (status 1) and the recipients' balances summed.
//!
//! Signing happens before the clock starts: the figure is what the node accepts, runs and mines
//! per second, not what a client can sign.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream},
    process::ExitCode,
    time::{Duration, Instant},
};

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{hex, Address, Bytes, Signature, TxKind, B256, U256};
use alloy_sol_types::{SolCall, SolValue};
use paratii_contracts::{interfaces::IParatiiToken, signing::Signer};
use paratii_devnet::{
    arbos::{StylusDeployer, STYLUS_DEPLOYER},
    init_code_prelude,
    node::{NodeConfig, RunningNode, DEFAULT_CHAIN_ID, DEV_KEYS},
    CONSTRUCTOR_SELECTOR,
};
use serde_json::{json, Value};

const USAGE: &str =
    "usage: node-load [--senders N (1-10, default 8)] [--transfers M (default 250)] [--json]";

/// What one sender's thread brings back: each request's latency and each transaction's hash.
type SenderOutcome = Result<(Vec<Duration>, Vec<Value>), String>;

/// One HTTP/1.1 keep-alive connection speaking JSON-RPC.
struct Client {
    reader: BufReader<TcpStream>,
    addr: SocketAddr,
    id: u64,
}

impl Client {
    fn connect(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Self { reader: BufReader::new(stream), addr, id: 0 })
    }

    /// One call; the `result`, or the error object as an `Err`.
    fn call(&mut self, method: &str, params: &Value) -> Result<Value, String> {
        self.id += 1;
        let body = json!({ "jsonrpc": "2.0", "id": self.id, "method": method, "params": params })
            .to_string();
        let stream = self.reader.get_mut();
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .map_err(|e| e.to_string())?;
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).map_err(|e| e.to_string())?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().map_err(|_| "bad content-length".to_owned())?;
                }
            }
        }
        let mut buf = vec![0; length];
        self.reader.read_exact(&mut buf).map_err(|e| e.to_string())?;
        let answer: Value = serde_json::from_slice(&buf).map_err(|e| e.to_string())?;
        match answer.get("error") {
            Some(error) => Err(error.to_string()),
            None => Ok(answer["result"].clone()),
        }
    }
}

fn signer(index: usize) -> Signer {
    Signer::from_bytes(DEV_KEYS[index].parse().expect("a dev key is 32 bytes of hex"))
}

/// A signed EIP-1559 transaction, as raw hex.
fn signed(key: &Signer, nonce: u64, to: TxKind, value: U256, input: Vec<u8>, gas: u64) -> String {
    let tx = TxEip1559 {
        chain_id: DEFAULT_CHAIN_ID,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: 200_000_000,
        max_priority_fee_per_gas: 0,
        to,
        value,
        access_list: alloy_eips::eip2930::AccessList::default(),
        input: Bytes::from(input),
    };
    let sig = key.sign(tx.signature_hash());
    let signature = Signature::new(sig.r.into(), sig.s.into(), sig.v == 28);
    let envelope: TxEnvelope = tx.into_signed(signature).into();
    hex::encode_prefixed(envelope.encoded_2718())
}

/// Sends `raw` and returns its receipt, refusing a failed one.
fn mine(client: &mut Client, raw: &str) -> Result<Value, String> {
    let hash = client.call("eth_sendRawTransaction", &json!([raw]))?;
    let receipt = client.call("eth_getTransactionReceipt", &json!([hash]))?;
    if receipt["status"] != "0x1" {
        return Err(format!("transaction {hash} failed: {receipt}"));
    }
    Ok(receipt)
}

struct Options {
    senders: usize,
    transfers: u64,
    json: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { senders: 8, transfers: 250, json: false };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--senders" => {
                options.senders = value()?.parse().map_err(|e| format!("--senders: {e}"))?;
            }
            "--transfers" => {
                options.transfers = value()?.parse().map_err(|e| format!("--transfers: {e}"))?;
            }
            "--json" => options.json = true,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    if !(1..=10).contains(&options.senders) || options.transfers == 0 {
        return Err("--senders must be 1 to 10 and --transfers at least 1".into());
    }
    Ok(options)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

// One measured procedure: readiness, deployment, funding, the timed burst, the checks, the
// report.
#[allow(clippy::too_many_lines)]
fn run(options: &Options) -> Result<(), String> {
    let wasm = paratii_test::wasm("token").map_err(|e| e.to_string())?;
    let started = Instant::now();
    let config = NodeConfig {
        addr: "127.0.0.1:0".parse().expect("a socket address"),
        ..NodeConfig::default()
    };
    let node = RunningNode::start(&config).map_err(|e| e.to_string())?;
    let mut client = Client::connect(node.addr()).map_err(|e| e.to_string())?;
    client.call("eth_chainId", &json!([]))?;
    let ready = started.elapsed();

    // PTI through the StylusDeployer, the holder being anvil's account 0.
    let holder = signer(0);
    let code = paratii_devnet::stylus_code(&wasm);
    let deploy = StylusDeployer::deployCall {
        bytecode: init_code_prelude(&code).into(),
        initData: [&CONSTRUCTOR_SELECTOR[..], &holder.address().abi_encode()].concat().into(),
        initValue: U256::ZERO,
        salt: B256::ZERO,
    };
    let deploying = Instant::now();
    let one_hundredth = U256::from(10_000_000_000_000_000u64);
    let raw = signed(
        &holder,
        0,
        TxKind::Call(STYLUS_DEPLOYER),
        one_hundredth,
        deploy.abi_encode(),
        30_000_000,
    );
    let receipt = mine(&mut client, &raw)?;
    let deployed = deploying.elapsed();
    let token: Address = receipt["logs"]
        .as_array()
        .and_then(|logs| logs.last())
        .and_then(|log| log["data"].as_str())
        .map(|data| Address::from_slice(&hex::decode(data).unwrap_or_default()[12..]))
        .ok_or("no ContractDeployed log")?;
    let deploy_gas = receipt["gasUsed"]
        .as_str()
        .and_then(|g| u64::from_str_radix(g.trim_start_matches("0x"), 16).ok())
        .ok_or("a receipt without gasUsed")?;

    // Fund each sender with PTI.
    let senders: Vec<Signer> = (1..=options.senders).map(signer).collect();
    let per_transfer = U256::from(1_000u64);
    for (i, sender) in senders.iter().enumerate() {
        let fund = IParatiiToken::transferCall {
            to: sender.address(),
            value: per_transfer * U256::from(options.transfers),
        };
        mine(
            &mut client,
            &signed(
                &holder,
                1 + i as u64,
                TxKind::Call(token),
                U256::ZERO,
                fund.abi_encode(),
                500_000,
            ),
        )?;
    }

    // Pre-sign every transfer: sender i pays recipient (i, n) 1,000 base units.
    let batches: Vec<Vec<String>> = senders
        .iter()
        .enumerate()
        .map(|(i, sender)| {
            (0..options.transfers)
                .map(|n| {
                    let to =
                        Address::from_word(alloy_primitives::keccak256((i as u64, n).abi_encode()));
                    let transfer = IParatiiToken::transferCall { to, value: per_transfer };
                    signed(
                        sender,
                        n,
                        TxKind::Call(token),
                        U256::ZERO,
                        transfer.abi_encode(),
                        500_000,
                    )
                })
                .collect()
        })
        .collect();

    let addr = node.addr();
    let burst = Instant::now();
    let outcomes: Vec<SenderOutcome> = std::thread::scope(|scope| {
        let workers: Vec<_> = batches
            .iter()
            .map(|batch| {
                scope.spawn(move || -> SenderOutcome {
                    let mut client = Client::connect(addr).map_err(|e| e.to_string())?;
                    let mut latencies = Vec::with_capacity(batch.len());
                    let mut hashes = Vec::with_capacity(batch.len());
                    for raw in batch {
                        let sent = Instant::now();
                        hashes.push(client.call("eth_sendRawTransaction", &json!([raw]))?);
                        latencies.push(sent.elapsed());
                    }
                    Ok((latencies, hashes))
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|_| Err("a sender panicked".into())))
            .collect()
    });
    let elapsed = burst.elapsed();
    let mut latencies = Vec::new();
    let mut hashes = Vec::new();
    for outcome in outcomes {
        let (l, h) = outcome?;
        latencies.extend(l);
        hashes.extend(h);
    }
    for hash in &hashes {
        let receipt = client.call("eth_getTransactionReceipt", &json!([hash]))?;
        if receipt["status"] != "0x1" {
            return Err(format!("transfer {hash} failed: {receipt}"));
        }
    }
    let total = hashes.len();
    let per_second = f64::from(u32::try_from(total).unwrap_or(u32::MAX)) / elapsed.as_secs_f64();
    latencies.sort_unstable();
    let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    let blocks = client.call("eth_blockNumber", &json!([]))?;
    node.stop().map_err(|e| e.to_string())?;

    let report = json!({
        "readyMs": ready.as_secs_f64() * 1e3,
        "deploy": { "ms": deployed.as_secs_f64() * 1e3, "gasUsed": deploy_gas },
        "transfers": {
            "senders": options.senders,
            "total": total,
            "seconds": elapsed.as_secs_f64(),
            "perSecond": per_second,
            "latencyMs": {
                "p50": percentile(50).as_secs_f64() * 1e3,
                "p99": percentile(99).as_secs_f64() * 1e3,
                "max": latencies[latencies.len() - 1].as_secs_f64() * 1e3,
            },
            "allSucceeded": true,
        },
        "blocks": blocks,
    });
    if options.json {
        println!("{}", serde_json::to_string_pretty(&report).expect("a report serialises"));
    } else {
        println!("node ready (start to first answer): {:.1} ms", ready.as_secs_f64() * 1e3);
        println!(
            "PTI deployed through the StylusDeployer (create + activate + construct): {:.1} ms, gas {}",
            deployed.as_secs_f64() * 1e3,
            deploy_gas
        );
        println!(
            "{total} signed PTI transfers from {} senders over HTTP: {:.2} s, {per_second:.0} transfers/s, \
             latency p50 {:.2} ms, p99 {:.2} ms; every receipt status 1",
            options.senders,
            elapsed.as_secs_f64(),
            percentile(50).as_secs_f64() * 1e3,
            percentile(99).as_secs_f64() * 1e3,
        );
    }
    Ok(())
}
