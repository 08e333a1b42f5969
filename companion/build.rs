//! Builds the suite's deployable WASM (`target/wasm/<dir>.wasm`) that `paratii demo` and
//! `paratii deploy` embed and deploy, so the binary needs no build tool at run time
//! ([`paratii_build::build::build_script`]).

fn main() {
    let manifest =
        std::env::var("CARGO_MANIFEST_DIR").expect("cargo should set CARGO_MANIFEST_DIR");
    if let Err(e) = paratii_build::build::build_script(std::path::Path::new(&manifest)) {
        panic!("building the suite's deployable WASM failed: {e}");
    }
}
