//! `paratii serve` and `paratii watch` as separate processes against one local node, with
//! ffmpeg as the player: the whole pay-per-segment path a user runs, from packaging to the close.

mod common;

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

use paratii_devnet::node::{NodeConfig, RunningNode};
use serde_json::Value;

const VIEWER: &str = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"; // development account 2

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for_port(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_mins(1);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "the process exited before listening");
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

struct Cli<'a> {
    home: &'a Path,
    rpc: String,
}

impl Cli<'_> {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_paratii"));
        // In the temporary home: a relative path (the deployment record of a node not on the
        // default address) lands there, not in the source tree.
        command
            .current_dir(self.home)
            .env("PARATII_HOME", self.home)
            .env_remove("ETH_KEYSTORE")
            .env_remove("ETH_PASSWORD")
            .env("ETH_RPC_URL", &self.rpc)
            .arg("--json")
            .args(args);
        command
    }

    fn ok(&self, args: &[&str]) -> Value {
        answer(&self.command(args).output().unwrap(), args)
    }
}

fn answer(out: &Output, args: &[&str]) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "paratii {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
}

/// A `seconds`-long clip packaged and registered by the producer (development account 1): the
/// video id and the package folder.
fn package(cli: &Cli<'_>, dir: &Path, seconds: u32) -> (String, String) {
    let clip = dir.join("clip.mp4");
    let made = Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc=duration={seconds}:size=320x240:rate=25"))
        .args(["-c:v", "libx264"])
        .arg(&clip)
        .status()
        .unwrap();
    assert!(made.success());
    let pkg = dir.join("pkg");
    let (clip, pkg_dir) = (clip.display().to_string(), pkg.display().to_string());
    let video = cli.ok(&[
        "video",
        "package",
        &clip,
        "--out",
        &pkg_dir,
        "--price",
        "0",
        "--dev-account",
        "1",
    ]);
    let id = video["id"].as_str().unwrap().to_owned();

    (id, pkg_dir)
}

