//! `paratii-build`: builds the suite's deployable WASM, validates it as Stylus would, reports
//! sizes, and keeps the generated ABIs in step with the code.
//!
//! ```text
//! paratii-build wasm [--json] [CONTRACT...]   build, round-trip, strip, validate, size table
//! paratii-build validate [--json] FILE...     validate already-built modules
//! paratii-build abi [--check]                 regenerate contracts/abi (--check: fail on drift)
//! paratii-build bake CONTRACT VALUE...        bake a contract's deploy-time constants into
//!                                             target/wasm/CONTRACT.wasm: writes
//!                                             target/wasm/CONTRACT.baked.code, prints its code
//!                                             hash. The values, by contract:
//!                                               channel AVATAR TOKEN GRACE_PERIOD
//!                                               avatar TOKEN WHITELIST_DELAY
//!                                               video-store | video-registry | user-registry
//!                                                 REGISTRY
//! ```
//!
//! Exit status: 0 when everything passed, 1 on a violation or drift (naming the contract and
//! the rule), 2 on bad usage or a failed build.

use std::{
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use alloy_primitives::{keccak256, Address};
use paratii_build::{
    build, interfaces,
    suite::{self, Contract, CONTRACTS},
    validate::{self, Summary, Violation, MAX_BROTLI_BYTES},
    wasm,
};
use paratii_contracts::immutables::{
    self, AvatarImmutables, ChannelImmutables, RegistryImmutables,
};

const USAGE: &str =
    "usage: paratii-build wasm [--json] [CONTRACT...] | validate [--json] FILE... | abi [--check] \
     | bake channel AVATAR TOKEN GRACE_PERIOD | bake avatar TOKEN WHITELIST_DELAY \
     | bake (video-store | video-registry | user-registry) REGISTRY";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let check = args.iter().any(|a| a == "--check");
    let rest: Vec<&str> =
        args.iter().skip(1).map(String::as_str).filter(|a| !a.starts_with("--")).collect();
    let result = match args.first().map(String::as_str) {
        Some("wasm") => build_wasm(&rest, json),
        Some("validate") if !rest.is_empty() => validate_files(&rest, json),
        Some("abi") => export_abi(check),
        Some("bake") => bake(&rest),
        _ => Err(Failure::Usage(USAGE.into())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Rules(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(2)
        }
    }
}

enum Failure {
    /// A rule was broken or the ABIs drifted: exit 1.
    Rules(String),
    /// Bad arguments or a failed build: exit 2.
    Usage(String),
}

/// Bakes a contract's deploy-time constants (`paratii_contracts::immutables`) into its built
/// module, writes the on-chain code beside it (`<contract>.baked.code`) and prints its code
/// hash: what `scripts/deploy` deploys.
fn bake(args: &[&str]) -> Result<(), Failure> {
    let address = |what: &str, text: &str| {
        text.parse::<Address>().map_err(|e| Failure::Usage(format!("{what} {text:?}: {e}")))
    };
    let seconds = |what: &str, text: &str| {
        text.parse::<u64>().map_err(|e| Failure::Usage(format!("{what} {text:?}: {e}")))
    };
    let (contract, values) = match args {
        ["channel", avatar, token, grace] => (
            "channel",
            ChannelImmutables {
                avatar: address("avatar", avatar)?,
                token: address("token", token)?,
                grace_period: seconds("grace period", grace)?,
            }
            .encode()
            .to_vec(),
        ),
        ["avatar", token, delay] => (
            "avatar",
            AvatarImmutables {
                token: address("token", token)?,
                whitelist_delay: seconds("whitelist delay", delay)?,
            }
            .encode()
            .to_vec(),
        ),
        [contract @ ("video-store" | "video-registry" | "user-registry"), registry] => (
            *contract,
            RegistryImmutables { registry: address("registry", registry)? }.encode().to_vec(),
        ),
        _ => return Err(Failure::Usage(USAGE.into())),
    };
    let dir = root().join(build::OUT_DIR);
    let path = dir.join(format!("{contract}.wasm"));
    let mut module = fs::read(&path).map_err(|e| {
        Failure::Usage(format!("{}: {e} (run `paratii-build wasm`)", path.display()))
    })?;
    immutables::patch(&mut module, &values)
        .map_err(|e| Failure::Rules(format!("{}: {e}", path.display())))?;
    let code = wasm::stylus_code(&module);
    let out = dir.join(format!("{contract}.baked.code"));
    fs::write(&out, &code).map_err(|e| Failure::Usage(format!("{}: {e}", out.display())))?;
    println!("{}", keccak256(&code));
    Ok(())
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("should be inside the workspace").into()
}

fn cargo(args: &[&str]) -> Result<(), Failure> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| Failure::Usage(format!("cannot run {cargo}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure::Usage(format!("`cargo {}` failed ({status})", args.join(" "))))
    }
}

fn selected(names: &[&str]) -> Result<Vec<&'static Contract>, Failure> {
    if names.is_empty() {
        return Ok(CONTRACTS.iter().collect());
    }
    names
        .iter()
        .map(|n| {
            suite::find(n).ok_or_else(|| Failure::Usage(format!("unknown contract {n:?}\n{USAGE}")))
        })
        .collect()
}

/// One row of the report.
struct Row {
    name: String,
    path: String,
    raw_bytes: usize,
    /// The on-chain code's keccak, for built contracts.
    code_hash: Option<String>,
    outcome: Result<Summary, Violation>,
}

