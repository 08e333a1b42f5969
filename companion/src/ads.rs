//! Ads, the negative price: the advertiser's server pays the viewer for each ad segment fetched.
//!
//! The protocol, over HTTP (`docs/streaming.md`):
//! 1. The viewer's proxy asks for a session: `POST /ads/{video}/session` with `{"payee": …}`.
//!    The advertiser opens a channel paying that address for this ad (deposit: the price × the
//!    segments it pays for) — or answers with the one already open for the pair — as the
//!    channel's parameters ([`ChannelParams`]).
//! 2. Each segment request carries `Payment-Channel: <channel id>`; each answer carries
//!    `Payment-Voucher: <base64url of JSON>` ([`AdVoucher`]), a voucher for the distinct
//!    segments fetched so far (a running total: skipping ahead is not paid for what was
//!    skipped), recorded by the advertiser before it is sent. The proxy
//!    checks it as the adjudicator will and records it before the player gets the bytes; an
//!    answer without a voucher that pays for the segment ends the session (payment stopped).
//! 3. At the end the viewer signs a `CloseAuthorization` at its best voucher and posts it to
//!    `POST /ads/{video}/close` ([`CloseRequest`]): the advertiser relays `closeWithAuthorization`,
//!    so a viewer with no ether is paid. Anyone may also `settle` the viewer's best voucher.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use alloy_primitives::{keccak256, Address, B256, U256};
use axum::{
    extract::{Path as UrlPath, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde::{Deserialize, Serialize};

use crate::{
    chain::{Chain, Contracts, Suite},
    channel::{self, ChannelError, Funding, Params, Phase},
    keys::UnlockedKey,
    media::{self, Metadata},
    payee::{AcceptError, Payee, Payer},
    player,
    serve::{protocol::ChannelParams, protocol::Problem, Video},
    store::{ChannelStore, Role, StoreError},
};

/// The request header naming the session's channel.
pub const CHANNEL_HEADER: &str = "payment-channel";
/// The response header carrying the voucher.
pub const VOUCHER_HEADER: &str = "payment-voucher";

/// A voucher as an ad segment's answer carries it: the channel, the segments paid for so far,
/// the advertiser's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdVoucher {
    /// The channel.
    pub channel_id: B256,
    /// Segments paid for, counted from the session's start (a running total).
    pub segments: u64,
    /// The payer's 65-byte signature of the voucher.
    pub signature: alloy_primitives::Bytes,
}

impl AdVoucher {
    /// The header value: base64url (no padding) of the JSON.
    #[must_use]
    pub fn header(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a header value.
    ///
    /// # Errors
    /// A message when it is not base64url of a voucher's JSON.
    pub fn parse(value: &str) -> Result<Self, String> {
        let json = URL_SAFE_NO_PAD.decode(value.trim()).map_err(|e| format!("base64url: {e}"))?;
        serde_json::from_slice(&json).map_err(|e| e.to_string())
    }
}

/// What a viewer posts to open a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRequest {
    /// The address to pay.
    pub payee: Address,
}

/// What a viewer posts to be paid: its signed authorisation to close at `segments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseRequest {
    /// The channel.
    pub channel_id: B256,
    /// The count the viewer closes at (its best voucher).
    pub segments: u64,
    /// Unix seconds after which the authorisation is void.
    pub deadline: u64,
    /// The viewer's signature of the `CloseAuthorization`.
    pub authorization: alloy_primitives::Bytes,
}

