//! `paratii demo`: the whole system on one machine, nothing to install. It starts the local node
//! in-process (or uses the endpoint given), deploys the suite on the same path as
//! `scripts/deploy`, creates a producer, a viewer and an advertiser with keystores, funds them,
//! registers a video, and runs what the companion does: a purchase; a pay-per-segment channel
//! opened by the viewer's spending key, where the viewer signs N vouchers and stops part-way and
//! the producer closes it for exactly N × price; an advertiser paying the viewer per segment,
//! closed with the viewer's relayed close authorisation; a like signed by a posting key and
//! relayed; and a batch settle of several channels in one transaction. Every step reports who
//! did it and its gas; the report ends with balances and the checks CI asserts.

use std::{future::IntoFuture, path::PathBuf, time::Instant};

use alloy_primitives::{keccak256, Address, B256, U256};
use paratii_contracts::eip712;
use serde::Serialize;

use crate::{
    ads::{AdClosed, AdServer, AdWatch, AdWatchConfig},
    chain::{bindings::IPaymentChannels, Chain, ChainConfig, ChainError, Contracts, Mined, Suite},
    channel::{self, ChannelError, Funding, Params},
    deploy::{self, DeployConfig},
    keys::{KeyStore, Password, UnlockedKey},
    media::Packager,
    payee::{AcceptError, Payee, Payer},
    serve::{SegmentServer, ServerConfig, Video},
    store::{SqliteStore, StoreError},
    watch::{Closed, Watch, WatchConfig},
};

/// Serialises an amount as a decimal string (JSON numbers lose precision above 2⁵³).
fn decimal<S: serde::Serializer>(amount: &U256, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&amount.to_string())
}

/// 1 PTI in wei.
const PTI: u128 = 1_000_000_000_000_000_000;

/// Why the demo stopped.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The chain refused or failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Packaging the demo's clip failed (ffmpeg missing, or failing).
    #[error(transparent)]
    Media(#[from] crate::media::MediaError),
    /// The viewer's proxy failed.
    #[error(transparent)]
    Watch(#[from] crate::watch::WatchError),
    /// The ad session failed.
    #[error(transparent)]
    AdWatch(#[from] crate::ads::AdWatchError),
    /// The producer's server could not listen.
    #[error("the producer's server: {0}")]
    Serve(String),
    /// A channel operation failed.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// A voucher was refused.
    #[error(transparent)]
    Accept(#[from] AcceptError),
    /// A store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A keystore failed.
    #[error(transparent)]
    Key(#[from] crate::keys::KeyError),
    /// The in-process node did not start.
    #[error("the local node did not start: {0}")]
    Node(String),
    /// A result differs from what the contracts promise.
    #[error("check failed: {0}")]
    Check(String),
}

/// What to run the demo with.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Where keystores and channel stores go (created; a fresh folder each run is best).
    pub dir: PathBuf,
    /// An endpoint of a paratii local node; `None` starts one in-process.
    pub endpoint: Option<String>,
    /// Segments the viewer pays for before stopping.
    pub segments: u64,
    /// Segments the channel's deposit covers.
    pub deposit_segments: u64,
    /// Ad segments the viewer watches.
    pub ad_segments: u64,
}

impl DemoConfig {
    /// The defaults: 7 of 20 segments, 4 ad segments, in `dir`.
    #[must_use]
    pub fn new(dir: PathBuf) -> Self {
        Self { dir, endpoint: None, segments: 7, deposit_segments: 20, ad_segments: 4 }
    }
}

/// One transaction of the demo.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Who sent it.
    pub actor: String,
    /// What it did.
    pub action: String,
    /// Receipt `gasUsed`.
    pub gas_used: u64,
    /// Its hash.
    pub transaction_hash: B256,
}

/// An actor's balances.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Balances {
    /// Who.
    pub actor: String,
    /// The address.
    pub address: Address,
    /// PTI wei.
    #[serde(serialize_with = "decimal")]
    pub pti: U256,
    /// Ether wei.
    #[serde(serialize_with = "decimal")]
    pub eth: U256,
}

/// The stopped channel: what was signed, accepted and paid.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionReport {
    /// The channel.
    pub channel: B256,
    /// PTI wei per segment.
    #[serde(serialize_with = "decimal")]
    pub price_per_segment: U256,
    /// The deposit.
    #[serde(serialize_with = "decimal")]
    pub deposit: U256,
    /// Vouchers the payer signed (and the payee accepted).
    pub segments: u64,
    /// What the close paid the payee.
    #[serde(serialize_with = "decimal")]
    pub paid: U256,
    /// What it refunded the payer.
    #[serde(serialize_with = "decimal")]
    pub refunded: U256,
}

