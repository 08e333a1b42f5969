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

/// `python3 -m http.server` over `root` on a free loopback port: a plain HTTP server holding
/// blocks at `/ipfs/<cid>`, as a path gateway serves them. Killed on drop.
pub(crate) struct Gateway(std::process::Child, pub(crate) String);

impl Gateway {
    pub(crate) fn start(root: &std::path::Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = std::process::Command::new("python3")
            .args(["-m", "http.server", &port.to_string(), "--bind", "127.0.0.1", "--directory"])
            .arg(root)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "the gateway did not start");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Self(child, format!("http://127.0.0.1:{port}"))
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The package's blocks under `root/ipfs/<cid>` (metadata, playlist, segments), as a gateway
/// holds them; the blocks' folder.
pub(crate) fn blocks(
    package: &paratii_companion::media::Package,
    root: &Path,
) -> std::path::PathBuf {
    let blocks = root.join("ipfs");
    std::fs::create_dir_all(&blocks).unwrap();
    let put = |cid: paratii_companion::media::Cid, file: &str| {
        std::fs::copy(package.dir.join(file), blocks.join(cid.to_string())).unwrap();
    };
    put(package.metadata_cid, paratii_companion::media::METADATA);
    put(package.metadata.playlist, paratii_companion::media::PLAYLIST);
    for s in &package.metadata.segments {
        put(s.cid, &s.uri);
    }
    blocks
}
