//! `paratii`: keys and vouchers from the command line (more commands come with the companion's
//! next slices). Human output by default, `--json` for scripts. Passwords come from
//! `--password-file` or `ETH_PASSWORD`, as cast takes them; a secret to import from standard
//! input, never from the command line.

use std::{
    io::{Read, Write},
    path::PathBuf,
    process::ExitCode,
    time::Duration,
};

use alloy_primitives::{hex, Address, U256};
use clap::{Parser, Subcommand};
use paratii_companion::{
    ads::AdLimits,
    keys::{self, KeyStore, Password},
    voucher::{self, Message},
};
use serde_json::{json, Value};

mod context;
mod demo;
mod onchain;
mod streaming;

#[derive(Parser)]
#[command(
    name = "paratii",
    version,
    about = "The Paratii companion: keys, vouchers, channels, videos, the watchtower, the local node and the demo"
)]
struct Cli {
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Log what happens on standard error (-v info, -vv debug, -vvv trace; or `RUST_LOG`).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Keystores in cast wallet's folder and format.
    #[command(subcommand)]
    Keys(Keys),
    /// EIP-712 vouchers and close authorisations, as typed-data JSON files.
    #[command(subcommand)]
    Voucher(Vouchers),
    /// Runs the local Stylus node (the devnet over JSON-RPC) until Ctrl-C or SIGTERM.
    Node {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// The port.
        #[arg(long, default_value_t = paratii_devnet::node::DEFAULT_PORT)]
        port: u16,
        /// The chain id.
        #[arg(long, default_value_t = paratii_devnet::node::DEFAULT_CHAIN_ID)]
        chain_id: u64,
        /// Load the chain from this file when it exists; save it there on exit.
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Deploys and wires the suite (the measured WASM, through the `StylusDeployer`) and writes
    /// its record, `<deployments>/<chain id>.json`.
    Deploy {
        #[command(flatten)]
        chain: context::ChainArgs,
        /// Owner of the registry, the registries and the avatar (default: you).
        #[arg(long)]
        owner: Option<Address>,
        /// Holder of PTI's supply (default: you).
        #[arg(long)]
        holder: Option<Address>,
    },
    /// Payment channels: open, fund, sign, accept, settle, close.
    Channel {
        #[command(flatten)]
        chain: context::ChainArgs,
        #[command(subcommand)]
        command: onchain::Channels,
    },
    /// PTI: balances and transfers.
    Pti {
        #[command(flatten)]
        chain: context::ChainArgs,
        #[command(subcommand)]
        command: onchain::Pti,
    },
    /// Videos: register, buy, like.
    Video {
        #[command(flatten)]
        chain: context::ChainArgs,
        #[command(subcommand)]
        command: onchain::Videos,
    },
    /// The payee's watchtower: closes with the best voucher any channel whose payer asks to
    /// close, and settles in batches above a threshold; survives restarts (it reconciles first).
    Watchtower {
        #[command(flatten)]
        chain: context::ChainArgs,
        /// Seconds between passes (keep it well below the grace period).
        #[arg(long, default_value_t = 60)]
        interval: u64,
        /// Also settle, in one batch, every channel owed at least this many PTI wei.
        #[arg(long)]
        settle_threshold: Option<U256>,
        /// One pass, then exit.
        #[arg(long)]
        once: bool,
    },
    /// The producer's segment server: streams packaged videos over HTTP, each segment paid with a
    /// voucher (the Payment HTTP scheme); on Ctrl-C or SIGTERM closes every channel it was paid
    /// on, with the best voucher on disk.
    Serve {
        #[command(flatten)]
        chain: context::ChainArgs,
        /// A video to stream: its id and its package folder (`paratii video package`), or its
        /// id alone to fetch the package from `--gateway` (the registry's metadata digest).
        #[arg(long = "video", value_name = "ID[=DIR]", required = true)]
        videos: Vec<String>,
        /// An IPFS HTTP gateway (`http://127.0.0.1:8080`) for videos given by id alone.
        #[arg(long)]
        gateway: Option<String>,
        /// PTI wei per segment.
        #[arg(long)]
        price_per_segment: U256,
        /// Seconds between the server's rounds of care for its channels: it closes, with the
        /// best voucher, each one whose payer asked on chain to close (keep it well below the
        /// grace period) and each idle one.
        #[arg(long, default_value_t = 60)]
        watch_interval: u64,
        /// Seconds without a paid request after which a viewer's channel is closed with the
        /// best voucher (a viewer that stopped without asking).
        #[arg(long, default_value_t = 900)]
        session_idle: u64,
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8402")]
        listen: std::net::SocketAddr,
    },
    /// The advertiser's ad server: streams packaged ads over HTTP and pays whoever watches
    /// them, a voucher with every segment; relays each viewer's signed close.
    ServeAds {
        #[command(flatten)]
        chain: context::ChainArgs,
        /// An ad to stream: its id and its package folder (`paratii video package`), or its id
        /// alone to fetch the package from `--gateway`.
        #[arg(long = "video", value_name = "ID[=DIR]", required = true)]
        videos: Vec<String>,
        /// An IPFS HTTP gateway for ads given by id alone.
        #[arg(long)]
        gateway: Option<String>,
        /// PTI wei paid to the viewer per segment watched.
        #[arg(long)]
        pay_per_segment: U256,
        /// The most segments of one view paid for.
        #[arg(long, default_value_t = 1_000)]
        paid_segments: u64,
        /// Sessions open at once, at most (each locks a deposit); a new viewer beyond it gets
        /// a 503 until one ends.
        #[arg(long, default_value_t = 1_000)]
        max_sessions: usize,
        /// Seconds without a segment fetched after which a session is ended: its close is
        /// requested on chain, and the rest withdrawn after the grace period.
        #[arg(long, default_value_t = 600)]
        session_idle: u64,
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8404")]
        listen: std::net::SocketAddr,
    },
    /// The viewer's proxy: point any HLS player at the printed URL. Opens a channel to the
    /// producer (deposit capped), pays each segment as the player asks for it, checks every
    /// segment against its IPFS id, and closes when the player stops. With `--paid`, watches
    /// an ad (`http://HOST:PORT/ads/ID/`) and is paid per segment instead.
    Watch {
        #[command(flatten)]
        chain: context::ChainArgs,
        /// The video on the producer's server (`http://HOST:PORT/videos/ID/`).
        url: String,
        /// The most segments the deposit covers.
        #[arg(long, default_value_t = 1_000)]
        max_segments: u64,
        /// Segments paid ahead of playback time.
        #[arg(long, default_value_t = 3)]
        ahead: u64,
        /// Where the player connects.
        #[arg(long, default_value = "127.0.0.1:8403")]
        listen: std::net::SocketAddr,
        /// Seconds without a player request that end the session.
        #[arg(long, default_value_t = 10)]
        idle_stop: u64,
        /// An ad: the advertiser pays us per segment (`--max-segments`, `--ahead` do not
        /// apply).
        #[arg(long)]
        paid: bool,
        /// Pay from this account through its avatar, the key being one of its spending keys
        /// (`paratii keys authorize spending`): the channel is opened with `openFor`, capped
        /// by the spending key's allowance.
        #[arg(long, value_name = "ACCOUNT")]
        payer: Option<Address>,
        /// A web page's origin (`http://127.0.0.1:8000`) whose player (hls.js) may use the
        /// proxy; repeat for more. A request from any other page is refused, so no page the
        /// viewer has open can make the proxy pay.
        #[arg(long = "allow-origin", value_name = "ORIGIN")]
        allowed_origins: Vec<String>,
    },
    /// The whole system on this machine: starts the local node in-process, deploys the suite,
    /// creates a producer, a viewer and an advertiser, and runs a purchase, a pay-per-segment
    /// channel stopped part-way, an advertiser paying the viewer, a like through a posting key
    /// and a batch settle.
    Demo {
        /// Where the keystores and channel stores go (default: a fresh temporary folder).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// A paratii local node to use instead of starting one.
        #[arg(long)]
        rpc_url: Option<String>,
        /// Segments the viewer pays for before it stops (of 20 the deposit covers).
        #[arg(long, default_value_t = 7)]
        segments: u64,
    },
}

#[derive(clap::Args)]
struct Store {
    /// The keystore folder (default: cast wallet's, ~/.foundry/keystores).
    #[arg(long, env = "PARATII_KEYSTORE_DIR")]
    keystore_dir: Option<PathBuf>,
}

impl Store {
    fn open(&self) -> KeyStore {
        KeyStore::new(self.keystore_dir.clone().unwrap_or_else(keys::default_dir))
    }
}

#[derive(clap::Args)]
struct Secret {
    /// A file holding the password (its first line).
    #[arg(long)]
    password_file: Option<PathBuf>,
}

impl Secret {
    fn password(&self) -> Result<Password, String> {
        match (&self.password_file, std::env::var("ETH_PASSWORD")) {
            (Some(path), _) => Password::from_file(path).map_err(|e| e.to_string()),
            (None, Ok(password)) => Ok(Password::new(password)),
            (None, Err(_)) => Err("no password: pass --password-file or set ETH_PASSWORD".into()),
        }
    }
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per run
enum Keys {
    /// Creates a random key and stores it encrypted under NAME.
    New {
        /// The keystore's name (its file name in the folder).
        name: String,
        #[command(flatten)]
        store: Store,
        #[command(flatten)]
        secret: Secret,
    },
    /// Stores a private key read from standard input (hex, one line) under NAME.
    Import {
        /// The keystore's name.
        name: String,
        #[command(flatten)]
        store: Store,
        #[command(flatten)]
        secret: Secret,
    },
    /// Lists the keystores in the folder.
    List {
        #[command(flatten)]
        store: Store,
    },
    /// Authorises a spending key (through the avatar) or a posting key (for votes).
    Authorize {
        #[command(flatten)]
        chain: context::ChainArgs,
        #[command(subcommand)]
        what: onchain::Authorize,
    },
    /// Unlocks a keystore and prints its address.
    Address {
        /// A keystore name, or a path to a keystore file.
        keystore: String,
        #[command(flatten)]
        store: Store,
        #[command(flatten)]
        secret: Secret,
    },
}

#[derive(Subcommand)]
enum Vouchers {
    /// Prints the EIP-712 digest of a typed-data file.
    Digest {
        /// The typed-data JSON file.
        file: PathBuf,
    },
    /// Signs a typed-data file with a keystore: the packed 65-byte signature, as cast prints it.
    Sign {
        /// The typed-data JSON file.
        file: PathBuf,
        /// A keystore name, or a path to a keystore file.
        #[arg(long)]
        keystore: String,
        #[command(flatten)]
        store: Store,
        #[command(flatten)]
        secret: Secret,
    },
    /// Verifies a signature over a typed-data file as the adjudicator would, and as a payee
    /// accepts a voucher (the count above --last, the value within --deposit at --price).
    Verify {
        /// The typed-data JSON file.
        file: PathBuf,
        /// The packed signature, hex.
        signature: String,
        /// Who must have signed.
        #[arg(long)]
        signer: Address,
        /// The highest count already accepted (vouchers only).
        #[arg(long, default_value_t = 0)]
        last: u64,
        /// The price per segment, wei (vouchers only; with --deposit).
        #[arg(long, requires = "deposit")]
        price: Option<U256>,
        /// The channel's deposit, wei (vouchers only; with --price).
        #[arg(long, requires = "price")]
        deposit: Option<U256>,
        /// The chain the voucher must be for.
        #[arg(long)]
        chain_id: Option<u64>,
        /// The adjudicator the voucher must be for.
        #[arg(long)]
        adjudicator: Option<Address>,
    },
}

fn read_typed_data(file: &PathBuf) -> Result<(voucher::Domain, Message), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", file.display()))?;
    voucher::from_typed_data(&value).map_err(|e| format!("{}: {e}", file.display()))
}

fn run(cli: Cli) -> Result<Value, String> {
    match cli.command {
        Command::Keys(keys) => run_keys(keys),
        Command::Voucher(vouchers) => run_voucher(vouchers),
        Command::Node { host, port, chain_id, state } => {
            run_node(host, port, chain_id, state, cli.json)
        }
        Command::Demo { dir, rpc_url, segments } => demo::run(dir, rpc_url, segments, cli.json),
        Command::Deploy { chain, owner, holder } => onchain::deploy(chain, owner, holder),
        Command::Channel { chain, command } => onchain::channel(chain, command),
        Command::Video { chain, command } => onchain::video(chain, command),
        Command::Pti { chain, command } => onchain::pti(chain, command),
        Command::Serve {
            chain,
            videos,
            gateway,
            price_per_segment,
            watch_interval,
            session_idle,
            listen,
        } => {
            let upkeep = (Duration::from_secs(watch_interval), Duration::from_secs(session_idle));
            streaming::serve(chain, &videos, price_per_segment, listen, gateway, upkeep)
        }
        Command::ServeAds {
            chain,
            videos,
            gateway,
            pay_per_segment,
            paid_segments,
            max_sessions,
            session_idle,
            listen,
        } => {
            let limits = AdLimits { max_sessions, idle: Duration::from_secs(session_idle) };
            let pay = (pay_per_segment, paid_segments);
            streaming::serve_ads(chain, &videos, pay, limits, listen, gateway)
        }
        Command::Watch {
            chain,
            url,
            max_segments,
            ahead,
            listen,
            idle_stop,
            paid,
            payer,
            allowed_origins,
        } => {
            let player = streaming::PlayerSide { listen, idle_stop, allowed_origins };
            if paid {
                streaming::watch_ad(chain, url, player)
            } else {
                streaming::watch(chain, url, max_segments, ahead, player, payer)
            }
        }
        Command::Watchtower { chain, interval, settle_threshold, once } => {
            onchain::watchtower(chain, interval, settle_threshold, once)
        }
    }
}

/// Serves the local node until Ctrl-C or SIGTERM; prints its endpoint and development
/// accounts first (their public test keys too: they exist to be used on this chain only).
fn run_node(
    host: std::net::IpAddr,
    port: u16,
    chain_id: u64,
    state: Option<PathBuf>,
    json_out: bool,
) -> Result<Value, String> {
    use paratii_devnet::node::{dev_accounts, NodeConfig, RunningNode, DEV_KEYS};
    let config = NodeConfig {
        addr: std::net::SocketAddr::new(host, port),
        chain_id,
        state,
        ..NodeConfig::default()
    };
    let node = RunningNode::start(&config).map_err(|e| e.to_string())?;
    let accounts: Vec<Value> = dev_accounts()
        .iter()
        .zip(DEV_KEYS)
        .map(|(address, key)| json!({ "address": address.to_checksum(None), "privateKey": key }))
        .collect();
    let ready = json!({ "endpoint": node.url(), "chainId": chain_id, "accounts": accounts });
    if json_out {
        println!("{ready}");
    } else {
        println!(
            "local node on {} (chain {chain_id}); development accounts, 10,000 ETH each:",
            node.url()
        );
        for (i, (address, key)) in dev_accounts().iter().zip(DEV_KEYS).enumerate() {
            println!("  ({i:>2}) {address}  {key}");
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .map_err(|e| e.to_string())?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted.map_err(|e| e.to_string()),
            _ = terminate.recv() => Ok(()),
        }
    })?;
    node.stop().map_err(|e| e.to_string())?;
    Ok(json!({ "node": "stopped" }))
}

