//! Builds the suite's deployable WASM (`target/wasm/<dir>.wasm`) that this crate's suite harness,
//! tests, gas report and benchmark deploy, so a plain `cargo test` works on a fresh clone
//! ([`paratii_build::build::build_script`]).

fn main() {
    let manifest =
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo should set CARGO_MANIFEST_DIR");
    if let Err(e) = paratii_build::build::build_script(std::path::Path::new(&manifest)) {
        panic!("building the suite's deployable WASM failed: {e}");
    }
}