/// Why the advertiser's server refused a request.
#[derive(Debug, thiserror::Error)]
pub enum AdError {
    /// No such ad or file.
    #[error("no {0} here")]
    NotFound(String),
    /// The request lacks or misstates its session.
    #[error("{0}")]
    BadRequest(String),
    /// A channel this server did not open for this ad.
    #[error("channel {0} is not a session of this ad")]
    UnknownSession(B256),
    /// The chain refused or could not be reached.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// A voucher could not be signed or recorded (nothing was sent).
    #[error(transparent)]
    Sign(#[from] AcceptError),
    /// The advertiser has as many sessions open as it allows ([`AdLimits::max_sessions`]): a
    /// new viewer waits until one ends.
    #[error("{open} ad sessions are open, the most this advertiser keeps: try again later")]
    Busy {
        /// Sessions open.
        open: usize,
    },
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A store task on the blocking pool did not finish (it panicked, or the runtime is
    /// shutting down).
    #[error("the store's task did not finish: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl AdError {
    fn problem(&self) -> Problem {
        let (name, title, status) = match self {
            Self::NotFound(_) => ("not-found", "Not Found", 404),
            Self::BadRequest(_) => ("bad-request", "Bad Request", 400),
            Self::UnknownSession(_) => ("unknown-session", "Not Found", 404),
            Self::Channel(_) => ("chain-failed", "Bad Gateway", 502),
            Self::Sign(_) | Self::Store(_) | Self::Task(_) => {
                ("internal-error", "Internal Server Error", 500)
            }
            Self::Busy { .. } => ("busy", "Service Unavailable", 503),
        };
        Problem::new(name, title, status, self.to_string())
    }
}

/// How many sessions an ad server keeps open, and when it ends a quiet one: every session locks a
/// deposit and costs the advertiser an open, whoever asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdLimits {
    /// Sessions open at once, at most; beyond it a new viewer gets a 503 until one ends.
    pub max_sessions: usize,
    /// A session with no segment fetched for this long is ended by [`AdServer::sweep`].
    pub idle: Duration,
}

impl Default for AdLimits {
    /// 1,000 sessions; ten minutes quiet.
    fn default() -> Self {
        Self { max_sessions: 1_000, idle: Duration::from_mins(10) }
    }
}

/// What one [`AdServer::sweep`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Swept {
    /// Quiet sessions whose close this server requested on chain (the viewer may still close or
    /// settle with its best voucher during the grace period).
    pub close_requested: Vec<B256>,
    /// Quiet sessions the viewer had already closed: only forgotten.
    pub closed_by_viewer: Vec<B256>,
    /// Channels of these ads whose grace period was over: the rest of the deposit withdrawn.
    pub withdrawn: Vec<B256>,
}

/// The advertiser's ad server: serves ad packages and pays whoever watches them.
pub struct AdServer<S> {
    videos: HashMap<B256, Video>,
    /// The most segments of one view paid for (the rest is served unpaid).
    paid_segments: u64,
    payer: Payer<Arc<S>>,
    key: Arc<UnlockedKey>,
    chain: Arc<Chain>,
    contracts: Contracts,
    /// Open sessions: channel id → (ad, parameters); one per viewer and ad.
    sessions: Mutex<HashMap<B256, (B256, Params)>>,
    opening: tokio::sync::Mutex<()>,
    /// What each session has fetched: what it pays for, so a viewer skipping ahead is not paid
    /// for what it skipped.
    fetched: Mutex<HashMap<B256, Fetched>>,
    /// The channels this server opened, with their transactions, oldest first.
    opened: Mutex<Vec<channel::Opened>>,
    limits: AdLimits,
    /// When each open session last fetched a segment (or opened, or this server started).
    last_seen: Mutex<HashMap<B256, Instant>>,
}

/// What one ad session has fetched.
#[derive(Debug, Default)]
struct Fetched {
    /// Segments paid for before this server started (the best voucher in its store then): an
    /// earlier run's distinct segments are not known, only their count.
    before: u64,
    /// The distinct segments fetched since this server started.
    since: std::collections::HashSet<usize>,
}

