//! `dojo bench match`: events per second of the compiled matcher against the reference
//! evaluator, measured in the same run on the same events.
//!
//! The compiled matcher runs over every event (three passes, the median reported). The
//! reference evaluator is much slower at many rules, so it runs on the first events until
//! about `--reference-seconds` have passed. Both answers are compared on every event the
//! reference saw; a disagreement stops the benchmark. When expected per-pattern counts
//! are given (or found beside `--patterns-file`), the compiled counts must equal them.

use dojo_engine::citylots as corpus;
use dojo_engine::json;
use dojo_engine::pattern::compiled::RuleSet;
use dojo_engine::pattern::{reference_matches, EventPattern};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct MatchArgs {
    /// Size of the generated corpus.
    #[arg(long, default_value_t = 100_000)]
    events: usize,
    /// Seed of the generated corpus.
    #[arg(long, default_value_t = 20_261_127)]
    seed: u64,
    /// Use these events (one JSON object per line) instead of the generated corpus.
    #[arg(long)]
    events_file: Option<PathBuf>,
    /// Use these patterns (a JSON array) instead of the generated families.
    #[arg(long)]
    patterns_file: Option<PathBuf>,
    /// Expected match counts per pattern (a JSON array); defaults to
    /// expected/<name>.counts.json beside --patterns-file when that exists.
    #[arg(long)]
    expected: Option<PathBuf>,
    /// Rule-set sizes for the generated families.
    #[arg(long, value_delimiter = ',', default_value = "1,10,100,1000")]
    rules: Vec<usize>,
    /// Which generated families to run (default: all).
    #[arg(long, value_delimiter = ',')]
    families: Vec<String>,
    /// Time budget for the reference evaluator per pattern set, in seconds.
    #[arg(long, default_value_t = 1.0)]
    reference_seconds: f64,
}

struct Measured {
    name: String,
    rules: usize,
    compiled: f64,
    reference: f64,
    reference_events: usize,
    matches: u64,
    expected: Option<bool>,
    /// (pattern index, expected, counted) where they differ.
    differences: Vec<(usize, u64, u64)>,
}

fn read_patterns(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not valid JSON: {e}", path.display()))?;
    let serde_json::Value::Array(items) = value else {
        return Err(format!(
            "{} must hold a JSON array of patterns",
            path.display()
        ));
    };
    Ok(items.iter().map(|p| p.to_string()).collect())
}

fn read_counts(path: &Path) -> Result<Vec<u64>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} must hold a JSON array of counts: {e}", path.display()))
}

fn compile(texts: &[String]) -> Result<Vec<EventPattern>, String> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            EventPattern::eventbridge(t).map_err(|e| format!("pattern {} is invalid: {e}", i + 1))
        })
        .collect()
}

fn measure(
    name: &str,
    texts: &[String],
    events: &[&str],
    expected: Option<&[u64]>,
    budget: f64,
) -> Result<Measured, String> {
    let patterns = compile(texts)?;
    let set = RuleSet::new(&patterns);
    let mut scratch = set.scratch();

    let mut counts = vec![0u64; patterns.len()];
    let mut passes = Vec::new();
    for pass in 0..3 {
        let start = Instant::now();
        for (i, event) in events.iter().enumerate() {
            let ids = set
                .matches_text(event, &mut scratch)
                .map_err(|e| format!("event {} is not a valid JSON object: {e}", i + 1))?;
            if pass == 0 {
                ids.iter().for_each(|&id| counts[id as usize] += 1);
            }
        }
        passes.push(events.len() as f64 / start.elapsed().as_secs_f64());
    }
    passes.sort_by(f64::total_cmp);
    let compiled = passes[1];

    let start = Instant::now();
    let mut seen = 0;
    for (i, event) in events.iter().enumerate() {
        let tree = json::parse(event)
            .map_err(|e| format!("event {} is not valid JSON: {e}", i + 1))?
            .value;
        let reference = reference_matches(&patterns, &tree);
        let fast = set
            .matches_text(event, &mut scratch)
            .map_err(|e| e.to_string())?;
        if reference != fast {
            return Err(format!(
                "{name}: the compiled matcher disagrees with the reference evaluator on event {}: {fast:?} vs {reference:?}",
                i + 1
            ));
        }
        seen += 1;
        if seen >= 100 && start.elapsed().as_secs_f64() >= budget {
            break;
        }
    }
    let reference = seen as f64 / start.elapsed().as_secs_f64();
    let expected_ok = expected.map(|want| want == counts.as_slice());
    let differences = expected
        .map(|want| {
            want.iter()
                .zip(&counts)
                .enumerate()
                .filter(|(_, (w, c))| w != c)
                .map(|(i, (w, c))| (i, *w, *c))
                .collect()
        })
        .unwrap_or_default();
    Ok(Measured {
        name: name.to_owned(),
        rules: patterns.len(),
        compiled,
        reference,
        reference_events: seen,
        matches: counts.iter().sum(),
        expected: expected_ok,
        differences,
    })
}

