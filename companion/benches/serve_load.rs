//! Load generator for the segment server: many concurrent viewing sessions, each fetching one
//! small segment every 2 seconds over loopback HTTP with the next voucher, every voucher
//! verified and durably stored (SQLite, WAL, `synchronous=FULL`, group commit) before its
//! segment is sent. Reports sessions, segments per second, the latency of each paid request
//! (client-side: HTTP round trip, verification and the durable write), errors and the number of
//! durable writes, and writes `target/serve-load.json`.
//!
//! `cargo bench -p paratii-companion --bench serve_load -- [--sessions N] [--seconds S]`
//! (defaults: 10,000 sessions for 20 s). The server and the load generator share this machine's
//! cores; the channels are recorded in the payee's store beforehand (as `channel incoming`
//! would), so no chain is involved.

use std::{
    fmt::Write as _,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use alloy_primitives::{keccak256, Address, B256, U256};
use paratii_companion::{
    channel::{channel_id, Params},
    keys::UnlockedKey,
    media::{Cid, Metadata, Segment, METADATA, PLAYLIST},
    serve::{
        protocol::{Challenge, ChannelParams, Credential, VoucherPayload},
        SegmentServer, ServerConfig, Video,
    },
    store::{ChannelStore, Role, SqliteStore, StoredChannel},
    voucher::{Domain, Message, Voucher},
    watch::parse_challenge,
};

const SEGMENT_PERIOD: Duration = Duration::from_secs(2);
const PRICE: u64 = 10;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A package of `count` 1 KiB segments, written without ffmpeg (the server never decodes).
fn package(dir: &std::path::Path, count: usize) {
    let mut playlist = String::from("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n");
    let mut segments = Vec::new();
    for i in 0..count {
        let uri = format!("seg{i:05}.ts");
        let bytes: Vec<u8> = (0..1024u32)
            .map(|b| u8::try_from((b + u32::try_from(i).unwrap_or(0)) % 251).unwrap_or(0))
            .collect();
        std::fs::write(dir.join(&uri), &bytes).expect("a segment");
        let _ = write!(playlist, "#EXTINF:2.000000,\n{uri}\n");
        segments.push(Segment { uri, cid: Cid::of(&bytes), bytes: 1024, millis: 2000 });
    }
    playlist.push_str("#EXT-X-ENDLIST\n");
    std::fs::write(dir.join(PLAYLIST), &playlist).expect("the playlist");
    let metadata = Metadata {
        version: 1,
        source: Cid::of(b"source"),
        source_bytes: 6,
        playlist: Cid::of(playlist.as_bytes()),
        segments,
    };
    std::fs::write(dir.join(METADATA), serde_json::to_vec(&metadata).expect("json"))
        .expect("metadata");
}

struct Session {
    params: Params,
    /// Signatures for counts 1, 2, ….
    vouchers: Vec<[u8; 65]>,
}

/// Percentiles of sorted latencies.
fn summary(sorted: &[u64]) -> serde_json::Value {
    serde_json::json!({
        "p50": percentile(sorted, 0.50),
        "p90": percentile(sorted, 0.90),
        "p99": percentile(sorted, 0.99),
        "p999": percentile(sorted, 0.999),
        "max": sorted.last().copied().unwrap_or(0),
    })
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// Records `sessions` channels in the payee's store and signs `rounds` vouchers for each.
fn setup(
    store: &SqliteStore,
    domain: Domain,
    payee: Address,
    video_id: B256,
    sessions: usize,
    rounds: usize,
) -> Vec<Session> {
    let keys: Vec<UnlockedKey> =
        (1..=8u8).map(|i| UnlockedKey::from_secret(&[i; 32]).expect("a key")).collect();
    let mut all = Vec::with_capacity(sessions);
    for s in 0..sessions {
        let key = &keys[s % keys.len()];
        let params = Params {
            payer: key.address(),
            payee,
            signer: Address::ZERO,
            videoId: video_id,
            pricePerSegment: U256::from(PRICE),
            salt: B256::from(U256::from(s)),
        };
        let id = channel_id(domain.chain_id, domain.adjudicator, &params);
        store
            .put_channel(&StoredChannel {
                id,
                role: Role::Payee,
                chain_id: domain.chain_id,
                adjudicator: domain.adjudicator,
                payer: params.payer,
                payee,
                signer: Address::ZERO,
                video_id,
                price_per_segment: params.pricePerSegment,
                salt: params.salt,
                deposit: U256::from(PRICE * 1_000),
                settled: 0,
                close_requested_at: None,
                finalized: false,
            })
            .expect("a channel");
        let vouchers = (1..=rounds as u64)
            .map(|n| Message::Voucher(Voucher { channel_id: id, segments: n }).sign(&domain, key))
            .collect();
        all.push(Session { params, vouchers });
    }
    all
}

fn main() {
    let sessions = usize::try_from(arg("--sessions", 10_000)).unwrap_or(10_000);
    let seconds = arg("--seconds", 20);
    let rounds = usize::try_from(seconds / SEGMENT_PERIOD.as_secs()).unwrap_or(1).max(1);
    // Removed when the run ends: the store grows by ~35 MB a second under load.
    let work = tempfile::tempdir().expect("a temporary folder");
    let dir = work.path().to_path_buf();
    package(&dir, rounds);
    let domain = Domain { chain_id: 412_346, adjudicator: Address::repeat_byte(0xad) };
    let payee = Address::repeat_byte(0xbe);
    let video_id = keccak256("load");
    let started = Instant::now();
    let store = Arc::new(SqliteStore::open(&dir.join("payee.db")).expect("a store"));
    let all = setup(&store, domain, payee, video_id, sessions, rounds);
    eprintln!(
        "setup: {sessions} channels recorded and {} vouchers signed in {:.1} s",
        sessions * rounds,
        started.elapsed().as_secs_f64()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio");
    let server_runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio");
    let (server, base) =
        start_server(&dir, Arc::clone(&store), domain, payee, video_id, server_runtime.handle());
    let report = runtime.block_on(load(&server, &base, &store, all, rounds));
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/serve-load.json");
    let _ = std::fs::write(out, serde_json::to_vec_pretty(&report).expect("json"));
}

/// Serves the package on a runtime of its own, as it would run in its own process (the load
/// generator's tasks do not queue on the server's workers); the server and the video's URL.
fn start_server(
    dir: &std::path::Path,
    store: Arc<SqliteStore>,
    domain: Domain,
    payee: Address,
    video_id: B256,
    runtime: &tokio::runtime::Handle,
) -> (Arc<SegmentServer<SqliteStore>>, String) {
    let video = Video::load(video_id, U256::from(PRICE), dir).expect("the package");
    let config =
        ServerConfig { realm: "load".into(), domain, token: Address::repeat_byte(0x70), payee };
    let server = Arc::new(SegmentServer::new(config, vec![video], store, None));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.set_nonblocking(true).expect("non-blocking");
    let base = format!("http://{}/videos/{video_id}/", listener.local_addr().expect("addr"));
    let serving = Arc::clone(&server);
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("a listener");
        axum::serve(listener, serving.router()).await
    });
    (server, base)
}

/// Runs every session against the server; the report.
async fn load(
    server: &SegmentServer<SqliteStore>,
    base: &str,
    store: &SqliteStore,
    all: Vec<Session>,
    rounds: usize,
) -> serde_json::Value {
    let sessions = all.len();
    let http =
        reqwest::Client::builder().pool_max_idle_per_host(usize::MAX).build().expect("client");
    // One challenge, from the server's first 402.
    let first = http.get(format!("{base}seg00000.ts")).send().await.expect("a 402");
    let challenge: Challenge = first
        .headers()
        .get("www-authenticate")
        .and_then(|h| h.to_str().ok())
        .and_then(parse_challenge)
        .expect("a challenge");
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now() + Duration::from_millis(500);
    let mut tasks = Vec::with_capacity(sessions);
    for (s, session) in all.into_iter().enumerate() {
        let (http, base, challenge, errors) =
            (http.clone(), base.to_owned(), challenge.clone(), Arc::clone(&errors));
        // Sessions start spread evenly over one segment period.
        let offset =
            SEGMENT_PERIOD * u32::try_from(s).unwrap_or(0) / u32::try_from(sessions).unwrap_or(1);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(rounds);
            for (i, signature) in session.vouchers.iter().enumerate() {
                let at = started + offset + SEGMENT_PERIOD * u32::try_from(i).unwrap_or(0);
                tokio::time::sleep_until(at.into()).await;
                let credential = Credential {
                    challenge: challenge.clone(),
                    payload: VoucherPayload {
                        channel: ChannelParams::from(&session.params),
                        segments: i as u64 + 1,
                        signature: signature.to_vec().into(),
                    },
                };
                let sent = Instant::now();
                let response = http
                    .get(format!("{base}seg{i:05}.ts"))
                    .header("authorization", credential.header())
                    .send()
                    .await;
                let ok = match response {
                    Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
                    _ => false,
                };
                latencies.push((i, u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX)));
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(sessions * rounds);
    let (mut first, mut later) = (Vec::with_capacity(sessions), Vec::new());
    for task in tasks {
        for (round, micros) in task.await.expect("a session") {
            latencies.push(micros);
            if round == 0 {
                first.push(micros);
            } else {
                later.push(micros);
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    for sorted in [&mut latencies, &mut first, &mut later] {
        sorted.sort_unstable();
    }
    let ok = latencies.len() as u64 - errors.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)]
    let rate = ok as f64 / elapsed;
    let (batches, written) = server.commit_stats();
    let stored: usize = store.channels().expect("channels").len();
    serde_json::json!({
        "sessions": sessions,
        "segmentsPerSession": rounds,
        "seconds": elapsed,
        "segmentsServed": ok,
        "durableWrites": batches,
        "vouchersWritten": written,
        "errors": errors.load(Ordering::Relaxed),
        "segmentsPerSecond": rate,
        "latencyMicros": summary(&latencies),
        // A session's first request also connects and loads its channel from the store.
        "firstRequestLatencyMicros": summary(&first),
        "laterRequestsLatencyMicros": summary(&later),
        "channelsInStore": stored,
    })
}
