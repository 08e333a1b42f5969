//! Chain access: one alloy provider over JSON-RPC for every chain (the local node on loopback,
//! Arbitrum Sepolia or One), typed calls from the suite's published interfaces (`sol!` with
//! `rpc`, [`bindings`]), gas from `eth_estimateGas`, receipts after a configurable number of
//! confirmations, reverts decoded into the suite's typed Solidity errors, and a deadline on every
//! request.
//!
//! The addresses come from a [`Deployment`]: the `deployments/<chain id>.json` that
//! `scripts/deploy` and `paratii deploy` write.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
    time::Duration,
};

use alloy_contract::{CallBuilder, CallDecoder};
use alloy_network::{EthereumWallet, TransactionBuilder};
use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_provider::{DynProvider, Provider, ProviderBuilder};
use alloy_rpc_types_eth::{BlockId, TransactionReceipt, TransactionRequest};
use alloy_sol_types::{SolEvent, SolInterface};
use serde::{Deserialize, Serialize};

use crate::keys::UnlockedKey;

/// The suite's published interfaces (`contracts/abi/I<Name>.sol`, generated from the one
/// Solidity declaration in `contracts/`) as typed RPC calls, events and errors, plus the
/// `StylusDeployer` that deploys and activates a program with its constructor in one
/// transaction.
#[allow(missing_docs, unreachable_pub, clippy::pedantic, clippy::all)]
pub mod bindings {
    alloy_sol_types::sol!(
        #![sol(rpc, all_derives)]
        "../contracts/abi/IParatiiToken.sol"
    );
    alloy_sol_types::sol!(
        #![sol(rpc, all_derives)]
        "../contracts/abi/IParatiiRegistry.sol"
    );
    alloy_sol_types::sol!(
        #![sol(rpc, all_derives)]
        "../contracts/abi/IParatiiAvatar.sol"
    );
    alloy_sol_types::sol!(
        #![sol(rpc, all_derives)]
        "../contracts/abi/IVideoRegistry.sol"
    );
    alloy_sol_types::sol!(
        #![sol(rpc, all_derives)]
        "../contracts/abi/IUserRegistry.sol"
    );
    alloy_sol_types::sol!(
        #![sol(rpc, all_derives)]
        "../contracts/abi/IVideoStore.sol"
    );
    alloy_sol_types::sol!(
        #![sol(rpc, all_derives)]
        "../contracts/abi/ISendEther.sol"
    );
    alloy_sol_types::sol!(
        #![sol(rpc, all_derives)]
        "../contracts/abi/IPaymentChannels.sol"
    );
    alloy_sol_types::sol! {
        /// Arbitrum's `StylusDeployer` (the address cargo-stylus uses on every Arbitrum chain).
        #[sol(rpc, all_derives)]
        interface IStylusDeployer {
            event ContractDeployed(address deployedContract);
            error ContractDeploymentError(bytes bytecode);
            error ContractInitializationError(address newContract, bytes data);
            error EmptyBytecode();
            error InitValueButNotInitData();
            function deploy(bytes calldata bytecode, bytes calldata initData, uint256 initValue, bytes32 salt) external payable returns (address);
        }
    }
}

use bindings::{
    IParatiiAvatar, IParatiiRegistry, IParatiiToken, IPaymentChannels, ISendEther, IStylusDeployer,
    IUserRegistry, IVideoRegistry, IVideoStore,
};

/// The `StylusDeployer`'s address on every Arbitrum chain (and on the local node).
pub const STYLUS_DEPLOYER: Address =
    alloy_primitives::address!("0xcEcba2F1DC234f70Dd89F2041029807F8D03A990");

