//! `paratii serve`, `paratii serve-ads` and `paratii watch`: the producer's segment server, the
//! advertiser's ad server and the viewer's proxy.

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use alloy_primitives::{B256, U256};
use paratii_companion::{
    ads::{AdClosed, AdLimits, AdServer, AdWatch, AdWatchConfig},
    channel,
    media::Cid,
    serve::{SegmentServer, ServerConfig, Video},
    voucher::Domain,
    watch::{Closed, Watch, WatchConfig},
};
use serde_json::{json, Value};

use crate::{
    context::{ChainArgs, Context},
    onchain::with_chain,
};

fn e(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stopped() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

/// The videos `--video` names: `ID=DIR` a package folder, `ID` alone the package on the IPFS
/// `gateway`, found by the metadata digest the video registry holds for `ID`; priced at
/// `price` per segment.
async fn load(
    videos: &[String],
    price: U256,
    gateway: Option<&str>,
    c: &Context,
) -> Result<Vec<Video>, String> {
    let mut loaded = Vec::new();
    for spec in videos {
        let (id, dir) = match spec.split_once('=') {
            Some((id, dir)) => (id, Some(dir)),
            None => (spec.as_str(), None),
        };
        let id: B256 = id.parse().map_err(|error| format!("--video {spec:?}: id: {error}"))?;
        let video = if let Some(dir) = dir {
            let dir = PathBuf::from(dir);
            tokio::task::spawn_blocking(move || Video::load(id, price, &dir)).await.map_err(e)?
        } else {
            let gateway = gateway.ok_or_else(|| {
                format!("--video {spec:?}: without a folder (ID=DIR), pass --gateway URL")
            })?;
            let suite = c.chain.suite(c.contracts()?);
            let registry = suite.videos();
            let record = c
                .chain
                .view("getVideo", registry.getVideo(id))
                .await
                .map_err(|error| format!("--video {spec:?}: {error}"))?;
            Video::fetch(id, price, gateway, Cid::from_digest(record._5)).await
        };
        loaded.push(video.map_err(|error| format!("--video {spec:?}: {error}"))?);
    }
    Ok(loaded)
}

/// `paratii serve-ads`: `pay` per segment for at most `paid_segments` of each view.
pub(crate) fn serve_ads(
    args: ChainArgs,
    videos: &[String],
    (pay, paid_segments): (U256, u64),
    limits: AdLimits,
    listen: SocketAddr,
    gateway: Option<String>,
) -> Result<Value, String> {
    let videos = videos.to_vec();
    with_chain(args, move |c| {
        Box::pin(async move {
            let loaded = load(&videos, pay, gateway.as_deref(), c).await?;
            let contracts = c.contracts()?;
            let key = Arc::clone(c.key.as_ref().ok_or(
                "serve-ads pays: pass --keystore NAME (or --dev-account N on the local chain)",
            )?);
            let store = Arc::new(c.store()?);
            let ids: Vec<B256> = loaded.iter().map(|v| v.id).collect();
            let server = Arc::new(
                AdServer::new(loaded, paid_segments, store, key, Arc::clone(&c.chain), contracts)
                    .map_err(e)?
                    .with_limits(limits),
            );
            let listener = tokio::net::TcpListener::bind(listen).await.map_err(e)?;
            let addr = listener.local_addr().map_err(e)?;
            for id in &ids {
                eprintln!(
                    "serving ad http://{addr}/ads/{id}/  (watch it with paratii watch --paid)"
                );
            }
            let sweeping = tokio::spawn(sweep(Arc::clone(&server), limits.idle));
            let outcome = axum::serve(listener, server.router())
                .with_graceful_shutdown(stopped())
                .await
                .map_err(e);
            sweeping.abort();
            outcome?;
            Ok(json!({ "listening": addr.to_string() }))
        })
    })
}

/// Ends quiet ad sessions and withdraws what their grace periods free, every half `idle` (at
/// least every second, at most every minute), for as long as the server runs.
async fn sweep<S: paratii_companion::store::ChannelStore + 'static>(
    server: Arc<AdServer<S>>,
    idle: Duration,
) {
    let period = (idle / 2).clamp(Duration::from_secs(1), Duration::from_mins(1));
    loop {
        tokio::time::sleep(period).await;
        match server.sweep().await {
            Ok(swept) if swept == paratii_companion::ads::Swept::default() => {}
            Ok(swept) => eprintln!("swept: {}", json!(swept)),
            Err(error) => tracing::warn!(%error, "the ad sessions' sweep failed; trying again"),
        }
    }
}

