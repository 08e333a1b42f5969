//! Builds the suite's deployable WASM (`target/wasm/<dir>.wasm`) that this crate's suite harness,
//! tests, gas report and benchmark deploy, so a plain `cargo test` works on a fresh clone. The
//! work is `paratii-build wasm`'s ([`paratii_build::build::deployables`]), in its own target
//! directory (a nested cargo on `target/` would wait for ever on the lock the outer cargo holds),
//! so whichever runs second finds the other's work up to date and the bytes are the same.

use std::path::Path;

use paratii_build::{build, suite::CONTRACTS};

fn main() {
    let manifest =
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo should set CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).parent().expect("paratii-test should be inside the workspace");
    let mut watched = vec![
        "Cargo.toml".to_owned(),
        "Cargo.lock".to_owned(),
        ".cargo/config.toml".to_owned(),
        "rust-toolchain.toml".to_owned(),
        "common/src".to_owned(),
        "common/Cargo.toml".to_owned(),
        "contracts/src".to_owned(),
        "contracts/sol".to_owned(),
        "contracts/Cargo.toml".to_owned(),
    ];
    for c in CONTRACTS {
        watched.push(format!("{}/src", c.dir));
        watched.push(format!("{}/Cargo.toml", c.dir));
        watched.push(format!("{}/{}.wasm", build::OUT_DIR, c.dir));
    }
    for path in watched {
        println!("cargo:rerun-if-changed={}", root.join(path).display());
    }
    println!("cargo:rustc-env=PARATII_WASM_DIR={}", root.join(build::OUT_DIR).display());
    let contracts: Vec<_> = CONTRACTS.iter().collect();
    if let Err(e) = build::deployables(root, &contracts) {
        panic!("building the suite's deployable WASM failed: {e}");
    }
}