fn build_wasm(names: &[&str], json: bool) -> Result<(), Failure> {
    let contracts = selected(names)?;
    let built = build::deployables(&root(), &contracts).map_err(|e| match e {
        build::BuildError::Deployable { .. } => Failure::Rules(format!("error: {e}")),
        _ => Failure::Usage(e.to_string()),
    })?;
    let rows: Vec<Row> = built
        .into_iter()
        .map(|d| Row {
            name: d.contract.dir.into(),
            path: d.path,
            raw_bytes: d.module.len(),
            code_hash: Some(alloy_primitives::keccak256(&d.code).to_string()),
            outcome: validate::validate(&d.module),
        })
        .collect();
    report(&rows, json)
}

fn validate_files(files: &[&str], json: bool) -> Result<(), Failure> {
    let mut rows = Vec::new();
    for f in files {
        let module = fs::read(f).map_err(|e| Failure::Usage(format!("{f}: {e}")))?;
        rows.push(Row {
            name: (*f).into(),
            path: (*f).into(),
            raw_bytes: module.len(),
            code_hash: None,
            outcome: validate::validate(&module),
        });
    }
    report(&rows, json)
}

#[allow(clippy::cast_precision_loss)]
fn percent_of_limit(bytes: usize) -> f64 {
    bytes as f64 * 100.0 / MAX_BROTLI_BYTES as f64
}

fn report(rows: &[Row], json: bool) -> Result<(), Failure> {
    if json {
        let items: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| match &r.outcome {
                Ok(s) => serde_json::json!({
                    "contract": r.name, "wasm": r.path, "valid": true,
                    "raw_bytes": r.raw_bytes, "brotli_bytes": s.brotli_bytes,
                    "limit_bytes": MAX_BROTLI_BYTES,
                    "limit_percent": (percent_of_limit(s.brotli_bytes) * 10.0).round() / 10.0,
                    "functions": s.functions, "imports": s.imports,
                    "memory_pages": s.memory_pages, "data_bytes": s.data_bytes,
                    "code_hash": r.code_hash,
                }),
                Err(v) => serde_json::json!({
                    "contract": r.name, "wasm": r.path, "valid": false, "raw_bytes": r.raw_bytes,
                    "violation": { "rule": v.rule.name(), "detail": v.detail },
                }),
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&items).expect("should serialise"));
    } else {
        let mut table = format!(
            "{:<14} {:>10} {:>13} {:>11}  {}\n",
            "contract", "raw bytes", "brotli bytes", "% of 24 KiB", "activation checks"
        );
        for r in rows {
            match &r.outcome {
                Ok(s) => {
                    let _ = writeln!(
                        table,
                        "{:<14} {:>10} {:>13} {:>10.1}%  pass ({} functions, {} host imports)",
                        r.name,
                        r.raw_bytes,
                        s.brotli_bytes,
                        percent_of_limit(s.brotli_bytes),
                        s.functions,
                        s.imports.len()
                    );
                }
                Err(v) => {
                    let _ = writeln!(
                        table,
                        "{:<14} {:>10} {:>13} {:>11}  FAIL {}",
                        r.name, r.raw_bytes, "-", "-", v
                    );
                }
            }
        }
        print!("{table}");
    }
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|r| r.outcome.as_ref().err().map(|v| format!("error: {} violates {v}", r.name)))
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure::Rules(failures.join("\n")))
    }
}

fn export_abi(check: bool) -> Result<(), Failure> {
    let features: Vec<String> =
        CONTRACTS.iter().map(|c| format!("{}/export-abi", c.package)).collect();
    let features = features.join(",");
    let mut args = vec!["build", "--locked", "--quiet", "--bins", "--features", features.as_str()];
    for c in CONTRACTS {
        args.extend(["-p", c.package]);
    }
    cargo(&args)?;
    let abi_dir = root().join("contracts/abi");
    let mut drift = Vec::new();
    for c in CONTRACTS {
        let bin = root().join("target/debug").join(c.package);
        let sdk = run(&bin, &[])?;
        let constructor = run(&bin, &["constructor"])?;
        let sources: Vec<(&str, &str)> = c
            .sol_sources
            .iter()
            .map(|f| {
                paratii_contracts::SOL_SOURCES
                    .iter()
                    .find(|(name, _)| name == f)
                    .copied()
                    .ok_or_else(|| Failure::Usage(format!("{}: no contracts/sol/{f}", c.dir)))
            })
            .collect::<Result<_, _>>()?;
        let generated = interfaces::generate(&sdk, &constructor, &sources)
            .map_err(|e| Failure::Rules(format!("error: {}: {e}", c.dir)))?;
        for (ext, text) in [("sol", &generated.solidity), ("json", &generated.json)] {
            let path = abi_dir.join(format!("{}.{ext}", c.interface));
            let rel = format!("contracts/abi/{}.{ext}", c.interface);
            if check {
                if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                    drift.push(rel);
                }
            } else {
                fs::create_dir_all(&abi_dir).map_err(|e| Failure::Usage(e.to_string()))?;
                fs::write(&path, text).map_err(|e| Failure::Usage(format!("{rel}: {e}")))?;
                println!("wrote {rel}");
            }
        }
    }
    if drift.is_empty() {
        if check {
            println!("ABIs up to date ({} contracts)", CONTRACTS.len());
        }
        Ok(())
    } else {
        Err(Failure::Rules(format!(
            "error: generated ABIs differ from the committed ones: {}\n\
             run `cargo run -p paratii-build -- abi` and commit the result",
            drift.join(", ")
        )))
    }
}

fn run(bin: &Path, args: &[&str]) -> Result<String, Failure> {
    let out = Command::new(bin)
        .args(args)
        .output()
        .map_err(|e| Failure::Usage(format!("cannot run {}: {e}", bin.display())))?;
    if !out.status.success() {
        return Err(Failure::Usage(format!(
            "{} {} failed: {}",
            bin.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    String::from_utf8(out.stdout).map_err(|e| Failure::Usage(e.to_string()))
}
