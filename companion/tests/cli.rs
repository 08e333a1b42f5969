//! The `paratii` CLI end to end on the local chain it runs in-process (its state kept in
//! `$PARATII_HOME/devnet.json` between commands, as a user's would be): deploy, fund, register
//! and buy a video, a channel from open to the watchtower's close, and the refusals a user meets.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

use serde_json::Value;

const PRODUCER: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // development account 1
const VIEWER: &str = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"; // development account 2

struct Cli {
    home: PathBuf,
    _work: tempfile::TempDir,
}

impl Cli {
    fn new(name: &str) -> Self {
        let work =
            tempfile::Builder::new().prefix(&format!("paratii-cli-{name}-")).tempdir().unwrap();
        Self { home: work.path().to_path_buf(), _work: work }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_paratii"));
        command
            .env("PARATII_HOME", &self.home)
            .env_remove("ETH_RPC_URL")
            .env_remove("ETH_KEYSTORE")
            .env_remove("ETH_PASSWORD")
            .arg("--json")
            .args(args);
        command
    }

    fn output(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.unwrap_or_default().as_bytes()).unwrap();
        drop(input);
        child.wait_with_output().unwrap()
    }

    /// Runs a command that must succeed; its JSON answer (the last line of standard output).
    fn ok(&self, args: &[&str]) -> Value {
        self.ok_with(args, None)
    }

    fn ok_with(&self, args: &[&str], stdin: Option<&str>) -> Value {
        let out = self.output(args, stdin);
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success(),
            "paratii {args:?} failed: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_str(stdout.lines().last().unwrap()).unwrap()
    }

    /// Runs a command that must fail; its error message.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.output(args, None);
        assert_eq!(out.status.code(), Some(1), "paratii {args:?} should fail");
        let stdout = String::from_utf8(out.stdout).unwrap();
        let answer: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
        answer["error"].as_str().unwrap().to_owned()
    }

    fn path(&self, name: &str) -> String {
        self.home.join(name).display().to_string()
    }
}

fn s(v: &Value) -> String {
    v.as_str().unwrap().to_owned()
}

/// The viewer signs 6 vouchers; the producer's intake accepts them, refusing a replay and a
/// malformed line.
fn sign_and_accept(cli: &Cli, id: &str) {
    let signed = cli.output(
        &["channel", "sign", id, "6", "--dev-account", "2", "--store", &cli.path("viewer.db")],
        None,
    );
    assert!(signed.status.success());
    let lines: Vec<String> = String::from_utf8(signed.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with(char::is_numeric))
        .map(|l| format!("{id} {l}"))
        .collect();
    assert_eq!(lines.len(), 6);
    let stream = format!("{}\n{}\nnot a voucher\n", lines.join("\n"), lines[5]);
    let out =
        cli.output(&["channel", "accept", "--store", &cli.path("producer.db")], Some(&stream));
    let answers = String::from_utf8(out.stdout).unwrap();
    let answers: Vec<&str> = answers.lines().collect();
    assert_eq!(
        answers[..6],
        ["accepted 1", "accepted 2", "accepted 3", "accepted 4", "accepted 5", "accepted 6"]
    );
    assert!(
        answers[6].starts_with("refused") && answers[6].contains("not above"),
        "{}",
        answers[6]
    );
    assert!(answers[7].starts_with("refused malformed line"), "{}", answers[7]);
}

#[test]
fn channel_lifecycle_runs_through_the_cli_on_the_persistent_local_chain() {
    let cli = Cli::new("lifecycle");
    let deployed = cli.ok(&["deploy", "--dev-account", "0"]);
    assert!(Path::new(&s(&deployed["record"])).exists());
    assert_eq!(deployed["steps"].as_array().unwrap().len(), 18);
    // Each command restarts the local chain from its state file: the deployment is still there.
    cli.ok(&["pti", "transfer", VIEWER, "1000000", "--dev-account", "0"]);
    assert_eq!(cli.ok(&["pti", "balance", VIEWER])["pti"], "1000000");
    let digest = format!("0x{}", "11".repeat(32));
    let video = cli.ok(&[
        "video",
        "register",
        "--salt",
        "clip",
        "--price",
        "1000",
        "--original",
        &digest,
        "--dev-account",
        "1",
    ]);
    let video_id = s(&video["id"]);
    assert_eq!(cli.ok(&["video", "buy", &video_id, "--dev-account", "2"])["price"], "1000");
    let opened = cli.ok(&[
        "channel",
        "open",
        "--payee",
        PRODUCER,
        "--video",
        &video_id,
        "--price",
        "100",
        "--deposit",
        "2000",
        "--dev-account",
        "2",
        "--store",
        &cli.path("viewer.db"),
    ]);
    let (id, salt) = (s(&opened["id"]), s(&opened["salt"]));
    let incoming = cli.ok(&[
        "channel",
        "incoming",
        "--payer",
        VIEWER,
        "--video",
        &video_id,
        "--price",
        "100",
        "--salt",
        &salt,
        "--dev-account",
        "1",
        "--store",
        &cli.path("producer.db"),
    ]);
    assert_eq!(
        (incoming["deposit"].as_str(), incoming["role"].as_str()),
        (Some("2000"), Some("payee"))
    );
    sign_and_accept(&cli, &id);
    // The viewer asks to close; one watchtower pass closes with the best voucher.
    cli.ok(&[
        "channel",
        "request-close",
        &id,
        "--dev-account",
        "2",
        "--store",
        &cli.path("viewer.db"),
    ]);
    let pass = cli.ok(&[
        "watchtower",
        "--once",
        "--dev-account",
        "1",
        "--store",
        &cli.path("producer.db"),
    ]);
    assert_eq!(pass["closed"], serde_json::json!([id]));
    let status = cli.ok(&[
        "channel",
        "status",
        &id,
        "--dev-account",
        "2",
        "--store",
        &cli.path("viewer.db"),
    ]);
    let channel = &status["channels"][0];
    assert_eq!(
        (channel["finalized"].as_bool(), channel["settled"].as_u64()),
        (Some(true), Some(6))
    );
    // 700 from the sale (its pool share went to the avatar) and 6 × 100 from the channel.
    assert_eq!(cli.ok(&["pti", "balance", PRODUCER])["pti"], "1300");
}

