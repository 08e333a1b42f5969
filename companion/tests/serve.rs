//! The segment server over real HTTP on loopback, against the real local node: a package made
//! with ffmpeg, a channel opened on chain, vouchers in the `Payment` scheme, and every refusal
//! with its status and problem type; then the payee closes for exactly what was served.

mod common;

use common::dev_key;

use std::{future::IntoFuture, path::Path, sync::Arc};

use alloy_primitives::{keccak256, Address, U256};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_are_served_only_against_durable_vouchers_and_close_pays_exactly_those() {
    let work = tempfile::tempdir().unwrap();
    let pkg = package(work.path());
    let (node, chain, contracts) = common::deployed().await;
    let (viewer_key, producer) = (dev_key(1), dev_key(2));
    let suite = chain.suite(contracts);

    // The producer's server: one video at 1,000 wei a segment.
    let video_id = keccak256("the clip");
    let price = U256::from(1_000u64);
    let video = Video::load(video_id, price, &pkg.dir).unwrap();
    let segments = video.segment_count();
    assert_eq!(segments, 4);
    let domain = Domain { chain_id: chain.chain_id(), adjudicator: contracts.payment_channels };
    let config = ServerConfig {
        realm: "producer".into(),
        domain,
        token: contracts.token,
        payee: producer.address(),
    };
    let payee_store = Arc::new(SqliteStore::open(&work.path().join("payee.db")).unwrap());
    let server = Arc::new(SegmentServer::new(
        config,
        vec![video],
        Arc::clone(&payee_store),
        Some((Arc::clone(&chain), contracts)),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}/videos/{video_id}/");
    tokio::spawn(axum::serve(listener, Arc::clone(&server).router()).into_future());
    let v = Viewer { http: reqwest::Client::new(), base };

    free_and_missing(&v).await;

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

    // The viewer opens a channel for the whole video, as the challenge suggests.
    let params = Params {
        payer: viewer_key.address(),
        payee: producer.address(),
        signer: Address::ZERO,
        videoId: video_id,
        pricePerSegment: price,
        salt: keccak256("session 1"),
    };
    let payer = Payer::new(SqliteStore::open(&work.path().join("payer.db")).unwrap());
    let opened =
        channel::open(payer.store(), &suite, &params, U256::from(4_000u64), Funding::Payer)
            .await
            .unwrap();
    let id = opened.id;
    // The payer signs each count once (its store refuses to sign a count twice).
    let signed: Vec<[u8; 65]> = (1..=4).map(|n| payer.sign(id, n, &viewer_key).unwrap()).collect();
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

    refusals(&v, &challenge, &params, &signed, &domain).await;
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
    node.stop().unwrap();
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
