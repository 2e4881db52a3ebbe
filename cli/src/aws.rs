//! `dojo aws run` and `dojo aws compare`: a design's channels made on AWS (or on an
//! endpoint that speaks its APIs, such as a local emulator), its workload played against
//! them at its times, every delivery recorded, everything taken down again; and the
//! deliveries set beside the simulation's. The engine and the app know nothing of this.

mod client;
mod compare;
mod credentials;
mod deploy;
mod play;

use dojo_engine::sim::script::{self, Record, Script};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(clap::Subcommand)]
pub enum AwsCommand {
    /// Make the design's queues, topics, subscriptions, buses, rules and archives on AWS
    /// under a prefix, play its workload at its times, print every delivery as a JSON
    /// line, then delete everything the run made (also after an error or Ctrl-C).
    Run(Target),
    /// Run the design in the simulation and on AWS, and report the deliveries that
    /// match, differ, or exist on one side only, with the reason where it is known.
    Compare {
        #[command(flatten)]
        target: Target,
        /// JSON lines instead of text (the format the lab imports).
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
pub struct Target {
    /// A simulation script (topology and steps; `dojo export script` writes one for an
    /// exercise or a scenario) or a scenario file.
    design: PathBuf,
    /// Send every call here instead of AWS's regional endpoints (a local emulator).
    #[arg(long)]
    endpoint: Option<String>,
    /// The region; without it, AWS_REGION, AWS_DEFAULT_REGION or the profile's.
    #[arg(long)]
    region: Option<String>,
    /// Put before every name the run makes (default `dojo-<time>-`): letters, digits,
    /// `-` and `_`, at most 40 characters.
    #[arg(long)]
    prefix: Option<String>,
    /// Play the steps this many times faster than their times (default 1).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
}

/// One message a receive got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// The script step whose receive got it.
    pub step: usize,
    /// When, in the script's milliseconds.
    pub at_ms: u64,
    pub queue: String,
    pub consumer: String,
    pub body: String,
    /// Message attributes, `{name: {Type, Value}}`.
    pub attributes: Value,
    pub receive_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// 1 for the first message received from its queue, 2 for the next, ...
    pub order: usize,
}

static STOP: AtomicBool = AtomicBool::new(false);

fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// The script a design file plays: a script as written, or a scenario's services run.
fn load(path: &PathBuf) -> Result<Script, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    if value.get("style").is_some() {
        let scenario = dojo_engine::services::Scenario::from_json(&text)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(dojo_engine::services::script(&scenario));
    }
    Script::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The consumer that empties every queue after the last step.
const DRAIN: &str = "dojo-drain";

/// The script with every queue emptied a second after its last step, on both sides:
/// rounds of a receive of up to ten messages and a delete, enough for the most any queue
/// holds in the simulation then, and one more.
fn with_drain(mut script: Script) -> Result<Script, String> {
    let records = script::run(&script).map_err(|e| e.to_string())?;
    let depth = records
        .iter()
        .find_map(|r| match r {
            Record::Metrics { channels, .. } => Some(channels.clone()),
            _ => None,
        })
        .unwrap_or(Value::Null);
    let most = script
        .topology
        .queues
        .iter()
        .map(|q| {
            let c = &depth[format!("queue:{}", q.name)];
            c["depth"].as_u64().unwrap_or(0) + c["in_flight"].as_u64().unwrap_or(0)
        })
        .max()
        .unwrap_or(0);
    let at_ms = script.steps.last().map_or(0, |s| s.at_ms) + 1000;
    for _ in 0..most.div_ceil(10) + 1 {
        for q in &script.topology.queues {
            script.steps.push(script::Step {
                at_ms,
                receive: Some(dojo_engine::sim::ReceiveRequest {
                    queue: q.name.clone(),
                    consumer: DRAIN.into(),
                    max: 10,
                    wait_s: Some(0),
                    visibility_timeout_s: None,
                    step: None,
                }),
                ..Default::default()
            });
            script.steps.push(script::Step {
                at_ms,
                delete: Some(script::HandleAction {
                    queue: q.name.clone(),
                    receipt_handle: None,
                    consumer: Some(DRAIN.into()),
                    timeout_s: None,
                }),
                ..Default::default()
            });
        }
    }
    script.run_until_ms = Some(script.run_until_ms.unwrap_or(at_ms).max(at_ms));
    Ok(script)
}

/// The simulation's run of the script: its deliveries, the body each receipt handle
/// was for, and the steps it refused.
struct SimRun {
    deliveries: Vec<Delivery>,
    handles: BTreeMap<String, String>,
    refused: Vec<String>,
}

fn simulate(script: &Script) -> Result<SimRun, String> {
    let records = script::run(script).map_err(|e| e.to_string())?;
    let mut run = SimRun {
        deliveries: Vec::new(),
        handles: BTreeMap::new(),
        refused: Vec::new(),
    };
    let mut order: BTreeMap<String, usize> = BTreeMap::new();
    for r in records {
        match r {
            Record::Receive(r) => {
                for m in r.messages {
                    run.handles.insert(m.receipt_handle.clone(), m.body.clone());
                    let n = order.entry(r.queue.clone()).or_default();
                    *n += 1;
                    run.deliveries.push(Delivery {
                        step: r.step.unwrap_or_default(),
                        at_ms: r.returned_at_ms,
                        queue: r.queue.clone(),
                        consumer: r.consumer.clone(),
                        body: m.body,
                        attributes: serde_json::to_value(&m.attributes).unwrap_or(Value::Null),
                        receive_count: m.receive_count,
                        group_id: m.group_id,
                        order: *n,
                    });
                }
            }
            Record::Error {
                step, at_ms, error, ..
            } => run
                .refused
                .push(format!("step {step} at {at_ms} ms: {error}")),
            _ => {}
        }
    }
    Ok(run)
}

/// What a run on AWS gave.
struct AwsRun {
    prefix: String,
    deliveries: Vec<Delivery>,
    skipped: Vec<String>,
    unfed: Vec<String>,
    problems: Vec<String>,
}

fn default_prefix() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("dojo-{now:x}{:x}-", std::process::id() % 4096)
}

