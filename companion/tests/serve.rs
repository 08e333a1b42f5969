//! The segment server over real HTTP on loopback, against the real local node: a package made
//! with ffmpeg, a channel opened on chain, vouchers in the `Payment` scheme, and every refusal
//! with its status and problem type; then the payee closes for exactly what was served.

mod common;

use common::dev_key;

use std::{future::IntoFuture, path::Path, sync::Arc};

use alloy_primitives::{keccak256, Address, B256, U256};
use paratii_companion::{
    channel::{self, Funding, Params, Phase},
    media::{Cid, Package, Packager},
    payee::Payer,
    serve::{
        protocol::{Challenge, ChannelParams, Credential, PaymentReceipt, Problem, VoucherPayload},
        SegmentServer, ServerConfig, Video,
    },
    store::{ChannelStore, SqliteStore},
    voucher::{Domain, Message, Voucher},
};

fn package(dir: &Path) -> Package {
    Packager::default().package(&common::clip(dir, 8, false), &dir.join("pkg")).unwrap()
}

struct Viewer {
    http: reqwest::Client,
    base: String,
}

impl Viewer {
    async fn get(&self, path: &str, auth: Option<String>) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        request.send().await.unwrap()
    }
}

async fn problem(response: reqwest::Response) -> (u16, String, Option<String>) {
    let status = response.status().as_u16();
    let challenge =
        response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: Problem = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(problem.status, status);
    (status, problem.kind.rsplit('/').next().unwrap().to_owned(), challenge)
}

/// The challenge in a `WWW-Authenticate` value, as a client parses it.
fn parse_challenge(header: &str) -> Challenge {
    let field = |name: &str| {
        let start = header.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        header[start..start + header[start..].find('"').unwrap()].to_owned()
    };
    Challenge {
        id: field("id"),
        realm: field("realm"),
        method: field("method"),
        intent: field("intent"),
        request: field("request"),
    }
}

fn credential(challenge: &Challenge, segments: u64, signature: Vec<u8>, params: &Params) -> String {
    Credential {
        challenge: challenge.clone(),
        payload: VoucherPayload {
            channel: ChannelParams::from(params),
            segments,
            signature: signature.into(),
        },
    }
    .header()
}

fn pay(challenge: &Challenge, params: &Params, signed: &[[u8; 65]], n: u64) -> String {
    credential(challenge, n, signed[usize::try_from(n).unwrap() - 1].to_vec(), params)
}

/// The playlist and metadata are free; what does not exist is 404.
async fn free_and_missing(v: &Viewer) {
    // Free: the playlist and the metadata.
    let playlist = v.get("index.m3u8", None).await;
    assert_eq!(playlist.status(), 200);
    assert!(playlist.text().await.unwrap().starts_with("#EXTM3U"));
    assert_eq!(v.get("metadata.json", None).await.status(), 200);
    // Not found: another video, a file not in the package.
    assert_eq!(problem(v.get("../nope/seg00000.ts", None).await).await.0, 404);
    assert_eq!(problem(v.get("seg09999.ts", None).await).await.1, "not-found");
}

/// Refusals, none of which changes what the payee holds: a voucher ahead of the segment, one
/// short of it, a forged one (for a new count and for a paid one), another channel's, an altered
/// challenge, garbage.
async fn refusals(
    v: &Viewer,
    challenge: &Challenge,
    params: &Params,
    signed: &[[u8; 65]],
    domain: &Domain,
) {
    let stranger = dev_key(3);
    let id = channel::channel_id(domain.chain_id, domain.adjudicator, params);
    let pay = |n: u64| pay(challenge, params, signed, n);
    let ahead = problem(v.get("seg00001.ts", Some(pay(3))).await).await;
    assert_eq!((ahead.0, ahead.1.as_str()), (409, "voucher-ahead"));
    let short = problem(v.get("seg00001.ts", Some(pay(1))).await).await;
    assert_eq!((short.0, short.1.as_str()), (402, "payment-required"));
    let message = Message::Voucher(Voucher { channel_id: id, segments: 2 });
    let forged = credential(challenge, 2, message.sign(domain, &stranger).to_vec(), params);
    let refused = problem(v.get("seg00001.ts", Some(forged)).await).await;
    assert_eq!((refused.0, refused.1.as_str()), (402, "verification-failed"));
    // The retry shortcut checks the signature too: a forged voucher for a paid count gets nothing.
    let message = Message::Voucher(Voucher { channel_id: id, segments: 1 });
    let forged = credential(challenge, 1, message.sign(domain, &stranger).to_vec(), params);
    assert_eq!(problem(v.get("seg00000.ts", Some(forged)).await).await.1, "verification-failed");
    let other = Params { salt: keccak256("never opened"), ..params.clone() };
    let unknown =
        problem(v.get("seg00001.ts", Some(credential(challenge, 2, vec![0; 65], &other))).await)
            .await;
    assert_eq!((unknown.0, unknown.1.as_str()), (402, "channel-not-found"));
    let mut altered = Credential::parse(&pay(2)).unwrap();
    altered.challenge.realm = "elsewhere".into();
    assert_eq!(
        problem(v.get("seg00001.ts", Some(altered.header())).await).await.1,
        "invalid-challenge"
    );
    assert_eq!(
        problem(v.get("seg00001.ts", Some("Payment !!".into())).await).await.1,
        "malformed-credential"
    );
}

