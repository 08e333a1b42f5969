//! The producer's segment server: HLS for registered videos, each segment paid for with a
//! voucher in the `Payment` HTTP authentication scheme ([`protocol`]).
//!
//! `GET /videos/{id}/index.m3u8` and `/videos/{id}/metadata.json` are free; a segment
//! (`/videos/{id}/<uri>`, the URIs of the playlist) is served only once a voucher paying for it
//! is on the payee's disk. Segment `i` (from 0) is paid when the channel's accepted count is at
//! least `i + 1`; a player fetches in order, so a viewer who stops after `N` segments has paid
//! exactly `N`. The rules:
//!
//! - **Pay before serve, one segment of credit for the viewer.** A voucher may pay for the
//!   segment it comes with and nothing beyond it ([`ServeError::VoucherAhead`], 409), so a
//!   viewer never has more than one segment paid and not yet received.
//! - **Durable first.** A voucher above the accepted count is checked (signer, deposit, order)
//!   and committed with the others queued at the same time ([`commit::Committer`], group commit)
//!   before the segment's first byte leaves.
//! - **Retries are free.** A segment already paid is served again for any valid voucher that
//!   covers it; the voucher's signature is checked first, so knowing a channel's public
//!   parameters is not enough.
//! - **Errors say what to do.** 402 with a fresh challenge for anything a payment fixes, 409 for
//!   a voucher ahead of the credit window, 404 for what does not exist, 503 (`Retry-After`) when
//!   the chain cannot be reached to check a new channel (never 402: the viewer did nothing
//!   wrong), 500 when the store fails. Every error body is an RFC 9457 problem.

pub mod commit;
pub mod protocol;

