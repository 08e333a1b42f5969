//! # paratii-build — from rustc's WASM to what Stylus activates
//!
//! The library behind the `paratii-build` binary, and the one implementation of the suite's
//! offline Stylus checks (the devnet validates deployments with it too):
//!
//! - [`wasm::deployable`]: round-trips rustc's module through a WASM printer and parser (as
//!   cargo-stylus does: rustc's raw output carries an overlong `call_indirect` encoding Stylus
//!   rejects), strips custom sections and packs the data segments;
//! - [`validate::validate`]: every activation rule checkable offline, each violation named by a
//!   [`validate::Rule`];
//! - [`wasm::brotli`]: the module compressed as Stylus stores it (quality 11, window 22);
//! - [`interfaces`]: the Solidity interfaces and JSON ABIs, from the SDK's `export-abi` output plus the
//!   events and named errors declared in `contracts/sol/`;
//! - [`build`]: `cargo build` of the contracts for `wasm32-unknown-unknown` and their deployable
//!   modules in `target/wasm/` (for `paratii-build wasm` and paratii-test's build script);
//! - [`suite`]: the contracts of the suite and where their pieces live.

pub mod build;
pub mod interfaces;
pub mod panic_paths;
pub mod suite;
pub mod validate;
pub mod wasm;
