//! Ads, the negative price, over loopback HTTP on the real local node: the advertiser's server
//! pays the viewer's proxy a voucher with every ad segment, the viewer records each before the
//! player gets the bytes, stops when payment stops, and is paid on chain through a close the
//! advertiser relays (the viewer sends no transaction).

mod common;

use std::{future::IntoFuture, path::Path, process::Command, sync::Arc, time::Duration};

use alloy_primitives::{keccak256, Address, B256, U256};
use paratii_companion::{
    ads::{
        AdClosed, AdLimits, AdServer, AdVoucher, AdWatch, AdWatchConfig, Swept, CHANNEL_HEADER,
        VOUCHER_HEADER,
    },
    chain::{Chain, Contracts},
    channel::{self, Params, Phase},
    media::Packager,
    serve::{protocol::ChannelParams, Video},
    store::SqliteStore,
};
use paratii_devnet::node::RunningNode;

use common::dev_key;

/// What the advertiser pays per segment watched.
const PAY: u64 = 500;

struct World {
    node: RunningNode,
    chain: Arc<Chain>,
    contracts: Contracts,
    source: String,
    server: Arc<AdServer<SqliteStore>>,
}

/// The suite deployed; the advertiser (development account 0) serving a 5-segment ad and paying
/// for at most `paid_segments` of each view.
async fn world(dir: &Path, paid_segments: u64) -> World {
    limited(dir, paid_segments, AdLimits::default()).await
}

/// [`world`], the advertiser keeping to `limits`.
async fn limited(dir: &Path, paid_segments: u64, limits: AdLimits) -> World {
    let clip = common::clip(dir, 10, false);
    let pkg = Packager::default().package(&clip, &dir.join("ad")).unwrap().dir;
    let (node, chain, contracts) = common::deployed().await;
    let ad = keccak256("the ad");
    let store = Arc::new(SqliteStore::open(&dir.join("advertiser.db")).unwrap());
    let server = Arc::new(
        AdServer::new(
            vec![Video::load(ad, U256::from(PAY), &pkg).unwrap()],
            paid_segments,
            store,
            Arc::new(dev_key(0)),
            Arc::clone(&chain),
            contracts,
        )
        .unwrap()
        .with_limits(limits),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let source = format!("http://{}/ads/{ad}/", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, Arc::clone(&server).router()).into_future());
    World { node, chain, contracts, source, server }
}