use std::{
    collections::HashMap,
    path::Path,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use alloy_primitives::{Address, Bytes, B256, U256};
use axum::{
    body::Body,
    extract::{Path as UrlPath, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use crate::{
    chain::{Chain, Contracts},
    channel::{self, ChannelError, Params, Watchtower},
    media::{MediaError, Package},
    store::{ChannelStore, Role, StoreError, VoucherWrite},
    voucher::{self, Domain, VoucherError},
};
use commit::{CommitError, Committer};
use protocol::{
    Challenge, Credential, MethodDetails, PaymentReceipt, PaymentRequest, Problem, METHOD,
    RECEIPT_HEADER, UNIT,
};

/// A video the server streams: its package, held in memory (segments are small), and its
/// price per segment.
#[derive(Debug, Clone)]
pub struct Video {
    /// The video's id in the `VideoRegistry`.
    pub id: B256,
    /// PTI wei per segment: a channel must price segments at least this.
    pub price_per_segment: U256,
    playlist: Bytes,
    metadata: Bytes,
    segments: Vec<Bytes>,
    uris: HashMap<String, usize>,
}

impl Video {
    /// The package's file `name` as a response body with its content type, and its segment
    /// index when it is a segment.
    pub(crate) fn file(&self, name: &str) -> Option<(Body, &'static str, Option<usize>)> {
        match name {
            crate::media::PLAYLIST => {
                Some((Body::from(self.playlist.0.clone()), "application/vnd.apple.mpegurl", None))
            }
            crate::media::METADATA => {
                Some((Body::from(self.metadata.0.clone()), "application/json", None))
            }
            _ => self
                .uris
                .get(name)
                .map(|&i| (Body::from(self.segments[i].0.clone()), "video/mp2t", Some(i))),
        }
    }

    /// Loads the package in `dir` (every segment checked against its IPFS id).
    ///
    /// # Errors
    /// [`MediaError`] for a missing or altered package.
    pub fn load(id: B256, price_per_segment: U256, dir: &Path) -> Result<Self, MediaError> {
        let package = Package::open(dir)?;
        let read = |name: &str| {
            std::fs::read(dir.join(name))
                .map(Bytes::from)
                .map_err(|error| MediaError::Io { path: dir.join(name), error })
        };
        let segments = (0..package.metadata.segments.len())
            .map(|i| package.segment(i).map(Bytes::from))
            .collect::<Result<Vec<_>, _>>()?;
        let uris =
            package.metadata.segments.iter().enumerate().map(|(i, s)| (s.uri.clone(), i)).collect();
        Ok(Self {
            id,
            price_per_segment,
            playlist: read(crate::media::PLAYLIST)?,
            metadata: read(crate::media::METADATA)?,
            segments,
            uris,
        })
    }

    /// Loads a video from an IPFS HTTP gateway (`gateway/ipfs/<cid>`, raw blocks asked for):
    /// its metadata by `metadata` (the on-chain `metadata` digest as a CID), then the playlist
    /// and every segment by the ids the metadata gives, each checked against its id.
    ///
    /// # Errors
    /// [`MediaError::Gateway`] for an unreachable gateway, a refusal, or wrong metadata or
    /// playlist bytes; [`MediaError::WrongBytes`] for a wrong segment; [`MediaError::Malformed`]
    /// for metadata that is not a package's.
    pub async fn fetch(
        id: B256,
        price_per_segment: U256,
        gateway: &str,
        metadata: crate::media::Cid,
    ) -> Result<Self, MediaError> {
        let http = reqwest::Client::new();
        let gateway = gateway.trim_end_matches('/');
        let block = |cid: crate::media::Cid| {
            let http = http.clone();
            let url = format!("{gateway}/ipfs/{cid}");
            async move {
                let failed = |why: String| MediaError::Gateway { url: url.clone(), why };
                let response = http
                    .get(&url)
                    .header(header::ACCEPT, "application/vnd.ipld.raw")
                    .timeout(std::time::Duration::from_mins(1))
                    .send()
                    .await
                    .map_err(|e| failed(e.to_string()))?;
                if !response.status().is_success() {
                    return Err(failed(format!("answered {}", response.status())));
                }
                let bytes = response.bytes().await.map_err(|e| failed(e.to_string()))?;
                Ok::<_, MediaError>((url, Bytes::from(bytes.to_vec())))
            }
        };
        let whole = |url: String, bytes: &Bytes, cid: crate::media::Cid| {
            let got = crate::media::Cid::of(bytes);
            if got == cid {
                Ok(())
            } else {
                Err(MediaError::Gateway { url, why: format!("its bytes hash to {got}, not {cid}") })
            }
        };
        let (url, metadata_bytes) = block(metadata).await?;
        whole(url.clone(), &metadata_bytes, metadata)?;
        let parsed: crate::media::Metadata = serde_json::from_slice(&metadata_bytes)
            .map_err(|e| MediaError::Malformed { path: url.into(), why: e.to_string() })?;
        let (url, playlist) = block(parsed.playlist).await?;
        whole(url, &playlist, parsed.playlist)?;
        let mut segments = Vec::with_capacity(parsed.segments.len());
        for (index, segment) in parsed.segments.iter().enumerate() {
            let (_, bytes) = block(segment.cid).await?;
            crate::media::check(index, &bytes, segment.cid)?;
            segments.push(bytes);
        }
        let uris = parsed.segments.iter().enumerate().map(|(i, s)| (s.uri.clone(), i)).collect();
        Ok(Self { id, price_per_segment, playlist, metadata: metadata_bytes, segments, uris })
    }

    /// How many segments it has.
    #[must_use]
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }
}

/// Who the server is paid as, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The realm its challenges name.
    pub realm: String,
    /// The chain id and the adjudicator (the vouchers' domain).
    pub domain: Domain,
    /// The PTI token (the challenges' `currency`).
    pub token: Address,
    /// The payee every channel must name.
    pub payee: Address,
}

/// Why a request was not served; each maps to one HTTP status and problem type.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// No such video here.
    #[error("no video {0} on this server")]
    NoSuchVideo(B256),
    /// No such file in the video's package.
    #[error("video {video} has no {file}")]
    NoSuchFile {
        /// The video.
        video: B256,
        /// The file asked for.
        file: String,
    },
    /// The segment needs a voucher for `segments` in all.
    #[error("segment {segment} needs a voucher for {segments} segments")]
    PaymentRequired {
        /// The segment (from 0).
        segment: u64,
        /// The cumulative count that pays for it.
        segments: u64,
    },
    /// The `Authorization` header is not a credential.
    #[error("malformed credential: {0}")]
    MalformedCredential(String),
    /// The credential answers a challenge this server did not issue (or one altered).
    #[error("the credential's challenge was not issued by this server")]
    ForeignChallenge,
    /// The channel is for another video, payee or price than this server's.
    #[error("channel {channel} does not pay for this: {why}")]
    WrongChannel {
        /// The channel's id.
        channel: B256,
        /// What differs.
        why: String,
    },
    /// The channel is not open on chain (never opened, closing, or finalized).
    #[error("channel {0} is not open on chain: open it (or a new one) first")]
    ChannelNotOpen(B256),
    /// The voucher was refused (forged, another channel's, over the deposit).
    #[error("voucher refused: {0}")]
    Voucher(#[from] VoucherError),
    /// The voucher pays beyond the segment it comes with.
    #[error("voucher for {segments} segments comes with segment {segment}: at most {max} may be paid now")]
    VoucherAhead {
        /// The voucher's count.
        segments: u64,
        /// The segment requested (from 0).
        segment: u64,
        /// The most this request may pay for.
        max: u64,
    },
    /// The chain could not be asked about a new channel.
    #[error("cannot check the channel on chain now: {0}")]
    ChainUnavailable(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(String),
}

impl ServeError {
    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NoSuchVideo(_) | Self::NoSuchFile { .. } => StatusCode::NOT_FOUND,
            Self::VoucherAhead { .. } => StatusCode::CONFLICT,
            Self::ChainUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::PAYMENT_REQUIRED,
        }
    }

    /// The problem type's short name (under [`protocol::PROBLEM_BASE`]).
    #[must_use]
    pub fn problem_name(&self) -> &'static str {
        match self {
            Self::NoSuchVideo(_) | Self::NoSuchFile { .. } => "not-found",
            Self::PaymentRequired { .. } => "payment-required",
            Self::MalformedCredential(_) => "malformed-credential",
            Self::ForeignChallenge => "invalid-challenge",
            Self::WrongChannel { .. } => "invalid-credential",
            Self::ChannelNotOpen(_) => "channel-not-found",
            Self::Voucher(_) => "verification-failed",
            Self::VoucherAhead { .. } => "voucher-ahead",
            Self::ChainUnavailable(_) => "service-unavailable",
            Self::Store(_) => "internal-error",
        }
    }
}

