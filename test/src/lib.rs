//! # paratii-test — the Paratii suite on the devnet
//!
//! The whole suite deployed on a [`Devnet`] from its deployable WASM (built by this crate's build
//! script, the same bytes `paratii-build wasm` writes to `target/wasm/<dir>.wasm`) and wired the
//! way a deployer wires a chain: every peer registered in the `ParatiiRegistry` under its
//! [`names`] name, the redistribution pool's share set, the store whitelisted on the avatar from
//! its construction and the payment channels (which take the avatar at construction) after the
//! whitelist delay. Changes that reach funds wait a delay (the registry's numbers, the avatar's
//! later whitelistings), so [`Suite::deploy`] moves the clock on by [`CHANGE_DELAY`] and applies
//! them, as a deployer waits out the delay before opening the suite to users.
//!
//! The crate's tests are what auditors run: cross-contract end-to-end journeys, the access
//! matrix, the security review's attacks and the property tests; its `gas-report` binary prices
//! every journey. [`interfaces`] holds the typed interfaces, generated with `sol!` from the
//! committed `contracts/abi/I<Name>.sol` files integrators use, so everything here goes through
//! the ABI.

pub mod gas;

use std::path::PathBuf;

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, SolValue};
use paratii_contracts::immutables::{
    self, AvatarImmutables, ChannelImmutables, RegistryImmutables,
};
use paratii_contracts::names;
use paratii_devnet::{CallError, Devnet, DevnetError};

/// The suite's interfaces, from `contracts/abi/*.sol`.
pub use paratii_contracts::interfaces;

use interfaces::{IParatiiAvatar, IParatiiRegistry};

/// The pool share the original deployments used: 30 % (0.3e18).
pub const POOL_SHARE: U256 = U256::from_limbs([300_000_000_000_000_000, 0, 0, 0]);

/// The payment channels' grace period in the suite: one hour (the contract's floor is 15 min).
pub const GRACE_PERIOD: u64 = 3_600;

/// The avatar's whitelist delay in the suite: two days (the contract's floor is one day).
pub const WHITELIST_DELAY: u64 = 2 * 24 * 3_600;

/// The registry's change delay in the suite: two days (the contract's floor is one day).
pub const CHANGE_DELAY: u64 = 2 * 24 * 3_600;

/// One PTI (10¹⁸ wei).
pub const PTI: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

/// Why the suite could not be deployed or wired.
#[derive(Debug)]
pub enum SuiteError {
    /// A deployable WASM file is missing: build the suite first.
    MissingWasm {
        /// The file looked for.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// A deployment failed.
    Deploy {
        /// The contract's directory name.
        contract: &'static str,
        /// What the devnet said.
        error: DevnetError,
    },
    /// A module's deploy-time constants could not be baked in.
    Bake {
        /// The contract's directory name.
        contract: &'static str,
        /// Why.
        error: String,
    },
    /// A wiring call reverted or failed.
    Wire {
        /// What the call did.
        step: &'static str,
        /// How it failed.
        error: CallError,
    },
}

impl std::fmt::Display for SuiteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MissingWasm { path, error } => write!(
                f,
                "{path}: {error}; paratii-test's build script writes it (or: cargo run -p paratii-build -- wasm)"
            ),
            Self::Deploy { contract, error } => write!(f, "deploying {contract}: {error}"),
            Self::Bake { contract, error } => write!(f, "baking {contract}'s constants: {error}"),
            Self::Wire { step, error } => write!(f, "wiring ({step}): {error}"),
        }
    }
}

impl std::error::Error for SuiteError {}

/// Where the deployable WASM is read from: `$PARATII_WASM_DIR` when set, else the workspace's
/// `target/wasm/` (an absolute path fixed at build time, so a test, a binary or a caller's own
/// crate finds it whatever directory it runs from).
#[must_use]
pub fn wasm_dir() -> PathBuf {
    std::env::var_os("PARATII_WASM_DIR")
        .map_or_else(|| PathBuf::from(env!("PARATII_WASM_DIR")), PathBuf::from)
}