impl SessionReport {
    fn closed(
        channel: B256,
        price_per_segment: U256,
        deposit: U256,
        closed: &IPaymentChannels::ChannelClosed,
    ) -> Self {
        Self {
            channel,
            price_per_segment,
            deposit,
            segments: closed.segments,
            paid: closed.paid,
            refunded: closed.refunded,
        }
    }
}

/// The batch settle.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchSummary {
    /// Items in the batch (good channels plus one stale voucher).
    pub items: usize,
    /// Good channels in it.
    pub good: usize,
    /// Channels settled.
    pub settled: usize,
    /// Items skipped, with the reason.
    pub skipped: Vec<String>,
    /// The batch's gas.
    pub gas_used: u64,
    /// PTI wei the batch paid the producer.
    #[serde(serialize_with = "decimal")]
    pub paid: U256,
}

/// What the demo did, for people and for CI.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoReport {
    /// The endpoint used.
    pub endpoint: String,
    /// The chain.
    pub chain_id: u64,
    /// The suite.
    pub contracts: Contracts,
    /// Who is who.
    pub actors: Vec<(String, Address)>,
    /// Every transaction, in order.
    pub steps: Vec<Step>,
    /// Balances before the video was registered.
    pub before: Vec<Balances>,
    /// Balances at the end.
    pub after: Vec<Balances>,
    /// PTI's total supply.
    #[serde(serialize_with = "decimal")]
    pub total_supply: U256,
    /// The sum of every PTI balance the suite can hold, at the end.
    #[serde(serialize_with = "decimal")]
    pub pti_accounted: U256,
    /// The video.
    pub video_id: B256,
    /// The pay-per-segment session stopped part-way.
    pub session: SessionReport,
    /// The ad session (the advertiser pays the viewer).
    pub ad: SessionReport,
    /// Whether the video registry counts the viewer's like.
    pub liked: bool,
    /// The batch settle.
    pub batch: BatchSummary,
    /// Wall-clock seconds.
    pub seconds: f64,
}

struct Actors {
    deployer: UnlockedKey,
    producer: UnlockedKey,
    viewer: std::sync::Arc<UnlockedKey>,
    advertiser: std::sync::Arc<UnlockedKey>,
    device: std::sync::Arc<UnlockedKey>,
    posting: UnlockedKey,
}

impl Actors {
    fn named(&self) -> [(&'static str, Address); 6] {
        [
            ("deployer", self.deployer.address()),
            ("producer", self.producer.address()),
            ("viewer", self.viewer.address()),
            ("advertiser", self.advertiser.address()),
            ("viewer's device key", self.device.address()),
            ("viewer's posting key", self.posting.address()),
        ]
    }

    fn name_of(&self, address: Address) -> String {
        self.named()
            .into_iter()
            .find(|(_, a)| *a == address)
            .map_or_else(|| address.to_string(), |(n, _)| n.to_owned())
    }
}

struct Run<'a> {
    chain: std::sync::Arc<Chain>,
    suite: Suite<'a>,
    dir: PathBuf,
    actors: &'a Actors,
    steps: Vec<Step>,
    progress: &'a mut dyn FnMut(&Step),
}

impl Run<'_> {
    fn record(&mut self, from: Address, action: impl Into<String>, mined: &Mined) {
        let step = Step {
            actor: self.actors.name_of(from),
            action: action.into(),
            gas_used: mined.gas_used,
            transaction_hash: mined.tx,
        };
        (self.progress)(&step);
        self.steps.push(step);
    }

    /// The channel store `name` in the demo's folder (one per actor and role, as each would
    /// keep its own).
    fn store(&self, name: &str) -> Result<SqliteStore, StoreError> {
        SqliteStore::open(&self.dir.join(format!("{name}.db")))
    }

    async fn balances(&self) -> Result<Vec<Balances>, ChainError> {
        let mut out = Vec::new();
        for (actor, address) in self.actors.named() {
            out.push(Balances {
                actor: actor.to_owned(),
                address,
                pti: self.suite.pti_balance(address).await?,
                eth: self.suite.chain().eth_balance(address).await?,
            });
        }
        Ok(out)
    }
}

