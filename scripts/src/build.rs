//! Building the suite's deployable WASM: `cargo build` of the contract crates for
//! `wasm32-unknown-unknown` (release, `--locked`, source paths remapped, the linker's
//! relocations kept), then [`crate::panic_paths::cut`] (the panic paths and the data only they
//! use), [`crate::wasm::deployable`] and binaryen's `wasm-opt` ([`optimise`]: kept only where it
//! makes the on-chain code smaller) on each, written to `target/wasm/<dir>.wasm`.
//!
//! One implementation for its callers: `paratii-build wasm`, and the build scripts of
//! paratii-test (the WASM its tests deploy) and paratii-companion (the WASM `paratii demo`
//! deploys), through [`build_script`], so that a plain `cargo test` works on a fresh clone.
//! Both compile into their own target directory, [`TARGET_DIR`]: a build script runs while the
//! outer cargo holds the lock of `target/`, so a nested cargo on the same directory would wait
//! for ever. Sharing one directory between the two callers also means the second finds the first
//! one's work up to date, and the bytes are the same whichever built them.

use std::{
    fmt, fs, io,
    path::{Path, PathBuf},
    process::{Command, ExitStatus},
};

use crate::{panic_paths, suite::Contract, wasm};

/// Where the contract crates are compiled, relative to the workspace root.
pub const TARGET_DIR: &str = "target/wasm-build";

/// Where the deployable modules are written, relative to the workspace root.
pub const OUT_DIR: &str = "target/wasm";

