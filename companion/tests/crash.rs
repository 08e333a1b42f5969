//! Crash safety, with real processes: the `paratii` binary is killed with SIGKILL at random
//! points of a voucher stream, many times, and restarted.
//!
//! - Payee (`paratii channel accept`): the highest voucher it acknowledged is always in its store
//!   after the crash, and the channel closes on the node for exactly the store's best voucher.
//! - Payer (`paratii channel sign`): every voucher it sent is in its store after the crash (it
//!   records before it sends), a restart never signs a count twice, and the channel closes for
//!   exactly the highest voucher sent.
//!
//! The kill points come from a seeded generator; the seed is printed, and `PARATII_CRASH_SEED`
//! replays one.

use std::{
    io::{BufRead, BufReader, Write},
    os::unix::process::ExitStatusExt,
    path::Path,
    process::{Child, Command, Stdio},
};

use alloy_primitives::{hex, keccak256, Address, B256, U256};
use paratii_companion::{
    chain::{bindings::IPaymentChannels, Chain, ChainConfig, Suite},
    channel::{self, Funding, Params},
    deploy::{self, DeployConfig},
    keys::{KeyStore, Password, UnlockedKey},
    payee::{Payee, Payer},
    store::{ChannelStore, SqliteStore},
};
use paratii_devnet::node::{NodeConfig, RunningNode, DEV_KEYS};
use rand::{rngs::StdRng, Rng, SeedableRng};

const PRICE: u64 = 1_000;
const DEPOSIT_SEGMENTS: u64 = 100_000;
const ROUNDS: usize = 24;

/// The two tests run one at a time: a child one test spawns could otherwise inherit, between
/// its fork and its exec, the store lock the other test holds while it checks a store, and make
/// that test's next child find its store busy.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn paratii() -> Command {
    Command::new(env!("CARGO_BIN_EXE_paratii"))
}

/// A fresh folder, removed when the test ends.
fn dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("paratii-crash-{name}-")).tempdir().unwrap()
}

fn dev_key(i: usize) -> UnlockedKey {
    UnlockedKey::from_secret(&hex::decode(DEV_KEYS[i]).unwrap()).unwrap()
}

fn rng() -> StdRng {
    let seed = std::env::var("PARATII_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    println!("PARATII_CRASH_SEED={seed}");
    StdRng::seed_from_u64(seed)
}

fn kill(mut child: Child) {
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "the child was killed, not ended: {status}");
}

struct World {
    node: RunningNode,
    runtime: tokio::runtime::Runtime,
    chain: Chain,
    contracts: paratii_companion::chain::Contracts,
    viewer: UnlockedKey,
    producer: UnlockedKey,
}

impl World {
    fn new() -> Self {
        let node = RunningNode::start(&NodeConfig {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            ..NodeConfig::default()
        })
        .unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (deployer, viewer, producer) = (dev_key(0), dev_key(1), dev_key(2));
        let chain = runtime
            .block_on(Chain::connect(
                ChainConfig::new(node.url()),
                &[&deployer, &viewer, &producer],
            ))
            .unwrap();
        let owner = deployer.address();
        let (record, _) = runtime
            .block_on(deploy::deploy_suite(&chain, owner, &DeployConfig::new(owner, owner), |_| {}))
            .unwrap();
        let contracts = record.contracts().unwrap();
        let supply = U256::from(PRICE * DEPOSIT_SEGMENTS);
        runtime.block_on(chain.suite(contracts).transfer(owner, viewer.address(), supply)).unwrap();
        Self { node, runtime, chain, contracts, viewer, producer }
    }

    fn suite(&self) -> Suite<'_> {
        self.chain.suite(self.contracts)
    }

    /// Opens a channel from the payer to the payee, recorded in `sender_store` and `receiver_store`.
    fn open(&self, sender_store: &Path, receiver_store: &Path) -> (Params, B256) {
        let params = Params {
            payer: self.viewer.address(),
            payee: self.producer.address(),
            signer: Address::ZERO,
            videoId: keccak256("crash"),
            pricePerSegment: U256::from(PRICE),
            salt: B256::from(rand::random::<[u8; 32]>()),
        };
        let deposit = U256::from(PRICE * DEPOSIT_SEGMENTS);
        let suite = self.suite();
        let paying = SqliteStore::open(sender_store).unwrap();
        let opened = self
            .runtime
            .block_on(channel::open(&paying, &suite, &params, deposit, Funding::Payer))
            .unwrap();
        let paid = SqliteStore::open(receiver_store).unwrap();
        self.runtime.block_on(channel::accept_incoming(&paid, &suite, &params)).unwrap();
        (params, opened.id)
    }

    /// Closes as the payee with the store's best voucher; returns the segments and amount paid.
    fn close(&self, receiver_store: &Path, id: B256) -> (u64, U256) {
        let store = SqliteStore::open(receiver_store).unwrap();
        let suite = self.suite();
        let mined = self.runtime.block_on(channel::close(&store, &suite, id)).unwrap();
        let closed = mined
            .event::<IPaymentChannels::ChannelClosed>("close", self.contracts.payment_channels)
            .unwrap();
        (closed.segments, closed.paid)
    }
}

