//! `cargo run -p paratii-test --bin gas-report [-- --json]`: deploys the suite's deployable
//! WASM on the devnet and prints the gas of each journey, with the programs' entries priced
//! uncached and cached, against the Solidity baselines of `test/gas-baselines.json`, and judges
//! the targets. The journeys, their anchors and the targets are declared in
//! [`paratii_test::gas`]; this binary sets up the state each journey runs in.
//!
//! "execution" is L2 execution gas after refunds (no intrinsic gas, no L1 data fee, as
//! `OpenZeppelin`'s Stylus benchmarks report it); "total" adds the intrinsic 21,000 + calldata gas
//! so it compares with an Ethereum receipt's `gasUsed`.

use std::process::ExitCode;

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::{eip712_domain, SolCall, SolStruct, SolValue};
use paratii_contracts::{
    channels::{CloseAuthorization, Voucher},
    signing::Signer,
    token::Permit,
    user_registry::Vote,
};
use paratii_devnet::Devnet;
use paratii_test::{
    gas::{journeys as j, json_report, text_report, Baselines, Meter},
    interfaces::{
        IParatiiAvatar, IParatiiRegistry, IParatiiToken,
        IPaymentChannels::{self, Channel, SettleItem},
        ISendEther, IUserRegistry, IVideoRegistry, IVideoStore,
    },
    Suite, PTI,
};

pub(crate) const BOB: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
pub(crate) const CAROL: Address = address!("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");

pub(crate) fn wasm(dir: &str) -> Result<Vec<u8>, String> {
    paratii_test::wasm(dir).map_err(|e| e.to_string())
}

/// Sends `call` from `from`, which must succeed (setup steps).
pub(crate) fn send_typed<C: SolCall>(
    net: &Devnet,
    to: Address,
    from: Address,
    call: &C,
) -> Result<(), String> {
    net.send_receipt(from, to, call).map(|_| ()).map_err(|e| format!("setup call failed: {e}"))
}

mod channels;
mod purchase;
mod single;

fn main() -> ExitCode {
    let json = std::env::args().any(|a| a == "--json");
    let mut meter = Meter::new();
    let report = single::journeys(&mut meter)
        .and_then(|()| purchase::purchase_journeys(&mut meter))
        .and_then(|()| channels::channel_journeys(&mut meter))
        .and_then(|()| {
            let measured = meter.finish();
            let baselines = Baselines::committed()?;
            if json {
                json_report(&measured, &baselines).map(|v| {
                    serde_json::to_string_pretty(&v).expect("a JSON value should serialise")
                })
            } else {
                text_report(&measured, &baselines).map(|t| t.trim_end().to_owned())
            }
        });
    match report {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
