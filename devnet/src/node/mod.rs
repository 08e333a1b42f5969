//! The devnet as a local node: Ethereum JSON-RPC over HTTP on loopback, for tools nobody here
//! wrote (`cargo stylus`, `cast`, alloy).
//!
//! One process, no Docker, ready as soon as the socket is bound. The [`Devnet`](crate::Devnet)
//! lives on one chain thread (it is not `Send`), so requests are served concurrently by the
//! HTTP side and run one at a time, in order, on the chain: state changes are serialised.
//!
//! **Answered:** the reads, `eth_call` and `eth_estimateGas` with state and block overrides
//! (a revert is `{code: 3, message: "execution reverted", data}`), signed transactions
//! (`eth_sendRawTransaction`, types 0, 1, 2; one block per transaction) including creations with
//! cargo-stylus's deployment prelude, receipts, transactions, blocks, logs and filters, anvil's
//! test controls, and `ArbOS`'s Stylus surface ([`crate::arbos`]: activation, the cache, the
//! `StylusDeployer`). The chain can live in a state file across restarts (`--state`). Only the
//! current state is kept: a block parameter naming an older block is refused, never answered
//! from the wrong state. The full list, the limits and the measurements: `docs/node.md`.
//!
//! Errors follow JSON-RPC 2.0: -32700 for a body that is not JSON, -32600 for a request that is
//! not JSON-RPC 2.0, -32601 for an unknown method, -32602 for missing or malformed parameters
//! (naming which), -32000 for what the chain refuses; bodies above [`MAX_BODY_BYTES`] get HTTP
//! 413, a request beyond [`NodeConfig::max_in_flight`] HTTP 429 with -32005. Nothing that fails
//! changes the chain.

mod chain;
mod filters;
mod rpc;
mod state;
mod txs;

use std::{io, net::SocketAddr, path::PathBuf, sync::Arc, thread};

use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Router,
};
use tokio::sync::{oneshot, Semaphore};

use chain::ChainHandle;
pub use chain::{dev_accounts, DEV_BALANCE, DEV_KEYS};
pub use rpc::RpcError;

/// nitro-devnode's chain id, so tools' defaults for a local Stylus chain work here.
pub const DEFAULT_CHAIN_ID: u64 = 412_346;
/// cargo-stylus's default endpoint port.
pub const DEFAULT_PORT: u16 = 8547;
/// The largest request body: 4 MiB (a deployment of the largest Stylus program is under 300 KiB
/// of hex).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Requests served at once by default; more get HTTP 429 with JSON-RPC error -32005 until one
/// finishes.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 512;
pub use filters::FILTER_TIMEOUT;
pub use rpc::MAX_BATCH;
pub use state::{StateError, STATE_FORMAT, STATE_VERSION};

/// How to start a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeConfig {
    /// Where to listen; port 0 picks a free one.
    pub addr: SocketAddr,
    /// The chain id.
    pub chain_id: u64,
    /// Requests served at once; a request beyond them is refused at once (HTTP 429, JSON-RPC
    /// -32005) rather than queued without bound.
    pub max_in_flight: usize,
    /// The state file: loaded at start when it exists, saved on stop and on `anvil_dumpState`.
    pub state: Option<PathBuf>,
}

/// Why a node did not start.
#[derive(Debug)]
pub enum StartError {
    /// The socket cannot be bound (the port is taken, or the address is not local), or the OS
    /// refused a thread.
    Io(io::Error),
    /// The state file cannot be loaded.
    State(StateError),
    /// The state file holds another chain than the one asked for.
    ChainId {
        /// The state file's chain id.
        file: u64,
        /// The chain id the node was asked to serve.
        asked: u64,
    },
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "cannot serve: {e}"),
            Self::State(e) => e.fmt(f),
            Self::ChainId { file, asked } => write!(
                f,
                "the state file holds chain {file}, the node was asked for chain {asked} (pass \
                 --chain-id {file}, or another state file)"
            ),
        }
    }
}

impl std::error::Error for StartError {}

impl From<io::Error> for StartError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
            chain_id: DEFAULT_CHAIN_ID,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            state: None,
        }
    }
}

/// A node serving on its own threads; dropping it (or [`RunningNode::stop`]) shuts it down.
pub struct RunningNode {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<thread::JoinHandle<()>>,
    chain: ChainHandle,
}