/// How long a request may take before it is a [`ChainError::Timeout`] (a mined receipt may take
/// longer: [`ChainConfig::receipt_timeout`]).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a chain operation failed. Nothing is retried behind the caller's back.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The endpoint URL is not one.
    #[error("endpoint {endpoint:?} is not a URL: {why}")]
    BadEndpoint {
        /// The endpoint given.
        endpoint: String,
        /// What is wrong.
        why: String,
    },
    /// The endpoint did not answer in time.
    #[error("{what}: no answer within {seconds} s")]
    Timeout {
        /// What was asked.
        what: String,
        /// The deadline.
        seconds: u64,
    },
    /// The endpoint refused the request or answered garbage.
    #[error("{what}: {why}")]
    Rpc {
        /// What was asked.
        what: String,
        /// The endpoint's answer.
        why: String,
    },
    /// A call or a transaction's gas estimate reverted: the suite's typed error, decoded.
    #[error("{what} reverted: {error}")]
    Reverted {
        /// What was attempted.
        what: String,
        /// The decoded Solidity error with its values (or the raw revert data).
        error: String,
    },
    /// A transaction was mined but failed.
    #[error("{what}: transaction {tx} failed on chain (gas used {gas_used}): {why}")]
    Failed {
        /// What was attempted.
        what: String,
        /// Its hash.
        tx: B256,
        /// Gas it used.
        gas_used: u64,
        /// The error a replay of the call names.
        why: String,
    },
    /// A module's deploy-time constants could not be baked in (the embedded WASM carries no
    /// unset placeholder).
    #[error("{what}: baking its deploy-time constants: {why}")]
    Bake {
        /// The deployment attempted.
        what: String,
        /// Why the module could not be patched.
        why: String,
    },
    /// The endpoint serves another chain than the one expected.
    #[error("the endpoint serves chain {got}, not chain {expected}")]
    WrongChain {
        /// The chain asked for.
        expected: u64,
        /// The chain the endpoint serves.
        got: u64,
    },
    /// No key in this provider's wallet signs for the sender.
    #[error("no key for {0} is unlocked in this session")]
    NoSigner(Address),
    /// The deployment record is missing, unreadable or for another chain.
    #[error("deployment record {path}: {why}")]
    Deployment {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A receipt lacks the event the call must emit.
    #[error("{what}: transaction {tx} emitted no {event}")]
    MissingEvent {
        /// What was attempted.
        what: String,
        /// The transaction.
        tx: B256,
        /// The event expected.
        event: &'static str,
    },
}

/// Decodes revert data into the suite's typed error, with its values (`Debug` of the `sol!`
/// error), else Solidity's `Error(string)` / `Panic(uint256)`, else the raw bytes.
#[must_use]
pub fn describe_revert(data: &[u8]) -> String {
    macro_rules! first_decoded {
        ($($errors:ty),* $(,)?) => {
            $(if let Ok(error) = <$errors as SolInterface>::abi_decode(data) {
                return format!("{error:?}");
            })*
        };
    }
    first_decoded!(
        IPaymentChannels::IPaymentChannelsErrors,
        IParatiiToken::IParatiiTokenErrors,
        IParatiiAvatar::IParatiiAvatarErrors,
        IVideoStore::IVideoStoreErrors,
        IVideoRegistry::IVideoRegistryErrors,
        IUserRegistry::IUserRegistryErrors,
        IParatiiRegistry::IParatiiRegistryErrors,
        ISendEther::ISendEtherErrors,
        IStylusDeployer::IStylusDeployerErrors,
        alloy_sol_types::GenericContractError,
    );
    format!("unknown revert data {}", Bytes::copy_from_slice(data))
}

fn contract_error(what: &str, error: &alloy_contract::Error) -> ChainError {
    if let Some(data) = error.as_revert_data() {
        return ChainError::Reverted { what: what.to_owned(), error: describe_revert(&data) };
    }
    rpc_error(what, error)
}

/// A JSON-RPC error: the suite's typed error when it carries revert data.
fn transport_error(what: &str, error: &alloy_transport::TransportError) -> ChainError {
    match error.as_error_resp().and_then(alloy_json_rpc::ErrorPayload::as_revert_data) {
        Some(data) => ChainError::Reverted { what: what.to_owned(), error: describe_revert(&data) },
        None => rpc_error(what, error),
    }
}

fn rpc_error(what: &str, error: &impl std::fmt::Display) -> ChainError {
    let why = error.to_string();
    if why.contains("execution reverted") || why.contains("reverted") {
        return ChainError::Reverted { what: what.to_owned(), error: why };
    }
    ChainError::Rpc { what: what.to_owned(), why }
}