impl<S: ChannelStore + 'static> AdServer<S> {
    /// A server for `videos` (each `price_per_segment` is what a viewer is paid per segment),
    /// paying from `key`'s account at most `paid_segments` segments of each view; the sessions
    /// still open in `store` (an earlier run's) go on.
    ///
    /// # Errors
    /// [`StoreError`] reading the store.
    pub fn new(
        videos: Vec<Video>,
        paid_segments: u64,
        store: Arc<S>,
        key: Arc<UnlockedKey>,
        chain: Arc<Chain>,
        contracts: Contracts,
    ) -> Result<Self, StoreError> {
        let videos: HashMap<B256, Video> = videos.into_iter().map(|v| (v.id, v)).collect();
        let sessions = store
            .channels()?
            .into_iter()
            .filter(|c| {
                c.role == Role::Payer
                    && c.payer == key.address()
                    && videos.contains_key(&c.video_id)
                    && !c.finalized
                    && c.close_requested_at.is_none()
            })
            .map(|c| (c.id, (c.video_id, channel::params_of(&c))))
            .collect::<HashMap<_, _>>();
        let now = Instant::now();
        let last_seen = sessions.keys().map(|id| (*id, now)).collect();
        // A restarted server goes on counting from what it paid before. The store keeps only
        // the count, so a segment fetched again after the restart is counted again: the viewer
        // asks again only for a segment whose answer it did not get, the one the crash cut.
        let mut fetched = HashMap::new();
        for id in sessions.keys() {
            let before = store.best_voucher(*id)?.map_or(0, |v| v.segments);
            fetched.insert(*id, Fetched { before, since: std::collections::HashSet::new() });
        }
        Ok(Self {
            videos,
            paid_segments,
            payer: Payer::new(store),
            key,
            chain,
            contracts,
            sessions: Mutex::new(sessions),
            opening: tokio::sync::Mutex::new(()),
            fetched: Mutex::new(fetched),
            opened: Mutex::new(Vec::new()),
            limits: AdLimits::default(),
            last_seen: Mutex::new(last_seen),
        })
    }

    /// The same server, keeping to `limits` (else [`AdLimits::default`]).
    #[must_use]
    pub fn with_limits(mut self, limits: AdLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Ends every session quiet for longer than [`AdLimits::idle`]: requests its close on chain
    /// (or, if the viewer closed it, only forgets it); then withdraws the rest of every channel
    /// of these ads whose grace period is over. Run it every so often; it is idempotent.
    ///
    /// # Errors
    /// The first [`AdError::Channel`], [`AdError::Store`] or [`AdError::Task`]; what was done
    /// before it stays done.
    pub async fn sweep(&self) -> Result<Swept, AdError> {
        let now = Instant::now();
        let quiet: Vec<B256> = self
            .lock_seen()
            .iter()
            .filter(|(_, seen)| now.duration_since(**seen) >= self.limits.idle)
            .map(|(id, _)| *id)
            .collect();
        let suite = self.chain.suite(self.contracts);
        let store = Arc::clone(self.payer.store());
        let mut swept = Swept::default();
        for id in quiet {
            if suite.channel_state(id).await.map_err(ChannelError::from)?.phase == Phase::Open {
                channel::request_close(&*store, &suite, id).await?;
                swept.close_requested.push(id);
            } else {
                channel::reconcile_one(&*store, &suite, id).await?;
                swept.closed_by_viewer.push(id);
            }
            self.forget(id);
        }
        let me = self.key.address();
        let reading = Arc::clone(&store);
        let closing: Vec<B256> = tokio::task::spawn_blocking(move || reading.channels())
            .await??
            .into_iter()
            .filter(|c| {
                c.role == Role::Payer
                    && c.payer == me
                    && self.videos.contains_key(&c.video_id)
                    && !c.finalized
                    && c.close_requested_at.is_some()
            })
            .map(|c| c.id)
            .collect();
        for id in closing {
            match suite.channel_state(id).await.map_err(ChannelError::from)?.phase {
                Phase::Withdrawable => {
                    channel::withdraw(&*store, &suite, id).await?;
                    swept.withdrawn.push(id);
                }
                Phase::Finalized => {
                    channel::reconcile_one(&*store, &suite, id).await?;
                }
                _ => {}
            }
        }
        Ok(swept)
    }

    /// Drops a session that ended from what the server holds for it.
    fn forget(&self, id: B256) {
        self.lock_sessions().remove(&id);
        self.lock_seen().remove(&id);
        self.fetched.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
    }

    fn lock_seen(&self) -> std::sync::MutexGuard<'_, HashMap<B256, Instant>> {
        self.last_seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The channels this server has opened so far (the approval and the open of each), oldest
    /// first.
    #[must_use]
    pub fn opened(&self) -> Vec<channel::Opened> {
        self.opened.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The HTTP routes.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/ads/{video}/session", axum::routing::post(session::<S>))
            .route("/ads/{video}/close", axum::routing::post(close::<S>))
            .route("/ads/{video}/{file}", axum::routing::get(file::<S>))
            .with_state(self)
    }

    fn video(&self, video: &str) -> Result<&Video, AdError> {
        video
            .parse::<B256>()
            .ok()
            .and_then(|id| self.videos.get(&id))
            .ok_or_else(|| AdError::NotFound(format!("ad {video}")))
    }

    /// The session for `payee` on ad `v`: the open one, else a new channel.
    async fn open(&self, v: &Video, payee: Address) -> Result<Params, AdError> {
        if payee == Address::ZERO || payee == self.key.address() {
            return Err(AdError::BadRequest(format!("cannot pay {payee}")));
        }
        let _one_at_a_time = self.opening.lock().await;
        let existing = self
            .lock_sessions()
            .values()
            .find(|(ad, p)| *ad == v.id && p.payee == payee)
            .map(|(_, p)| p.clone());
        if let Some(params) = existing {
            return Ok(params);
        }
        let open = self.lock_sessions().len();
        if open >= self.limits.max_sessions {
            return Err(AdError::Busy { open });
        }
        let suite = self.chain.suite(self.contracts);
        let count = u64::try_from(v.segment_count()).unwrap_or(u64::MAX).min(self.paid_segments);
        let params = Params {
            payer: self.key.address(),
            payee,
            signer: Address::ZERO,
            videoId: v.id,
            pricePerSegment: v.price_per_segment,
            salt: keccak256(format!("ad:{payee}:{:?}", std::time::SystemTime::now())),
        };
        let deposit = v.price_per_segment * U256::from(count);
        let opened =
            channel::open(&**self.payer.store(), &suite, &params, deposit, Funding::Payer).await?;
        self.lock_sessions().insert(opened.id, (v.id, params.clone()));
        self.lock_seen().insert(opened.id, Instant::now());
        self.opened.lock().unwrap_or_else(PoisonError::into_inner).push(opened);
        Ok(params)
    }

    /// The voucher paying for `segments` (or the best sent, if higher — a restarted server
    /// goes on from there), signed and recorded before it is returned; `None` when nothing is
    /// paid.
    async fn voucher(
        self: &Arc<Self>,
        id: B256,
        segments: u64,
    ) -> Result<Option<AdVoucher>, AdError> {
        let segments = segments.min(self.paid_segments);
        if segments == 0 {
            return Ok(None);
        }
        let server = Arc::clone(self);
        // The store is read and written (durably, before the voucher is sent) off the async
        // workers.
        let (count, signature) = tokio::task::spawn_blocking(move || loop {
            let store = server.payer.store();
            let best = store.best_voucher(id).map_err(|e| AdError::Sign(e.into()))?;
            if let Some(best) = best.filter(|b| b.segments >= segments) {
                return Ok((best.segments, best.signature));
            }
            match server.payer.sign(id, segments, &server.key) {
                Ok(signature) => return Ok((segments, signature.to_vec())),
                // A concurrent request recorded this count or more first: send that.
                Err(AcceptError::Store(StoreError::NotAbove { .. })) => {}
                Err(error) => return Err(AdError::Sign(error)),
            }
        })
        .await??;
        Ok(Some(AdVoucher { channel_id: id, segments: count, signature: signature.into() }))
    }

    fn lock_sessions(&self) -> std::sync::MutexGuard<'_, HashMap<B256, (B256, Params)>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn json(value: &impl Serialize) -> Response {
    let mut response =
        (StatusCode::OK, serde_json::to_vec(value).unwrap_or_default()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn refuse(error: &AdError) -> Response {
    let problem = error.problem();
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, serde_json::to_vec(&problem).unwrap_or_default()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        // Sessions end as viewers close them, or when the sweep ends quiet ones.
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    response
}

async fn session<S: ChannelStore + 'static>(
    State(server): State<Arc<AdServer<S>>>,
    UrlPath(video): UrlPath<String>,
    body: axum::body::Bytes,
) -> Response {
    let answer = async {
        let v = server.video(&video)?;
        let request: SessionRequest = serde_json::from_slice(&body)
            .map_err(|e| AdError::BadRequest(format!("not a session request: {e}")))?;
        let params = server.open(v, request.payee).await?;
        Ok::<_, AdError>(json(&ChannelParams::from(&params)))
    };
    answer.await.unwrap_or_else(|e| refuse(&e))
}

async fn file<S: ChannelStore + 'static>(
    State(server): State<Arc<AdServer<S>>>,
    UrlPath((video, file)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let v = server.video(&video)?;
        let (bytes, kind, index) = v.file(&file).ok_or_else(|| AdError::NotFound(file.clone()))?;
        let mut response = Response::new(bytes);
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
        let Some(index) = index else { return Ok(response) };
        let id = headers
            .get(CHANNEL_HEADER)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.trim().parse::<B256>().ok())
            .ok_or_else(|| {
                AdError::BadRequest(format!("a segment needs a {CHANNEL_HEADER} header"))
            })?;
        match server.lock_sessions().get(&id) {
            Some((ad, _)) if *ad == v.id => {}
            _ => return Err(AdError::UnknownSession(id)),
        }
        server.lock_seen().insert(id, Instant::now());
        let h = response.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        let fetched = {
            let mut fetched = server.fetched.lock().unwrap_or_else(PoisonError::into_inner);
            let session = fetched.entry(id).or_default();
            session.since.insert(index);
            session.before + session.since.len() as u64
        };
        if let Some(voucher) = server.voucher(id, fetched).await? {
            if let Ok(value) = HeaderValue::from_str(&voucher.header()) {
                h.insert(VOUCHER_HEADER, value);
            }
        }
        Ok::<_, AdError>(response)
    };
    answer.await.unwrap_or_else(|e| refuse(&e))
}