/// The player's side of `paratii watch`: where it connects, how long a quiet player lasts, and
/// which web pages may use the proxy.
pub(crate) struct PlayerSide {
    pub(crate) listen: SocketAddr,
    pub(crate) idle_stop: u64,
    pub(crate) allowed_origins: Vec<String>,
}

/// `paratii watch --paid`.
pub(crate) fn watch_ad(args: ChainArgs, url: String, player: PlayerSide) -> Result<Value, String> {
    with_chain(args, move |c| {
        Box::pin(async move {
            let suite = c.chain.suite(c.contracts()?);
            let key = Arc::clone(c.key.as_ref().ok_or(
                "watch --paid is paid to a key: pass --keystore NAME (or --dev-account N)",
            )?);
            let store = Arc::new(c.store()?);
            let mut config = AdWatchConfig::new(url);
            config.listen = player.listen;
            config.idle_stop = Duration::from_secs(player.idle_stop);
            config.allowed_origins = player.allowed_origins;
            let session = Arc::new(AdWatch::open(config, &suite, store, key).await.map_err(e)?);
            let listener = session.bind().await.map_err(e)?;
            let addr = listener.local_addr().map_err(e)?;
            eprintln!("play http://{addr}/index.m3u8  (paid on channel {})", session.id);
            let closed = Arc::clone(&session).run(listener, stopped(), &suite).await.map_err(e)?;
            let (accepted, delivered, stopped_why) = session.progress();
            let (by, segments, transaction) = match closed {
                AdClosed::Relayed { segments, transaction } => {
                    ("advertiser", segments, transaction)
                }
                // Anyone may settle the best voucher: `paratii channel settle` with ether.
                AdClosed::Held { segments } => {
                    ("not closed: the best voucher is kept", segments, None)
                }
            };
            Ok(json!({
                "channel": session.id,
                "segments": delivered,
                "paidSegments": segments,
                "acceptedSegments": accepted,
                "earned": (session.params.pricePerSegment * U256::from(segments)).to_string(),
                "closedBy": by,
                "transactionHash": transaction,
                "paymentStopped": stopped_why,
            }))
        })
    })
}

