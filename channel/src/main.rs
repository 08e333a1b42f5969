//! `cargo run -p paratii-channel --features export-abi` prints the Solidity interface.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]

#[cfg(not(any(test, feature = "export-abi")))]
/// Placeholder for the binary target on wasm32; the contract is the library.
#[unsafe(no_mangle)]
pub extern "C" fn main() {}

#[cfg(feature = "export-abi")]
fn main() {
    paratii_channel::print_from_args();
}