impl RunningNode {
    /// Starts a node: binds `config.addr`, loads the state file when there is one, else
    /// prefunds [`dev_accounts`] with [`DEV_BALANCE`] each, and serves until stopped. Returns
    /// once the socket is bound and the chain loaded, so the node is ready.
    ///
    /// # Errors
    /// [`StartError`]: the socket cannot be bound, the state file cannot be loaded or holds
    /// another chain, or the OS refuses a thread.
    ///
    /// # Panics
    /// Never: the genesis changes a chain nothing reads yet.
    pub fn start(config: &NodeConfig) -> Result<Self, StartError> {
        let listener = std::net::TcpListener::bind(config.addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (chain_id, max_in_flight) = (config.chain_id, config.max_in_flight);
        let chain = ChainHandle::spawn(config.state.clone(), move |net| {
            let mut block = net.block();
            block.chain_id = chain_id;
            block.number = 0;
            net.set_block(block).expect("nothing reads the new chain yet");
            for account in dev_accounts() {
                net.fund(account, DEV_BALANCE).expect("nothing reads the new chain yet");
            }
            net.install_arbos().expect("nothing reads the new chain yet");
        })
        .map_err(StartError::State)?;
        let file_chain = chain.run_blocking(|s| s.net.block().chain_id).unwrap_or(chain_id);
        if file_chain != chain_id {
            return Err(StartError::ChainId { file: file_chain, asked: chain_id });
        }
        let handle = chain.clone();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("paratii-devnet-http")
            .enable_all()
            .build()?;
        let server =
            thread::Builder::new().name("paratii-devnet-node".into()).spawn(move || {
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .expect("a bound, non-blocking listener should convert");
                    let app = Router::new()
                        .route("/", post(serve_rpc))
                        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
                        .with_state(Serving {
                            chain,
                            in_flight: Arc::new(Semaphore::new(max_in_flight)),
                            max_in_flight,
                        });
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stopped.await;
                        })
                        .await;
                });
            })?;
        Ok(Self { addr, shutdown: Some(shutdown), server: Some(server), chain: handle })
    }

    /// The address the node listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The node's HTTP endpoint, `http://<addr>`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving, waits for the server to finish the requests under way, and saves the
    /// chain to its state file (when it has one).
    ///
    /// # Errors
    /// The [`StateError`] writing the state file.
    pub fn stop(mut self) -> Result<(), StateError> {
        self.shutdown_now()
    }

    fn shutdown_now(&mut self) -> Result<(), StateError> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.server.take() {
            Some(server) => {
                let _ = server.join();
                self.chain.run_blocking(|s| state::save(s)).unwrap_or(Ok(()))
            }
            None => Ok(()),
        }
    }

    /// Blocks until the server stops (for the `node` command, which stops on Ctrl-C).
    pub fn wait(mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
    }
}

impl Drop for RunningNode {
    /// Stops the node as [`RunningNode::stop`] does; a state file that cannot be written is
    /// reported on stderr (a drop cannot return it).
    fn drop(&mut self) {
        if let Err(e) = self.shutdown_now() {
            eprintln!("paratii-devnet: {e}");
        }
    }
}

/// What the HTTP handlers share: the chain and the permits for requests in flight.
#[derive(Clone)]
struct Serving {
    chain: ChainHandle,
    in_flight: Arc<Semaphore>,
    max_in_flight: usize,
}

async fn serve_rpc(State(serving): State<Serving>, body: Bytes) -> Response {
    // A flood is refused at the door (HTTP 429, JSON-RPC -32005) instead of queueing without
    // bound: the chain stays responsive to the requests already admitted.
    let Ok(_permit) = serving.in_flight.clone().try_acquire_owned() else {
        let answer = rpc::over_limit(serving.max_in_flight);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CONTENT_TYPE, "application/json")],
            answer.to_string(),
        )
            .into_response();
    };
    match rpc::handle_body(&serving.chain, &body).await {
        Some(answer) => {
            ([(header::CONTENT_TYPE, "application/json")], answer.to_string()).into_response()
        }
        // A batch of notifications only: nothing to answer.
        None => StatusCode::NO_CONTENT.into_response(),
    }
}