#[test]
fn ffmpeg_watches_through_paratii_watch_and_paratii_serve_closes_for_every_segment() {
    let dir = tempfile::tempdir().unwrap();
    let node = RunningNode::start(&NodeConfig {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ..NodeConfig::default()
    })
    .unwrap();
    let cli = Cli { home: dir.path(), rpc: node.url() };
    cli.ok(&["deploy", "--dev-account", "0"]);
    cli.ok(&["pti", "transfer", VIEWER, "1000000", "--dev-account", "0"]);
    let (id, pkg_dir) = package(&cli, dir.path(), 6);

    let serve_port = free_port();
    let listen = format!("127.0.0.1:{serve_port}");
    let spec = format!("{id}={pkg_dir}");
    let mut server = cli
        .command(&[
            "serve",
            "--video",
            &spec,
            "--price-per-segment",
            "1000",
            "--listen",
            &listen,
            "--dev-account",
            "1",
            "--store",
            &dir.path().join("producer.db").display().to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_port(serve_port, &mut server);

    let watch_port = free_port();
    let source = format!("http://{listen}/videos/{id}/");
    let proxy_listen = format!("127.0.0.1:{watch_port}");
    let viewer = cli
        .command(&[
            "watch",
            &source,
            "--listen",
            &proxy_listen,
            "--idle-stop",
            "2",
            "--dev-account",
            "2",
            "--store",
            &dir.path().join("viewer.db").display().to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut viewer = viewer;
    wait_for_port(watch_port, &mut viewer);
    let out = dir.path().join("out.mp4");
    let ffmpeg = Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-i"])
        .arg(format!("http://{proxy_listen}/index.m3u8"))
        .args(["-c", "copy"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        ffmpeg.status.success() && ffmpeg.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&ffmpeg.stderr)
    );
    let watched = answer(&viewer.wait_with_output().unwrap(), &["watch"]);
    assert_eq!(watched["segments"], 3);
    assert_eq!(watched["paidSegments"], 3);
    assert_eq!(watched["spent"], "3000");
    assert_eq!(watched["closedBy"], "producer");
    // The producer stops: nothing left to close (the viewer's channel is closed already).
    let pid = i32::try_from(server.id()).unwrap();
    assert!(Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap().success());
    let stopped = answer(&server.wait_with_output().unwrap(), &["serve"]);
    assert_eq!(stopped["closed"], serde_json::json!([]));
    // On chain: the producer holds exactly 3 × 1,000 PTI wei from the session.
    let balance = cli.ok(&["pti", "balance", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]);
    assert_eq!(balance["pti"], "3000");
    assert_eq!(video_frames(&out), "150", "6 s at 25 fps: every segment is there");
    node.stop().unwrap();
}

fn video_frames(file: &Path) -> String {
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(file)
        .output()
        .unwrap();
    String::from_utf8_lossy(&probe.stdout).trim().to_owned()
}

/// The node with the suite, a viewer holding 1,000,000 PTI wei, a 10-second (5-segment) video,
/// and the addresses `serve` and `watch` listen on.
struct Stream {
    node: RunningNode,
    dir: tempfile::TempDir,
    id: String,
    pkg: String,
    serve: String,
    watch: String,
}

impl Stream {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let node = RunningNode::start(&NodeConfig {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            ..NodeConfig::default()
        })
        .unwrap();
        let cli = Cli { home: dir.path(), rpc: node.url() };
        cli.ok(&["deploy", "--dev-account", "0"]);
        cli.ok(&["pti", "transfer", VIEWER, "1000000", "--dev-account", "0"]);
        let (id, pkg) = package(&cli, dir.path(), 10);
        let serve = format!("127.0.0.1:{}", free_port());
        let watch = format!("127.0.0.1:{}", free_port());
        Self { node, dir, id, pkg, serve, watch }
    }

    fn cli(&self) -> Cli<'_> {
        Cli { home: self.dir.path(), rpc: self.node.url() }
    }

    fn store(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// `paratii ARGS`, once something listens on `listen`.
    fn spawn(&self, args: &[&str], listen: &str) -> Child {
        let mut child =
            self.cli().command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        wait_for_port(listen.rsplit(':').next().unwrap().parse().unwrap(), &mut child);
        child
    }

    /// `paratii serve` for the video on its address, storing in `producer.db`.
    fn serve(&self) -> Child {
        let spec = format!("{}={}", self.id, self.pkg);
        self.serve_with(&["--video", &spec])
    }

    /// `paratii serve` with `video` (the `--video` and `--gateway` arguments).
    fn serve_with(&self, video: &[&str]) -> Child {
        let store = self.store("producer.db");
        let mut args = vec!["serve", "--price-per-segment", "1000", "--listen", &self.serve];
        args.extend(["--dev-account", "1", "--store", &store]);
        args.extend(video);
        self.spawn(&args, &self.serve)
    }

    /// `paratii watch` on its address, paying one segment ahead, storing in `viewer.db`.
    fn watch(&self) -> Child {
        let source = format!("http://{}/videos/{}/", self.serve, self.id);
        self.watch_with(&[&source, "--ahead", "1", "--store", &self.store("viewer.db")])
    }

    /// `paratii watch ARGS` as development account 2 on its address, stopping after 2 s idle.
    fn watch_with(&self, args: &[&str]) -> Child {
        self.watch_idle("2", args)
    }

    /// `paratii watch ARGS` as development account 2 on its address, stopping after `idle` s.
    fn watch_idle(&self, idle: &str, args: &[&str]) -> Child {
        let mut all = vec!["watch", "--listen", &self.watch, "--idle-stop", idle];
        all.extend(["--dev-account", "2"]);
        all.extend(args);
        self.spawn(&all, &self.watch)
    }

    /// ffmpeg copying the video through the proxy into `name`.
    fn player(&self, name: &str) -> (Child, std::path::PathBuf) {
        self.player_with(name, &[])
    }

    /// [`Self::player`] with ffmpeg's input `options` (`-re`: at playback speed).
    fn player_with(&self, name: &str, options: &[&str]) -> (Child, std::path::PathBuf) {
        let out = self.dir.path().join(name);
        let child = Command::new("ffmpeg")
            .args(["-nostdin", "-loglevel", "error", "-y"])
            .args(options)
            .arg("-i")
            .arg(format!("http://{}/index.m3u8", self.watch))
            .args(["-c", "copy"])
            .arg(&out)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        (child, out)
    }

    /// The PTI balances of the producer and the viewer.
    fn balances(&self) -> (Value, Value) {
        let cli = self.cli();
        let producer = cli.ok(&["pti", "balance", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]);
        (producer["pti"].clone(), cli.ok(&["pti", "balance", VIEWER])["pti"].clone())
    }
}

fn signal(child: &Child, name: &str) {
    let pid = child.id().to_string();
    assert!(Command::new("kill").args([name, &pid]).status().unwrap().success());
}

fn played(player: Child) {
    let out = player.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The player got all 250 frames of the 10-second video into `out`, and `watch` paid 5
/// segments (5,000 PTI wei) on a channel the producer closed.
fn played_whole_video_paid_and_closed_by_producer(player: Child, out: &Path, viewer: Child) {
    played(player);
    assert_eq!(video_frames(out), "250", "10 s at 25 fps: every segment is there");
    let watched = answer(&viewer.wait_with_output().unwrap(), &["watch"]);
    assert_eq!(watched["paidSegments"], 5);
    assert_eq!(watched["spent"], "5000");
    assert_eq!(watched["closedBy"], "producer");
}

#[test]
fn stream_loses_and_double_pays_nothing_when_producer_killed_mid_stream() {
    let stream = Stream::start();
    let mut server = stream.serve();
    let viewer = stream.watch();
    let (player, out) = stream.player("out.mp4");
    // Two segments are paid by now (one ahead of playback); the third is due at 4 s.
    std::thread::sleep(Duration::from_secs(3));
    signal(&server, "-KILL");
    server.wait().unwrap();
    std::thread::sleep(Duration::from_secs(1));
    // The same store: the channel and its vouchers are there; the proxy has been waiting.
    let server = stream.serve();
    played_whole_video_paid_and_closed_by_producer(player, &out, viewer);
    signal(&server, "-TERM");
    let stopped = answer(&server.wait_with_output().unwrap(), &["serve"]);
    assert_eq!(stopped["closed"], serde_json::json!([]));
    // Paid once for each of the five segments, and the deposit's rest back with the viewer.
    assert_eq!(stream.balances(), (Value::from("5000"), Value::from("995000")));
    stream.node.stop().unwrap();
}

#[test]
fn stream_resumes_channel_and_pays_each_segment_once_when_viewer_killed_mid_stream() {
    let stream = Stream::start();
    let server = stream.serve();
    let mut viewer = stream.watch();
    let (mut player, _) = stream.player("first.mp4");
    std::thread::sleep(Duration::from_secs(3));
    signal(&viewer, "-KILL");
    viewer.wait().unwrap();
    // The player loses its proxy; whatever it does next, it is stopped.
    let _ = player.kill();
    let _ = player.wait();
    // The viewer starts again with the same store and plays the video from the start.
    let viewer = stream.watch();
    let (player, out) = stream.player("again.mp4");
    played(player);
    assert_eq!(video_frames(&out), "250");
    let watched = answer(&viewer.wait_with_output().unwrap(), &["watch"]);
    let resumed = watched["resumedAt"].as_u64().unwrap();
    assert!((1..5).contains(&resumed), "resumed the first channel at {resumed} segments");
    assert_eq!(watched["paidSegments"], 5);
    assert_eq!(watched["spent"], "5000");
    assert_eq!(watched["closedBy"], "producer");
    signal(&server, "-TERM");
    let stopped = answer(&server.wait_with_output().unwrap(), &["serve"]);
    assert_eq!(stopped["closed"], serde_json::json!([]));
    // One channel: five segments paid once, though the first ones were fetched twice.
    assert_eq!(stream.balances(), (Value::from("5000"), Value::from("995000")));
    stream.node.stop().unwrap();
}

#[test]
fn serve_closes_channel_of_viewer_killed_mid_stream_once_it_has_been_idle() {
    let stream = Stream::start();
    let spec = format!("{}={}", stream.id, stream.pkg);
    let server =
        stream.serve_with(&["--video", &spec, "--session-idle", "2", "--watch-interval", "1"]);
    let mut viewer = stream.watch();
    let (mut player, _) = stream.player("out.mp4");
    std::thread::sleep(Duration::from_secs(3));
    // The viewer's machine dies: no close is asked for, and it never comes back.
    signal(&viewer, "-KILL");
    viewer.wait().unwrap();
    let _ = player.kill();
    let _ = player.wait();
    // Within a few rounds the server closes the channel with its best voucher: the producer is
    // paid for the segments it served, the viewer has the rest of its deposit back, and
    // nothing is lost between them.
    let mut balances = stream.balances();
    for _ in 0..300 {
        if balances.0 != "0" {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        balances = stream.balances();
    }
    let paid: u64 = balances.0.as_str().unwrap().parse().unwrap();
    let left: u64 = balances.1.as_str().unwrap().parse().unwrap();
    assert!([2_000, 3_000].contains(&paid), "2 or 3 segments served by then, paid {paid}");
    assert_eq!(paid + left, 1_000_000);
    signal(&server, "-TERM");
    let stopped = answer(&server.wait_with_output().unwrap(), &["serve"]);
    assert_eq!(stopped["closed"], serde_json::json!([]), "nothing left to close at stop");
    stream.node.stop().unwrap();
}

/// `paratii serve-ads` on `listen` as development account 0, paying 500 a segment of the clip,
/// storing in `advertiser.db`.
fn serve_ads(stream: &Stream, listen: &str) -> Child {
    let spec = format!("{}={}", stream.id, stream.pkg);
    let store = stream.store("advertiser.db");
    let mut args = vec!["serve-ads", "--video", &spec, "--pay-per-segment", "500"];
    args.extend(["--listen", listen, "--dev-account", "0", "--store", &store]);
    stream.spawn(&args, listen)
}

/// `watch --paid` played the whole ad (250 frames in `out`), was paid for its 5 segments once
/// (2,500), and the advertiser relayed the close; the viewer's balance shows the pay.
fn paid_once_for_whole_ad(stream: &Stream, player: Child, out: &Path, viewer: Child) {
    played(player);
    assert_eq!(video_frames(out), "250");
    let watched = answer(&viewer.wait_with_output().unwrap(), &["watch", "--paid"]);
    assert_eq!(watched["segments"], 5);
    assert_eq!(watched["paidSegments"], 5);
    assert_eq!(watched["earned"], "2500");
    assert_eq!(watched["closedBy"], "advertiser");
    let balance = stream.cli().ok(&["pti", "balance", VIEWER]);
    assert_eq!(balance["pti"], "1002500", "the 1,000,000 it held and 5 × 500 for the ad");
}

/// The advertiser serves the clip as an ad and `watch --paid` plays it to ffmpeg, which gets
/// the whole ad while the viewer is paid for each segment once. With `kill`, ffmpeg reads at
/// playback speed (`-re`, one 2-second segment after another) and the advertiser is killed
/// (SIGKILL) 3 s in, with the ad half watched, and started again 3 s later, over the time the
/// next segment is due, on the same store.
fn ad_played_and_paid_once(kill: bool) {
    let stream = Stream::start();
    let listen = format!("127.0.0.1:{}", free_port());
    let mut advertiser = serve_ads(&stream, &listen);
    let source = format!("http://{listen}/ads/{}/", stream.id);
    let store = stream.store("viewer-ads.db");
    let viewer = stream.watch_idle("5", &[&source, "--paid", "--store", &store]);
    let options: &[&str] = if kill { &["-re"] } else { &[] };
    let (player, out) = stream.player_with("ad.mp4", options);
    if kill {
        std::thread::sleep(Duration::from_secs(3));
        signal(&advertiser, "-KILL");
        advertiser.wait().unwrap();
        std::thread::sleep(Duration::from_secs(3));
        // The session and its vouchers are in the store; the proxy has been waiting.
        advertiser = serve_ads(&stream, &listen);
    }
    paid_once_for_whole_ad(&stream, player, &out, viewer);
    signal(&advertiser, "-TERM");
    answer(&advertiser.wait_with_output().unwrap(), &["serve-ads"]);
    stream.node.stop().unwrap();
}

#[test]
fn serve_ads_pays_viewer_for_every_segment_ffmpeg_fetched_through_watch_paid() {
    ad_played_and_paid_once(false);
}

#[test]
fn ad_viewer_is_paid_once_for_every_segment_when_advertiser_killed_mid_stream() {
    ad_played_and_paid_once(true);
}

#[test]
fn serve_streams_video_from_ipfs_gateway_by_its_registered_id() {
    let stream = Stream::start();
    // The package's blocks on a gateway; the server is given the video's id alone and finds the
    // metadata by the digest the registry holds.
    let package = paratii_companion::media::Package::open(Path::new(&stream.pkg)).unwrap();
    common::blocks(&package, &stream.dir.path().join("gw"));
    let gateway = common::Gateway::start(&stream.dir.path().join("gw"));
    let server = stream.serve_with(&["--video", &stream.id, "--gateway", &gateway.1]);
    let viewer = stream.watch();
    let (player, out) = stream.player("out.mp4");
    played(player);
    assert_eq!(video_frames(&out), "250");
    let watched = answer(&viewer.wait_with_output().unwrap(), &["watch"]);
    assert_eq!(
        (watched["paidSegments"].as_u64(), watched["closedBy"].as_str()),
        (Some(5), Some("producer"))
    );
    signal(&server, "-TERM");
    answer(&server.wait_with_output().unwrap(), &["serve"]);
    // Without a gateway, or for an id the registry does not hold: a clear error, no server.
    let cli = stream.cli();
    let unknown = format!("{:#066x}", 7);
    for (args, says) in [
        (vec!["serve", "--video", stream.id.as_str(), "--dev-account", "1"], "pass --gateway"),
        (
            vec![
                "serve",
                "--video",
                unknown.as_str(),
                "--gateway",
                gateway.1.as_str(),
                "--dev-account",
                "1",
            ],
            "VideoRegistryUnknownVideo",
        ),
    ] {
        let mut args = args;
        args.extend(["--price-per-segment", "1", "--listen", "127.0.0.1:0"]);
        let out = cli.command(&args).output().unwrap();
        assert!(!out.status.success());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(says), "{stdout}");
    }
    stream.node.stop().unwrap();
}

#[test]
fn watch_with_payer_opens_from_account_through_its_spending_key() {
    const DEVICE: &str = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"; // development account 3
    let stream = Stream::start();
    let cli = stream.cli();
    // The viewer's account lets its device spend through the avatar; the device holds no PTI.
    let spending = ["keys", "authorize", "--dev-account", "2", "spending", DEVICE];
    cli.ok(&[&spending[..], &["--cap", "1000000"]].concat());
    let server = stream.serve();
    let source = format!("http://{}/videos/{}/", stream.serve, stream.id);
    let store = stream.store("device.db");
    let device = |extra: &[&str]| {
        let mut args = vec!["watch", &source, "--payer", VIEWER, "--listen", &stream.watch];
        args.extend(["--dev-account", "3", "--store", &store]);
        args.extend(extra);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    // The device cannot approve for the account: until the account has, a typed refusal and
    // nothing sent.
    let args = device(&[]);
    let refused =
        cli.command(&args.iter().map(String::as_str).collect::<Vec<_>>()).output().unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(said.contains("lets the avatar") && said.contains("needs 5000"), "{said}");
    assert_eq!(stream.balances(), (Value::from("0"), Value::from("1000000")));

    cli.ok(&["pti", "approve", "avatar", "5000", "--dev-account", "2"]);
    let args = device(&["--idle-stop", "2"]);
    let viewer = stream.spawn(&args.iter().map(String::as_str).collect::<Vec<_>>(), &stream.watch);
    let (player, out) = stream.player("out.mp4");
    played_whole_video_paid_and_closed_by_producer(player, &out, viewer);
    signal(&server, "-TERM");
    let stopped = answer(&server.wait_with_output().unwrap(), &["serve"]);
    assert_eq!(stopped["closed"], serde_json::json!([]));
    // Paid from the account: 5 × 1,000 to the producer, the account's balance down by as much.
    assert_eq!(stream.balances(), (Value::from("5000"), Value::from("995000")));
    stream.node.stop().unwrap();
}