fn pti(n: u128) -> U256 {
    U256::from(n) * U256::from(PTI)
}

/// Runs the demo; `progress` sees each step as it completes.
///
/// # Errors
/// [`DemoError`] naming the step that failed.
pub async fn run(
    config: &DemoConfig,
    progress: &mut dyn FnMut(&Step),
) -> Result<DemoReport, DemoError> {
    let started = Instant::now();
    let node = if config.endpoint.is_some() {
        None
    } else {
        let node_config = paratii_devnet::node::NodeConfig {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            ..paratii_devnet::node::NodeConfig::default()
        };
        Some(
            paratii_devnet::node::RunningNode::start(&node_config)
                .map_err(|e| DemoError::Node(e.to_string()))?,
        )
    };
    let endpoint = config
        .endpoint
        .clone()
        .or_else(|| node.as_ref().map(paratii_devnet::node::RunningNode::url));
    let endpoint = endpoint.unwrap_or_default();
    let report = run_on(config, &endpoint, started, progress).await;
    if let Some(node) = node {
        node.stop().map_err(|e| DemoError::Node(e.to_string()))?;
    }
    report
}

fn create_actors(dir: &std::path::Path) -> Result<Actors, DemoError> {
    let keys = KeyStore::new(dir.join("keystores"));
    let password = Password::new("paratii-demo".to_owned());
    let deployer_secret = B256::from_slice(
        &alloy_primitives::hex::decode(paratii_devnet::node::DEV_KEYS[0]).unwrap_or_default(),
    );
    let make = |name: &str| -> Result<UnlockedKey, DemoError> {
        if !keys.path(name).exists() {
            keys.create(name, &password)?;
        }
        Ok(keys.unlock(name, &password)?)
    };
    Ok(Actors {
        deployer: UnlockedKey::from_secret(deployer_secret.as_slice())?,
        producer: make("producer")?,
        viewer: std::sync::Arc::new(make("viewer")?),
        advertiser: std::sync::Arc::new(make("advertiser")?),
        device: std::sync::Arc::new(make("viewer-device")?),
        posting: make("viewer-posting")?,
    })
}

async fn run_on(
    config: &DemoConfig,
    endpoint: &str,
    started: Instant,
    progress: &mut dyn FnMut(&Step),
) -> Result<DemoReport, DemoError> {
    let actors = create_actors(&config.dir)?;
    let keys = [
        &actors.deployer,
        &actors.producer,
        &actors.viewer,
        &actors.advertiser,
        &*actors.device,
        &actors.posting,
    ];
    let chain = std::sync::Arc::new(Chain::connect(ChainConfig::new(endpoint), &keys).await?);
    let deployer = actors.deployer.address();
    let (deployment, deploy_steps) =
        deploy::deploy_suite(&chain, deployer, &DeployConfig::new(deployer, deployer), |_| {})
            .await?;
    let contracts = deployment.contracts().map_err(DemoError::Check)?;
    let mut run = Run {
        chain: std::sync::Arc::clone(&chain),
        suite: chain.suite(contracts),
        dir: config.dir.clone(),
        actors: &actors,
        steps: Vec::new(),
        progress,
    };
    for step in deploy_steps {
        let step = Step {
            actor: "deployer".into(),
            action: step.step,
            gas_used: step.gas_used,
            transaction_hash: step.transaction_hash,
        };
        (run.progress)(&step);
        run.steps.push(step);
    }
    fund(&mut run).await?;
    let before = run.balances().await?;
    let video_id = register_and_buy(&mut run).await?;
    let session = pay_per_segment(&mut run, config, video_id).await?;
    let ad = advertiser_pays(&mut run, config, video_id).await?;
    let liked = like(&mut run, video_id).await?;
    let batch = batch_settle(&mut run, video_id, session.channel).await?;
    let after = run.balances().await?;
    let suite = run.suite;
    let total_supply = chain.view("totalSupply", suite.token().totalSupply()).await?;
    let mut pti_accounted = U256::ZERO;
    for holder in
        actors.named().iter().map(|(_, a)| *a).chain(contracts.by_key().iter().map(|(_, a)| *a))
    {
        pti_accounted += suite.pti_balance(holder).await?;
    }
    Ok(DemoReport {
        endpoint: endpoint.to_owned(),
        chain_id: chain.chain_id(),
        contracts,
        actors: actors.named().iter().map(|(n, a)| ((*n).to_owned(), *a)).collect(),
        steps: run.steps,
        before,
        after,
        total_supply,
        pti_accounted,
        video_id,
        session,
        ad,
        liked,
        batch,
        seconds: started.elapsed().as_secs_f64(),
    })
}