/// The deployable WASM of the contract in directory `dir` (`token`, `channel`, …), from
/// [`wasm_dir`].
///
/// # Errors
/// [`SuiteError::MissingWasm`] when it has not been built.
pub fn wasm(dir: &str) -> Result<Vec<u8>, SuiteError> {
    let path = wasm_dir().join(format!("{dir}.wasm"));
    std::fs::read(&path)
        .map_err(|error| SuiteError::MissingWasm { path: path.display().to_string(), error })
}

/// The deployed, wired suite's addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    /// Owner of the registry, avatar, video registry and user registry.
    pub admin: Address,
    /// `ParatiiRegistry`.
    pub registry: Address,
    /// PTI (the whole supply minted to the holder given to [`Suite::deploy`]).
    pub token: Address,
    /// `ParatiiAvatar` (and the redistribution pool).
    pub avatar: Address,
    /// `VideoRegistry`.
    pub videos: Address,
    /// `UserRegistry`.
    pub users: Address,
    /// `VideoStore`.
    pub store: Address,
    /// `SendEther`.
    pub send_ether: Address,
    /// `PaymentChannels`, the payment-channel adjudicator (grace period [`GRACE_PERIOD`]).
    pub channels: Address,
}

/// Every choice a deployment makes: who owns what, who holds PTI, the delays and the pool share.
/// [`SuiteConfig::new`] takes the roles and the suite's defaults for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuiteConfig {
    /// Owner of the registry, avatar, video registry and user registry; deployer of everything.
    pub admin: Address,
    /// Holder of PTI's whole supply.
    pub holder: Address,
    /// The payment channels' grace period, seconds (15 min to 30 days).
    pub grace_period: u64,
    /// The avatar's whitelist delay, seconds (1 to 30 days).
    pub whitelist_delay: u64,
    /// The registry's change delay, seconds (1 to 30 days).
    pub change_delay: u64,
    /// `VideoRedistributionPoolShare`, scaled by 1e18 (at most 1e18).
    pub pool_share: U256,
    /// Whether each contract's deploy-time constants ([`paratii_contracts::immutables`]) are
    /// baked into its module, as the deploy tools do: the adjudicator's avatar, token and grace
    /// period, the avatar's token and whitelist delay, and the registry of the video store and
    /// the video and user registries. When not, they read them from storage, as a module
    /// deployed as built does.
    pub bake_immutables: bool,
}

impl SuiteConfig {
    /// `admin` and `holder` with [`GRACE_PERIOD`], [`WHITELIST_DELAY`], [`CHANGE_DELAY`] and
    /// [`POOL_SHARE`], the adjudicator's constants baked in.
    #[must_use]
    pub fn new(admin: Address, holder: Address) -> Self {
        Self {
            admin,
            holder,
            grace_period: GRACE_PERIOD,
            whitelist_delay: WHITELIST_DELAY,
            change_delay: CHANGE_DELAY,
            pool_share: POOL_SHARE,
            bake_immutables: true,
        }
    }
}

fn words(addresses: &[Address]) -> Vec<u8> {
    addresses.iter().flat_map(|a| a.into_word().0).collect()
}

impl Suite {
    /// [`Suite::deploy_with`] the suite's defaults ([`SuiteConfig::new`]).
    ///
    /// # Errors
    /// [`SuiteError`] naming the step that failed.
    pub fn deploy(net: &mut Devnet, admin: Address, holder: Address) -> Result<Self, SuiteError> {
        Self::deploy_with(net, &SuiteConfig::new(admin, holder))
    }

