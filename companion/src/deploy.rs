//! Deploying the suite from the companion, on the same path as `scripts/deploy`: each contract's
//! measured deployable bytes (embedded in this crate at build time, so no build tool is needed at
//! run time) go through the `StylusDeployer`, which places, activates and constructs the program
//! in one transaction, at a CREATE2 address salted by the contract and the deployer; then the
//! suite is wired (registry names, the pool share, the adjudicator on the avatar's whitelist).
//!
//! On the local node the delays are then fast-forwarded (`evm_increaseTime`) and the pool share
//! applied; elsewhere the record says which step waits for its delay.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::SolValue;
use paratii_contracts::immutables::{
    self, AvatarImmutables, ChannelImmutables, RegistryImmutables,
};
use paratii_contracts::names;

use crate::chain::{
    bindings::{IParatiiAvatar, IParatiiRegistry, IStylusDeployer},
    Chain, ChainError, Contracts, DeployedContract, Deployment, STYLUS_DEPLOYER,
};

/// The deployable WASM of each contract, as `paratii-build wasm` measured it, by artifact name.
pub const ARTIFACTS: [(&str, &[u8]); 8] = [
    ("registry", include_bytes!(concat!(env!("PARATII_WASM_DIR"), "/registry.wasm"))),
    ("token", include_bytes!(concat!(env!("PARATII_WASM_DIR"), "/token.wasm"))),
    ("video-registry", include_bytes!(concat!(env!("PARATII_WASM_DIR"), "/video-registry.wasm"))),
    ("user-registry", include_bytes!(concat!(env!("PARATII_WASM_DIR"), "/user-registry.wasm"))),
    ("video-store", include_bytes!(concat!(env!("PARATII_WASM_DIR"), "/video-store.wasm"))),
    ("send-ether", include_bytes!(concat!(env!("PARATII_WASM_DIR"), "/send-ether.wasm"))),
    ("avatar", include_bytes!(concat!(env!("PARATII_WASM_DIR"), "/avatar.wasm"))),
    ("channel", include_bytes!(concat!(env!("PARATII_WASM_DIR"), "/channel.wasm"))),
];

/// Wei sent with each deployment for the activation data fee (the deployer refunds the rest).
pub const ACTIVATION_VALUE: U256 = U256::from_limbs([10_000_000_000_000_000, 0, 0, 0]);

/// The suite's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeployConfig {
    /// Owner of the registry, the registries and the avatar.
    pub owner: Address,
    /// Holder of PTI's whole supply.
    pub holder: Address,
    /// The registry's change delay, seconds.
    pub change_delay: u64,
    /// The avatar's whitelist delay, seconds.
    pub whitelist_delay: u64,
    /// The adjudicator's grace period, seconds.
    pub grace_period: u64,
    /// `VideoRedistributionPoolShare`, 1e18 = 100 %.
    pub pool_share: U256,
}

impl DeployConfig {
    /// `scripts/deploy`'s defaults: one day for every delay, a 30 % pool share.
    #[must_use]
    pub fn new(owner: Address, holder: Address) -> Self {
        Self {
            owner,
            holder,
            change_delay: 86_400,
            whitelist_delay: 86_400,
            grace_period: 86_400,
            pool_share: U256::from(300_000_000_000_000_000_u64),
        }
    }
}

/// One transaction of the deployment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// What it did.
    pub step: String,
    /// Its hash.
    pub transaction_hash: B256,
    /// Receipt `gasUsed`.
    pub gas_used: u64,
}

fn constructor(args: Option<Vec<u8>>) -> Bytes {
    args.map(|args| {
        let mut data = paratii_devnet::CONSTRUCTOR_SELECTOR.to_vec();
        data.extend(args);
        data.into()
    })
    .unwrap_or_default()
}

/// Deploys and wires the suite from `deployer` (whose key the chain holds).
///
/// # Errors
/// [`ChainError`] naming the step that failed; what was deployed before it stays deployed, and
/// a rerun finds it at its CREATE2 address.
pub async fn deploy_suite(
    chain: &Chain,
    deployer: Address,
    config: &DeployConfig,
    mut progress: impl FnMut(&str),
) -> Result<(Deployment, Vec<Step>), ChainError> {
    let mut record = Deployment {
        chain_id: chain.chain_id(),
        deployer: Some(deployer),
        contracts: std::collections::BTreeMap::default(),
    };
    let at = |key: &str, record: &Deployment| record.contracts[key].address;
    let mut steps = Vec::new();
    let plan: [(&str, &str); 8] = [
        ("registry", "registry"),
        ("token", "token"),
        ("videoRegistry", "video-registry"),
        ("userRegistry", "user-registry"),
        ("videoStore", "video-store"),
        ("sendEther", "send-ether"),
        ("avatar", "avatar"),
        ("paymentChannels", "channel"),
    ];
    for (key, artifact) in plan {
        let args = match key {
            "registry" => Some((config.owner, config.change_delay).abi_encode_params()),
            "token" => Some(config.holder.abi_encode()),
            "videoRegistry" | "userRegistry" => {
                Some((config.owner, at("registry", &record)).abi_encode_params())
            }
            "videoStore" => Some(at("registry", &record).abi_encode()),
            "avatar" => Some(
                (
                    config.owner,
                    at("token", &record),
                    config.whitelist_delay,
                    vec![at("videoStore", &record)],
                )
                    .abi_encode_params(),
            ),
            "paymentChannels" => Some(
                (at("avatar", &record), at("token", &record), config.grace_period)
                    .abi_encode_params(),
            ),
            _ => None,
        };
        // Each contract's deploy-time constants are baked into its module, as Solidity bakes
        // immutables into runtime code: no journey reads them from storage.
        let baked: Option<Vec<u8>> = match key {
            "videoRegistry" | "userRegistry" | "videoStore" => {
                Some(RegistryImmutables { registry: at("registry", &record) }.encode().to_vec())
            }
            "avatar" => Some(
                AvatarImmutables {
                    token: at("token", &record),
                    whitelist_delay: config.whitelist_delay,
                }
                .encode()
                .to_vec(),
            ),
            "paymentChannels" => Some(
                ChannelImmutables {
                    avatar: at("avatar", &record),
                    token: at("token", &record),
                    grace_period: config.grace_period,
                }
                .encode()
                .to_vec(),
            ),
            _ => None,
        };
        progress(&format!("deploy {key}"));
        let contract = deploy_one(
            chain,
            deployer,
            key,
            artifact,
            constructor(args),
            baked.as_ref().map(|b| &b[..]),
        )
        .await?;
        steps.push(Step {
            step: format!("deploy {key}"),
            transaction_hash: contract.transaction_hash.unwrap_or_default(),
            gas_used: contract.gas_used.unwrap_or_default(),
        });
        record.contracts.insert(key.to_owned(), contract);
    }
    let contracts =
        record.contracts().map_err(|why| ChainError::Rpc { what: "deploy".into(), why })?;
    wire(chain, deployer, &contracts, config, &mut steps, &mut progress).await?;
    Ok((record, steps))
}

