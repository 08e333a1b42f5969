//! The chain thread: the one owner of the [`Devnet`] (which is not `Send`: programs share `Rc`
//! state). Requests run on it one at a time, in arrival order, so state changes are serialised
//! while the HTTP side serves requests concurrently.

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    path::PathBuf,
    sync::mpsc,
    thread,
};

use alloy_primitives::{Address, U256};
use tokio::sync::oneshot;

use super::{
    state::{self, StateError},
    txs::Ledger,
};
use crate::{Devnet, Snapshot};

/// What the chain thread owns.
pub(crate) struct ChainState {
    /// The chain.
    pub(crate) net: Devnet,
    /// Blocks and mined transactions.
    pub(crate) ledger: Ledger,
    /// `evm_snapshot` marks (the chain's, and the ledger's height), by id (index); a revert
    /// drops the later ones, as anvil does.
    pub(crate) snapshots: Vec<(Snapshot, usize)>,
    /// Installed filters (`eth_newFilter`, `eth_newBlockFilter`), by id.
    pub(crate) filters: super::filters::Filters,
    /// Where the chain is saved on exit and on `anvil_dumpState`.
    pub(crate) state_file: Option<PathBuf>,
}

type Job = Box<dyn FnOnce(&mut ChainState) + Send>;

/// A handle to the chain thread; cheap to clone.
#[derive(Clone)]
pub(crate) struct ChainHandle {
    jobs: mpsc::Sender<Job>,
}

/// The chain thread is gone (it stopped, or a request panicked it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChainStopped;

impl ChainHandle {
    /// Starts the chain thread with the chain `state_file` holds, or, without one, a fresh
    /// [`Devnet`] prepared by `genesis` (saved there later). Returns once the chain is ready.
    ///
    /// # Errors
    /// The [`StateError`] reading the state file; the thread then stops.
    pub(crate) fn spawn(
        state_file: Option<PathBuf>,
        genesis: impl FnOnce(&mut Devnet) + Send + 'static,
    ) -> Result<Self, StateError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (ready, started) = mpsc::channel::<Result<(), StateError>>();
        thread::Builder::new()
            .name("paratii-devnet-chain".into())
            .spawn(move || {
                let loaded = match state_file.as_deref().map(state::read).transpose() {
                    Ok(loaded) => loaded.flatten(),
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                let (net, ledger) = loaded.unwrap_or_else(|| {
                    let mut net = Devnet::new();
                    genesis(&mut net);
                    let ledger = Ledger::genesis(&net);
                    (net, ledger)
                });
                let mut state = ChainState {
                    net,
                    ledger,
                    snapshots: Vec::new(),
                    filters: super::filters::Filters::default(),
                    state_file,
                };
                let _ = ready.send(Ok(()));
                for job in queue {
                    // A job that panics drops its reply (the caller sees `ChainStopped`) but
                    // leaves the chain serving: the devnet journals every change, and a
                    // panicking request never reached a commit.
                    let _ = catch_unwind(AssertUnwindSafe(|| job(&mut state)));
                }
            })
            .expect("the OS should start the chain thread");
        started.recv().expect("the chain thread should report whether it started")?;
        Ok(Self { jobs })
    }

    /// Queues `f` on the chain thread, after every request queued before it; `reply` gets its
    /// result there.
    fn submit<T>(
        &self,
        f: impl FnOnce(&mut ChainState) -> T + Send + 'static,
        reply: impl FnOnce(T) + Send + 'static,
    ) -> Result<(), ChainStopped> {
        self.jobs.send(Box::new(move |state| reply(f(state)))).map_err(|_| ChainStopped)
    }

    /// [`ChainHandle::run`] from a thread outside the async runtime, waiting for the answer.
    pub(crate) fn run_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut ChainState) -> T + Send + 'static,
    ) -> Result<T, ChainStopped> {
        let (reply, answer) = mpsc::channel();
        self.submit(f, move |value| {
            let _ = reply.send(value);
        })?;
        answer.recv().map_err(|_| ChainStopped)
    }

    /// Runs `f` on the chain thread, after every request queued before it.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut ChainState) -> T + Send + 'static,
    ) -> Result<T, ChainStopped> {
        let (reply, answer) = oneshot::channel();
        self.submit(f, move |value| {
            let _ = reply.send(value);
        })?;
        answer.await.map_err(|_| ChainStopped)
    }
}

/// The well-known development accounts every node starts with: anvil's ten (the mnemonic "test
/// test … junk") and nitro-devnode's dev account, so tools' defaults work here.
pub const DEV_KEYS: [&str; 11] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
    "0xb6b15c8cb491557369f3c7d2c287b053eb229daa9c22138887752191c9520659",
];

/// Each development account's starting balance: 10,000 ETH.
pub const DEV_BALANCE: U256 = U256::from_limbs([0x19e0_c9ba_b240_0000, 0x21e, 0, 0]);

/// The addresses of [`DEV_KEYS`], in order.
///
/// # Panics
/// Never: the keys are constants (a test derives anvil's and nitro-devnode's known addresses).
#[must_use]
pub fn dev_accounts() -> Vec<Address> {
    DEV_KEYS
        .iter()
        .map(|key| {
            let key = key.parse().expect("the development keys are 32-byte hex");
            paratii_contracts::signing::Signer::from_bytes(key).address()
        })
        .collect()
}
