//! What the streaming tests share: a clip made by ffmpeg from its test sources, and the real
//! local node with the suite deployed and a viewer funded.
// Each test file compiles this module on its own and uses a part of it.
#![allow(dead_code)]

use std::{path::Path, process::Command, sync::Arc};

use alloy_primitives::U256;
use paratii_companion::{
    chain::{Chain, ChainConfig, Contracts},
    deploy::{self, DeployConfig},
    keys::UnlockedKey,
};
use paratii_devnet::node::{NodeConfig, RunningNode, DEV_KEYS};

/// Development account `i`'s key.
pub(crate) fn dev_key(i: usize) -> UnlockedKey {
    UnlockedKey::from_secret(&alloy_primitives::hex::decode(DEV_KEYS[i]).unwrap()).unwrap()
}

/// A `seconds`-long 320×240 clip at 25 fps from ffmpeg's test sources, with a 440 Hz tone when
/// `audio`, written to `dir/clip.mp4`.
pub(crate) fn clip(dir: &Path, seconds: u32, audio: bool) -> std::path::PathBuf {
    let path = dir.join("clip.mp4");
    let mut ffmpeg = Command::new("ffmpeg");
    ffmpeg
        .args(["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc=duration={seconds}:size=320x240:rate=25"));
    if audio {
        ffmpeg.args(["-f", "lavfi", "-i"]).arg(format!("sine=frequency=440:duration={seconds}"));
        ffmpeg.args(["-c:a", "aac", "-shortest"]);
    }
    let made = ffmpeg
        .args(["-c:v", "libx264"])
        .arg(&path)
        .status()
        .expect("ffmpeg should run (CI installs Debian's ffmpeg)");
    assert!(made.success());
    path
}

/// The local node on a free loopback port, the suite deployed by development account 0, and
/// development account 1 (the viewer) holding 1,000,000 PTI wei; accounts 0–2 can sign.
pub(crate) async fn deployed() -> (RunningNode, Arc<Chain>, Contracts) {
    let node = RunningNode::start(&NodeConfig {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ..NodeConfig::default()
    })
    .unwrap();
    let (deployer, viewer, producer) = (dev_key(0), dev_key(1), dev_key(2));
    let chain = Arc::new(
        Chain::connect(ChainConfig::new(node.url()), &[&deployer, &viewer, &producer])
            .await
            .unwrap(),
    );
    let d = deployer.address();
    let (record, _) =
        deploy::deploy_suite(&chain, d, &DeployConfig::new(d, d), |_| {}).await.unwrap();
    let contracts = record.contracts().unwrap();
    chain.suite(contracts).transfer(d, viewer.address(), U256::from(1_000_000u64)).await.unwrap();
    (node, chain, contracts)
}
