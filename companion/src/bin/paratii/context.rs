//! What every chain command shares: where the chain is (a flag, `ETH_RPC_URL`, the config file,
//! else the local chain run in-process with its state kept in `$PARATII_HOME/devnet.json`), the
//! key that signs (a keystore, or a development account of the local chain), the suite's
//! deployment record, and the channel store.

use std::path::{Path, PathBuf};

use paratii_companion::{
    chain::{Chain, ChainConfig, Contracts, Deployment},
    keys::{self, KeyStore, Password, UnlockedKey},
    store::SqliteStore,
};
use paratii_devnet::node::{NodeConfig, RunningNode, DEV_KEYS};
use serde::Deserialize;

/// `$PARATII_HOME`, else `~/.paratii`.
pub(crate) fn home() -> PathBuf {
    std::env::var_os("PARATII_HOME").map_or_else(
        || {
            std::env::var_os("HOME")
                .map_or_else(|| PathBuf::from(".paratii"), |h| PathBuf::from(h).join(".paratii"))
        },
        PathBuf::from,
    )
}

/// The config file: every field optional; a flag or its environment variable wins over it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ConfigFile {
    rpc_url: Option<String>,
    chain_id: Option<u64>,
    confirmations: Option<u64>,
    keystore: Option<String>,
    keystore_dir: Option<PathBuf>,
    password_file: Option<PathBuf>,
    deployments: Option<PathBuf>,
    store: Option<PathBuf>,
}