#[test]
fn commands_fail_with_a_clear_message_on_bad_input() {
    let cli = Cli::new("refusals");
    let missing = cli.fails(&["channel", "status", "--dev-account", "0"]);
    assert!(
        missing.contains("deployment record") && missing.contains("paratii deploy"),
        "{missing}"
    );
    let no_key = cli.fails(&["deploy"]);
    assert!(no_key.contains("--keystore"), "{no_key}");
    cli.ok(&["deploy", "--dev-account", "0"]);
    let unknown = format!("0x{}", "ab".repeat(32));
    let stranger = cli.fails(&["channel", "settle", &unknown, "--dev-account", "0"]);
    assert!(
        stranger.contains("unknown channel") || stranger.contains("not in the store"),
        "{stranger}"
    );
    let password = cli.home.join("pw");
    std::fs::write(&password, "right\n").unwrap();
    let keys = cli.home.join("keys");
    cli.ok(&[
        "keys",
        "new",
        "me",
        "--keystore-dir",
        keys.to_str().unwrap(),
        "--password-file",
        password.to_str().unwrap(),
    ]);
    std::fs::write(&password, "wrong\n").unwrap();
    let wrong = cli.fails(&[
        "pti",
        "balance",
        "--keystore",
        "me",
        "--keystore-dir",
        keys.to_str().unwrap(),
        "--password-file",
        password.to_str().unwrap(),
    ]);
    assert!(wrong.contains("wrong password"), "{wrong}");
    let bad_config = cli.home.join("config.toml");
    std::fs::write(&bad_config, "rpc-url = 5\n").unwrap();
    let config = cli.fails(&["pti", "balance", "--dev-account", "0"]);
    assert!(config.contains("config.toml"), "{config}");
    std::fs::remove_file(&bad_config).unwrap();
    let garbage_endpoint =
        cli.fails(&["pti", "balance", "--rpc-url", "http://127.0.0.1:9", "--dev-account", "0"]);
    assert!(garbage_endpoint.contains("eth_chainId"), "{garbage_endpoint}");
}

#[test]
fn video_package_registers_the_package_digests_on_chain() {
    let cli = Cli::new("package");
    let clip = cli.home.join("clip.mp4");
    let made = Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc=duration=6:size=320x240:rate=25")
        .args(["-c:v", "libx264"])
        .arg(&clip)
        .status()
        .expect("ffmpeg should run (CI installs Debian's ffmpeg)");
    assert!(made.success());
    // Offline: no chain is needed to package.
    let offline = cli.ok(&["video", "package", &cli.path("clip.mp4"), "--out", &cli.path("a")]);
    assert_eq!(offline["segments"], 3);
    assert!(offline.get("id").is_none());
    assert!(!cli.home.join("devnet.json").exists(), "packaging alone starts no chain");
    cli.ok(&["deploy", "--dev-account", "0"]);
    let registered = cli.ok(&[
        "video",
        "package",
        &cli.path("clip.mp4"),
        "--out",
        &cli.path("b"),
        "--price",
        "1000",
        "--dev-account",
        "1",
    ]);
    // The same source packages to the same bytes, so the same digests.
    for field in ["original", "transcoded", "metadata", "metadataCid"] {
        assert_eq!(registered[field], offline[field], "{field}");
    }
    let metadata = std::fs::read(cli.home.join("b/metadata.json")).unwrap();
    let digest = alloy_primitives::B256::from_slice(&sha256(&metadata)).to_string();
    assert_eq!(s(&registered["metadata"]), digest);
    cli.ok(&["pti", "transfer", VIEWER, "5000", "--dev-account", "0"]);
    let bought = cli.ok(&["video", "buy", &s(&registered["id"]), "--dev-account", "2"]);
    assert_eq!(bought["price"], "1000");
    let missing = cli.fails(&["video", "package", &cli.path("absent.mp4")]);
    assert!(missing.contains("absent.mp4"), "{missing}");
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}
