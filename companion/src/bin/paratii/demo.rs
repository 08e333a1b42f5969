//! `paratii demo`: the README's main command.

use std::path::PathBuf;

use paratii_companion::demo::{self, DemoConfig, DemoReport};
use serde_json::Value;

/// Runs the demo in `dir` (a fresh folder under the system's temporary folder when `None`),
/// printing each step as it completes unless `json_out`.
pub(crate) fn run(
    dir: Option<PathBuf>,
    endpoint: Option<String>,
    segments: u64,
    json_out: bool,
) -> Result<Value, String> {
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("paratii-demo-{}", std::process::id()))
    });
    let mut config = DemoConfig::new(dir.clone());
    config.endpoint = endpoint;
    config.segments = segments;
    if config.segments == 0 || config.segments >= config.deposit_segments {
        return Err(format!(
            "--segments must be between 1 and {} (the deposit covers {})",
            config.deposit_segments - 1,
            config.deposit_segments
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // A spinner on a terminal's standard error (hidden elsewhere); each step on standard output.
    let bar = (!json_out).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar.set_message("starting the local node and deploying the suite");
        bar
    });
    let mut progress = |step: &demo::Step| {
        if let Some(bar) = &bar {
            bar.suspend(|| {
                println!("{:>9} gas  {:<22} {}", step.gas_used, step.actor, step.action);
            });
            bar.set_message(step.action.clone());
        }
    };
    let report = runtime.block_on(demo::run(&config, &mut progress)).map_err(|e| e.to_string())?;
    match bar {
        Some(bar) => {
            bar.finish_and_clear();
            print_summary(&report, &dir);
            Ok(Value::Null)
        }
        None => serde_json::to_value(&report).map_err(|e| e.to_string()),
    }
}

fn pti(wei: alloy_primitives::U256) -> String {
    let unit = alloy_primitives::U256::from(10u64).pow(alloy_primitives::U256::from(18u64));
    let whole = wei / unit;
    let frac = (wei % unit) * alloy_primitives::U256::from(10_000u64) / unit;
    format!("{whole}.{frac:0>4} PTI")
}

fn print_summary(r: &DemoReport, dir: &std::path::Path) {
    println!();
    println!(
        "chain {} at {}; keystores and channel stores in {}",
        r.chain_id,
        r.endpoint,
        dir.display()
    );
    println!(
        "pay per segment: the viewer signed {} vouchers at {} and stopped; the producer closed for {} (refund {})",
        r.session.segments,
        pti(r.session.price_per_segment),
        pti(r.session.paid),
        pti(r.session.refunded)
    );
    println!(
        "ads: the advertiser paid the viewer {} for {} segments, closed with the viewer's relayed authorisation",
        pti(r.ad.paid),
        r.ad.segments
    );
    println!("like through a posting key: {}", if r.liked { "counted" } else { "NOT counted" });
    println!(
        "batch settle: {} of {} sessions settled in one transaction ({} gas), {} stale item skipped",
        r.batch.settled,
        r.batch.good,
        r.batch.gas_used,
        r.batch.skipped.len()
    );
    println!("balances at the end:");
    for b in &r.after {
        println!("  {:<22} {}  {:>14}", b.actor, b.address, pti(b.pti));
    }
    println!(
        "PTI conserved: {} ({} of {} accounted); {:.1} s",
        r.pti_accounted == r.total_supply,
        pti(r.pti_accounted),
        pti(r.total_supply),
        r.seconds
    );
}