/// The suite's addresses on one chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contracts {
    /// `ParatiiRegistry`.
    pub registry: Address,
    /// PTI.
    pub token: Address,
    /// `VideoRegistry`.
    pub video_registry: Address,
    /// `UserRegistry`.
    pub user_registry: Address,
    /// `VideoStore`.
    pub video_store: Address,
    /// `SendEther`.
    pub send_ether: Address,
    /// `ParatiiAvatar`.
    pub avatar: Address,
    /// `PaymentChannels`, the adjudicator.
    pub payment_channels: Address,
}

impl Contracts {
    /// Every contract with its record key, in deployment order.
    #[must_use]
    pub fn by_key(&self) -> [(&'static str, Address); 8] {
        [
            ("registry", self.registry),
            ("token", self.token),
            ("videoRegistry", self.video_registry),
            ("userRegistry", self.user_registry),
            ("videoStore", self.video_store),
            ("sendEther", self.send_ether),
            ("avatar", self.avatar),
            ("paymentChannels", self.payment_channels),
        ]
    }
}

/// One contract's entry in a deployment record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployedContract {
    /// Where it is.
    pub address: Address,
    /// Its build artifact (`target/wasm/<artifact>.code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,
    /// The keccak of its on-chain code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_hash: Option<B256>,
    /// The deploying transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_hash: Option<B256>,
    /// Gas it used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gas_used: Option<u64>,
}

/// `deployments/<chain id>.json`, as `scripts/deploy` writes it (unknown fields are kept out of
/// the way, not refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// The chain.
    pub chain_id: u64,
    /// Who deployed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployer: Option<Address>,
    /// Each contract by its record key (`registry`, `token`, `videoRegistry`, …).
    pub contracts: BTreeMap<String, DeployedContract>,
}

impl Deployment {
    /// `dir/<chain id>.json`.
    #[must_use]
    pub fn path(dir: &Path, chain_id: u64) -> PathBuf {
        dir.join(format!("{chain_id}.json"))
    }

    /// Reads a record and checks it is for `chain_id` and names every contract.
    ///
    /// # Errors
    /// [`ChainError::Deployment`] naming what is missing or wrong.
    pub fn load(path: &Path, chain_id: u64) -> Result<Self, ChainError> {
        let bad = |why: String| ChainError::Deployment { path: path.to_owned(), why };
        let text = fs::read_to_string(path).map_err(|e| {
            bad(format!("{e} (deploy the suite with `paratii deploy` or `scripts/deploy`)"))
        })?;
        let record: Self = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if record.chain_id != chain_id {
            return Err(bad(format!("it records chain {}, not {chain_id}", record.chain_id)));
        }
        record.contracts().map_err(bad)?;
        Ok(record)
    }

    /// Writes the record atomically (temporary file, fsync, rename), creating its folder.
    ///
    /// # Errors
    /// [`ChainError::Deployment`].
    pub fn save(&self, path: &Path) -> Result<(), ChainError> {
        let bad = |e: std::io::Error| ChainError::Deployment {
            path: path.to_owned(),
            why: e.to_string(),
        };
        let json = serde_json::to_string_pretty(self)
            .map_err(|e| ChainError::Deployment { path: path.to_owned(), why: e.to_string() })?;
        crate::fsutil::write_atomically(path, format!("{json}\n").as_bytes()).map_err(bad)
    }

    /// The suite's addresses.
    ///
    /// # Errors
    /// The record key of a contract the record lacks.
    pub fn contracts(&self) -> Result<Contracts, String> {
        let at = |key: &str| {
            self.contracts.get(key).map(|c| c.address).ok_or_else(|| format!("no {key} recorded"))
        };
        Ok(Contracts {
            registry: at("registry")?,
            token: at("token")?,
            video_registry: at("videoRegistry")?,
            user_registry: at("userRegistry")?,
            video_store: at("videoStore")?,
            send_ether: at("sendEther")?,
            avatar: at("avatar")?,
            payment_channels: at("paymentChannels")?,
        })
    }
}

/// How to reach a chain.
#[derive(Debug, Clone)]
pub struct ChainConfig {
    /// The JSON-RPC endpoint.
    pub endpoint: String,
    /// The chain the caller expects, checked against `eth_chainId` when given.
    pub chain_id: Option<u64>,
    /// Blocks on top of a transaction's before its receipt counts (0: mined is enough).
    pub confirmations: u64,
    /// The deadline of one request.
    pub request_timeout: Duration,
    /// The deadline for a transaction's receipt.
    pub receipt_timeout: Duration,
}