pub fn run(args: &MatchArgs) -> Result<(), String> {
    let load_start = Instant::now();
    let events = match &args.events_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect()
        }
        None => corpus::citylots(args.events, args.seed),
    };
    if events.is_empty() {
        return Err("there are no events to match".into());
    }
    // The events lie end to end in one buffer, in order, as a file read whole would: the
    // passes then read memory front to back instead of following the allocator's
    // scattering of a hundred thousand strings.
    let buffer: String = events.concat();
    let mut at = 0;
    let events: Vec<&str> = events
        .iter()
        .map(|e| {
            at += e.len();
            &buffer[at - e.len()..at]
        })
        .collect();
    let bytes = buffer.len();
    eprintln!(
        "{} events, {:.1} MB, ready in {:.1}s",
        events.len(),
        bytes as f64 / 1e6,
        load_start.elapsed().as_secs_f64()
    );

    let mut results = Vec::new();
    if let Some(path) = &args.patterns_file {
        let texts = read_patterns(path)?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("patterns")
            .to_owned();
        let expected_path = args.expected.clone().or_else(|| {
            let sibling = path
                .parent()?
                .join("expected")
                .join(format!("{stem}.counts.json"));
            sibling.exists().then_some(sibling)
        });
        let expected = expected_path.as_deref().map(read_counts).transpose()?;
        results.push(measure(
            &stem,
            &texts,
            &events,
            expected.as_deref(),
            args.reference_seconds,
        )?);
    } else {
        for family in corpus::FAMILIES {
            if !args.families.is_empty() && !args.families.iter().any(|f| f == family) {
                continue;
            }
            for &n in &args.rules {
                let texts = corpus::family(family, n);
                let m = measure(family, &texts, &events, None, args.reference_seconds)?;
                eprintln!(
                    "  {family}/{n}: {:.0} events/s compiled, {:.0} reference",
                    m.compiled, m.reference
                );
                results.push(m);
            }
        }
    }

    println!("| patterns | rules | compiled events/s | reference events/s | ratio | matches | expected counts |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for m in &results {
        println!(
            "| {} | {} | {:.0} | {:.0} (first {} events) | {:.1}× | {} | {} |",
            m.name,
            m.rules,
            m.compiled,
            m.reference,
            m.reference_events,
            m.compiled / m.reference,
            m.matches,
            match m.expected {
                Some(true) => "equal",
                Some(false) => "DIFFERENT",
                None => "-",
            }
        );
    }
    for m in &results {
        println!(
            "{}",
            serde_json::json!({
                "bench": format!("match/{}/{}-rules", m.name, m.rules),
                "value": m.compiled.round(),
                "unit": "events/s",
                "baseline": "reference-evaluator",
                "baseline_value": m.reference.round(),
                "ratio": ((m.compiled / m.reference) * 10.0).round() / 10.0,
                "events": events.len(),
                "matches": m.matches,
            })
        );
    }
    for m in results.iter().filter(|m| !m.differences.is_empty()) {
        for (i, want, got) in &m.differences {
            eprintln!(
                "{}: pattern {} matched {got} events; expected {want}",
                m.name,
                i + 1
            );
        }
    }
    if results.iter().any(|m| m.expected == Some(false)) {
        return Err("match counts differ from the expected counts".into());
    }
    Ok(())
}
