//! `paratii-devnet node [--host ADDR] [--port N] [--chain-id N] [--state FILE]`: the devnet as a
//! local node (JSON-RPC over HTTP; defaults 127.0.0.1:8547, chain 412346, cargo-stylus's and
//! nitro-devnode's), its development accounts printed at start; Ctrl-C stops it. With
//! `--state`, the chain is loaded from FILE when it exists and saved there on exit.

use std::{net::IpAddr, process::ExitCode};

use paratii_devnet::node::{dev_accounts, NodeConfig, RunningNode, DEV_BALANCE, DEV_KEYS};

const USAGE: &str =
    "usage: paratii-devnet node [--host ADDR] [--port N] [--chain-id N] [--state FILE]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse(&args) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let node = match RunningNode::start(&config) {
        Ok(node) => node,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    println!("paratii-devnet: chain {} listening on {}", config.chain_id, node.url());
    println!(
        "development accounts ({} ETH each; public test keys, never use them elsewhere):",
        DEV_BALANCE / alloy_primitives::U256::from(10u64).pow(alloy_primitives::U256::from(18))
    );
    for (i, (address, key)) in dev_accounts().iter().zip(DEV_KEYS).enumerate() {
        println!("  ({i:>2}) {address}  {key}");
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = runtime.block_on(stop_signal()) {
        eprintln!("error: waiting for Ctrl-C or SIGTERM: {e}");
    }
    match node.stop() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Waits for Ctrl-C (SIGINT) or SIGTERM (what `kill` and service managers send), so either
/// stops the node cleanly and saves its state file.
async fn stop_signal() -> std::io::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        interrupted = tokio::signal::ctrl_c() => interrupted,
        _ = terminate.recv() => Ok(()),
    }
}

fn parse(args: &[String]) -> Result<NodeConfig, String> {
    let mut config = NodeConfig::default();
    let mut args = args.iter();
    match args.next().map(String::as_str) {
        Some("node") => {}
        Some(other) => return Err(format!("unknown command {other:?}")),
        None => return Err("no command".into()),
    }
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => {
                let host: IpAddr = value()?.parse().map_err(|e| format!("--host: {e}"))?;
                config.addr.set_ip(host);
            }
            "--port" => {
                config.addr.set_port(value()?.parse().map_err(|e| format!("--port: {e}"))?);
            }
            "--state" => config.state = Some(value()?.into()),
            "--chain-id" => {
                config.chain_id = value()?.parse().map_err(|e| format!("--chain-id: {e}"))?;
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(config)
}