    /// Deploys every contract from `config.admin` (PTI's supply to `config.holder`; the store
    /// whitelisted on the avatar from its construction, the payment channels scheduled on it),
    /// registers each under its registry name, schedules `VideoRedistributionPoolShare`, then
    /// moves the clock past both delays and applies the share.
    ///
    /// # Errors
    /// [`SuiteError`] naming the step that failed (a parameter out of its contract's range
    /// fails that contract's deployment).
    pub fn deploy_with(net: &mut Devnet, config: &SuiteConfig) -> Result<Self, SuiteError> {
        let (admin, holder) = (config.admin, config.holder);
        let bake = config.bake_immutables;
        // Each module's deploy-time constants (`paratii_contracts::immutables`), baked in when
        // `bake_immutables`: the constructor arguments are the same either way.
        let mut deploy = |dir: &'static str, baked: Option<&[u8]>, args: Option<Vec<u8>>| {
            let mut module = wasm(dir)?;
            if let Some(values) = baked.filter(|_| bake) {
                immutables::patch(&mut module, values).map_err(|error| SuiteError::Bake {
                    contract: dir,
                    error: error.to_string(),
                })?;
            }
            net.deploy(admin, &module, args.as_deref())
                .map_err(|error| SuiteError::Deploy { contract: dir, error })
        };
        let registry =
            deploy("registry", None, Some((admin, config.change_delay).abi_encode_params()))?;
        let token = deploy("token", None, Some(words(&[holder])))?;
        let by_registry = RegistryImmutables { registry }.encode();
        let videos = deploy("video-registry", Some(&by_registry), Some(words(&[admin, registry])))?;
        let users = deploy("user-registry", Some(&by_registry), Some(words(&[admin, registry])))?;
        let store = deploy("video-store", Some(&by_registry), Some(words(&[registry])))?;
        let send_ether = deploy("send-ether", None, None)?;
        let avatar_values =
            AvatarImmutables { token, whitelist_delay: config.whitelist_delay }.encode();
        let avatar = deploy(
            "avatar",
            Some(&avatar_values),
            Some((admin, token, config.whitelist_delay, vec![store]).abi_encode_params()),
        )?;
        let channel_values =
            ChannelImmutables { avatar, token, grace_period: config.grace_period }.encode();
        let channels = deploy(
            "channel",
            Some(&channel_values),
            Some((avatar, token, config.grace_period).abi_encode_params()),
        )?;
        let suite =
            Self { admin, registry, token, avatar, videos, users, store, send_ether, channels };
        for (name, value) in [
            (names::PARATII_TOKEN, token),
            (names::PARATII_AVATAR, avatar),
            (names::VIDEO_REGISTRY, videos),
            (names::USER_REGISTRY, users),
            (names::VIDEO_STORE, store),
            (names::SEND_ETHER, send_ether),
            (names::PAYMENT_CHANNELS, channels),
        ] {
            suite.wire(
                net,
                "registerAddress",
                registry,
                &IParatiiRegistry::registerAddressCall { name: name.name.into(), value },
            )?;
        }
        suite.wire(
            net,
            "registerUint",
            registry,
            &IParatiiRegistry::registerUintCall {
                name: names::VIDEO_REDISTRIBUTION_POOL_SHARE.name.into(),
                value: config.pool_share,
            },
        )?;
        suite.wire(
            net,
            "addToWhitelist",
            avatar,
            &IParatiiAvatar::addToWhitelistCall { account: channels },
        )?;
        net.advance_time(config.change_delay.max(config.whitelist_delay)).map_err(|error| {
            SuiteError::Wire {
                step: "advance the clock past the delays",
                error: CallError::Devnet(error),
            }
        })?;
        suite.wire(
            net,
            "applyUintChange",
            registry,
            &IParatiiRegistry::applyUintChangeCall {
                name: names::VIDEO_REDISTRIBUTION_POOL_SHARE.name.into(),
            },
        )?;
        Ok(suite)
    }

    fn wire<C: SolCall>(
        &self,
        net: &Devnet,
        step: &'static str,
        to: Address,
        call: &C,
    ) -> Result<(), SuiteError> {
        net.send(self.admin, to, call).map(|_| ()).map_err(|error| SuiteError::Wire { step, error })
    }

    /// Every program of the suite, for pricing all entries cached or uncached at once.
    #[must_use]
    pub fn programs(&self) -> [Address; 8] {
        [
            self.registry,
            self.token,
            self.avatar,
            self.videos,
            self.users,
            self.store,
            self.send_ether,
            self.channels,
        ]
    }

    /// Prices every program's entry as cached or not ([`Devnet::set_cached`]).
    ///
    /// # Errors
    /// [`DevnetError::WorldBorrowed`] while a [`Devnet::world`] guard is alive.
    pub fn set_cached(&self, net: &Devnet, cached: bool) -> Result<(), DevnetError> {
        self.programs().into_iter().try_for_each(|program| net.set_cached(program, cached))
    }
}
