//! A real player no one here wrote: `ffmpeg -i http://127.0.0.1:PORT/index.m3u8 -c copy out.mp4`
//! through the viewer's proxy against the producer's segment server, over loopback HTTP, on the
//! real local node. The output decodes with every segment, and the channel closes on chain for
//! exactly the segments fetched; a viewer who stops early pays exactly what it fetched.

mod common;

use common::dev_key;

use std::{future::IntoFuture, path::Path, process::Command, sync::Arc, time::Duration};

use alloy_primitives::{keccak256, U256};
use paratii_companion::{
    chain::{Chain, Contracts},
    channel::Phase,
    keys::UnlockedKey,
    media::Packager,
    serve::{SegmentServer, ServerConfig, Video},
    store::SqliteStore,
    voucher::Domain,
    watch::{Closed, Watch, WatchConfig},
};
use paratii_devnet::node::RunningNode;

const PRICE: u64 = 1_000;

/// The node, the deployed suite, and the producer's server for one video; the video's URL.
struct World {
    node: RunningNode,
    chain: Arc<Chain>,
    contracts: Contracts,
    producer: UnlockedKey,
    source: String,
}

async fn world(dir: &Path) -> World {
    let clip = common::clip(dir, 10, true);
    let pkg = Packager::default().package(&clip, &dir.join("pkg")).unwrap().dir;
    let (node, chain, contracts) = common::deployed().await;
    let producer = dev_key(2);
    let video_id = keccak256("the clip");
    let video = Video::load(video_id, U256::from(PRICE), &pkg).unwrap();
    let config = ServerConfig {
        realm: "producer".into(),
        domain: Domain { chain_id: chain.chain_id(), adjudicator: contracts.payment_channels },
        token: contracts.token,
        payee: producer.address(),
    };
    let store = Arc::new(SqliteStore::open(&dir.join("producer.db")).unwrap());
    let server = Arc::new(SegmentServer::new(
        config,
        vec![video],
        store,
        Some((Arc::clone(&chain), contracts)),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let source = format!("http://{}/videos/{video_id}/", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, server.router()).into_future());
    World { node, chain, contracts, producer, source }
}

/// Opens the viewer's session and starts its proxy; the player's base URL and the session.
async fn watch(
    w: &World,
    dir: &Path,
) -> (String, Arc<Watch<SqliteStore>>, tokio::task::JoinHandle<Closed>) {
    watch_for(w, dir, Vec::new(), Duration::from_secs(1)).await
}

/// [`watch`], letting the pages of `origins` use the proxy, which stops after `idle` without a
/// request.
async fn watch_for(
    w: &World,
    dir: &Path,
    origins: Vec<String>,
    idle: Duration,
) -> (String, Arc<Watch<SqliteStore>>, tokio::task::JoinHandle<Closed>) {
    let mut config = WatchConfig::new(w.source.clone());
    config.idle_stop = idle;
    config.allowed_origins = origins;
    let store = Arc::new(SqliteStore::open(&dir.join("viewer.db")).unwrap());
    let suite = w.chain.suite(w.contracts);
    let session = Arc::new(Watch::open(config, &suite, store, Arc::new(dev_key(1))).await.unwrap());
    let listener = session.bind().await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let running = Arc::clone(&session);
    let done =
        tokio::spawn(async move { running.run(listener, std::future::pending()).await.unwrap() });
    (base, session, done)
}

/// The session ended with the producer closing its channel for `segments`, which the chain
/// shows finalized, the producer paid for exactly those.
async fn producer_closed_for(
    w: &World,
    session: &Watch<SqliteStore>,
    done: tokio::task::JoinHandle<Closed>,
    segments: u64,
) {
    let closed = done.await.unwrap();
    assert!(
        matches!(closed, Closed::ByProducer { segments: s, transaction: Some(_) } if s == segments),
        "{closed:?}"
    );
    let suite = w.chain.suite(w.contracts);
    let state = suite.channel_state(session.id).await.unwrap();
    assert_eq!((state.phase, state.settled), (Phase::Finalized, segments));
    let paid = suite.pti_balance(w.producer.address()).await.unwrap();
    assert_eq!(paid, U256::from(segments * PRICE));
}

/// Runs `player` (given the playlist's URL and the output file) to copy the whole video through
/// the proxy, then checks what it wrote decodes with every frame and that the producer closed
/// the channel for exactly the five segments.
async fn player_copies_every_segment(player: fn(&str, &Path) -> Command, out: &str) {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path()).await;
    let (base, session, done) = watch(&w, dir.path()).await;
    let out = dir.path().join(out);
    let mut command = player(&format!("{base}index.m3u8"), &out);
    let ran = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    // Players say little about a skipped segment: check their silence and what they wrote.
    assert!(ran.stderr.is_empty(), "{}", String::from_utf8_lossy(&ran.stderr));
    producer_closed_for(&w, &session, done, 5).await;
    assert_eq!(session.progress().segments, 5);
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(probe.status.success(), "{}", String::from_utf8_lossy(&probe.stderr));
    // The video stream's count, listed again under its program in a transport stream.
    let said = String::from_utf8_lossy(&probe.stdout);
    let counts: std::collections::BTreeSet<&str> = said.split_whitespace().collect();
    assert_eq!(counts.len(), 1, "ffprobe said {said:?}");
    let frames: u64 = said.split_whitespace().next().unwrap().parse().unwrap();
    assert_eq!(frames, 250, "10 s at 25 fps: every segment is there");
    w.node.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ffmpeg_copies_the_whole_video_through_the_proxy_and_the_close_pays_every_segment() {
    let ffmpeg = |input: &str, out: &Path| {
        let mut ffmpeg = Command::new("ffmpeg");
        ffmpeg.args(["-nostdin", "-loglevel", "error", "-y", "-i", input, "-c", "copy"]).arg(out);
        ffmpeg
    };
    player_copies_every_segment(ffmpeg, "out.mp4").await;
}

/// A second HLS client, written apart from ffmpeg's: `GStreamer`'s `hlsdemux` (Debian's
/// `gstreamer1.0-plugins-bad`), fed by `souphttpsrc`, writing the transport stream it plays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gstreamer_hlsdemux_copies_the_whole_video_through_the_proxy_and_the_close_pays_every_segment(
) {
    let gstreamer = |input: &str, out: &Path| {
        let mut gst = Command::new("gst-launch-1.0");
        gst.args(["-q", "souphttpsrc", &format!("location={input}"), "!", "hlsdemux", "!"])
            .args(["filesink", &format!("location={}", out.display())]);
        gst
    };
    player_copies_every_segment(gstreamer, "out.ts").await;
}