async fn fund(run: &mut Run<'_>) -> Result<(), DemoError> {
    let a = run.actors;
    let deployer = a.deployer.address();
    let ether = U256::from(10u64).pow(U256::from(18u64));
    for key in [&a.producer, &a.viewer, &a.advertiser, &a.device] {
        let mined = run.suite.chain().send_ether("fund", deployer, key.address(), ether).await?;
        run.record(deployer, format!("send 1 ETH to {}", a.name_of(key.address())), &mined);
    }
    for (key, amount) in [(&a.viewer, 1_000), (&a.advertiser, 1_000)] {
        let mined = run.suite.transfer(deployer, key.address(), pti(amount)).await?;
        run.record(deployer, format!("send {amount} PTI to {}", a.name_of(key.address())), &mined);
    }
    Ok(())
}

async fn register_and_buy(run: &mut Run<'_>) -> Result<B256, DemoError> {
    let (producer, viewer) = (run.actors.producer.address(), run.actors.viewer.address());
    let salt = keccak256("paratii demo: Big Buck Bunny, 2 s segments");
    let price = pti(10);
    let videos = run.suite.videos();
    let call = videos.registerVideo(
        salt,
        producer,
        price,
        keccak256("ipfs: original"),
        keccak256("ipfs: transcoded"),
        keccak256("ipfs: metadata"),
    );
    let mined = run.suite.chain().send("registerVideo", producer, call).await?;
    run.record(producer, "register a video at 10 PTI", &mined);
    let video_id = paratii_contracts::video_id(producer, salt);
    let mined = run.suite.approve(viewer, run.suite.contracts.avatar, price).await?;
    run.record(viewer, "approve the avatar for 10 PTI", &mined);
    let store = run.suite.store();
    let mined = run
        .suite
        .chain()
        .send("buyVideo", viewer, store.buyVideo(video_id, B256::ZERO, price))
        .await?;
    run.record(viewer, "buy the video", &mined);
    Ok(video_id)
}