/// What the server keeps per channel it has seen.
#[derive(Debug, Clone, Copy)]
struct Known {
    terms: voucher::Channel,
    video: B256,
    accepted: u64,
    /// The server is closing it: no voucher is taken any more.
    closing: bool,
    /// The last paid request (or when the server found the channel in its store).
    last_seen: Instant,
}

/// What one round of [`SegmentServer::upkeep`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Upkeep {
    /// Channels whose payer asked on chain to close, closed with the best voucher on disk
    /// before the payer could withdraw (the watchtower's duty).
    pub closed_on_request: Vec<B256>,
    /// Channels without a paid request for the idle period, closed with the best voucher on
    /// disk: viewers that stopped without asking for the close.
    pub closed_idle: Vec<B256>,
    /// Idle channels whose close failed, with why; tried again next round.
    pub failed: Vec<(B256, String)>,
}

/// The segment server's state: what it streams, its store and its view of the chain.
pub struct SegmentServer<S> {
    config: ServerConfig,
    videos: HashMap<B256, Video>,
    store: Arc<S>,
    committer: Committer,
    chain: Option<(Arc<Chain>, Contracts)>,
    known: Mutex<HashMap<B256, Known>>,
    secret: [u8; 32],
    /// Whether the open channels an earlier run left in the store were taken into `known` (the
    /// first upkeep round does it; later channels enter `known` as they are paid on).
    adopted: std::sync::atomic::AtomicBool,
}

