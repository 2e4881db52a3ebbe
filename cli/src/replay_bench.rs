//! `dojo bench replay`: full-replay throughput into every read model, and time-travel seek
//! latency with snapshots against folding from zero, measured in the same run.

use dojo_engine::projection::{HistoryEntry, ReadModels};
use dojo_engine::rng::SeededRng;
use dojo_engine::timetravel::Timeline;
use dojo_engine::workload::insurance_entries;
use std::time::Instant;

#[derive(clap::Args)]
pub struct ReplayArgs {
    /// History length.
    #[arg(long, default_value_t = 1_000_000)]
    events: usize,
    /// Snapshot interval, in events.
    #[arg(long, default_value_t = 1000)]
    interval: usize,
    /// Random seeks measured with snapshots.
    #[arg(long, default_value_t = 500)]
    seeks: usize,
    /// Random seeks measured by folding from zero (each can take a second at 1M events).
    #[arg(long, default_value_t = 15)]
    baseline_seeks: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

/// Resident memory of this process in MB, from /proc (Linux); None elsewhere.
fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn time_seeks(positions: &[u64], mut seek: impl FnMut(u64) -> u64) -> Vec<f64> {
    let mut ms: Vec<f64> = positions
        .iter()
        .map(|&p| {
            let start = Instant::now();
            let got = seek(p);
            let elapsed = start.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(got, p, "a seek must land where it was asked");
            elapsed
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    ms
}

pub fn run(args: &ReplayArgs) -> Result<(), String> {
    if args.events == 0 {
        return Err("--events must be at least 1".into());
    }
    let before = rss_mb();
    let start = Instant::now();
    let history: Vec<HistoryEntry> = insurance_entries(args.events, args.seed);
    eprintln!(
        "generated {} events in {:.2}s",
        history.len(),
        start.elapsed().as_secs_f64()
    );
    let after_history = rss_mb();

    // Full replay into every read model, three times; the median is reported.
    let mut replays = Vec::new();
    let mut models = ReadModels::default();
    for _ in 0..3 {
        models = ReadModels::default();
        let start = Instant::now();
        for entry in &history {
            models.apply(entry);
        }
        replays.push(history.len() as f64 / start.elapsed().as_secs_f64());
    }
    replays.sort_by(f64::total_cmp);
    let replay = replays[1];

    let start = Instant::now();
    let mut timeline = Timeline::new(args.interval);
    for entry in &history {
        timeline.append(entry.at_ms, entry.event.clone());
    }
    let build_s = start.elapsed().as_secs_f64();
    let after_timeline = rss_mb();
    if timeline.head().read_models != models {
        return Err("the timeline's head differs from a plain replay".into());
    }

    let mut rng = SeededRng::new(args.seed ^ 0x5eed);
    let n = history.len() as u64;
    let positions: Vec<u64> = (0..args.seeks.max(1)).map(|_| 1 + rng.below(n)).collect();
    let with = time_seeks(&positions, |p| timeline.state_at(p).position);
    let without = time_seeks(
        &positions[..args.baseline_seeks.clamp(1, positions.len())],
        |p| timeline.fold_from_zero(p).position,
    );
    let (p50, p95) = (percentile(&with, 0.5), percentile(&with, 0.95));
    let (b50, b95) = (percentile(&without, 0.5), percentile(&without, 0.95));

    println!("| measure | value |");
    println!("|---|---:|");
    println!("| events | {} |", history.len());
    println!(
        "| full replay into all 4 read models | {replay:.0} events/s ({:.3} s) |",
        history.len() as f64 / replay
    );
    println!("| timeline build (read models + aggregates + a snapshot every {} events) | {build_s:.3} s |", args.interval);
    println!(
        "| seek with snapshots ({} random positions) | median {p50:.3} ms, p95 {p95:.3} ms |",
        with.len()
    );
    println!(
        "| seek by folding from zero ({} positions) | median {b50:.1} ms, p95 {b95:.1} ms |",
        without.len()
    );
    println!("| p95 speed-up | {:.0}× |", b95 / p95.max(1e-9));
    if let (Some(b), Some(h), Some(t)) = (before, after_history, after_timeline) {
        println!("| memory: history | {:.0} MB |", h - b);
        println!("| memory: timeline with snapshots | {:.0} MB |", t - h);
    }
    let label = format!("{}-events", history.len());
    println!(
        "{}",
        serde_json::json!({"bench": format!("replay/full/{label}"), "value": replay.round(), "unit": "events/s"})
    );
    println!(
        "{}",
        serde_json::json!({"bench": format!("replay/seek-p95/{label}"), "value": (p95 * 1000.0).round() / 1000.0, "unit": "ms",
            "baseline": "fold-from-zero", "baseline_value": (b95 * 10.0).round() / 10.0, "ratio": (b95 / p95.max(1e-9)).round()})
    );
    println!(
        "{}",
        serde_json::json!({"bench": format!("replay/seek-median/{label}"), "value": (p50 * 1000.0).round() / 1000.0, "unit": "ms",
            "baseline": "fold-from-zero", "baseline_value": (b50 * 10.0).round() / 10.0, "ratio": (b50 / p50.max(1e-9)).round()})
    );
    if let (Some(b), Some(t)) = (before, after_timeline) {
        println!(
            "{}",
            serde_json::json!({"bench": format!("replay/memory/{label}"), "value": (t - b).round(), "unit": "MB"})
        );
    }
    Ok(())
}