#[test]
fn payee_keeps_every_acknowledged_voucher_when_killed_mid_stream() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let world = World::new();
    let work = dir("payee");
    let folder = work.path().to_path_buf();
    let (sender_db, receiver_db) = (folder.join("payer.db"), folder.join("payee.db"));
    let (_, id) = world.open(&sender_db, &receiver_db);
    let signer = Payer::new(SqliteStore::open(&sender_db).unwrap());
    let mut rng = rng();
    let (mut next, mut acknowledged) = (1u64, 0u64);
    for round in 0..ROUNDS {
        let mut child = paratii()
            .args(["channel", "accept", "--store"])
            .arg(&receiver_db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(folder.join("stderr")).unwrap())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        let mut answers = BufReader::new(child.stdout.take().unwrap());
        let acked_lines = rng.gen_range(0..40);
        for _ in 0..acked_lines {
            let signature = signer.sign(id, next, &world.viewer).unwrap();
            writeln!(input, "{id} {next} {}", hex::encode(signature)).unwrap_or_else(|e| {
                let stderr = std::fs::read_to_string(folder.join("stderr")).unwrap_or_default();
                panic!("round {round}: the payee is gone ({e}): {stderr}")
            });
            let mut answer = String::new();
            answers.read_line(&mut answer).unwrap();
            assert_eq!(answer.trim(), format!("accepted {next}"), "round {round}");
            acknowledged = next;
            next += 1;
        }
        // Half the rounds kill at once after the last acknowledgement (a payee that answered
        // before its write was durable loses that voucher here); the others send a few more
        // without waiting, so the kill lands before, during or after their writes.
        if rng.gen_bool(0.5) {
            for _ in 0..rng.gen_range(1..4) {
                let signature = signer.sign(id, next, &world.viewer).unwrap();
                let _ = writeln!(input, "{id} {next} {}", hex::encode(signature));
                next += 1;
            }
            std::thread::sleep(std::time::Duration::from_micros(rng.gen_range(0..2_000)));
        }
        kill(child);
        let store = SqliteStore::open(&receiver_db).unwrap();
        let best = store.best_voucher(id).unwrap().map_or(0, |v| v.segments);
        assert!(best >= acknowledged, "round {round}: best {best} < acknowledged {acknowledged}");
        assert!(best < next, "round {round}: best {best} was never sent");
        // The history holds every count once, in order, all verifiable.
        let history: Vec<u64> = store.vouchers(id).unwrap().iter().map(|v| v.segments).collect();
        assert!(history.windows(2).all(|w| w[0] < w[1]), "round {round}: {history:?}");
    }
    let best = SqliteStore::open(&receiver_db).unwrap().best_voucher(id).unwrap().unwrap().segments;
    let (segments, paid) = world.close(&receiver_db, id);
    assert_eq!(segments, best);
    assert!(segments >= acknowledged);
    assert_eq!(paid, U256::from(PRICE * best));
    world.node.stop().unwrap();
}

#[test]
fn payer_never_sends_an_unrecorded_voucher_when_killed_mid_stream() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let world = World::new();
    let work = dir("payer");
    let folder = work.path().to_path_buf();
    let (sender_db, receiver_db) = (folder.join("payer.db"), folder.join("payee.db"));
    let (_, id) = world.open(&sender_db, &receiver_db);
    let keys = KeyStore::new(folder.join("keys"));
    let password = Password::new("crash".into());
    keys.import("payer", &hex::decode(DEV_KEYS[1]).unwrap(), &password).unwrap();
    std::fs::write(folder.join("pw"), "crash\n").unwrap();
    let receiver = Payee::new(SqliteStore::open(&receiver_db).unwrap());
    let mut rng = rng();
    let mut highest_sent = 0u64;
    for round in 0..ROUNDS {
        let mut child = paratii()
            .args(["channel", "sign"])
            .arg(id.to_string())
            .arg(DEPOSIT_SEGMENTS.to_string())
            .args(["--rpc-url", &world.node.url(), "--keystore", "payer", "--keystore-dir"])
            .arg(folder.join("keys"))
            .arg("--password-file")
            .arg(folder.join("pw"))
            .arg("--store")
            .arg(&sender_db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The payer signs as fast as it can while a reader drains every line it sends; the kill
        // lands at a random moment once it has started (a payer that sent before recording
        // loses its last voucher here).
        let vouchers = BufReader::new(child.stdout.take().unwrap());
        let (first, started) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut sent = Vec::new();
            for line in vouchers.lines() {
                let Ok(line) = line else { break };
                let mut fields = line.split_whitespace();
                let parsed = fields.next().and_then(|n| n.parse::<u64>().ok()).zip(
                    fields.next().and_then(|sig| hex::decode(sig).ok()).filter(|s| s.len() == 65),
                );
                // A line cut by the kill was never sent whole.
                let Some(voucher) = parsed else { break };
                if sent.is_empty() {
                    let _ = first.send(());
                }
                sent.push(voucher);
            }
            sent
        });
        started.recv_timeout(std::time::Duration::from_mins(1)).unwrap();
        std::thread::sleep(std::time::Duration::from_micros(rng.gen_range(0..20_000)));
        kill(child);
        for (segments, signature) in reader.join().unwrap() {
            assert!(
                segments > highest_sent,
                "round {round}: {segments} signed twice or out of order"
            );
            receiver.accept(id, segments, &signature).unwrap();
            highest_sent = segments;
        }
        let store = SqliteStore::open(&sender_db).unwrap();
        let best = store.best_voucher(id).unwrap().map_or(0, |v| v.segments);
        assert!(best >= highest_sent, "round {round}: sent {highest_sent}, recorded {best}");
    }
    drop(receiver);
    let (segments, paid) = world.close(&receiver_db, id);
    assert_eq!(segments, highest_sent);
    assert_eq!(paid, U256::from(PRICE * highest_sent));
    world.node.stop().unwrap();
}