/// Deploys, plays and tears down; whatever happens after the first resource exists,
/// everything made is deleted before this returns.
fn run_on_aws(target: &Target, script: &Script, sim: &SimRun) -> Result<AwsRun, String> {
    let prefix = target.prefix.clone().unwrap_or_else(default_prefix);
    if prefix.is_empty()
        || prefix.len() > 40
        || !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "--prefix {prefix:?}: use 1 to 40 letters, digits, '-' or '_'"
        ));
    }
    if !(target.speed.is_finite() && target.speed > 0.0) {
        return Err(format!("--speed {}: give a number above 0", target.speed));
    }
    let account = credentials::account(target.region.as_deref())?;
    let client = client::Client::new(&account, target.endpoint.as_deref());
    // Ctrl-C stops the run between calls; the teardown below still happens.
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            eprintln!("still deleting what the run made; wait for it to finish");
        }
    });
    let mut deployed = deploy::Deployed {
        prefix: prefix.clone(),
        ..Default::default()
    };
    let made = deploy::deploy(&client, &script.topology, &mut deployed, &stopped);
    let played = made.and_then(|()| {
        eprintln!(
            "made {} resources under the prefix {prefix} in {}; playing {} steps over {:.1} s",
            deployed.created.len(),
            client.region(),
            script.steps.len(),
            script.steps.last().map_or(0, |s| s.at_ms) as f64 / 1000.0 / target.speed
        );
        play::Player {
            client: &client,
            deployed: &deployed,
            sim_handles: sim.handles.clone(),
            speed: target.speed,
            stop: &stopped,
        }
        .play(&script.steps)
    });
    let skipped = deployed.skipped.clone();
    let unfed = deployed.unfed.clone();
    let left = deploy::teardown(&client, &mut deployed);
    if !left.is_empty() {
        return Err(format!(
            "these resources could not be deleted; delete them by hand:\n  {}",
            left.join("\n  ")
        ));
    }
    let played = played.map_err(|e| e.to_string())?;
    Ok(AwsRun {
        prefix,
        deliveries: played.deliveries,
        skipped,
        unfed,
        problems: played.problems,
    })
}

pub fn main(command: AwsCommand) -> ExitCode {
    let (target, mode) = match command {
        AwsCommand::Run(target) => (target, None),
        AwsCommand::Compare { target, json } => (target, Some(json)),
    };
    let outcome = load(&target.design)
        .and_then(with_drain)
        .and_then(|script| {
            let sim = simulate(&script)?;
            let aws = run_on_aws(&target, &script, &sim)?;
            Ok((sim, aws))
        });
    let (sim, aws) = match outcome {
        Ok(both) => both,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let Some(json) = mode else {
        for d in &aws.deliveries {
            let mut line = serde_json::to_value(d).unwrap_or(Value::Null);
            line["record"] = json!("delivery");
            println!("{line}");
        }
        for s in &aws.skipped {
            println!("{}", json!({"record": "not_made", "what": s}));
        }
        for p in &aws.problems {
            println!("{}", json!({"record": "problem", "what": p}));
        }
        println!(
            "{}",
            json!({"record": "summary", "prefix": aws.prefix, "deliveries": aws.deliveries.len(), "problems": aws.problems.len()})
        );
        return ExitCode::SUCCESS;
    };
    let report = compare::compare(
        &sim.deliveries,
        &aws.deliveries,
        &compare::Notes {
            not_made: aws.skipped,
            unfed: aws.unfed,
            refused_on_aws: aws.problems,
            refused_in_sim: sim.refused,
        },
    );
    if json {
        for line in report.json_lines() {
            println!("{line}");
        }
    } else {
        print!("{}", report.text());
    }
    if report.unexpected() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
