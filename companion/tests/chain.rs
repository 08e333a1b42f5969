//! The companion against the real local node, started in-process on a loopback port: the demo
//! through the library, the deployment, typed reverts, the watchtower, and an endpoint that
//! refuses, never answers, answers garbage or serves another chain.

use std::{
    io::{Read, Write},
    net::TcpListener,
    time::Duration,
};

use alloy_network::TransactionBuilder;
use alloy_primitives::{keccak256, Address, B256, U256};
use paratii_companion::{
    chain::{Chain, ChainConfig, ChainError, Deployment, Suite},
    channel::{self, Funding, Params, Phase},
    demo::{self, DemoConfig},
    deploy::{self, DeployConfig},
    keys::UnlockedKey,
    payee::{Payee, Payer},
    store::{ChannelStore, PendingTx, SqliteStore},
};
use paratii_devnet::node::{NodeConfig, RunningNode, DEV_KEYS};

/// A fresh folder, removed when the test ends.
fn dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("paratii-chain-{name}-")).tempdir().unwrap()
}

fn node() -> RunningNode {
    let config = NodeConfig {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ..NodeConfig::default()
    };
    RunningNode::start(&config).unwrap()
}

fn dev_key(i: usize) -> UnlockedKey {
    UnlockedKey::from_secret(&alloy_primitives::hex::decode(DEV_KEYS[i]).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_pays_exactly_what_was_signed() {
    let work = dir("demo");
    let config = DemoConfig::new(work.path().to_path_buf());
    let mut steps = 0;
    let report = demo::run(&config, &mut |_| steps += 1).await.unwrap();
    assert_eq!(report.pti_accounted, report.total_supply);
    assert_eq!(report.session.segments, config.segments);
    assert_eq!(report.session.paid, report.session.price_per_segment * U256::from(config.segments));
    assert_eq!(report.session.paid + report.session.refunded, report.session.deposit);
    assert_eq!(report.ad.segments, config.ad_segments);
    assert_eq!(report.ad.paid, report.ad.price_per_segment * U256::from(config.ad_segments));
    assert_eq!((report.batch.settled, report.batch.good, report.batch.items), (3, 3, 4));
    assert!(report.batch.skipped[0].starts_with("ChannelFinalized"), "{:?}", report.batch);
    assert!(report.liked);
    assert_eq!(steps, report.steps.len());
}

async fn deployed(node: &RunningNode, keys: &[&UnlockedKey]) -> (Chain, Deployment) {
    let chain = Chain::connect(ChainConfig::new(node.url()), keys).await.unwrap();
    let deployer = keys[0].address();
    let (record, _) =
        deploy::deploy_suite(&chain, deployer, &DeployConfig::new(deployer, deployer), |_| {})
            .await
            .unwrap();
    (chain, record)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_fails_with_the_tokens_typed_error_when_the_balance_is_short() {
    let node = node();
    let (deployer, poor) = (dev_key(0), dev_key(1));
    let (chain, record) = deployed(&node, &[&deployer, &poor]).await;
    let suite = chain.suite(record.contracts().unwrap());
    let error =
        suite.transfer(poor.address(), deployer.address(), U256::from(5)).await.unwrap_err();
    match error {
        ChainError::Reverted { error, .. } => {
            assert!(error.starts_with("ERC20InsufficientBalance"), "{error}");
            assert!(error.contains(&format!("{:#x}", poor.address())), "{error}");
        }
        other => panic!("expected a decoded revert, got {other}"),
    }
    let stranger = Address::repeat_byte(7);
    assert!(matches!(
        suite.transfer(stranger, deployer.address(), U256::from(1)).await,
        Err(ChainError::NoSigner(a)) if a == stranger
    ));
    node.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployment_record_round_trips_and_refuses_another_chain() {
    let node = node();
    let deployer = dev_key(0);
    let (chain, record) = deployed(&node, &[&deployer]).await;
    let work = dir("record");
    let folder = work.path().to_path_buf();
    let path = Deployment::path(&folder, chain.chain_id());
    record.save(&path).unwrap();
    assert_eq!(Deployment::load(&path, chain.chain_id()).unwrap(), record);
    for contract in record.contracts().unwrap().by_key() {
        assert!(chain.code_hash(contract.1).await.unwrap().is_some(), "{} has no code", contract.0);
    }
    assert!(matches!(
        Deployment::load(&path, 1),
        Err(ChainError::Deployment { why, .. }) if why.contains("records chain 412346")
    ));
    let mut partial = record.clone();
    partial.contracts.remove("paymentChannels");
    partial.save(&path).unwrap();
    assert!(matches!(
        Deployment::load(&path, chain.chain_id()),
        Err(ChainError::Deployment { why, .. }) if why.contains("paymentChannels")
    ));
    node.stop().unwrap();
}

/// Opens a channel from `payer` to `payee` (both funded) and returns its parameters and id.
async fn open_channel(
    suite: &Suite<'_>,
    payer_store: &SqliteStore,
    from: &UnlockedKey,
    to: Address,
    deposit_segments: u64,
) -> (Params, B256) {
    let params = Params {
        payer: from.address(),
        payee: to,
        signer: Address::ZERO,
        videoId: keccak256("a video"),
        pricePerSegment: U256::from(1_000u64),
        salt: keccak256("watchtower"),
    };
    let deposit = U256::from(1_000u64 * deposit_segments);
    let opened = channel::open(payer_store, suite, &params, deposit, Funding::Payer).await.unwrap();
    (params, opened.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchtower_closes_with_the_best_voucher_when_the_payer_requests_a_close() {
    let node = node();
    let (deployer, viewer, producer) = (dev_key(0), dev_key(1), dev_key(2));
    let (chain, record) = deployed(&node, &[&deployer, &viewer, &producer]).await;
    let suite = chain.suite(record.contracts().unwrap());
    suite.transfer(deployer.address(), viewer.address(), U256::from(1_000_000u64)).await.unwrap();
    let work = dir("watchtower");
    let folder = work.path().to_path_buf();
    let paying = Payer::new(SqliteStore::open(&folder.join("payer.db")).unwrap());
    let paid = Payee::new(SqliteStore::open(&folder.join("payee.db")).unwrap());
    let (params, id) = open_channel(&suite, paying.store(), &viewer, producer.address(), 10).await;
    channel::accept_incoming(paid.store(), &suite, &params).await.unwrap();
    for n in 1..=6 {
        let signature = paying.sign(id, n, &viewer).unwrap();
        paid.accept(id, n, &signature).unwrap();
    }
    // Nothing to do while the channel is open.
    let mut tower = channel::Watchtower::new(paid.store(), suite);
    let quiet = tower.pass().await.unwrap();
    assert_eq!((quiet.watched, quiet.closed.len()), (1, 0));
    // The payer asks to close, hoping the payee misses it and it can withdraw everything.
    let channels = suite.channels();
    chain.send("requestClose", viewer.address(), channels.requestClose(params)).await.unwrap();
    let before = suite.pti_balance(producer.address()).await.unwrap();
    // The second pass finds the request in the logs since the first.
    let report = tower.pass().await.unwrap();
    assert_eq!((report.close_requests, report.closed.clone()), (1, vec![id]));
    let after = suite.pti_balance(producer.address()).await.unwrap();
    assert_eq!(after - before, U256::from(6_000u64));
    let state = suite.channel_state(id).await.unwrap();
    assert_eq!((state.phase, state.settled), (Phase::Finalized, 6));
    let stored = paid.store().channel(id).unwrap();
    assert!(stored.unwrap().finalized, "the store records the close");
    node.stop().unwrap();
}

fn connect_error(endpoint: String) -> ChainError {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut config = ChainConfig::new(endpoint);
    config.request_timeout = Duration::from_millis(500);
    runtime.block_on(Chain::connect(config, &[])).unwrap_err()
}

#[test]
fn connect_fails_with_an_rpc_error_when_nothing_listens() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let error = connect_error(format!("http://127.0.0.1:{port}"));
    assert!(matches!(error, ChainError::Rpc { ref what, .. } if what == "eth_chainId"), "{error}");
}

#[test]
fn connect_times_out_when_the_endpoint_never_answers() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_secs(2));
        drop(stream);
    });
    let error = connect_error(format!("http://127.0.0.1:{port}"));
    assert!(matches!(error, ChainError::Timeout { seconds: 0, .. }), "{error}");
    holder.join().unwrap();
}

#[test]
fn connect_fails_with_an_rpc_error_when_the_endpoint_answers_garbage() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request).unwrap();
        let body = "<html>not JSON-RPC</html>";
        write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
    });
    let error = connect_error(format!("http://127.0.0.1:{port}"));
    assert!(matches!(error, ChainError::Rpc { .. }), "{error}");
    server.join().unwrap();
}