impl ChainConfig {
    /// `endpoint` with no expected chain, no confirmations and the default deadlines.
    #[must_use]
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            chain_id: None,
            confirmations: 0,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            receipt_timeout: Duration::from_mins(2),
        }
    }
}

/// A connection to one chain: the provider, the keys it signs with, the suite's addresses.
#[derive(Clone)]
#[allow(clippy::struct_field_names)] // `chain_id` is the chain's id, as everywhere else
pub struct Chain {
    provider: DynProvider,
    wallet: Option<EthereumWallet>,
    chain_id: u64,
    signers: Vec<Address>,
    config: ChainConfig,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("endpoint", &self.config.endpoint)
            .field("chain_id", &self.chain_id)
            .field("signers", &self.signers)
            .finish_non_exhaustive()
    }
}

/// A mined transaction: what the caller needs to report and check.
#[derive(Debug, Clone)]
pub struct Mined {
    /// Its hash.
    pub tx: B256,
    /// Receipt `gasUsed`.
    pub gas_used: u64,
    /// Its block.
    pub block: u64,
    /// The receipt.
    pub receipt: TransactionReceipt,
}

impl From<TransactionReceipt> for Mined {
    fn from(receipt: TransactionReceipt) -> Self {
        Self {
            tx: receipt.transaction_hash,
            gas_used: receipt.gas_used,
            block: receipt.block_number.unwrap_or_default(),
            receipt,
        }
    }
}

impl Mined {
    /// The first log of event `E` the transaction emitted from `emitter`.
    ///
    /// # Errors
    /// [`ChainError::MissingEvent`].
    pub fn event<E: SolEvent>(&self, what: &str, emitter: Address) -> Result<E, ChainError> {
        self.events::<E>(emitter).into_iter().next().ok_or_else(|| ChainError::MissingEvent {
            what: what.to_owned(),
            tx: self.tx,
            event: E::SIGNATURE,
        })
    }

    /// Every log of event `E` the transaction emitted from `emitter`, in order.
    #[must_use]
    pub fn events<E: SolEvent>(&self, emitter: Address) -> Vec<E> {
        self.receipt
            .inner
            .logs()
            .iter()
            .filter(|log| log.address() == emitter)
            .filter_map(|log| E::decode_log(&log.inner).ok().map(|l| l.data))
            .collect()
    }
}

impl Chain {
    /// Connects to `config.endpoint` with `keys` unlocked for sending, and checks the chain id.
    ///
    /// # Errors
    /// [`ChainError::BadEndpoint`], [`ChainError::WrongChain`], or the first request's error.
    pub async fn connect(config: ChainConfig, keys: &[&UnlockedKey]) -> Result<Self, ChainError> {
        let url = config.endpoint.parse().map_err(|e: url::ParseError| {
            ChainError::BadEndpoint { endpoint: config.endpoint.clone(), why: e.to_string() }
        })?;
        let wallet = keys.split_first().map(|(first, rest)| {
            let mut wallet = EthereumWallet::new(first.wallet_signer());
            for key in rest {
                wallet.register_signer(key.wallet_signer());
            }
            wallet
        });
        // Nonces are asked of the node each time (no cache): transactions this process signs
        // itself (durable sends) or another process sends with the same key stay in step.
        let builder = ProviderBuilder::new()
            .disable_recommended_fillers()
            .with_gas_estimation()
            .with_simple_nonce_management()
            .fetch_chain_id();
        let provider = match &wallet {
            Some(wallet) => builder.wallet(wallet.clone()).connect_http(url).erased(),
            None => builder.connect_http(url).erased(),
        };
        let mut chain = Self {
            provider,
            wallet,
            chain_id: 0,
            signers: keys.iter().map(|k| k.address()).collect(),
            config,
        };
        chain.chain_id = chain.request("eth_chainId", chain.provider.get_chain_id()).await?;
        if let Some(expected) = chain.config.chain_id.filter(|c| *c != chain.chain_id) {
            return Err(ChainError::WrongChain { expected, got: chain.chain_id });
        }
        Ok(chain)
    }