/// `paratii serve`.
///
/// Every `every` while it runs, the server closes with its best voucher each channel whose
/// payer asked on chain to close, and each channel without a paid request for `idle`.
pub(crate) fn serve(
    args: ChainArgs,
    videos: &[String],
    price: U256,
    listen: SocketAddr,
    gateway: Option<String>,
    (every, idle): (Duration, Duration),
) -> Result<Value, String> {
    let videos = videos.to_vec();
    with_chain(args, move |c| {
        Box::pin(async move {
            let loaded = load(&videos, price, gateway.as_deref(), c).await?;
            let contracts = c.contracts()?;
            let payee = c.me()?;
            let store = Arc::new(c.store()?);
            let config = ServerConfig {
                realm: "paratii".into(),
                domain: Domain {
                    chain_id: c.chain.chain_id(),
                    adjudicator: contracts.payment_channels,
                },
                token: contracts.token,
                payee,
            };
            let ids: Vec<B256> = loaded.iter().map(|v| v.id).collect();
            let server = Arc::new(SegmentServer::new(
                config,
                loaded,
                store,
                Some((Arc::clone(&c.chain), contracts)),
            ));
            let listener = tokio::net::TcpListener::bind(listen).await.map_err(e)?;
            let addr = listener.local_addr().map_err(e)?;
            for id in &ids {
                eprintln!("serving http://{addr}/videos/{id}/index.m3u8");
            }
            let tending = tokio::spawn(Arc::clone(&server).tend(every, idle));
            let outcome = axum::serve(listener, Arc::clone(&server).router())
                .with_graceful_shutdown(stopped())
                .await
                .map_err(e);
            tending.abort();
            outcome?;
            // Stopping: close every channel paid on with the best voucher on disk.
            let mut closed = Vec::new();
            for (id, _, accepted) in server.sessions() {
                if accepted > 0 {
                    match server.close(id).await {
                        Ok(mined) => closed.push(json!({ "channel": id, "segments": accepted, "transactionHash": mined.tx })),
                        Err(error) => tracing::warn!(%id, %error, "could not close at stop"),
                    }
                }
            }
            Ok(json!({ "listening": addr.to_string(), "closed": closed }))
        })
    })
}

/// `paratii watch`.
pub(crate) fn watch(
    args: ChainArgs,
    url: String,
    max_segments: u64,
    ahead: u64,
    side: PlayerSide,
    payer: Option<alloy_primitives::Address>,
) -> Result<Value, String> {
    with_chain(args, move |c| {
        Box::pin(async move {
            let suite = c.chain.suite(c.contracts()?);
            let key = Arc::clone(c.key.as_ref().ok_or(
                "watch pays: pass --keystore NAME (or --dev-account N on the local chain)",
            )?);
            let store = Arc::new(c.store()?);
            let mut config = WatchConfig::new(url);
            config.listen = side.listen;
            config.max_segments = max_segments;
            config.ahead = ahead;
            config.idle_stop = Duration::from_secs(side.idle_stop);
            config.allowed_origins = side.allowed_origins;
            config.payer = payer;
            let session =
                Arc::new(Watch::open(config, &suite, Arc::clone(&store), key).await.map_err(e)?);
            let listener = session.bind().await.map_err(e)?;
            let addr = listener.local_addr().map_err(e)?;
            if session.opened.is_none() {
                eprintln!(
                    "resumed channel {} ({} segments paid already, fetched again for free)",
                    session.id, session.resumed_at
                );
            }
            eprintln!("play http://{addr}/index.m3u8  (channel {})", session.id);
            let bar = indicatif::ProgressBar::new_spinner();
            let shown = Arc::clone(&session);
            let started = std::time::Instant::now();
            let ticker = tokio::spawn(async move {
                loop {
                    let p = shown.progress();
                    let minutes = started.elapsed().as_secs_f64() / 60.0;
                    bar.set_message(format!(
                        "{} segments, {} PTI wei spent, {:.1} segments/min",
                        p.segments,
                        p.spent,
                        f64::from(u32::try_from(p.segments).unwrap_or(u32::MAX))
                            / minutes.max(1e-9)
                    ));
                    bar.tick();
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            });
            let closed = Arc::clone(&session).run(listener, stopped()).await.map_err(e)?;
            ticker.abort();
            let progress = session.progress();
            let (by, segments) = match closed {
                Closed::ByProducer { segments, .. } => ("producer", segments),
                Closed::Requested { segments } => {
                    // The producer did not close: ask on chain; the rest comes back after the
                    // grace period (`paratii channel withdraw`).
                    channel::request_close(&*store, &suite, session.id).await.map_err(e)?;
                    ("close requested on chain", segments)
                }
            };
            Ok(json!({
                "channel": session.id,
                "segments": progress.segments,
                "paidSegments": segments,
                "spent": progress.spent.to_string(),
                "closedBy": by,
                "resumedAt": session.resumed_at,
            }))
        })
    })
}