async fn close<S: ChannelStore + 'static>(
    State(server): State<Arc<AdServer<S>>>,
    UrlPath(video): UrlPath<String>,
    body: axum::body::Bytes,
) -> Response {
    let answer = async {
        server.video(&video)?;
        let request: CloseRequest = serde_json::from_slice(&body)
            .map_err(|e| AdError::BadRequest(format!("not a close request: {e}")))?;
        let id = request.channel_id;
        let params = server
            .lock_sessions()
            .get(&id)
            .map(|(_, p)| p.clone())
            .ok_or(AdError::UnknownSession(id))?;
        let sent = crate::store::blocking(|| server.payer.store().vouchers(id));
        let voucher = sent
            .map_err(|e| AdError::Sign(e.into()))?
            .into_iter()
            .find(|v| v.segments == request.segments)
            .ok_or_else(|| {
                AdError::BadRequest(format!(
                    "no voucher for {} segments was sent on {id}",
                    request.segments
                ))
            })?
            .signature;
        let suite = server.chain.suite(server.contracts);
        let channels = suite.channels();
        let call = channels.closeWithAuthorization(
            params,
            request.segments,
            request.deadline,
            voucher.into(),
            request.authorization,
        );
        let mined = suite
            .chain()
            .send("closeWithAuthorization", server.key.address(), call)
            .await
            .map_err(|e| AdError::Channel(e.into()))?;
        channel::reconcile_one(&**server.payer.store(), &suite, id).await?;
        server.forget(id);
        let body = serde_json::json!({
            "channelId": id,
            "segments": request.segments,
            "transactionHash": mined.tx,
        });
        Ok::<_, AdError>(json(&body))
    };
    answer.await.unwrap_or_else(|e| refuse(&e))
}