    /// The chain id the endpoint serves.
    #[must_use]
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The endpoint.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.config.endpoint
    }

    /// The provider, for calls this type does not wrap.
    #[must_use]
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// Runs one request under the request deadline, mapping its error with `map`.
    async fn within<T, E>(
        &self,
        what: &str,
        request: impl std::future::IntoFuture<Output = Result<T, E>>,
        map: impl FnOnce(&E) -> ChainError,
    ) -> Result<T, ChainError> {
        match tokio::time::timeout(self.config.request_timeout, request).await {
            Ok(answer) => answer.map_err(|e| map(&e)),
            Err(_) => Err(ChainError::Timeout {
                what: what.to_owned(),
                seconds: self.config.request_timeout.as_secs(),
            }),
        }
    }

    /// Runs one request under the request deadline.
    async fn request<T, E: std::fmt::Display>(
        &self,
        what: &str,
        request: impl std::future::IntoFuture<Output = Result<T, E>>,
    ) -> Result<T, ChainError> {
        self.within(what, request, |e| rpc_error(what, e)).await
    }

    /// Runs one JSON-RPC request under the request deadline; a revert in its answer is decoded.
    async fn transport<T>(
        &self,
        what: &str,
        request: impl std::future::IntoFuture<Output = Result<T, alloy_transport::TransportError>>,
    ) -> Result<T, ChainError> {
        self.within(what, request, |e| transport_error(what, e)).await
    }

    /// The latest block number.
    ///
    /// # Errors
    /// [`ChainError`] from the request.
    pub async fn block_number(&self) -> Result<u64, ChainError> {
        self.request("eth_blockNumber", self.provider.get_block_number()).await
    }

    /// The block whose state counts as confirmed: the latest minus the confirmation depth.
    ///
    /// # Errors
    /// [`ChainError`] from the request.
    pub async fn confirmed_block(&self) -> Result<BlockId, ChainError> {
        let latest = self.block_number().await?;
        Ok(BlockId::number(latest.saturating_sub(self.config.confirmations)))
    }

    /// The latest block's timestamp.
    ///
    /// # Errors
    /// [`ChainError`] from the request.
    pub async fn now(&self) -> Result<u64, ChainError> {
        let block = self
            .request("eth_getBlockByNumber", self.provider.get_block(BlockId::latest()))
            .await?
            .ok_or_else(|| ChainError::Rpc {
                what: "eth_getBlockByNumber".into(),
                why: "no latest block".into(),
            })?;
        Ok(block.header.timestamp)
    }

    /// An account's ether balance, wei.
    ///
    /// # Errors
    /// [`ChainError`] from the request.
    pub async fn eth_balance(&self, account: Address) -> Result<U256, ChainError> {
        self.request("eth_getBalance", self.provider.get_balance(account)).await
    }

    /// The keccak of the code at `account` (`None` when it has none).
    ///
    /// # Errors
    /// [`ChainError`] from the request.
    pub async fn code_hash(&self, account: Address) -> Result<Option<B256>, ChainError> {
        let code = self.request("eth_getCode", self.provider.get_code_at(account)).await?;
        Ok((!code.is_empty()).then(|| alloy_primitives::keccak256(&code)))
    }

    /// Calls a view function.
    ///
    /// # Errors
    /// [`ChainError::Reverted`] with the decoded error, or the request's error.
    pub async fn view<P: Provider, D: CallDecoder + Unpin>(
        &self,
        what: &str,
        call: CallBuilder<P, D>,
    ) -> Result<D::CallOutput, ChainError> {
        self.within(what, call.call(), |e| contract_error(what, e)).await
    }

    /// Sends a contract call from `from` (gas from `eth_estimateGas`; a revert in the estimate
    /// is decoded) and waits for its receipt.
    ///
    /// # Errors
    /// [`ChainError::NoSigner`], [`ChainError::Reverted`], [`ChainError::Failed`],
    /// [`ChainError::Timeout`], [`ChainError::Rpc`].
    pub async fn send<P: Provider, D: CallDecoder + Unpin>(
        &self,
        what: &str,
        from: Address,
        call: CallBuilder<P, D>,
    ) -> Result<Mined, ChainError> {
        let request = call.from(from).into_transaction_request();
        self.send_request(what, request).await
    }

    /// Sends a transaction request and waits for its receipt.
    ///
    /// # Errors
    /// As [`Chain::send`].
    pub async fn send_request(
        &self,
        what: &str,
        request: TransactionRequest,
    ) -> Result<Mined, ChainError> {
        let from = request.from.unwrap_or_default();
        if !self.signers.contains(&from) {
            return Err(ChainError::NoSigner(from));
        }
        let replay = request.clone();
        let pending = self.transport(what, self.provider.send_transaction(request)).await?;
        let mined = self.mined(what, pending).await?;
        let tx = mined.tx;
        if !mined.receipt.status() {
            // A failed transaction changed no state but its sender's nonce and balance, so
            // replayed as a call on the latest state it names its error (not every node keeps
            // the state of the block before).
            let why = match self.transport(what, self.provider.call(replay)).await {
                Err(ChainError::Reverted { error, .. }) => error,
                Err(other) => other.to_string(),
                Ok(_) => "it succeeds when replayed as a call (out of gas?)".to_owned(),
            };
            return Err(ChainError::Failed {
                what: what.to_owned(),
                tx,
                gas_used: mined.gas_used,
                why,
            });
        }
        tracing::debug!(what, %tx, gas = mined.gas_used, "mined");
        Ok(mined)
    }

    /// Fills (nonce, gas from `eth_estimateGas`, fees, chain id) and signs a transaction without
    /// sending it: its hash and raw bytes, to record before they leave this process.
    ///
    /// # Errors
    /// [`ChainError::NoSigner`], [`ChainError::Reverted`] (the estimate), [`ChainError::Rpc`].
    pub async fn prepare(
        &self,
        what: &str,
        request: TransactionRequest,
    ) -> Result<(B256, Vec<u8>), ChainError> {
        let from = request.from.unwrap_or_default();
        if !self.signers.contains(&from) {
            return Err(ChainError::NoSigner(from));
        }
        let wallet = self.wallet.as_ref().ok_or(ChainError::NoSigner(from))?;
        let nonce = self
            .request("eth_getTransactionCount", self.provider.get_transaction_count(from).pending())
            .await?;
        let gas = self.transport(what, self.provider.estimate_gas(request.clone())).await?;
        let fees = self.request("eth_feeHistory", self.provider.estimate_eip1559_fees()).await?;
        let request = request
            .with_nonce(nonce)
            .with_gas_limit(gas)
            .with_max_fee_per_gas(fees.max_fee_per_gas)
            .with_max_priority_fee_per_gas(fees.max_priority_fee_per_gas)
            .with_chain_id(self.chain_id);
        let envelope = request
            .build(wallet)
            .await
            .map_err(|e| ChainError::Rpc { what: what.to_owned(), why: format!("signing: {e}") })?;
        let envelope = &envelope;
        Ok((*envelope.tx_hash(), alloy_eips::eip2718::Encodable2718::encoded_2718(envelope)))
    }

    /// Sends signed bytes and waits for the receipt.
    ///
    /// # Errors
    /// [`ChainError::Rpc`] (a refusal: nonce, funds, …), [`ChainError::Failed`],
    /// [`ChainError::Timeout`].
    pub async fn send_raw(&self, what: &str, raw: &[u8]) -> Result<Mined, ChainError> {
        let pending = self.request(what, self.provider.send_raw_transaction(raw)).await?;
        let mined = self.mined(what, pending).await?;
        if !mined.receipt.status() {
            return Err(ChainError::Failed {
                what: what.to_owned(),
                tx: mined.tx,
                gas_used: mined.gas_used,
                why: "reverted on chain".into(),
            });
        }
        Ok(mined)
    }

    /// Waits for a sent transaction's receipt, `confirmations` blocks deep.
    async fn mined(
        &self,
        what: &str,
        pending: alloy_provider::PendingTransactionBuilder<alloy_network::Ethereum>,
    ) -> Result<Mined, ChainError> {
        let tx = *pending.tx_hash();
        let receipt = pending
            .with_required_confirmations(self.config.confirmations + 1)
            .with_timeout(Some(self.config.receipt_timeout))
            .get_receipt()
            .await
            .map_err(|e| rpc_error(&format!("{what} ({tx})"), &e))?;
        Ok(Mined::from(receipt))
    }

    /// The logs `filter` selects.
    ///
    /// # Errors
    /// [`ChainError`] from the request.
    pub async fn logs(
        &self,
        what: &str,
        filter: &alloy_rpc_types_eth::Filter,
    ) -> Result<Vec<alloy_rpc_types_eth::Log>, ChainError> {
        self.request(what, self.provider.get_logs(filter)).await
    }

    /// The receipt of `tx`, if it is mined.
    ///
    /// # Errors
    /// [`ChainError`] from the request.
    pub async fn receipt(&self, tx: B256) -> Result<Option<TransactionReceipt>, ChainError> {
        self.request("eth_getTransactionReceipt", self.provider.get_transaction_receipt(tx)).await
    }

    /// Sends `value` wei from `from` to `to`.
    ///
    /// # Errors
    /// As [`Chain::send`].
    pub async fn send_ether(
        &self,
        what: &str,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<Mined, ChainError> {
        let request = TransactionRequest::default().with_from(from).with_to(to).with_value(value);
        self.send_request(what, request).await
    }

    /// A JSON-RPC method the provider does not wrap (the local node's `evm_increaseTime`, …).
    ///
    /// # Errors
    /// [`ChainError`] from the request.
    pub async fn raw(
        &self,
        method: &'static str,
        params: Vec<serde_json::Value>,
    ) -> Result<serde_json::Value, ChainError> {
        self.request(method, self.provider.raw_request(method.into(), params)).await
    }

    /// Typed handles on the suite's contracts.
    #[must_use]
    pub fn suite(&self, contracts: Contracts) -> Suite<'_> {
        Suite { chain: self, contracts }
    }
}

