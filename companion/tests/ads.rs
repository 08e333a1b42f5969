//! Ads, the negative price, over loopback HTTP on the real local node: the advertiser's server
//! pays the viewer's proxy a voucher with every ad segment, the viewer records each before the
//! player gets the bytes, stops when payment stops, and is paid on chain through a close the
//! advertiser relays (the viewer sends no transaction).

mod common;

use std::{future::IntoFuture, path::Path, process::Command, sync::Arc, time::Duration};

use alloy_primitives::{keccak256, U256};
use paratii_companion::{
    ads::{AdClosed, AdServer, AdVoucher, AdWatch, AdWatchConfig, CHANNEL_HEADER, VOUCHER_HEADER},
    chain::{Chain, Contracts},
    channel::Phase,
    media::Packager,
    serve::Video,
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
}

/// The suite deployed; the advertiser (development account 0) serving a 5-segment ad and paying
/// for at most `paid_segments` of each view.
async fn world(dir: &Path, paid_segments: u64) -> World {
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
        .unwrap(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let source = format!("http://{}/ads/{ad}/", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, server.router()).into_future());
    World { node, chain, contracts, source }
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