fn run_keys(command: Keys) -> Result<Value, String> {
    match command {
        Keys::New { name, store, secret } => {
            let store = store.open();
            let address = store.create(&name, &secret.password()?).map_err(|e| e.to_string())?;
            Ok(
                json!({ "name": name, "address": address.to_checksum(None), "path": store.path(&name) }),
            )
        }
        Keys::Import { name, store, secret } => {
            let mut line = zeroize::Zeroizing::new(String::new());
            std::io::stdin()
                .read_to_string(&mut line)
                .map_err(|e| format!("standard input: {e}"))?;
            let key = zeroize::Zeroizing::new(
                hex::decode(line.trim())
                    .map_err(|_| "standard input: not a hex private key".to_owned())?,
            );
            let store = store.open();
            let address =
                store.import(&name, &key, &secret.password()?).map_err(|e| e.to_string())?;
            Ok(
                json!({ "name": name, "address": address.to_checksum(None), "path": store.path(&name) }),
            )
        }
        Keys::List { store } => {
            let store = store.open();
            let names = store.list().map_err(|e| e.to_string())?;
            Ok(json!({ "dir": store.dir(), "keystores": names }))
        }
        Keys::Authorize { chain, what } => onchain::authorize(chain, what),
        Keys::Address { keystore, store, secret } => {
            let key =
                store.open().unlock(&keystore, &secret.password()?).map_err(|e| e.to_string())?;
            Ok(json!({ "address": key.address().to_checksum(None) }))
        }
    }
}