impl<S: ChannelStore + 'static> SegmentServer<S> {
    /// A server for `videos`, recording vouchers in `store`, checking new channels on `chain`
    /// (without one, only channels already in the store are served).
    #[must_use]
    pub fn new(
        config: ServerConfig,
        videos: Vec<Video>,
        store: Arc<S>,
        chain: Option<(Arc<Chain>, Contracts)>,
    ) -> Self {
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
        Self {
            config,
            videos: videos.into_iter().map(|v| (v.id, v)).collect(),
            committer: Committer::start(Arc::clone(&store)),
            store,
            chain,
            known: Mutex::new(HashMap::new()),
            secret,
            adopted: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The HTTP routes over this server.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/videos/{video}/{file}", get(handle::<S>))
            .route("/videos/{video}/close", axum::routing::post(handle_close::<S>))
            .with_state(self)
    }

    /// The challenge for `segment` of `video`.
    fn challenge(&self, video: &Video, segment: u64) -> Challenge {
        let price = video.price_per_segment;
        let request = PaymentRequest {
            amount: price.to_string(),
            unit_type: UNIT.into(),
            suggested_deposit: (price * U256::from(video.segments.len())).to_string(),
            currency: self.config.token,
            recipient: self.config.payee,
            method_details: MethodDetails {
                chain_id: self.config.domain.chain_id,
                escrow_contract: self.config.domain.adjudicator,
                video_id: video.id,
                segment,
                segments: segment + 1,
            },
        };
        Challenge::new(&self.secret, &self.config.realm, &request)
    }

    /// Serves `file` of `video` to a request with `headers`.
    async fn serve(
        &self,
        video: B256,
        file: &str,
        headers: &HeaderMap,
    ) -> Result<Response, (ServeError, Option<Challenge>)> {
        let v = self.videos.get(&video).ok_or((ServeError::NoSuchVideo(video), None))?;
        match file {
            crate::media::PLAYLIST => {
                return Ok(bytes(&v.playlist, "application/vnd.apple.mpegurl", None));
            }
            crate::media::METADATA => return Ok(bytes(&v.metadata, "application/json", None)),
            _ => {}
        }
        let index = *v
            .uris
            .get(file)
            .ok_or_else(|| (ServeError::NoSuchFile { video, file: file.to_owned() }, None))?;
        let segment = index as u64;
        let challenge = || Some(self.challenge(v, segment));
        let receipt = self.pay(v, segment, headers).await.map_err(|e| (e, challenge()))?;
        Ok(bytes(&v.segments[index], "video/mp2t", Some(&receipt)))
    }

    /// Checks that `headers` carry a voucher paying for `segment` of `v`, records it durably
    /// when it is new, and returns the receipt.
    async fn pay(
        &self,
        v: &Video,
        segment: u64,
        headers: &HeaderMap,
    ) -> Result<PaymentReceipt, ServeError> {
        let needed = segment + 1;
        let (credential, params, id) =
            self.credential(headers, ServeError::PaymentRequired { segment, segments: needed })?;
        let payload = &credential.payload;
        self.check_terms(v, id, &params)?;
        if payload.segments < needed {
            return Err(ServeError::PaymentRequired { segment, segments: needed });
        }
        let mut known = self.known(id, &params).await?;
        if known.closing {
            return Err(ServeError::ChannelNotOpen(id));
        }
        let message = voucher::Voucher { channel_id: id, segments: payload.segments };
        if payload.segments <= known.accepted {
            // Already durable: check the signature, then serve again (a retry).
            self.check_signer(&known, message, &payload.signature)?;
        } else {
            if payload.segments > needed {
                return Err(ServeError::VoucherAhead {
                    segments: payload.segments,
                    segment,
                    max: needed,
                });
            }
            let checked = voucher::accept(
                &self.config.domain,
                &known.terms,
                known.accepted,
                &message,
                &payload.signature,
            );
            if let Err(VoucherError::OverDeposit { .. }) = checked {
                // The payer may have topped up since: read the deposit again, then decide.
                known = self.refresh(id, &params).await?;
                voucher::accept(
                    &self.config.domain,
                    &known.terms,
                    known.accepted,
                    &message,
                    &payload.signature,
                )?;
            } else {
                checked?;
            }
            let write = VoucherWrite {
                channel: id,
                segments: payload.segments,
                signature: payload.signature.to_vec(),
            };
            match self.committer.commit(write).await {
                // Another request of this channel committed this count or more first.
                Ok(()) | Err(CommitError::Store(StoreError::NotAbove { .. })) => {}
                Err(error) => return Err(ServeError::Store(error.to_string())),
            }
            known.accepted = self.raise(id, payload.segments);
        }
        Ok(PaymentReceipt {
            method: METHOD.into(),
            channel_id: id,
            accepted_segments: known.accepted,
            accepted_amount: (known.terms.price_per_segment * U256::from(known.accepted))
                .to_string(),
            segment,
        })
    }

    fn check_terms(&self, v: &Video, id: B256, params: &Params) -> Result<(), ServeError> {
        let wrong = |why: String| Err(ServeError::WrongChannel { channel: id, why });
        if params.payee != self.config.payee {
            return wrong(format!(
                "its payee is {}, this server is paid as {}",
                params.payee, self.config.payee
            ));
        }
        if params.videoId != v.id {
            return wrong(format!("it is for video {}, not {}", params.videoId, v.id));
        }
        if params.pricePerSegment < v.price_per_segment {
            return wrong(format!(
                "it pays {} per segment, this video costs {}",
                params.pricePerSegment, v.price_per_segment
            ));
        }
        Ok(())
    }

    /// What the server knows of channel `id`: from memory, else the store, else the chain. A
    /// request for it counts as the channel's latest activity.
    async fn known(&self, id: B256, params: &Params) -> Result<Known, ServeError> {
        if let Some(known) = self.lock().get_mut(&id) {
            known.last_seen = Instant::now();
            return Ok(*known);
        }
        // The store's reads wait for its writer's fsync: off the async workers.
        let store = Arc::clone(&self.store);
        let stored = tokio::task::spawn_blocking(move || {
            let Some(c) = store.channel(id)? else { return Ok(None) };
            let accepted = store.best_voucher(id)?.map_or(0, |v| v.segments);
            Ok::<_, StoreError>(Some((c, accepted)))
        })
        .await
        .map_err(|e| ServeError::Store(e.to_string()))?
        .map_err(|e| ServeError::Store(e.to_string()))?;
        match stored {
            Some((c, accepted)) if c.role == Role::Payee && !c.finalized => {
                Ok(self.remember(id, &c, accepted))
            }
            Some(_) => Err(ServeError::ChannelNotOpen(id)),
            None => self.refresh(id, params).await,
        }
    }

    /// Reads channel `id` from the chain into the store and memory.
    async fn refresh(&self, id: B256, params: &Params) -> Result<Known, ServeError> {
        let Some((chain, contracts)) = &self.chain else {
            return Err(ServeError::ChainUnavailable("this server has no chain endpoint".into()));
        };
        let suite = chain.suite(*contracts);
        let stored = match channel::accept_incoming(&*self.store, &suite, params).await {
            Ok(stored) => stored,
            Err(ChannelError::NotOpen(_)) => return Err(ServeError::ChannelNotOpen(id)),
            Err(ChannelError::Chain(e)) => return Err(ServeError::ChainUnavailable(e.to_string())),
            Err(e) => return Err(ServeError::Store(e.to_string())),
        };
        let accepted = self
            .store
            .best_voucher(id)
            .map_err(|e| ServeError::Store(e.to_string()))?
            .map_or(0, |v| v.segments);
        Ok(self.remember(id, &stored, accepted))
    }

    fn remember(&self, id: B256, c: &crate::store::StoredChannel, accepted: u64) -> Known {
        let known = Known {
            terms: voucher::Channel {
                id,
                signer: c.voucher_signer(),
                price_per_segment: c.price_per_segment,
                deposit: c.deposit,
            },
            video: c.video_id,
            accepted,
            closing: false,
            last_seen: Instant::now(),
        };
        let mut map = self.lock();
        let entry = map.entry(id).or_insert(known);
        entry.terms = known.terms;
        entry.accepted = entry.accepted.max(accepted);
        *entry
    }

    /// Raises channel `id`'s accepted count to at least `segments` (now durable); the count.
    fn raise(&self, id: B256, segments: u64) -> u64 {
        let mut map = self.lock();
        map.get_mut(&id).map_or(segments, |k| {
            k.accepted = k.accepted.max(segments);
            k.accepted
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<B256, Known>> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Closes channel `id` on chain with the best voucher on disk, after refusing any further
    /// voucher for it (so the close pays for everything served).
    ///
    /// # Errors
    /// [`ChannelError`] from the close; [`ChannelError::Chain`] with
    /// [`ChainError::BadEndpoint`](crate::chain::ChainError::BadEndpoint) when the server has no
    /// chain endpoint.
    pub async fn close(&self, id: B256) -> Result<crate::chain::Mined, ChannelError> {
        if let Some(known) = self.lock().get_mut(&id) {
            known.closing = true;
        }
        let Some((chain, contracts)) = &self.chain else {
            return Err(ChannelError::Chain(crate::chain::ChainError::BadEndpoint {
                endpoint: String::new(),
                why: "this server has no chain endpoint".into(),
            }));
        };
        let suite = chain.suite(*contracts);
        let mined = channel::close(&*self.store, &suite, id).await?;
        self.lock().remove(&id);
        Ok(mined)
    }

    /// One round of the server's care for the channels it is paid on, between requests:
    ///
    /// - `tower`'s pass closes, with the best voucher on disk, every channel whose payer asked
    ///   on chain to close, before the grace period lets the payer withdraw what it owes (a
    ///   server that runs needs no separate watchtower, and cannot have one: it holds the store);
    /// - a channel with no paid request for `idle` is closed with the best voucher on disk: its
    ///   viewer stopped without asking (the proxy asks when its player stops), and the deposit
    ///   should not stay locked. After a restart, the channels in the store count from the first
    ///   round.
    ///
    /// A channel being closed takes no more vouchers.
    ///
    /// # Errors
    /// The watchtower's first [`ChannelError`] (its next pass starts again from the same block);
    /// [`ChannelError::Store`] when the store cannot be read. An idle channel whose close fails
    /// is in [`Upkeep::failed`] and is tried again next round.
    pub async fn upkeep(
        &self,
        tower: &mut Watchtower<'_, &S>,
        idle: Duration,
    ) -> Result<Upkeep, ChannelError> {
        let mut done = Upkeep::default();
        let report = tower
            .pass_with(|id| {
                if let Some(k) = self.lock().get_mut(&id) {
                    k.closing = true;
                }
            })
            .await?;
        for id in &report.closed {
            self.lock().remove(id);
        }
        done.closed_on_request = report.closed;
        if !self.adopted.load(std::sync::atomic::Ordering::Relaxed) {
            self.remember_stored()?;
            self.adopted.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let now = Instant::now();
        let quiet: Vec<B256> = self
            .lock()
            .iter()
            .filter(|(_, k)| !k.closing && now.duration_since(k.last_seen) >= idle)
            .map(|(id, _)| *id)
            .collect();
        for id in quiet {
            match self.close(id).await {
                Ok(_) => done.closed_idle.push(id),
                Err(error) => {
                    let finalized = crate::store::blocking(|| self.store.channel(id))
                        .ok()
                        .flatten()
                        .is_some_and(|c| c.finalized);
                    if finalized {
                        // Closed another way (the payer withdrew): nothing left to do.
                        self.lock().remove(&id);
                        continue;
                    }
                    if let Some(k) = self.lock().get_mut(&id) {
                        k.closing = false;
                    }
                    tracing::warn!(channel = %id, %error, "closing an idle channel failed");
                    done.failed.push((id, error.to_string()));
                }
            }
        }
        Ok(done)
    }

    /// Puts into memory the open channels in the store that this server is paid on and has not
    /// seen since it started (once: it reads every channel of the store).
    fn remember_stored(&self) -> Result<(), ChannelError> {
        let (domain, payee) = (self.config.domain, self.config.payee);
        let open = crate::store::blocking(|| {
            let mut open = Vec::new();
            for c in self.store.channels()? {
                if c.role == Role::Payee
                    && !c.finalized
                    && c.payee == payee
                    && c.chain_id == domain.chain_id
                    && c.adjudicator == domain.adjudicator
                {
                    let accepted = self.store.best_voucher(c.id)?.map_or(0, |v| v.segments);
                    open.push((c, accepted));
                }
            }
            Ok::<_, StoreError>(open)
        })?;
        for (c, accepted) in open {
            if self.videos.contains_key(&c.video_id) && !self.lock().contains_key(&c.id) {
                self.remember(c.id, &c, accepted);
            }
        }
        Ok(())
    }

    /// Runs [`Self::upkeep`] every `every` for as long as the server runs, logging what each
    /// round did and what failed. Returns at once when the server has no chain endpoint.
    pub async fn tend(self: Arc<Self>, every: Duration, idle: Duration) {
        let Some((chain, contracts)) = self.chain.clone() else { return };
        let mut tower = Watchtower::new(&*self.store, chain.suite(contracts));
        loop {
            tokio::time::sleep(every).await;
            match self.upkeep(&mut tower, idle).await {
                Ok(done) if done == Upkeep::default() => {}
                Ok(done) => tracing::info!(
                    on_request = done.closed_on_request.len(),
                    idle = done.closed_idle.len(),
                    failed = done.failed.len(),
                    "channels closed"
                ),
                Err(error) => tracing::warn!(%error, "the server's upkeep failed; trying again"),
            }
        }
    }

    /// The credential in `headers` (`missing` when there is none), answering one of our
    /// challenges, with its channel's parameters and id.
    fn credential(
        &self,
        headers: &HeaderMap,
        missing: ServeError,
    ) -> Result<(Credential, Params, B256), ServeError> {
        let header = headers.get(header::AUTHORIZATION).ok_or(missing)?;
        let credential = header
            .to_str()
            .map_err(|e| e.to_string())
            .and_then(Credential::parse)
            .map_err(ServeError::MalformedCredential)?;
        if !credential.challenge.is_ours(&self.secret) {
            return Err(ServeError::ForeignChallenge);
        }
        let params = Params::from(&credential.payload.channel);
        let id = channel::channel_id(
            self.config.domain.chain_id,
            self.config.domain.adjudicator,
            &params,
        );
        Ok((credential, params, id))
    }

    /// Refuses a signature of `message` that is not the channel's signer's.
    fn check_signer(
        &self,
        known: &Known,
        message: voucher::Voucher,
        signature: &[u8],
    ) -> Result<(), ServeError> {
        let digest = voucher::Message::Voucher(message).digest(&self.config.domain);
        let recovered = voucher::recover(digest, signature)?;
        if recovered == known.terms.signer {
            Ok(())
        } else {
            Err(VoucherError::WrongSigner { expected: known.terms.signer, recovered }.into())
        }
    }

    /// The channel a close request's credential names, once its signature is the signer's.
    async fn stopper(&self, v: &Video, headers: &HeaderMap) -> Result<B256, ServeError> {
        let (credential, params, id) =
            self.credential(headers, ServeError::PaymentRequired { segment: 0, segments: 1 })?;
        self.check_terms(v, id, &params)?;
        let known = self.known(id, &params).await?;
        let message = voucher::Voucher { channel_id: id, segments: credential.payload.segments };
        self.check_signer(&known, message, &credential.payload.signature)?;
        Ok(id)
    }

    /// Durable writes so far and the vouchers they held (group commit at work).
    #[must_use]
    pub fn commit_stats(&self) -> (u64, u64) {
        self.committer.stats()
    }

    /// The channels seen, with their video and accepted count: what a settler closes.
    #[must_use]
    pub fn sessions(&self) -> Vec<(B256, B256, u64)> {
        self.lock().iter().map(|(id, k)| (*id, k.video, k.accepted)).collect()
    }
}

async fn handle<S: ChannelStore + 'static>(
    State(server): State<Arc<SegmentServer<S>>>,
    UrlPath((video, file)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = video.parse::<B256>() else {
        let problem =
            Problem::new("not-found", "Not found", 404, format!("{video:?} is not a video id"));
        return problem_response(StatusCode::NOT_FOUND, &problem, None);
    };
    match server.serve(id, &file, &headers).await {
        Ok(response) => response,
        Err((error, challenge)) => {
            let status = error.status();
            tracing::debug!(%error, %status, video = %id, file, "refused");
            let problem = Problem::new(
                error.problem_name(),
                status.canonical_reason().unwrap_or("Error"),
                status.as_u16(),
                error.to_string(),
            );
            let challenge = challenge.filter(|_| status == StatusCode::PAYMENT_REQUIRED);
            problem_response(status, &problem, challenge.as_ref())
        }
    }
}

/// `POST /videos/{video}/close` with a credential for a channel: the viewer stopped; the server
/// closes the channel on chain with the best voucher on its disk and answers the count paid and
/// the transaction. The credential's signature must be the channel signer's (any count the
/// server accepted), so only the viewer can ask.
async fn handle_close<S: ChannelStore + 'static>(
    State(server): State<Arc<SegmentServer<S>>>,
    UrlPath(video): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let refuse = |error: ServeError| {
        let status = error.status();
        let problem = Problem::new(
            error.problem_name(),
            status.canonical_reason().unwrap_or("Error"),
            status.as_u16(),
            error.to_string(),
        );
        problem_response(status, &problem, None)
    };
    let Ok(video) = video.parse::<B256>() else {
        return refuse(ServeError::NoSuchFile { video: B256::ZERO, file: video });
    };
    let Some(v) = server.videos.get(&video) else {
        return refuse(ServeError::NoSuchVideo(video));
    };
    let id = match server.stopper(v, &headers).await {
        Ok(id) => id,
        Err(error) => return refuse(error),
    };
    match server.close(id).await {
        Ok(mined) => {
            let best = crate::store::blocking(|| server.store.best_voucher(id));
            let segments = best.ok().flatten().map_or(0, |b| b.segments);
            let body = serde_json::json!({
                "channelId": id,
                "segments": segments,
                "transactionHash": mined.tx,
            });
            let mut response =
                (StatusCode::OK, serde_json::to_vec(&body).unwrap_or_default()).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(error) => refuse(ServeError::ChainUnavailable(error.to_string())),
    }
}

fn bytes(body: &Bytes, content_type: &'static str, receipt: Option<&PaymentReceipt>) -> Response {
    let mut response = Response::new(Body::from(body.0.clone()));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(receipt) = receipt {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        if let Ok(value) = HeaderValue::from_str(&receipt.header()) {
            h.insert(RECEIPT_HEADER, value);
        }
    }
    response
}

fn problem_response(
    status: StatusCode,
    problem: &Problem,
    challenge: Option<&Challenge>,
) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c.header()).ok()) {
        h.insert(header::WWW_AUTHENTICATE, value);
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    }
    response
}