async fn deploy_one(
    chain: &Chain,
    deployer: Address,
    key: &str,
    artifact: &str,
    init_data: Bytes,
    baked: Option<&[u8]>,
) -> Result<DeployedContract, ChainError> {
    let mut wasm =
        ARTIFACTS.iter().find(|(name, _)| *name == artifact).map_or(&[][..], |(_, w)| *w).to_vec();
    if let Some(values) = baked {
        immutables::patch(&mut wasm, values).map_err(|error| ChainError::Bake {
            what: format!("deploy {key}"),
            why: error.to_string(),
        })?;
    }
    let code = paratii_devnet::stylus_code(&wasm);
    let code_hash = keccak256(&code);
    let init = paratii_devnet::init_code_prelude(&code);
    let salt = keccak256(format!("paratii:{key}:{deployer:#x}"));
    let what = format!("deploy {key}");
    let deployer_contract = IStylusDeployer::new(STYLUS_DEPLOYER, chain.provider().clone());
    let call = deployer_contract
        .deploy_call(init.into(), init_data, U256::ZERO, salt)
        .value(ACTIVATION_VALUE);
    let mined = chain.send(&what, deployer, call).await?;
    let address =
        mined.event::<IStylusDeployer::ContractDeployed>(&what, STYLUS_DEPLOYER)?.deployedContract;
    let on_chain = chain.code_hash(address).await?;
    if on_chain != Some(code_hash) {
        return Err(ChainError::Rpc {
            what,
            why: format!("code hash at {address} is {on_chain:?}, the build measured {code_hash}"),
        });
    }
    Ok(DeployedContract {
        address,
        artifact: Some(artifact.to_owned()),
        code_hash: Some(code_hash),
        transaction_hash: Some(mined.tx),
        gas_used: Some(mined.gas_used),
    })
}

async fn wire(
    chain: &Chain,
    deployer: Address,
    c: &Contracts,
    config: &DeployConfig,
    steps: &mut Vec<Step>,
    progress: &mut impl FnMut(&str),
) -> Result<(), ChainError> {
    let registry = IParatiiRegistry::new(c.registry, chain.provider().clone());
    let avatar = IParatiiAvatar::new(c.avatar, chain.provider().clone());
    let mut record = |what: String, mined: crate::chain::Mined| {
        steps.push(Step { step: what, transaction_hash: mined.tx, gas_used: mined.gas_used });
    };
    for (name, value) in [
        (names::PARATII_TOKEN, c.token),
        (names::PARATII_AVATAR, c.avatar),
        (names::VIDEO_REGISTRY, c.video_registry),
        (names::USER_REGISTRY, c.user_registry),
        (names::VIDEO_STORE, c.video_store),
        (names::SEND_ETHER, c.send_ether),
        (names::PAYMENT_CHANNELS, c.payment_channels),
    ] {
        let what = format!("registerAddress {}", name.name);
        progress(&what);
        let mined =
            chain.send(&what, deployer, registry.registerAddress(name.name.into(), value)).await?;
        record(what, mined);
    }
    let share = names::VIDEO_REDISTRIBUTION_POOL_SHARE.name;
    let what = format!("registerUint {share}");
    progress(&what);
    let mined =
        chain.send(&what, deployer, registry.registerUint(share.into(), config.pool_share)).await?;
    record(what, mined);
    let what = "addToWhitelist paymentChannels".to_owned();
    progress(&what);
    let mined = chain.send(&what, deployer, avatar.addToWhitelist(c.payment_channels)).await?;
    record(what, mined);
    if is_local_node(chain).await {
        let delay = config.change_delay.max(config.whitelist_delay);
        progress("fast-forward the local node past the delays");
        chain.raw("evm_increaseTime", vec![delay.into()]).await?;
        chain.raw("evm_mine", vec![]).await?;
        let what = format!("applyUintChange {share}");
        progress(&what);
        let mined = chain.send(&what, deployer, registry.applyUintChange(share.into())).await?;
        record(what, mined);
    }
    Ok(())
}

/// Whether the endpoint is this project's local node (whose clock may be moved).
pub async fn is_local_node(chain: &Chain) -> bool {
    chain
        .raw("web3_clientVersion", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(|s| s.starts_with("paratii-devnet")))
        .unwrap_or(false)
}