impl ConfigFile {
    fn load(path: Option<&Path>) -> Result<Self, String> {
        let (path, required) = match path {
            Some(p) => (p.to_owned(), true),
            None => (home().join("config.toml"), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

#[derive(clap::Args, Debug, Clone)]
pub(crate) struct ChainArgs {
    /// The JSON-RPC endpoint (default: the config file's, else the local chain in-process).
    #[arg(long, global = true, env = "ETH_RPC_URL")]
    rpc_url: Option<String>,
    /// The chain the endpoint must serve.
    #[arg(long, global = true)]
    chain_id: Option<u64>,
    /// Blocks on top of a transaction, or of a deposit, before it counts.
    #[arg(long, global = true)]
    confirmations: Option<u64>,
    /// The keystore that signs: a name in the keystore folder, or a path.
    #[arg(long, global = true, env = "ETH_KEYSTORE")]
    keystore: Option<String>,
    /// Sign with development account N of the local chain instead (never on another chain).
    #[arg(long, global = true, conflicts_with = "keystore")]
    dev_account: Option<usize>,
    /// The keystore folder (default: cast wallet's, ~/.foundry/keystores).
    #[arg(long, global = true, env = "PARATII_KEYSTORE_DIR")]
    keystore_dir: Option<PathBuf>,
    /// A file holding the keystore's password (else `ETH_PASSWORD`).
    #[arg(long, global = true)]
    password_file: Option<PathBuf>,
    /// The folder of deployment records, `<chain id>.json` (default: `deployments`, or
    /// `$PARATII_HOME/deployments` for the in-process chain).
    #[arg(long, global = true, env = "PARATII_DEPLOYMENTS")]
    deployments: Option<PathBuf>,
    /// The channel store (default: `$PARATII_HOME/channels-<chain id>.db`).
    #[arg(long, global = true, env = "PARATII_STORE")]
    store: Option<PathBuf>,
    /// The config file (default: `$PARATII_HOME/config.toml`, when it exists).
    #[arg(long, global = true, env = "PARATII_CONFIG")]
    config: Option<PathBuf>,
}

/// A chain command's world: the chain, the signer, the suite, the store.
pub(crate) struct Context {
    pub(crate) chain: std::sync::Arc<Chain>,
    pub(crate) key: Option<std::sync::Arc<UnlockedKey>>,
    contracts: Option<Contracts>,
    deployments: PathBuf,
    store_path: PathBuf,
    node: Option<RunningNode>,
}

impl ChainArgs {
    /// Opens the channel store without a chain (for the off-chain voucher intake): the
    /// configured path, else the default for --chain-id (else the local chain's id).
    pub(crate) fn open_store_offline(&self) -> Result<SqliteStore, String> {
        let file = ConfigFile::load(self.config.as_deref())?;
        let chain_id =
            self.chain_id.or(file.chain_id).unwrap_or(paratii_devnet::node::DEFAULT_CHAIN_ID);
        let path = self
            .store
            .clone()
            .or(file.store)
            .unwrap_or_else(|| home().join(format!("channels-{chain_id}.db")));
        SqliteStore::open(&path).map_err(|e| e.to_string())
    }

    /// Connects (starting the in-process chain when no endpoint is configured) and unlocks the
    /// signer, if one is named.
    pub(crate) async fn connect(self) -> Result<Context, String> {
        let file = ConfigFile::load(self.config.as_deref())?;
        let endpoint = self.rpc_url.or(file.rpc_url);
        let node = if endpoint.is_some() {
            None
        } else {
            let config = NodeConfig {
                addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
                state: Some(home().join("devnet.json")),
                ..NodeConfig::default()
            };
            std::fs::create_dir_all(home()).map_err(|e| format!("{}: {e}", home().display()))?;
            Some(RunningNode::start(&config).map_err(|e| format!("local chain: {e}"))?)
        };
        let local = node.is_some();
        let endpoint = endpoint.or_else(|| node.as_ref().map(RunningNode::url)).unwrap_or_default();
        let key = match (self.dev_account, self.keystore.or(file.keystore)) {
            (Some(i), _) => {
                let secret = DEV_KEYS.get(i).ok_or_else(|| {
                    format!("--dev-account {i}: the local chain has {}", DEV_KEYS.len())
                })?;
                let secret = alloy_primitives::hex::decode(secret).map_err(|e| e.to_string())?;
                Some(UnlockedKey::from_secret(&secret).map_err(|e| e.to_string())?)
            }
            (None, Some(name)) => {
                let dir = self.keystore_dir.or(file.keystore_dir).unwrap_or_else(keys::default_dir);
                let password = match (
                    self.password_file.or(file.password_file),
                    std::env::var("ETH_PASSWORD"),
                ) {
                    (Some(path), _) => Password::from_file(&path).map_err(|e| e.to_string())?,
                    (None, Ok(password)) => Password::new(password),
                    (None, Err(_)) => {
                        return Err("no password: pass --password-file or set ETH_PASSWORD".into())
                    }
                };
                Some(KeyStore::new(dir).unlock(&name, &password).map_err(|e| e.to_string())?)
            }
            (None, None) => None,
        };
        let mut config = ChainConfig::new(endpoint);
        config.chain_id = self.chain_id.or(file.chain_id);
        config.confirmations = self.confirmations.or(file.confirmations).unwrap_or(0);
        let keys: Vec<&UnlockedKey> = key.iter().collect();
        let chain =
            std::sync::Arc::new(Chain::connect(config, &keys).await.map_err(|e| e.to_string())?);
        if self.dev_account.is_some() && !paratii_companion::deploy::is_local_node(&chain).await {
            return Err("--dev-account signs only on the paratii local node".into());
        }
        let deployments = self.deployments.or(file.deployments).unwrap_or_else(|| {
            if local {
                home().join("deployments")
            } else {
                PathBuf::from("deployments")
            }
        });
        let record = Deployment::path(&deployments, chain.chain_id());
        let contracts =
            Deployment::load(&record, chain.chain_id()).ok().and_then(|d| d.contracts().ok());
        let store_path = self
            .store
            .or(file.store)
            .unwrap_or_else(|| home().join(format!("channels-{}.db", chain.chain_id())));
        let key = key.map(std::sync::Arc::new);
        Ok(Context { chain, key, contracts, deployments, store_path, node })
    }
}

impl Context {
    /// The signer's address.
    pub(crate) fn me(&self) -> Result<alloy_primitives::Address, String> {
        self.key.as_ref().map(|k| k.address()).ok_or_else(|| {
            "this command signs: pass --keystore NAME (or --dev-account N on the local chain)"
                .into()
        })
    }

    /// The suite's addresses, from the deployment record.
    pub(crate) fn contracts(&self) -> Result<Contracts, String> {
        let path = Deployment::path(&self.deployments, self.chain.chain_id());
        self.contracts.ok_or_else(|| match Deployment::load(&path, self.chain.chain_id()) {
            Err(e) => e.to_string(),
            Ok(_) => format!("{}: incomplete", path.display()),
        })
    }

    /// Where the deployment record of this chain goes.
    pub(crate) fn record_path(&self) -> PathBuf {
        Deployment::path(&self.deployments, self.chain.chain_id())
    }

    /// Opens the channel store (creating it), taking its lock.
    pub(crate) fn store(&self) -> Result<SqliteStore, String> {
        if let Some(dir) = self.store_path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        SqliteStore::open(&self.store_path).map_err(|e| e.to_string())
    }

    /// Stops the in-process chain, saving its state.
    pub(crate) fn finish(self) -> Result<(), String> {
        match self.node {
            Some(node) => node.stop().map_err(|e| format!("saving the local chain: {e}")),
            None => Ok(()),
        }
    }
}