async fn pay_per_segment(
    run: &mut Run<'_>,
    config: &DemoConfig,
    video_id: B256,
) -> Result<SessionReport, DemoError> {
    let a = run.actors;
    let (viewer, device, producer) = (a.viewer.address(), a.device.address(), a.producer.address());
    let price = pti(1) / U256::from(10u64);
    let deposit = price * U256::from(config.deposit_segments);
    let now = run.suite.chain().now().await?;
    let avatar = run.suite.avatar();
    let call = avatar.authorizeSpendingKey(device, pti(50), now + 86_400);
    let mined = run.suite.chain().send("authorizeSpendingKey", viewer, call).await?;
    run.record(viewer, "authorise a device spending key (cap 50 PTI, 1 day)", &mined);
    // The producer packages a clip and serves it; the viewer's device watches it through the
    // proxy, as a player would, and stops after `config.segments`.
    let clip = package_clip(&run.dir, config.deposit_segments)?;
    let producer_store = std::sync::Arc::new(run.store("producer")?);
    let contracts = run.suite.contracts;
    let server = std::sync::Arc::new(SegmentServer::new(
        ServerConfig {
            realm: "paratii demo".into(),
            domain: channel::domain(&run.suite),
            token: contracts.token,
            payee: producer,
        },
        vec![Video::load(video_id, price, &clip)?],
        producer_store,
        Some((std::sync::Arc::clone(&run.chain), contracts)),
    ));
    let (addr, serving) = Serving::start(std::sync::Arc::clone(&server).router()).await?;
    // The device's spending key cannot approve for the viewer's account: the account approves
    // the avatar for the session's deposit itself.
    let mined = run.suite.approve(viewer, contracts.avatar, deposit).await?;
    run.record(viewer, "approve the avatar for the deposit", &mined);
    let mut watching = WatchConfig::new(format!("http://{addr}/videos/{video_id}/"));
    watching.payer = Some(viewer);
    watching.max_segments = config.deposit_segments;
    watching.ahead = config.deposit_segments;
    let viewer_store = std::sync::Arc::new(run.store("viewer")?);
    let session = std::sync::Arc::new(
        Watch::open(watching, &run.suite, viewer_store, std::sync::Arc::clone(&a.device)).await?,
    );
    let id = session.id;
    // The demo deploys its own suite, so no earlier channel is resumed: the session opens one.
    if let Some(opened) = &session.opened {
        run.record(
            device,
            format!(
                "open a channel for the viewer: {} segments at 0.1 PTI (the proxy, from the 402)",
                config.deposit_segments
            ),
            &opened.open,
        );
    }
    let proxy = session.bind().await?;
    let player =
        format!("http://{}/", proxy.local_addr().map_err(|e| DemoError::Serve(e.to_string()))?);
    let (stop_player, player_left) = tokio::sync::oneshot::channel::<()>();
    let watched = tokio::spawn(std::sync::Arc::clone(&session).run(proxy, async move {
        let _ = player_left.await;
    }));
    play(&player, config.segments).await?;
    let _ = stop_player.send(());
    let closed = watched.await.map_err(|e| DemoError::Check(e.to_string()))??;
    serving.stop().await;
    let Closed::ByProducer { transaction: Some(tx), segments } = closed else {
        return Err(DemoError::Check(format!("the producer did not close: {closed:?}")));
    };
    let (mined, closed) = closed_by(&run.suite, tx).await?;
    run.record(
        producer,
        format!("close the channel with the viewer's voucher for {segments} segments (over HTTP)"),
        &mined,
    );
    Ok(SessionReport::closed(id, price, deposit, &closed))
}

/// A server on a free loopback port, stopped on request.
struct Serving {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Serving {
    async fn start(app: axum::Router) -> Result<(std::net::SocketAddr, Self), DemoError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| DemoError::Serve(e.to_string()))?;
        let addr = listener.local_addr().map_err(|e| DemoError::Serve(e.to_string()))?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .into_future(),
        );
        Ok((addr, Self { stop, task }))
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// The close transaction `tx` (sent by a server), mined, and its `ChannelClosed` event.
async fn closed_by(
    suite: &Suite<'_>,
    tx: B256,
) -> Result<(Mined, IPaymentChannels::ChannelClosed), DemoError> {
    let receipt = suite
        .chain()
        .receipt(tx)
        .await?
        .ok_or_else(|| DemoError::Check(format!("no receipt for the close {tx}")))?;
    let mined = Mined::from(receipt);
    let closed = mined
        .event::<IPaymentChannels::ChannelClosed>("close", suite.contracts.payment_channels)?;
    Ok((mined, closed))
}

/// The player: the playlist, then the first `segments` segments, through the proxy.
async fn play(player: &str, segments: u64) -> Result<(), DemoError> {
    let http = reqwest::Client::new();
    let fail = |e: &dyn std::fmt::Display| DemoError::Check(format!("the player: {e}"));
    let playlist = http.get(format!("{player}index.m3u8")).send().await.map_err(|e| fail(&e))?;
    let playlist = playlist.text().await.map_err(|e| fail(&e))?;
    let uris = playlist.lines().filter(|l| !l.starts_with('#') && !l.is_empty());
    for uri in uris.take(usize::try_from(segments).unwrap_or(usize::MAX)) {
        let response = http.get(format!("{player}{uri}")).send().await.map_err(|e| fail(&e))?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(fail(&format!("{uri}: {}", response.status())));
        }
        response.bytes().await.map_err(|e| fail(&e))?;
    }
    Ok(())
}