#[test]
fn connect_refuses_an_endpoint_of_another_chain() {
    let node = node();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut config = ChainConfig::new(node.url());
    config.chain_id = Some(42_161);
    let error = runtime.block_on(Chain::connect(config, &[])).unwrap_err();
    assert!(matches!(error, ChainError::WrongChain { expected: 42_161, got: 412_346 }), "{error}");
    let bad = connect_error("not a url".into());
    assert!(matches!(bad, ChainError::BadEndpoint { .. }), "{bad}");
    node.stop().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchtower_resumes_the_transactions_a_crash_left_pending() {
    let node = node();
    let (deployer, viewer, producer) = (dev_key(0), dev_key(1), dev_key(2));
    let (chain, record) = deployed(&node, &[&deployer, &viewer, &producer]).await;
    let suite = chain.suite(record.contracts().unwrap());
    suite.transfer(deployer.address(), viewer.address(), U256::from(1_000_000u64)).await.unwrap();
    let work = dir("resume");
    let folder = work.path().to_path_buf();
    let paying = Payer::new(SqliteStore::open(&folder.join("payer.db")).unwrap());
    let paid = Payee::new(SqliteStore::open(&folder.join("payee.db")).unwrap());
    let (params, id) = open_channel(&suite, paying.store(), &viewer, producer.address(), 10).await;
    channel::accept_incoming(paid.store(), &suite, &params).await.unwrap();
    let store = paid.store();
    let channels = suite.channels();
    let signed = |n: u64| paying.sign(id, n, &viewer).unwrap();
    // A settle recorded and sent, then a crash before it was resolved.
    let voucher = signed(3);
    paid.accept(id, 3, &voucher).unwrap();
    let settle =
        channels.settle(params.clone(), 3, voucher.to_vec().into()).into_transaction_request();
    let settle = TransactionBuilder::with_from(settle, producer.address());
    let (settle_hash, raw) = chain.prepare("settle", settle).await.unwrap();
    store
        .add_pending(&PendingTx {
            hash: settle_hash,
            channel: Some(id),
            kind: "settle".into(),
            raw: raw.clone(),
        })
        .unwrap();
    chain.send_raw("settle", &raw).await.unwrap();
    // A close recorded, then a crash before it was sent.
    let voucher = signed(5);
    paid.accept(id, 5, &voucher).unwrap();
    let close =
        channels.close(params.clone(), 5, voucher.to_vec().into()).into_transaction_request();
    let close = TransactionBuilder::with_from(close, producer.address());
    let (close_hash, raw) = chain.prepare("close", close).await.unwrap();
    store
        .add_pending(&PendingTx { hash: close_hash, channel: Some(id), kind: "close".into(), raw })
        .unwrap();
    assert!(chain.receipt(close_hash).await.unwrap().is_none(), "the close was never sent");
    let report = channel::watch(store, &suite).await.unwrap();
    let outcomes: Vec<_> = report.resumed.iter().map(|r| (r.hash, r.outcome)).collect();
    assert_eq!(outcomes, vec![(settle_hash, "mined"), (close_hash, "sent")]);
    assert!(store.pending().unwrap().is_empty());
    let state = suite.channel_state(id).await.unwrap();
    assert_eq!((state.phase, state.settled), (Phase::Finalized, 5));
    assert_eq!(suite.pti_balance(producer.address()).await.unwrap(), U256::from(5_000u64));
    node.stop().unwrap();
}