/// How the viewer's ad proxy watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdWatchConfig {
    /// The ad's base URL (`http://host:port/ads/<id>/`).
    pub source: String,
    /// Where the player connects (loopback; port 0 picks one).
    pub listen: SocketAddr,
    /// How long without a player request ends the session.
    pub idle_stop: Duration,
    /// Web pages (`http://127.0.0.1:8000`) whose player (hls.js) may use the proxy; a request
    /// from any other page is refused with a 403.
    pub allowed_origins: Vec<String>,
    /// How long a segment request waits for an unreachable advertiser (one restarting) before
    /// the player gets a 502.
    pub patience: Duration,
}

impl AdWatchConfig {
    /// `source` on `127.0.0.1:0`, 10 s idle.
    #[must_use]
    pub fn new(source: impl Into<String>) -> Self {
        let mut source = source.into();
        if !source.ends_with('/') {
            source.push('/');
        }
        Self {
            source,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            idle_stop: Duration::from_secs(10),
            allowed_origins: Vec::new(),
            patience: Duration::from_secs(30),
        }
    }
}

/// Why the viewer's ad session failed.
#[derive(Debug, thiserror::Error)]
pub enum AdWatchError {
    /// The advertiser could not be reached or answered something unusable.
    #[error("advertiser {url}: {why}")]
    Advertiser {
        /// What was asked.
        url: String,
        /// What went wrong.
        why: String,
    },
    /// The channel is not one paying us, or not open on chain.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// A voucher was refused or could not be recorded.
    #[error(transparent)]
    Accept(#[from] AcceptError),
    /// The local listener could not be bound.
    #[error("cannot listen on {addr}: {error}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The store's task on the blocking pool did not finish (it panicked, or the runtime is
    /// shutting down).
    #[error("the store's task did not finish: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// How an ad session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdClosed {
    /// The advertiser relayed the close: the viewer was paid for `segments`.
    Relayed {
        /// Segments paid.
        segments: u64,
        /// The close transaction, as the advertiser answered.
        transaction: Option<B256>,
    },
    /// The advertiser did not relay; the viewer holds its best voucher (anyone may `settle` it).
    Held {
        /// Segments the best voucher pays.
        segments: u64,
    },
}

struct AdSession {
    accepted: u64,
    delivered: std::collections::BTreeSet<usize>,
    /// Payment stopped: nothing more is fetched.
    stopped: Option<String>,
}

/// The viewer's side of an ad: a loopback proxy for the player that is paid per segment.
pub struct AdWatch<S> {
    config: AdWatchConfig,
    http: reqwest::Client,
    metadata: Metadata,
    /// Shared with the blocking pool, where each voucher is checked and written.
    payee: Arc<Payee<Arc<S>>>,
    key: Arc<UnlockedKey>,
    /// The channel paying the viewer.
    pub id: B256,
    /// Its parameters.
    pub params: Params,
    session: Mutex<AdSession>,
    activity: Arc<player::Activity>,
}

impl<S: ChannelStore + 'static> AdWatch<S> {
    /// Reads the ad's metadata, asks the advertiser for a session paying `key`'s address, and
    /// records the channel after checking on chain that it is open and pays us.
    ///
    /// # Errors
    /// [`AdWatchError::Advertiser`], [`AdWatchError::Channel`].
    pub async fn open(
        config: AdWatchConfig,
        suite: &Suite<'_>,
        store: Arc<S>,
        key: Arc<UnlockedKey>,
    ) -> Result<Self, AdWatchError> {
        let http = reqwest::Client::new();
        let failed = |url: &str, why: String| AdWatchError::Advertiser { url: url.to_owned(), why };
        let url = format!("{}{}", config.source, media::METADATA);
        let metadata: Metadata = http
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| failed(&url, e.to_string()))?
            .json()
            .await
            .map_err(|e| failed(&url, format!("not a package's metadata: {e}")))?;
        let url = format!("{}session", config.source);
        let params: ChannelParams = http
            .post(&url)
            .json(&SessionRequest { payee: key.address() })
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| failed(&url, e.to_string()))?
            .json()
            .await
            .map_err(|e| failed(&url, format!("not a channel: {e}")))?;
        let params = Params::from(&params);
        if params.payee != key.address() {
            return Err(failed(&url, format!("the channel pays {}, not us", params.payee)));
        }
        let stored = channel::accept_incoming(&*store, suite, &params).await?;
        Ok(Self {
            config,
            http,
            metadata,
            payee: Arc::new(Payee::new(store)),
            key,
            id: stored.id,
            params,
            session: Mutex::new(AdSession {
                accepted: 0,
                delivered: std::collections::BTreeSet::new(),
                stopped: None,
            }),
            activity: Arc::new(player::Activity::new()),
        })
    }

    /// Binds the proxy; the player's URL is `http://<addr>/index.m3u8`.
    ///
    /// # Errors
    /// [`AdWatchError::Listen`].
    pub async fn bind(&self) -> Result<tokio::net::TcpListener, AdWatchError> {
        tokio::net::TcpListener::bind(self.config.listen)
            .await
            .map_err(|error| AdWatchError::Listen { addr: self.config.listen, error })
    }

    /// Segments accepted (paid by a durable voucher) and handed to the player; why payment
    /// stopped, if it did.
    #[must_use]
    pub fn progress(&self) -> (u64, u64, Option<String>) {
        let s = self.lock();
        (s.accepted, s.delivered.len() as u64, s.stopped.clone())
    }

    /// Serves the player until it has been quiet for [`AdWatchConfig::idle_stop`] (or `stop`
    /// resolves), then has the advertiser close the channel ([`AdWatch::finish`]).
    ///
    /// # Errors
    /// [`AdWatchError`] from the close authorisation.
    pub async fn run(
        self: Arc<Self>,
        listener: tokio::net::TcpListener,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
        suite: &Suite<'_>,
    ) -> Result<AdClosed, AdWatchError> {
        let origins = player::Origins::new(&self.config.allowed_origins);
        let app = Router::new()
            .route("/{file}", axum::routing::get(proxy::<S>))
            .with_state(Arc::clone(&self))
            .layer(axum::middleware::from_fn_with_state(origins, player::guard));
        let activity = Arc::clone(&self.activity);
        player::serve_until_quiet(listener, app, activity, self.config.idle_stop, stop).await;
        self.finish(suite).await
    }

    /// Signs a close authorisation at the best voucher accepted and asks the advertiser to relay
    /// it; [`AdClosed::Held`] when it does not.
    ///
    /// # Errors
    /// [`AdWatchError::Accept`] when the authorisation cannot be signed; a chain error reading
    /// the time.
    pub async fn finish(&self, suite: &Suite<'_>) -> Result<AdClosed, AdWatchError> {
        let accepted = self.lock().accepted;
        if accepted == 0 {
            return Ok(AdClosed::Held { segments: 0 });
        }
        let deadline = suite.chain().now().await.map_err(ChannelError::from)? + 3_600;
        let (payee, key, id) = (Arc::clone(&self.payee), Arc::clone(&self.key), self.id);
        let (segments, authorization) =
            tokio::task::spawn_blocking(move || payee.close_authorization(id, &key, deadline))
                .await??;
        let request = CloseRequest {
            channel_id: self.id,
            segments,
            deadline,
            authorization: authorization.to_vec().into(),
        };
        let url = format!("{}close", self.config.source);
        if let Ok(response) = self.http.post(&url).json(&request).send().await {
            if response.status() == reqwest::StatusCode::OK {
                let answer: serde_json::Value = response.json().await.unwrap_or_default();
                let transaction = answer["transactionHash"].as_str().and_then(|t| t.parse().ok());
                return Ok(AdClosed::Relayed { segments, transaction });
            }
            tracing::warn!(status = %response.status(), "the advertiser did not relay the close");
        }
        Ok(AdClosed::Held { segments })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, AdSession> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Segment `index`: fetched, checked against its IPFS id, paid by a voucher recorded here
    /// before the player gets it.
    async fn segment(&self, index: usize) -> Result<Vec<u8>, Problem> {
        let bad = |detail: String| Problem::new("bad-gateway", "Bad Gateway", 502, detail);
        if let Some(why) = &self.lock().stopped {
            return Err(bad(format!("payment stopped: {why}")));
        }
        let segment = &self.metadata.segments[index];
        let url = format!("{}{}", self.config.source, segment.uri);
        let deadline = std::time::Instant::now() + self.config.patience;
        let (status, voucher, body) = loop {
            let fetched = async {
                let response = self
                    .http
                    .get(&url)
                    .header(CHANNEL_HEADER, self.id.to_string())
                    .timeout(Duration::from_secs(30))
                    .send()
                    .await?;
                let status = response.status();
                let voucher = response
                    .headers()
                    .get(VOUCHER_HEADER)
                    .and_then(|h| h.to_str().ok())
                    .map(AdVoucher::parse);
                Ok::<_, reqwest::Error>((status, voucher, response.bytes().await?.to_vec()))
            };
            match fetched.await {
                Ok(answer) => break answer,
                // The advertiser is unreachable or went away mid-answer (restarting?): ask
                // again, within patience. A restarted advertiser goes on from the best voucher
                // in its store.
                Err(error) if std::time::Instant::now() < deadline => {
                    tracing::debug!(%error, "advertiser unreachable, asking again");
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(error) => return Err(bad(format!("{url}: {error}"))),
            }
        };
        if status != reqwest::StatusCode::OK {
            return Err(bad(format!("{url}: {status}: {}", String::from_utf8_lossy(&body))));
        }
        media::check(index, &body, segment.cid).map_err(|e| bad(e.to_string()))?;
        // Paid for every distinct segment fetched, this one included.
        let needed = {
            let s = self.lock();
            s.delivered.len() as u64 + u64::from(!s.delivered.contains(&index))
        };
        let paid = match voucher {
            Some(Ok(v)) if v.channel_id == self.id => {
                let accepted = self.lock().accepted;
                if v.segments > accepted {
                    // Checked and made durable on the blocking pool: the write waits for an fsync.
                    let (payee, id, count) = (Arc::clone(&self.payee), self.id, v.segments);
                    let accepted =
                        tokio::task::spawn_blocking(move || payee.accept(id, count, &v.signature))
                            .await
                            .map_err(|e| bad(format!("recording the voucher: {e}")))?;
                    match accepted {
                        Ok(count) => {
                            let mut s = self.lock();
                            s.accepted = s.accepted.max(count);
                        }
                        Err(error) => return Err(self.stop(format!("voucher refused: {error}"))),
                    }
                }
                self.lock().accepted >= needed
            }
            Some(Ok(v)) => return Err(self.stop(format!("a voucher for channel {}", v.channel_id))),
            Some(Err(why)) => return Err(self.stop(format!("an unreadable voucher: {why}"))),
            None => false,
        };
        if !paid {
            return Err(self.stop(format!("segment {index} came without a voucher paying for it")));
        }
        self.lock().delivered.insert(index);
        Ok(body)
    }

    fn stop(&self, why: String) -> Problem {
        tracing::warn!(%why, "the advertiser stopped paying: no more segments are fetched");
        let detail = format!("payment stopped: {why}");
        self.lock().stopped = Some(why);
        Problem::new("bad-gateway", "Bad Gateway", 502, detail)
    }
}

async fn proxy<S: ChannelStore + 'static>(
    State(watch): State<Arc<AdWatch<S>>>,
    UrlPath(file): UrlPath<String>,
) -> Response {
    let _active = watch.activity.begin();
    let answer = if file == media::PLAYLIST || file == media::METADATA {
        player::pass_through(&watch.http, &watch.config.source, &file).await
    } else if let Some(index) = watch.metadata.segments.iter().position(|s| s.uri == file) {
        watch.segment(index).await.map(|body| (body, HeaderValue::from_static("video/mp2t")))
    } else {
        Err(Problem::new("not-found", "Not Found", 404, format!("no {file} in this ad")))
    };
    player::respond(answer)
}