/// A clip of `segments` 2-second segments from ffmpeg's test sources, packaged.
fn package_clip(dir: &std::path::Path, segments: u64) -> Result<std::path::PathBuf, DemoError> {
    let source = dir.join("clip.mp4");
    let seconds = (segments * 2).to_string();
    let made = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc=duration={seconds}:size=160x120:rate=25"))
        .args(["-c:v", "libx264", "-preset", "veryfast"])
        .arg(&source)
        .output()
        .map_err(|e| crate::media::MediaError::FfmpegMissing(e.to_string()))?;
    if !made.status.success() {
        return Err(crate::media::MediaError::Ffmpeg {
            input: source,
            stderr: String::from_utf8_lossy(&made.stderr).into_owned(),
        }
        .into());
    }
    Ok(Packager::default().package(&source, &dir.join("clip"))?.dir)
}

async fn advertiser_pays(
    run: &mut Run<'_>,
    config: &DemoConfig,
    video_id: B256,
) -> Result<SessionReport, DemoError> {
    let a = run.actors;
    let advertiser = a.advertiser.address();
    let price = pti(1) / U256::from(20u64);
    // The advertiser serves the packaged clip as an ad, paying for up to twice what the viewer
    // will watch; the viewer's proxy is paid a voucher with every segment.
    let paid_segments = config.ad_segments * 2;
    let server = std::sync::Arc::new(AdServer::new(
        vec![Video::load(video_id, price, &run.dir.join("clip"))?],
        paid_segments,
        std::sync::Arc::new(run.store("advertiser")?),
        std::sync::Arc::clone(&a.advertiser),
        std::sync::Arc::clone(&run.chain),
        run.suite.contracts,
    )?);
    let (addr, serving) = Serving::start(std::sync::Arc::clone(&server).router()).await?;
    let watching = AdWatchConfig::new(format!("http://{addr}/ads/{video_id}/"));
    let session = std::sync::Arc::new(
        AdWatch::open(
            watching,
            &run.suite,
            std::sync::Arc::new(run.store("viewer-ads")?),
            std::sync::Arc::clone(&a.viewer),
        )
        .await?,
    );
    let id = session.id;
    for opened in server.opened() {
        if let Some(approve) = &opened.approve {
            run.record(advertiser, "approve the adjudicator for the deposit", approve);
        }
        run.record(
            advertiser,
            "open an ad channel paying the viewer 0.05 PTI per segment (on the viewer's request)",
            &opened.open,
        );
    }
    let proxy = session.bind().await?;
    let player =
        format!("http://{}/", proxy.local_addr().map_err(|e| DemoError::Serve(e.to_string()))?);
    let (stop_player, player_left) = tokio::sync::oneshot::channel::<()>();
    let chain = std::sync::Arc::clone(&run.chain);
    let contracts = run.suite.contracts;
    let running = std::sync::Arc::clone(&session);
    let watched = tokio::spawn(async move {
        let suite = chain.suite(contracts);
        running
            .run(
                proxy,
                async move {
                    let _ = player_left.await;
                },
                &suite,
            )
            .await
    });
    play(&player, config.ad_segments).await?;
    let _ = stop_player.send(());
    let closed = watched.await.map_err(|e| DemoError::Check(e.to_string()))??;
    serving.stop().await;
    // The viewer, who need not hold ether, signed a close authorisation at its best voucher;
    // the advertiser relayed it.
    let AdClosed::Relayed { transaction: Some(tx), segments } = closed else {
        return Err(DemoError::Check(format!("the advertiser did not close: {closed:?}")));
    };
    let (mined, closed) = closed_by(&run.suite, tx).await?;
    run.record(
        advertiser,
        format!("close for the viewer's {segments} ad segments, with its signed authorisation (relayed, over HTTP)"),
        &mined,
    );
    let deposit = price * U256::from(paid_segments);
    Ok(SessionReport::closed(id, price, deposit, &closed))
}