fn run_voucher(command: Vouchers) -> Result<Value, String> {
    match command {
        Vouchers::Digest { file } => {
            let (domain, message) = read_typed_data(&file)?;
            Ok(json!({ "digest": message.digest(&domain) }))
        }
        Vouchers::Sign { file, keystore, store, secret } => {
            let (domain, message) = read_typed_data(&file)?;
            let key =
                store.open().unlock(&keystore, &secret.password()?).map_err(|e| e.to_string())?;
            let signature = message.sign(&domain, &key);
            Ok(json!({
                "signature": hex::encode_prefixed(signature),
                "signer": key.address().to_checksum(None),
            }))
        }
        Vouchers::Verify {
            file,
            signature,
            signer,
            last,
            price,
            deposit,
            chain_id,
            adjudicator,
        } => {
            let (domain, message) = read_typed_data(&file)?;
            let signature =
                hex::decode(signature.trim()).map_err(|_| "signature: not hex".to_owned())?;
            let expected = voucher::Domain {
                chain_id: chain_id.unwrap_or(domain.chain_id),
                adjudicator: adjudicator.unwrap_or(domain.adjudicator),
            };
            voucher::check_domain(&expected, &domain).map_err(|e| e.to_string())?;
            if let (Message::Voucher(v), Some((price, deposit))) = (message, price.zip(deposit)) {
                let channel = voucher::Channel {
                    id: v.channel_id,
                    signer,
                    price_per_segment: price,
                    deposit,
                };
                voucher::accept(&domain, &channel, last, &v, &signature)
                    .map_err(|e| e.to_string())?;
            } else {
                let recovered = voucher::recover(message.digest(&domain), &signature)
                    .map_err(|e| e.to_string())?;
                if recovered != signer {
                    return Err(voucher::VoucherError::WrongSigner { expected: signer, recovered }
                        .to_string());
                }
                if let Message::Voucher(v) = message {
                    if v.segments <= last {
                        return Err(voucher::VoucherError::NotAbove { segments: v.segments, last }
                            .to_string());
                    }
                }
            }
            Ok(json!({
                "valid": true,
                "signer": signer.to_checksum(None),
                "digest": message.digest(&domain),
            }))
        }
    }
}

/// The human form of a command's JSON answer: a signature alone (as cast prints one), a single
/// value, or `key: value` lines.
fn human(value: &Value) -> String {
    if let Some(signature) = value.get("signature").and_then(Value::as_str) {
        return signature.to_owned();
    }
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    };
    match value.as_object() {
        Some(fields) if fields.len() == 1 => fields.values().map(text).collect(),
        Some(fields) => {
            fields.iter().map(|(k, v)| format!("{k}: {}", text(v))).collect::<Vec<_>>().join("\n")
        }
        None => text(value),
    }
}

fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let json_out = cli.json;
    match run(cli) {
        Ok(value) => {
            // A closed pipe (`| head`) is not an error of ours.
            let mut out = std::io::stdout();
            let _ = if json_out {
                writeln!(out, "{value}")
            } else if value.is_null() {
                Ok(())
            } else {
                writeln!(out, "{}", human(&value))
            };
            ExitCode::SUCCESS
        }
        Err(e) => {
            if json_out {
                println!("{}", json!({ "error": e }));
            } else {
                eprintln!("error: {e}");
            }
            ExitCode::from(1)
        }
    }
}