/// Why the deployable WASM could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// Cargo could not be started.
    Spawn {
        /// The cargo program tried.
        cargo: String,
        /// The I/O error.
        error: io::Error,
    },
    /// `cargo build` failed (its diagnostics went to stderr).
    Cargo {
        /// Its arguments.
        args: String,
        /// How it exited.
        status: ExitStatus,
    },
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: io::Error,
    },
    /// binaryen's `wasm-opt` is missing or failed.
    Optimiser {
        /// The contract's directory.
        contract: &'static str,
        /// What went wrong.
        error: String,
    },
    /// rustc's module could not be made deployable.
    Deployable {
        /// The contract's directory.
        contract: &'static str,
        /// What went wrong.
        error: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spawn { cargo, error } => write!(f, "cannot run {cargo}: {error}"),
            Self::Cargo { args, status } => write!(f, "`cargo {args}` failed ({status})"),
            Self::Io { path, error } => write!(f, "{}: {error}", path.display()),
            Self::Deployable { contract, error } => {
                write!(f, "{contract} cannot be made deployable: {error}")
            }
            Self::Optimiser { contract, error } => write!(f, "wasm-opt on {contract}: {error}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// A contract's deployable module.
#[derive(Debug, Clone)]
pub struct Deployable {
    /// The contract.
    pub contract: &'static Contract,
    /// Where it was written, relative to the workspace root (`target/wasm/<dir>.wasm`).
    pub path: String,
    /// The module's bytes.
    pub module: Vec<u8>,
    /// The on-chain code ([`wasm::stylus_code`]), written beside the module as
    /// `target/wasm/<dir>.code`: what `scripts/deploy` deploys.
    pub code: Vec<u8>,
}

/// Builds `contracts` of the workspace at `root` and writes each deployable module to
/// [`OUT_DIR`], with its on-chain code beside it (a file whose bytes are already those is left
/// untouched, so its timestamp only moves when the module changes).
///
/// # Errors
/// [`BuildError`] naming the step that failed.
pub fn deployables(
    root: &Path,
    contracts: &[&'static Contract],
) -> Result<Vec<Deployable>, BuildError> {
    let target_dir = root.join(TARGET_DIR);
    let mut args: Vec<String> = [
        "build",
        "--locked",
        "--release",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--target-dir",
    ]
    .map(String::from)
    .into();
    args.push(target_dir.display().to_string());
    for c in contracts {
        args.extend(["-p".into(), c.package.into()]);
    }
    args.extend(["--config".into(), remap_paths_config(root)]);
    // The linker's relocations and symbols stay in the module, one data segment per input
    // section, for `panic_paths::cut` (which drops them with the other custom sections).
    args.extend(["--config".into(), "profile.release.strip=false".into()]);
    cargo(root, &args)?;
    let out_dir = root.join(OUT_DIR);
    fs::create_dir_all(&out_dir)
        .map_err(|error| BuildError::Io { path: out_dir.clone(), error })?;
    let mut built = Vec::with_capacity(contracts.len());
    for &contract in contracts {
        let raw_path =
            target_dir.join(format!("wasm32-unknown-unknown/release/{}.wasm", contract.lib));
        let raw = fs::read(&raw_path).map_err(|error| BuildError::Io { path: raw_path, error })?;
        let (cut, _) = panic_paths::cut(&raw)
            .map_err(|e| BuildError::Deployable { contract: contract.dir, error: e.to_string() })?;
        let module = wasm::deployable(&cut)
            .map_err(|e| BuildError::Deployable { contract: contract.dir, error: e.to_string() })?;
        let module = optimise(root, contract.dir, module)?;
        let code = wasm::stylus_code(&module);
        for (ext, bytes) in [("wasm", &module), ("code", &code)] {
            let path = out_dir.join(format!("{}.{ext}", contract.dir));
            if fs::read(&path).ok().as_deref() != Some(&bytes[..]) {
                // Written beside and renamed into place: another build script reading it at the
                // same time sees the old bytes or the new, never a part.
                let partial = path.with_extension(format!("{ext}.{}", std::process::id()));
                fs::write(&partial, bytes)
                    .and_then(|()| fs::rename(&partial, &path))
                    .map_err(|error| BuildError::Io { path: path.clone(), error })?;
            }
        }
        built.push(Deployable {
            contract,
            path: format!("{OUT_DIR}/{}.wasm", contract.dir),
            module,
            code,
        });
    }
    Ok(built)
}

/// The binaryen release whose `wasm-opt` every deployable module goes through (npm
/// `binaryen`, pinned in `tools/package.json`, installed by `scripts/setup.sh`).
pub const WASM_OPT: &str = "tools/node_modules/binaryen/bin/wasm-opt";

/// `wasm-opt`'s flags: size-first optimisation, and only the features Stylus accepts (no
/// multi-value, no reference types).
pub const WASM_OPT_FLAGS: &[&str] = &[
    "-Oz",
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--disable-multivalue",
    "--disable-reference-types",
];

/// `module` through binaryen's `wasm-opt` ([`WASM_OPT`], [`WASM_OPT_FLAGS`]) and
/// [`wasm::deployable`] again, when that makes the on-chain code (brotli) smaller and leaves the
/// initial memory (the data, which Nitro prices per byte on every entry) as it was; `module`
/// itself otherwise. `wasm-opt` inlines (fewer functions, cheaper uncached entries) and shrinks
/// code; the registry is the module it does not shrink.
///
/// # Errors
/// [`BuildError::Optimiser`] when node or `wasm-opt` is missing (run `scripts/setup.sh`) or
/// fails; never silently skipped, so the bytes never depend on what happens to be installed.
pub fn optimise(
    root: &Path,
    contract: &'static str,
    module: Vec<u8>,
) -> Result<Vec<u8>, BuildError> {
    let fail = |error: String| BuildError::Optimiser { contract, error };
    let tool = root.join(WASM_OPT);
    if !tool.exists() {
        return Err(fail(format!("{} is missing: run scripts/setup.sh", tool.display())));
    }
    let dir = root.join(TARGET_DIR).join("wasm-opt");
    fs::create_dir_all(&dir).map_err(|error| BuildError::Io { path: dir.clone(), error })?;
    // Per process: the build scripts of two crates may optimise the same contract at once.
    let pid = std::process::id();
    let (input, output) = (
        dir.join(format!("{contract}.{pid}.in.wasm")),
        dir.join(format!("{contract}.{pid}.out.wasm")),
    );
    fs::write(&input, &module).map_err(|error| BuildError::Io { path: input.clone(), error })?;
    let done = Command::new("node")
        .arg(&tool)
        .args(WASM_OPT_FLAGS)
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .map_err(|e| fail(format!("cannot run node (needed for {WASM_OPT}): {e}")))?;
    if !done.status.success() {
        return Err(fail(format!(
            "{} ({})",
            String::from_utf8_lossy(&done.stderr).trim(),
            done.status
        )));
    }
    let optimised =
        fs::read(&output).map_err(|error| BuildError::Io { path: output.clone(), error })?;
    let _ = (fs::remove_file(&input), fs::remove_file(&output));
    let optimised = wasm::deployable(&optimised).map_err(|e| fail(e.to_string()))?;
    let image = |m: &[u8]| wasm::initial_memory(m).map_err(|e| fail(e.to_string()));
    let smaller = wasm::brotli(&optimised).len() < wasm::brotli(&module).len();
    Ok(if smaller && image(&optimised)? == image(&module)? { optimised } else { module })
}

/// Runs cargo (the one running us, when cargo runs us) in `root` with `args`. What cargo hands a
/// build script (`RUSTC` as a full path, the host's `RUSTFLAGS` / `CARGO_ENCODED_RUSTFLAGS`, and
/// under `cargo clippy` its `RUSTC_WORKSPACE_WRAPPER`) is not passed on: the WASM build takes its
/// flags from the workspace's `.cargo` settings and `--config`, and any of these would change
/// the fingerprints, so the build script and `paratii-build wasm` would rebuild each other's
/// work.
fn cargo(root: &Path, args: &[String]) -> Result<(), BuildError> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(root)
        .env_remove("RUSTC")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .map_err(|error| BuildError::Spawn { cargo: cargo.clone(), error })?;
    if status.success() {
        Ok(())
    } else {
        Err(BuildError::Cargo { args: args.join(" "), status })
    }
}

/// A `--config` value adding `--remap-path-prefix` flags (cargo appends them to the workspace's
/// wasm flags): the workspace and every crates.io source directory map to relative paths, so
/// nothing this machine's paths reach the module and the WASM is the same on every machine. And
/// the linker flags [`crate::panic_paths::cut`] needs: `--emit-relocs` and
/// `--no-merge-data-segments`.
fn remap_paths_config(root: &Path) -> String {
    let mut prefixes = vec![format!("{}/", root.display())];
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    if let Some(Ok(entries)) = cargo_home.map(|home| fs::read_dir(home.join("registry/src"))) {
        let mut sources: Vec<String> =
            entries.filter_map(Result::ok).map(|e| format!("{}/", e.path().display())).collect();
        sources.sort();
        prefixes.extend(sources);
    }
    let mut flags: Vec<String> =
        prefixes.iter().map(|p| format!("'--remap-path-prefix={p}='")).collect();
    flags.extend([
        "'-Clink-arg=--emit-relocs'".into(),
        "'-Clink-arg=--no-merge-data-segments'".into(),
    ]);
    format!("target.wasm32-unknown-unknown.rustflags=[{}]", flags.join(","))
}

/// What a build script of a crate that deploys the suite runs: rebuilds the deployable WASM of
/// every contract when a source it depends on changed, and sets `PARATII_WASM_DIR` (the absolute
/// path of [`OUT_DIR`]) for the crate's `env!`.
///
/// `crate_dir` is the calling crate's directory, directly inside the workspace root.
///
/// # Errors
/// [`BuildError`] naming the step that failed.
pub fn build_script(crate_dir: &Path) -> Result<(), BuildError> {
    let root = crate_dir.parent().unwrap_or(crate_dir);
    let mut watched: Vec<String> = [
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
        "rust-toolchain.toml",
        "common/src",
        "common/Cargo.toml",
        "contracts/src",
        "contracts/sol",
        "contracts/Cargo.toml",
        "tools/package-lock.json",
    ]
    .map(String::from)
    .into();
    for c in crate::suite::CONTRACTS {
        watched.push(format!("{}/src", c.dir));
        watched.push(format!("{}/Cargo.toml", c.dir));
        watched.push(format!("{OUT_DIR}/{}.wasm", c.dir));
    }
    for path in watched {
        println!("cargo:rerun-if-changed={}", root.join(path).display());
    }
    println!("cargo:rustc-env=PARATII_WASM_DIR={}", root.join(OUT_DIR).display());
    let contracts: Vec<_> = crate::suite::CONTRACTS.iter().collect();
    deployables(root, &contracts).map(|_| ())
}