/// Asks the advertiser for a session paying `payee` over plain HTTP: the answer.
async fn ask(http: &reqwest::Client, w: &World, payee: Address) -> reqwest::Response {
    let body = format!(r#"{{"payee":"{payee}"}}"#);
    http.post(format!("{}session", w.source)).body(body).send().await.unwrap()
}

/// A session for `payee` the advertiser opened: its parameters and channel id.
async fn session(http: &reqwest::Client, w: &World, payee: Address) -> (Params, B256) {
    let answer = ask(http, w, payee).await;
    assert_eq!(answer.status(), 200);
    let params = Params::from(&answer.json::<ChannelParams>().await.unwrap());
    let id = channel::channel_id(w.chain.chain_id(), w.contracts.payment_channels, &params);
    (params, id)
}

/// The ad's segment URIs, from its metadata.
async fn segment_uris(http: &reqwest::Client, w: &World) -> Vec<String> {
    let metadata: serde_json::Value =
        http.get(format!("{}metadata.json", w.source)).send().await.unwrap().json().await.unwrap();
    metadata["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["uri"].as_str().unwrap().to_owned())
        .collect()
}

/// The viewer (development account 2, no PTI) opens an ad session and starts its proxy: the
/// player's base URL, the session, its end.
async fn watch(
    w: &World,
    dir: &Path,
) -> (String, Arc<AdWatch<SqliteStore>>, tokio::task::JoinHandle<AdClosed>) {
    let mut config = AdWatchConfig::new(w.source.clone());
    config.idle_stop = Duration::from_secs(1);
    let store = Arc::new(SqliteStore::open(&dir.join("viewer.db")).unwrap());
    let suite = w.chain.suite(w.contracts);
    let session =
        Arc::new(AdWatch::open(config, &suite, store, Arc::new(dev_key(2))).await.unwrap());
    let listener = session.bind().await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let running = Arc::clone(&session);
    let (chain, contracts) = (Arc::clone(&w.chain), w.contracts);
    let done = tokio::spawn(async move {
        let suite = chain.suite(contracts);
        running.run(listener, std::future::pending(), &suite).await.unwrap()
    });
    (base, session, done)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ad_pays_viewer_exactly_for_every_segment_ffmpeg_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let w = world(dir.path(), 1_000).await;
    let viewer = dev_key(2).address();
    let suite = w.chain.suite(w.contracts);
    let ether_before = w.chain.eth_balance(viewer).await.unwrap();
    let (base, session, done) = watch(&w, dir.path()).await;
    let out = dir.path().join("ad.mp4");
    let input = format!("{base}index.m3u8");
    let copy = out.clone();
    let ffmpeg = tokio::task::spawn_blocking(move || {
        Command::new("ffmpeg")
            .args(["-nostdin", "-loglevel", "error", "-y", "-i", &input, "-c", "copy"])
            .arg(&copy)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        ffmpeg.status.success() && ffmpeg.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&ffmpeg.stderr)
    );
    let closed = done.await.unwrap();
    assert!(
        matches!(closed, AdClosed::Relayed { segments: 5, transaction: Some(_) }),
        "{closed:?}"
    );
    assert_eq!(session.progress(), (5, 5, None));
    let state = suite.channel_state(session.id).await.unwrap();
    assert_eq!((state.phase, state.settled), (Phase::Finalized, 5));
    assert_eq!(suite.pti_balance(viewer).await.unwrap(), U256::from(5 * PAY));
    // The viewer sent nothing: the advertiser relayed the close.
    assert_eq!(w.chain.eth_balance(viewer).await.unwrap(), ether_before);
    w.node.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ad_watch_stops_fetching_when_advertiser_stops_paying() {
    let dir = tempfile::tempdir().unwrap();
    // The advertiser pays for two segments of each view and serves the rest unpaid.
    let w = world(dir.path(), 2).await;
    let (base, session, done) = watch(&w, dir.path()).await;
    let http = reqwest::Client::new();
    let playlist = http.get(format!("{base}index.m3u8")).send().await.unwrap();
    assert_eq!(playlist.status(), 200);
    let metadata: serde_json::Value =
        http.get(format!("{base}metadata.json")).send().await.unwrap().json().await.unwrap();
    let uris: Vec<String> = metadata["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["uri"].as_str().unwrap().to_owned())
        .collect();
    // Skipping straight to the last segment is paid as one segment, not five.
    let skipped = http
        .get(format!("{}{}", w.source, uris[4]))
        .header(CHANNEL_HEADER, session.id.to_string())
        .send()
        .await
        .unwrap();
    let voucher = AdVoucher::parse(skipped.headers()[VOUCHER_HEADER].to_str().unwrap()).unwrap();
    assert_eq!((voucher.channel_id, voucher.segments), (session.id, 1));
    for uri in &uris[..2] {
        assert_eq!(http.get(format!("{base}{uri}")).send().await.unwrap().status(), 200);
    }
    for uri in &uris[2..4] {
        let refused = http.get(format!("{base}{uri}")).send().await.unwrap();
        assert_eq!(refused.status(), 502);
        let problem: serde_json::Value = refused.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains("payment stopped"), "{problem}");
    }
    let (accepted, delivered, stopped) = session.progress();
    assert_eq!((accepted, delivered), (2, 2));
    assert!(stopped.unwrap().contains("segment 2 came without a voucher"));

    // The advertiser's refusals, each with its status.
    let direct = |uri: &str| format!("{}{uri}", w.source);
    let no_session = http.get(direct(&uris[0])).send().await.unwrap();
    assert_eq!(no_session.status(), 400);
    let unknown = http
        .get(direct(&uris[0]))
        .header(CHANNEL_HEADER, keccak256("no such channel").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let bad_close = http
        .post(direct("close"))
        .body(format!(
            r#"{{"channelId":"{}","segments":4,"deadline":1,"authorization":"0x00"}}"#,
            session.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_close.status(), 400, "no voucher for 4 segments was ever sent");
    assert_eq!(http.get(direct("nothing.ts")).send().await.unwrap().status(), 404);

    let closed = done.await.unwrap();
    assert!(matches!(closed, AdClosed::Relayed { segments: 2, .. }), "{closed:?}");
    let suite = w.chain.suite(w.contracts);
    assert_eq!(suite.pti_balance(dev_key(2).address()).await.unwrap(), U256::from(2 * PAY));
    w.node.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_is_refused_with_503_when_advertiser_has_max_sessions_open() {
    let dir = tempfile::tempdir().unwrap();
    let limits = AdLimits { max_sessions: 1, ..AdLimits::default() };
    let w = limited(dir.path(), 1_000, limits).await;
    let http = reqwest::Client::new();
    let (first, _) = session(&http, &w, dev_key(3).address()).await;
    // The same viewer again: its open session, not a second one.
    let (again, _) = session(&http, &w, dev_key(3).address()).await;
    assert_eq!(again, first);
    let refused = ask(&http, &w, dev_key(4).address()).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "60");
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert!(problem["type"].as_str().unwrap().ends_with("busy"), "{problem}");
    assert!(problem["detail"].as_str().unwrap().starts_with("1 ad sessions are open"), "{problem}");
    assert_eq!(w.server.opened().len(), 1, "the refused viewer cost the advertiser nothing");
    w.node.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweep_requests_close_of_quiet_sessions_and_withdraws_after_grace() {
    let dir = tempfile::tempdir().unwrap();
    let limits = AdLimits { max_sessions: 10, idle: Duration::ZERO };
    let w = limited(dir.path(), 1_000, limits).await;
    let http = reqwest::Client::new();
    let suite = w.chain.suite(w.contracts);
    let advertiser = dev_key(0).address();
    let (viewer, silent) = (dev_key(3).address(), dev_key(4).address());
    let before = suite.pti_balance(advertiser).await.unwrap();
    // One viewer fetches two segments and keeps the last voucher; the other fetches nothing.
    let (params, watched) = session(&http, &w, viewer).await;
    let (_, quiet) = session(&http, &w, silent).await;
    let uris = segment_uris(&http, &w).await;
    let mut last = None;
    for uri in &uris[..2] {
        let answer = http
            .get(format!("{}{uri}", w.source))
            .header(CHANNEL_HEADER, watched.to_string())
            .send()
            .await
            .unwrap();
        last = Some(AdVoucher::parse(answer.headers()[VOUCHER_HEADER].to_str().unwrap()).unwrap());
    }
    let voucher = last.unwrap();
    assert_eq!(voucher.segments, 2);

    let swept = w.server.sweep().await.unwrap();
    let mut requested = swept.close_requested.clone();
    requested.sort();
    let mut both = vec![watched, quiet];
    both.sort();
    assert_eq!(requested, both, "{swept:?}");
    assert!(swept.withdrawn.is_empty());
    for id in [watched, quiet] {
        assert_eq!(suite.channel_state(id).await.unwrap().phase, Phase::Closing);
    }
    // An ended session is no longer served.
    let ended = http
        .get(format!("{}{}", w.source, uris[2]))
        .header(CHANNEL_HEADER, watched.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 404);

    // In the grace period the viewer's voucher is settled (anyone may send it) and nothing is
    // withdrawn yet.
    let channels = suite.channels();
    let settle = channels.settle(params, 2, voucher.signature.clone());
    w.chain.send("settle", dev_key(1).address(), settle).await.unwrap();
    assert_eq!(w.server.sweep().await.unwrap(), Swept::default());

    let grace = suite.grace_period().await.unwrap();
    w.chain.raw("evm_increaseTime", vec![serde_json::json!(grace + 1)]).await.unwrap();
    w.chain.raw("evm_mine", vec![]).await.unwrap();
    let swept = w.server.sweep().await.unwrap();
    let mut withdrawn = swept.withdrawn.clone();
    withdrawn.sort();
    assert_eq!(withdrawn, both, "{swept:?}");
    for id in [watched, quiet] {
        assert_eq!(suite.channel_state(id).await.unwrap().phase, Phase::Finalized);
    }
    assert_eq!(suite.pti_balance(viewer).await.unwrap(), U256::from(2 * PAY));
    assert_eq!(suite.pti_balance(silent).await.unwrap(), U256::ZERO);
    assert_eq!(suite.pti_balance(advertiser).await.unwrap(), before - U256::from(2 * PAY));
    assert_eq!(w.server.sweep().await.unwrap(), Swept::default(), "nothing is left to do");
    w.node.stop().unwrap();
}