/// Typed handles on the suite's contracts, one method per contract.
macro_rules! handles {
    ($($(#[$doc:meta])* $name:ident: $module:ident :: $instance:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        #[must_use]
        pub fn $name(&self) -> $module::$instance<DynProvider> {
            $module::new(self.contracts.$field, self.chain.provider.clone())
        }
    )*};
}

/// The suite on one chain: typed handles on its contracts.
#[derive(Debug, Clone, Copy)]
pub struct Suite<'a> {
    chain: &'a Chain,
    /// The addresses.
    pub contracts: Contracts,
}

impl<'a> Suite<'a> {
    /// The chain.
    #[must_use]
    pub fn chain(&self) -> &'a Chain {
        self.chain
    }

    handles! {
        /// PTI.
        token: IParatiiToken::IParatiiTokenInstance => token;
        /// The registry.
        registry: IParatiiRegistry::IParatiiRegistryInstance => registry;
        /// The avatar.
        avatar: IParatiiAvatar::IParatiiAvatarInstance => avatar;
        /// The video registry.
        videos: IVideoRegistry::IVideoRegistryInstance => video_registry;
        /// The user registry.
        users: IUserRegistry::IUserRegistryInstance => user_registry;
        /// The video store.
        store: IVideoStore::IVideoStoreInstance => video_store;
        /// The payment-channel adjudicator.
        channels: IPaymentChannels::IPaymentChannelsInstance => payment_channels;
    }

    /// An account's PTI balance, wei.
    ///
    /// # Errors
    /// [`ChainError`].
    pub async fn pti_balance(&self, account: Address) -> Result<U256, ChainError> {
        self.chain.view("balanceOf", self.token().balanceOf(account)).await
    }

    /// How much of `owner`'s PTI `spender` may move, wei.
    ///
    /// # Errors
    /// [`ChainError`].
    pub async fn allowance(&self, owner: Address, spender: Address) -> Result<U256, ChainError> {
        self.chain.view("allowance", self.token().allowance(owner, spender)).await
    }

    /// Moves `amount` PTI wei from `from` to `to`.
    ///
    /// # Errors
    /// [`ChainError`] (the token's typed errors decoded).
    pub async fn transfer(
        &self,
        from: Address,
        to: Address,
        amount: U256,
    ) -> Result<Mined, ChainError> {
        self.chain.send("transfer PTI", from, self.token().transfer(to, amount)).await
    }

    /// Lets `spender` move up to `amount` of `from`'s PTI.
    ///
    /// # Errors
    /// [`ChainError`].
    pub async fn approve(
        &self,
        from: Address,
        spender: Address,
        amount: U256,
    ) -> Result<Mined, ChainError> {
        self.chain.send("approve PTI", from, self.token().approve(spender, amount)).await
    }
}