/// The browser's HLS player: hls.js in Debian's Chromium (headless), on a page whose origin the
/// proxy allows, plays the whole video to its end; a page the proxy does not allow (or another
/// site rebound to this machine) gets a 403 and makes it pay nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hlsjs_in_chromium_plays_the_whole_video_from_an_allowed_page_and_the_close_pays_every_segment(
) {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path()).await;
    let page_port =
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let page = format!("http://127.0.0.1:{page_port}");
    // The proxy waits for the browser to start (a quiet player ends the session).
    let (base, session, done) =
        watch_for(&w, dir.path(), vec![page], Duration::from_secs(15)).await;
    let http = reqwest::Client::new();
    let segment = format!("{base}seg00000.ts");
    // Another page (a fetch names it in `Origin`; a `<video>` or `<img>` says only that it is
    // cross-site): refused, nothing paid.
    let foreign = http.get(&segment).header("origin", "http://elsewhere.example");
    let refused = foreign.send().await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("forbidden-origin"));
    let embedded = http.get(&segment).header("sec-fetch-site", "cross-site");
    assert_eq!(embedded.send().await.unwrap().status(), 403);
    // A page of another site whose name was rebound to this machine (same-origin to the
    // browser) names that site in `Host`.
    let rebound = http.get(&segment).header("host", "rebound.example:8403");
    let rebound = rebound.header("sec-fetch-site", "same-origin").send().await.unwrap();
    assert_eq!(rebound.status(), 403);
    assert!(rebound.text().await.unwrap().contains("forbidden-host"));
    assert_eq!(session.progress().paid_segments, 0);

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/players/hlsjs.mjs");
    let mut node = Command::new("node");
    node.arg(script).arg(page_port.to_string()).arg(format!("{base}index.m3u8")).arg("60");
    let ran = tokio::task::spawn_blocking(move || node.output().unwrap()).await.unwrap();
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    let played: serde_json::Value = serde_json::from_slice(&ran.stdout).unwrap();
    let said = String::from_utf8_lossy(&ran.stderr);
    assert_eq!(played["ended"], true, "{played} {said}");
    assert_eq!(played["fatal"], false, "{played}");
    assert_eq!(played["fragments"], 5, "{played}");
    // No request failed (hls.js gives up on any 4xx); it may step over a gap between the
    // audio and video of a transport stream, a media event of its own.
    let errors = played["errors"].as_array().unwrap();
    assert!(errors.iter().all(|e| !e.as_str().unwrap().starts_with("networkError")), "{played}");
    // Chromium decoded frames of all five segments: a missing one would leave at most 200 of the
    // 250 (its count is not exact: a loaded machine may miss a few, and a step over a gap counts
    // a few again).
    let frames = played["frames"].as_u64().unwrap();
    assert!(frames > 200, "{played} {said}");
    producer_closed_for(&w, &session, done, 5).await;
    w.node.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_who_stops_after_two_segments_pays_exactly_two() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path()).await;
    let (base, session, done) = watch(&w, dir.path()).await;
    let http = reqwest::Client::new();
    let playlist = http.get(format!("{base}index.m3u8")).send().await.unwrap();
    let text = playlist.text().await.unwrap();
    let uris: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let unknown = http.get(format!("{base}nothing.ts")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    for uri in &uris[..2] {
        let segment = http.get(format!("{base}{uri}")).send().await.unwrap();
        assert_eq!(segment.status(), 200);
        assert_eq!(segment.headers()["content-type"], "video/mp2t");
    }
    // The player leaves; the proxy notices and the producer closes for the two.
    producer_closed_for(&w, &session, done, 2).await;
    w.node.stop().unwrap();
}