async fn like(run: &mut Run<'_>, video_id: B256) -> Result<bool, DemoError> {
    let a = run.actors;
    let (viewer, posting, producer) =
        (a.viewer.address(), a.posting.address(), a.producer.address());
    let now = run.suite.chain().now().await?;
    let users = run.suite.users();
    let call = users.authorizePostingKey(viewer, posting, now + 86_400);
    let mined = run.suite.chain().send("authorizePostingKey", viewer, call).await?;
    run.record(viewer, "authorise a posting key for votes (1 day)", &mined);
    let nonce = run.suite.chain().view("voteNonce", users.voteNonce(viewer)).await?;
    let separator = run.suite.chain().view("DOMAIN_SEPARATOR", users.DOMAIN_SEPARATOR()).await?;
    let deadline = U256::from(now + 3_600);
    let digest = eip712::typed_data_digest(
        separator,
        eip712::vote_struct_hash(viewer, video_id, true, nonce, deadline),
    );
    let signature = a.posting.sign(digest).to_packed();
    let call = users.likeVideoBySig(viewer, video_id, true, deadline, signature.to_vec().into());
    let mined = run.suite.chain().send("likeVideoBySig", producer, call).await?;
    run.record(producer, "relay the viewer's like, signed by the posting key", &mined);
    Ok(run.suite.chain().view("userLikesVideo", users.userLikesVideo(viewer, video_id)).await?)
}

async fn batch_settle(
    run: &mut Run<'_>,
    video_id: B256,
    closed_channel: B256,
) -> Result<BatchSummary, DemoError> {
    let a = run.actors;
    let (viewer, device, producer) = (a.viewer.address(), a.device.address(), a.producer.address());
    let paying = Payer::new(run.store("viewer-batch")?);
    let paid = Payee::new(run.store("producer-batch")?);
    let price = pti(1) / U256::from(10u64);
    let watched = [3u64, 5, 2];
    for (i, segments) in watched.iter().enumerate() {
        let params = Params {
            payer: viewer,
            payee: producer,
            signer: device,
            videoId: video_id,
            pricePerSegment: price,
            salt: keccak256(format!("batch session {i}")),
        };
        let deposit = price * U256::from(10u64);
        let approve = run.suite.approve(viewer, run.suite.contracts.avatar, deposit).await?;
        run.record(viewer, "approve the avatar for the deposit", &approve);
        let opened = channel::open(
            paying.store(),
            &run.suite,
            &params,
            deposit,
            Funding::SpendingKey(device),
        )
        .await?;
        let (id, mined) = (opened.id, opened.open);
        run.record(device, format!("open session {} for the viewer", i + 1), &mined);
        channel::accept_incoming(paid.store(), &run.suite, &params).await?;
        for n in 1..=*segments {
            let signature = paying.sign(id, n, &a.device)?;
            paid.accept(id, n, &signature)?;
        }
    }
    // One bad item: a voucher for the channel the producer already closed.
    let stale = {
        let store = run.store("producer")?;
        let channel = crate::store::ChannelStore::channel(&store, closed_channel)?
            .ok_or(StoreError::UnknownChannel(closed_channel))?;
        let best = crate::store::ChannelStore::best_voucher(&store, closed_channel)?
            .ok_or(StoreError::UnknownChannel(closed_channel))?;
        let sig = crate::voucher::checked_parts(&best.signature)
            .map_err(|e| DemoError::Check(e.to_string()))?;
        IPaymentChannels::SettleItem {
            channel: channel::params_of(&channel),
            segments: best.segments,
            v: sig.v,
            r: sig.r,
            s: sig.s,
        }
    };
    let before = run.suite.pti_balance(producer).await?;
    let report =
        channel::settle_batch(paid.store(), &run.suite, producer, U256::ZERO, vec![stale]).await?;
    let after = run.suite.pti_balance(producer).await?;
    if let Some(tx) = report.tx {
        let step = Step {
            actor: "producer".into(),
            action: format!("settle {} sessions in one batch (plus one stale item)", watched.len()),
            gas_used: report.gas_used,
            transaction_hash: tx,
        };
        (run.progress)(&step);
        run.steps.push(step);
    }
    Ok(BatchSummary {
        items: report.items,
        good: watched.len(),
        settled: report.settled.len(),
        skipped: report.skipped.iter().map(|(_, why)| why.clone()).collect(),
        gas_used: report.gas_used,
        paid: after.saturating_sub(before),
    })
}
