//! The chain in a file (`--state FILE`, `anvil_dumpState`, `anvil_loadState`): accounts (balance,
//! nonce, code, storage), activations and the cache, `ArbOS`'s pricer and bids, the block values
//! and the ledger (blocks, signed transactions, receipts' outcomes and logs). JSON, versioned,
//! written atomically (temporary file, fsync, rename), and checked when read: a file that is not
//! exactly this format is an error naming what is wrong, never a silently fresh chain.
//! Activated programs are compiled again from their code when loaded.

use std::{
    fmt, fs,
    io::Write,
    path::{Path, PathBuf},
};

use alloy_primitives::{Address, Bytes, B256, U256};
use serde::{Deserialize, Serialize};

use super::{chain::ChainState, txs::Ledger};
use crate::{
    arbos::{ArbosState, Bid, DataPricer},
    Block, Devnet,
};

/// The `format` field of a state file.
pub const STATE_FORMAT: &str = "paratii-devnet-state";
/// The version of the state file format this node reads and writes.
pub const STATE_VERSION: u32 = 1;

/// Why a state file could not be read or written.
#[derive(Debug)]
pub enum StateError {
    /// Reading or writing the file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        error: std::io::Error,
    },
    /// The file is not a state file this node can load (its content is left untouched).
    Corrupt {
        /// The file (or `anvil_loadState` for state sent over RPC).
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, error } => write!(f, "state file {}: {error}", path.display()),
            Self::Corrupt { path, why } => write!(
                f,
                "state file {} cannot be loaded: {why} (the file is left as it is; move it away to \
                 start a fresh chain)",
                path.display()
            ),
        }
    }
}

impl std::error::Error for StateError {}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StateFile {
    format: String,
    version: u32,
    block: Block,
    accounts: Vec<AccountFile>,
    activations: Vec<ActivationFile>,
    cached: Vec<B256>,
    pricer: PricerFile,
    bids: Vec<BidFile>,
    ledger: super::txs::LedgerFile,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccountFile {
    address: Address,
    balance: U256,
    nonce: u64,
    code: Bytes,
    storage: Vec<(U256, B256)>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ActivationFile {
    code_hash: B256,
    version: u16,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PricerFile {
    demand: u32,
    last_update: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BidFile {
    code_hash: B256,
    bid: U256,
    size: u64,
}

/// The whole chain as a state file's JSON bytes.
pub(crate) fn dump(state: &ChainState) -> Vec<u8> {
    let world = state.net.world();
    let file = StateFile {
        format: STATE_FORMAT.into(),
        version: STATE_VERSION,
        block: world.block.clone(),
        accounts: world
            .accounts()
            .into_iter()
            .map(|address| AccountFile {
                address,
                balance: world.balance(address),
                nonce: world.nonce(address),
                code: world.code(address).to_vec().into(),
                storage: world.storage_of(address),
            })
            .collect(),
        activations: world
            .activation_list()
            .into_iter()
            .map(|(code_hash, version)| ActivationFile { code_hash, version })
            .collect(),
        cached: world.cached_list(),
        pricer: PricerFile {
            demand: world.arbos().pricer.demand,
            last_update: world.arbos().pricer.last_update,
        },
        bids: world
            .arbos()
            .bids
            .iter()
            .map(|b| BidFile { code_hash: b.codehash, bid: b.bid, size: b.size })
            .collect(),
        ledger: state.ledger.to_file(),
    };
    serde_json::to_vec(&file).expect("a state file should serialise")
}

/// A chain and its ledger from a state file's bytes; `path` names the source in errors.
pub(crate) fn load(bytes: &[u8], path: &Path) -> Result<(Devnet, Ledger), StateError> {
    let corrupt = |why: String| StateError::Corrupt { path: path.to_owned(), why };
    let file: StateFile =
        serde_json::from_slice(bytes).map_err(|e| corrupt(format!("not a state file: {e}")))?;
    if file.format != STATE_FORMAT || file.version != STATE_VERSION {
        return Err(corrupt(format!(
            "format {:?} version {}, this node reads {STATE_FORMAT:?} version {STATE_VERSION}",
            file.format, file.version
        )));
    }
    let ledger = Ledger::from_file(file.ledger).map_err(corrupt)?;
    let net = Devnet::new();
    net.set_block(file.block).expect("nothing reads the new chain yet");
    let mut codes = std::collections::HashMap::new();
    {
        let mut world = net.shared.world.borrow_mut();
        for a in &file.accounts {
            world.set_balance(a.address, a.balance);
            world.set_nonce(a.address, a.nonce);
            world.set_code(a.address, &a.code);
            if !a.code.is_empty() {
                codes.insert(alloy_primitives::keccak256(&a.code), a.code.clone());
            }
            for (key, value) in &a.storage {
                world.set_storage(a.address, *key, *value);
            }
        }
    }
    for activation in &file.activations {
        // An activation whose code no account holds any more cannot be compiled again, and no
        // call can reach it: it is dropped.
        let Some(code) = codes.get(&activation.code_hash) else { continue };
        let wasm = crate::wasm_from_code(code).ok_or_else(|| {
            corrupt(format!("activated code {} is not Stylus code", activation.code_hash))
        })?;
        let program = net.shared.compile(&wasm).map_err(|e| {
            corrupt(format!("activated code {} does not compile: {e}", activation.code_hash))
        })?;
        net.shared.world.borrow_mut().activate(activation.code_hash, activation.version, program);
    }
    let mut world = net.shared.world.borrow_mut();
    for hash in file.cached {
        world.set_cached(hash, true);
    }
    *world.arbos_mut() = ArbosState {
        pricer: DataPricer { demand: file.pricer.demand, last_update: file.pricer.last_update },
        bids: file
            .bids
            .into_iter()
            .map(|b| Bid { codehash: b.code_hash, bid: b.bid, size: b.size })
            .collect(),
    };
    drop(world);
    Ok((net, ledger))
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let io = |error| StateError::Io { path: path.to_owned(), error };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut file = fs::File::create(&tmp).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    fs::rename(&tmp, path).map_err(io)
}

/// Saves the chain to its state file, if it has one.
pub(crate) fn save(state: &ChainState) -> Result<(), StateError> {
    match &state.state_file {
        Some(path) => write_atomically(path, &dump(state)),
        None => Ok(()),
    }
}

/// The chain a state file at `path` holds, or `None` when there is no such file (a fresh chain
/// then starts, and is saved there).
pub(crate) fn read(path: &Path) -> Result<Option<(Devnet, Ledger)>, StateError> {
    match fs::read(path) {
        Ok(bytes) => load(&bytes, path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(StateError::Io { path: path.to_owned(), error }),
    }
}