/// Between the proxy and the producer: forwards everything, but flips a byte of every answer
/// for `tampered` (a gateway or path that corrupts one segment).
async fn tampering(upstream: String, tampered: String) -> String {
    use axum::{
        body::Bytes,
        extract::State,
        http::{HeaderMap, Method, Uri},
        response::IntoResponse,
    };
    async fn forward(
        State((upstream, tampered)): State<(String, String)>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> axum::response::Response {
        let (origin, _) = upstream.split_at(upstream.find("/videos/").unwrap());
        let mut request = reqwest::Client::new().request(method, format!("{origin}{uri}"));
        if let Some(auth) = headers.get("authorization") {
            request = request.header("authorization", auth);
        }
        let answer = request.body(body).send().await.unwrap();
        let (status, mut headers) = (answer.status(), answer.headers().clone());
        let mut bytes = answer.bytes().await.unwrap().to_vec();
        if uri.path().ends_with(&tampered) && status == 200 {
            bytes[0] ^= 0xff;
        }
        headers.remove("content-length");
        (status, headers, bytes).into_response()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let path = upstream[upstream.find("/videos/").unwrap()..].to_owned();
    let app = axum::Router::new().fallback(forward).with_state((upstream, tampered));
    tokio::spawn(axum::serve(listener, app).into_future());
    format!("http://{addr}{path}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_refuses_tampered_segment_and_pays_for_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path()).await;
    let pkg = paratii_companion::media::Package::open(&dir.path().join("pkg")).unwrap();
    let second = pkg.metadata.segments[1].uri.clone();
    let w = World { source: tampering(w.source.clone(), second.clone()).await, ..w };
    let (base, session, done) = watch(&w, dir.path()).await;
    let http = reqwest::Client::new();
    let first = pkg.metadata.segments[0].uri.clone();
    assert_eq!(http.get(format!("{base}{first}")).send().await.unwrap().status(), 200);
    for _ in 0..2 {
        let refused = http.get(format!("{base}{second}")).send().await.unwrap();
        assert_eq!(refused.status(), 502);
        let problem: serde_json::Value = refused.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains("hash to"), "{problem}");
    }
    // Segment 1 was paid once (voucher 2), fetched three times, never handed over.
    let progress = session.progress();
    assert_eq!((progress.segments, progress.paid_segments), (1, 2));
    let closed = done.await.unwrap();
    assert!(matches!(closed, Closed::ByProducer { segments: 2, .. }), "{closed:?}");
    w.node.stop().unwrap();
}