/// The producer's server for one 4-segment video at 1,000 wei a segment, on a fresh local chain,
/// listening on loopback.
struct Producer {
    node: paratii_devnet::node::RunningNode,
    chain: Arc<paratii_companion::chain::Chain>,
    contracts: paratii_companion::chain::Contracts,
    server: Arc<SegmentServer<SqliteStore>>,
    store: Arc<SqliteStore>,
    key: paratii_companion::keys::UnlockedKey,
    video_id: B256,
    price: U256,
    domain: Domain,
    addr: std::net::SocketAddr,
    v: Viewer,
}

impl Producer {
    async fn start(work: &Path, pkg: &Package) -> Self {
        let (node, chain, contracts) = common::deployed().await;
        let key = dev_key(2);
        let video_id = keccak256("the clip");
        let price = U256::from(1_000u64);
        let video = Video::load(video_id, price, &pkg.dir).unwrap();
        assert_eq!(video.segment_count(), 4);
        let domain = Domain { chain_id: chain.chain_id(), adjudicator: contracts.payment_channels };
        let config = ServerConfig {
            realm: "producer".into(),
            domain,
            token: contracts.token,
            payee: key.address(),
        };
        let store = Arc::new(SqliteStore::open(&work.join("payee.db")).unwrap());
        let server = Arc::new(SegmentServer::new(
            config,
            vec![video],
            Arc::clone(&store),
            Some((Arc::clone(&chain), contracts)),
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}/videos/{video_id}/");
        tokio::spawn(axum::serve(listener, Arc::clone(&server).router()).into_future());
        let v = Viewer { http: reqwest::Client::new(), base };
        Self { node, chain, contracts, server, store, key, video_id, price, domain, addr, v }
    }

    /// The challenge of a first, unpaid request for segment 0.
    async fn challenge(&self) -> Challenge {
        let (status, _, header) = problem(self.v.get("seg00000.ts", None).await).await;
        assert_eq!(status, 402);
        parse_challenge(&header.unwrap())
    }

    /// A channel from dev account 1 for the whole video, its id, and its four vouchers.
    async fn open(&self, payer: &Payer<SqliteStore>, salt: &str) -> (Params, B256, Vec<[u8; 65]>) {
        let viewer = dev_key(1);
        let params = Params {
            payer: viewer.address(),
            payee: self.key.address(),
            signer: Address::ZERO,
            videoId: self.video_id,
            pricePerSegment: self.price,
            salt: keccak256(salt),
        };
        let suite = self.chain.suite(self.contracts);
        let deposit = self.price * U256::from(4u64);
        let opened =
            channel::open(payer.store(), &suite, &params, deposit, Funding::Payer).await.unwrap();
        let signed = (1..=4).map(|n| payer.sign(opened.id, n, &viewer).unwrap()).collect();
        (params, opened.id, signed)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_are_served_only_against_durable_vouchers_and_close_pays_exactly_those() {
    let work = tempfile::tempdir().unwrap();
    let pkg = package(work.path());
    let p = Producer::start(work.path(), &pkg).await;
    let (producer, domain, addr, video_id) = (&p.key, p.domain, p.addr, p.video_id);
    let (server, payee_store, v) = (&p.server, &p.store, &p.v);
    let suite = p.chain.suite(p.contracts);
    let contracts = p.contracts;

    free_and_missing(v).await;

    // A segment without a voucher: 402 with a challenge naming price, payee, chain, adjudicator.
    let (status, kind, header) = problem(v.get("seg00000.ts", None).await).await;
    assert_eq!((status, kind.as_str()), (402, "payment-required"));
    let challenge = parse_challenge(&header.unwrap());
    let request = challenge.payment_request().unwrap();
    assert_eq!(request.amount, "1000");
    assert_eq!(request.suggested_deposit, "4000");
    assert_eq!(request.recipient, producer.address());
    assert_eq!(request.method_details.escrow_contract, contracts.payment_channels);
    assert_eq!((request.method_details.segment, request.method_details.segments), (0, 1));

    // The viewer opens a channel for the whole video, as the challenge suggests, and signs each
    // count once (its store refuses to sign a count twice).
    let payer = Payer::new(SqliteStore::open(&work.path().join("payer.db")).unwrap());
    let (params, id, signed) = p.open(&payer, "session 1").await;
    let pay = |n: u64| pay(&challenge, &params, &signed, n);

    // Segment 0 with voucher 1: served, the bytes are the segment's, the receipt a running total.
    let first = v.get("seg00000.ts", Some(pay(1))).await;
    assert_eq!(first.status(), 200);
    let receipt =
        PaymentReceipt::parse(first.headers()["payment-receipt"].to_str().unwrap()).unwrap();
    assert_eq!((receipt.channel_id, receipt.accepted_segments, receipt.segment), (id, 1, 0));
    assert_eq!(receipt.accepted_amount, "1000");
    let bytes = first.bytes().await.unwrap();
    assert_eq!(Cid::of(&bytes), pkg.metadata.segments[0].cid);
    assert_eq!(payee_store.best_voucher(id).unwrap().unwrap().segments, 1, "durable before served");

    // A retry of segment 0 with the same voucher: served again, nothing paid twice.
    let again = v.get("seg00000.ts", Some(pay(1))).await;
    assert_eq!(again.status(), 200);
    let receipt =
        PaymentReceipt::parse(again.headers()["payment-receipt"].to_str().unwrap()).unwrap();
    assert_eq!(receipt.accepted_segments, 1);

    refusals(v, &challenge, &params, &signed, &domain).await;
    assert_eq!(payee_store.best_voucher(id).unwrap().unwrap().segments, 1);

    // A client that asks for segment 1 with voucher 2 and hangs up after 100 bytes: the voucher
    // was durable before the first byte; asking again is free.
    let path = format!("/videos/{video_id}/seg00001.ts");
    let mut gone = raw_request(addr, &path, &pay(2)).await;
    let mut some = [0u8; 100];
    tokio::io::AsyncReadExt::read_exact(&mut gone, &mut some).await.unwrap();
    drop(gone);
    assert_eq!(payee_store.best_voucher(id).unwrap().unwrap().segments, 2);
    // A slow client holding segment 1 open does not hold up anyone: another request is answered
    // while it has read only its first bytes; then it reads the whole segment.
    let mut slow = raw_request(addr, &path, &pay(2)).await;
    tokio::io::AsyncReadExt::read_exact(&mut slow, &mut some).await.unwrap();
    assert_eq!(v.get("seg00000.ts", Some(pay(1))).await.status(), 200);
    let mut rest = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut slow, &mut rest).await.unwrap();
    let whole = [&some[..], &rest].concat();
    let body = &whole[whole.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
    assert_eq!(Cid::of(body), pkg.metadata.segments[1].cid, "the whole segment, once paid");
    assert_eq!(payee_store.best_voucher(id).unwrap().unwrap().segments, 2, "paid once");

    // One more segment, then the viewer stops: the payee closes for exactly 3 segments.
    for n in 3..=3u64 {
        let response = v.get(&format!("seg{:05}.ts", n - 1), Some(pay(n))).await;
        assert_eq!(response.status(), 200);
    }
    let before = suite.pti_balance(producer.address()).await.unwrap();
    server.close(id).await.unwrap();
    let after = suite.pti_balance(producer.address()).await.unwrap();
    assert_eq!(after - before, U256::from(3_000u64));
    let state = suite.channel_state(id).await.unwrap();
    assert_eq!((state.phase, state.settled), (Phase::Finalized, 3));
    // Closed: the server refuses the channel from now on.
    let closed = problem(v.get("seg00003.ts", Some(pay(4))).await).await;
    assert_eq!((closed.0, closed.1.as_str()), (402, "channel-not-found"));
    assert_eq!(payee_store.best_voucher(id).unwrap().unwrap().segments, 3);
    p.node.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upkeep_closes_with_the_best_voucher_when_the_payer_asks_and_when_the_viewer_goes_quiet() {
    let work = tempfile::tempdir().unwrap();
    let pkg = package(work.path());
    let p = Producer::start(work.path(), &pkg).await;
    let suite = p.chain.suite(p.contracts);
    let challenge = p.challenge().await;
    let payer = Payer::new(SqliteStore::open(&work.path().join("payer.db")).unwrap());
    // Two viewers' channels: one pays for 2 segments, then its payer asks on chain to close
    // (to withdraw the rest once the grace period is over); the other pays for 1 and goes quiet.
    let (asks, asks_id, asks_signed) = p.open(&payer, "asks").await;
    let (quiet, quiet_id, quiet_signed) = p.open(&payer, "quiet").await;
    for (params, signed, n) in
        [(&asks, &asks_signed, 1), (&asks, &asks_signed, 2), (&quiet, &quiet_signed, 1)]
    {
        let segment = format!("seg{:05}.ts", n - 1);
        let auth = pay(&challenge, params, signed, n);
        assert_eq!(p.v.get(&segment, Some(auth)).await.status(), 200);
    }
    channel::request_close(payer.store(), &suite, asks_id).await.unwrap();
    let before = suite.pti_balance(p.key.address()).await.unwrap();

    // A round with a long idle period: the watchtower closes the channel whose payer asked, for
    // the 2 segments on the server's disk; the quiet one is left alone.
    let mut tower = channel::Watchtower::new(&*p.store, suite);
    let hour = std::time::Duration::from_hours(1);
    let done = p.server.upkeep(&mut tower, hour).await.unwrap();
    assert_eq!((done.closed_on_request, done.closed_idle), (vec![asks_id], vec![]));
    let state = suite.channel_state(asks_id).await.unwrap();
    assert_eq!((state.phase, state.settled), (Phase::Finalized, 2));
    assert_eq!(suite.channel_state(quiet_id).await.unwrap().phase, Phase::Open);
    // Closed: a further voucher on it is refused, so the close paid for everything served.
    let late = problem(p.v.get("seg00002.ts", Some(pay(&challenge, &asks, &asks_signed, 3))).await);
    assert_eq!(late.await.1, "channel-not-found");

    // A round in which every channel is idle: the quiet one is closed for its 1 segment.
    let done = p.server.upkeep(&mut tower, std::time::Duration::ZERO).await.unwrap();
    assert_eq!((done.closed_idle, done.failed), (vec![quiet_id], vec![]));
    let state = suite.channel_state(quiet_id).await.unwrap();
    assert_eq!((state.phase, state.settled), (Phase::Finalized, 1));
    let after = suite.pti_balance(p.key.address()).await.unwrap();
    assert_eq!(after - before, U256::from(3_000u64), "2 + 1 segments, each paid once");
    // Nothing is left to do.
    let done = p.server.upkeep(&mut tower, std::time::Duration::ZERO).await.unwrap();
    assert_eq!(done, paratii_companion::serve::Upkeep::default());
    p.node.stop().unwrap();
}

/// A raw HTTP/1.1 request for `path` with `auth`, the connection closed after the answer.
async fn raw_request(addr: std::net::SocketAddr, path: &str, auth: &str) -> tokio::net::TcpStream {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\nConnection: close\r\n\r\n"
    );
    tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes()).await.unwrap();
    stream
}

#[test]
fn challenge_header_parses_back() {
    let header =
        "Payment id=\"a\", realm=\"r\", method=\"paratii\", intent=\"session\", request=\"e30\"";
    let c = parse_challenge(header);
    assert_eq!((c.id.as_str(), c.request.as_str()), ("a", "e30"));
}
