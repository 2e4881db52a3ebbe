//! `dojo`: the workshop's command line, for learners and instructors who test patterns
//! outside the browser (like `aws events test-event-pattern`) and for benchmarking the
//! compiled matcher. All logic is in `dojo-engine`; this crate reads files and flags.

mod aws;
mod bench;
mod dialect;
mod replay_bench;
mod schema;

use clap::{Parser, Subcommand};
use dialect::{Dialect, Failure};
use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "dojo", version, about = "Event Dojo on the command line")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Test and validate patterns: EventBridge, SNS filter policies, MQTT topic filters.
    #[command(subcommand)]
    Pattern(PatternCommand),
    /// Benchmarks; each ends with one JSON object per line.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Run simulation scripts (see docs/sim-format.md).
    #[command(subcommand)]
    Sim(SimCommand),
    /// Exercise packs (see docs/exercise-format.md).
    #[command(subcommand)]
    Exercise(ExerciseCommand),
    /// Take a design to AWS.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Run a design on AWS (or an endpoint that speaks its APIs) and compare it with the
    /// simulation (docs/aws.md).
    #[command(subcommand)]
    Aws(aws::AwsCommand),
    /// Without a subcommand, print the JSON Schema of a design (what
    /// docs/design.schema.json holds); `dojo schema infer` discovers event schemas.
    Schema {
        #[command(subcommand)]
        command: Option<SchemaCommand>,
    },
}

#[derive(Subcommand)]
enum SchemaCommand {
    /// Infer a schema per event type from FILE, one JSON event per line: CloudEvents (as
    /// the event store exports them; the type is `type`, the data `data`) or EventBridge
    /// events (`source@detail-type`, the data `detail`). Prints one JSON object, each
    /// type's latest schema as JSON Schema Draft 4 (or, with --openapi, as an OpenAPI 3
    /// document), and a summary on stderr. Exit 2, printing nothing, if a line is not an
    /// event.
    Infer {
        file: PathBuf,
        /// Write each schema as an OpenAPI 3 document instead.
        #[arg(long)]
        openapi: bool,
    },
    /// Check that the last schema file can follow the earlier ones (oldest first) under a
    /// compatibility mode, as a schema registry would before registering it. Prints the
    /// changes from the previous version and each field that breaks, with the reason.
    /// Exit 0 when compatible, 1 when not, 2 when a file is not a schema.
    Check {
        /// Earlier versions, oldest first, then the new one.
        #[arg(required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        /// none, backward, backward-transitive, forward, forward-transitive, full or
        /// full-transitive.
        #[arg(long, default_value = "backward")]
        mode: String,
    },
    /// Check an event against a schema. EVENT holds the event's data, or a CloudEvent
    /// (its `data` is checked) or an EventBridge event (its `detail`); a file of JSON
    /// lines is checked line by line. Prints each field that does not fit, with the rule.
    /// Exit 0 when every event fits, 1 when one does not, 2 when a file cannot be read.
    Validate { schema: PathBuf, event: PathBuf },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Print an AWS CloudFormation template (YAML) for the channels in FILE: a workshop
    /// scenario (its style's channels), a simulation script or example (its `topology`),
    /// or a bare topology. Wiring AWS cannot express is listed on stderr. Exit 2 if FILE
    /// is not one of these.
    Cloudformation { file: PathBuf },
    /// Print the simulation script (JSON) a design runs as, for `dojo sim run` and
    /// `dojo aws run`: a shipped exercise's solution (`--exercise ID`, or one of its
    /// alternative designs with `--alternative N`), or a scenario FILE's services run.
    Script {
        #[arg(required_unless_present = "exercise", conflicts_with = "exercise")]
        file: Option<PathBuf>,
        #[arg(long)]
        exercise: Option<String>,
        #[arg(long, requires = "exercise")]
        alternative: Option<usize>,
    },
}

#[derive(Subcommand)]
enum ExerciseCommand {
    /// Validate every .toml file in DIR (one exercise, or a pack of [[exercise]]) and prove
    /// that each starting design fails its goals and each reference solution passes them.
    /// Prints one line per exercise; exit 0 when all are good, 1 when a proof fails, 2
    /// when a file is invalid.
    Check {
        dir: PathBuf,
        /// Also print every goal's verdict on the start and on the solution.
        #[arg(long, short)]
        verbose: bool,
    },
    /// List the shipped exercises: id, kind (channels, system or schema), how many
    /// alternative designs ship with the solution, and title, tab-separated.
    List,
}

#[derive(Subcommand)]
enum SimCommand {
    /// Run a script and print its trace, receives, results and errors as JSON lines,
    /// then the metrics and a summary with the trace hash. Exit 2 if the script is invalid.
    Run { file: PathBuf },
}

#[derive(Subcommand)]
enum PatternCommand {
    /// Match one event against one pattern and explain why. Exit 0 on a match, 1 on no
    /// match, 2 when the pattern or the event is invalid (the reason goes to stderr).
    /// With --batch, read JSON lines from stdin and answer one JSON line each.
    Test {
        /// The pattern, filter policy or MQTT filter file.
        #[arg(long, required_unless_present = "batch")]
        pattern: Option<PathBuf>,
        /// The event (EventBridge), attributes map (sns-attributes), body (sns-body) or topic (mqtt).
        #[arg(long, required_unless_present = "batch")]
        event: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Dialect::Eventbridge)]
        dialect: Dialect,
        /// Read {"pattern":..,"event":..} (or the dialect's fields) lines from stdin.
        #[arg(long, conflicts_with_all = ["pattern", "event"])]
        batch: bool,
    },
    /// Validate a pattern. Exit 0 when valid, 2 with the reason on stderr when not.
    Check {
        pattern: PathBuf,
        #[arg(long, value_enum, default_value_t = Dialect::Eventbridge)]
        dialect: Dialect,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Events per second of the compiled matcher against the reference evaluator.
    Match(bench::MatchArgs),
    /// Replay throughput and time-travel seek latency over an insurance history.
    Replay(replay_bench::ReplayArgs),
}

pub(crate) fn read(path: &PathBuf) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure::Input(format!("cannot read {}: {e}", path.display())))
}

/// The channels a design file describes: a scenario's style, a script's `topology`, or
/// the file itself as a topology.
fn design_topology(text: &str) -> Result<(dojo_engine::topology::Topology, String), String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let name = value
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or("a design")
        .to_owned();
    if value.get("style").is_some() {
        let scenario =
            dojo_engine::services::Scenario::from_json(text).map_err(|e| e.to_string())?;
        return Ok((dojo_engine::services::topology(scenario.style), name));
    }
    let topology = value.get("topology").unwrap_or(&value).to_string();
    dojo_engine::topology::Topology::from_json(&topology)
        .map(|t| (t, name))
        .map_err(|e| e.to_string())
}

fn export_cloudformation(file: &PathBuf) -> ExitCode {
    let text = match read(file) {
        Ok(t) => t,
        Err(f) => return fail(&f),
    };
    match design_topology(&text) {
        Ok((topology, name)) => {
            let out = dojo_engine::cloudformation::template(
                &topology,
                &format!("Event Dojo: {name} ({})", file.display()),
            );
            for line in &out.not_exported {
                eprintln!("not exported: {line}");
            }
            print!("{}", out.yaml);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&Failure::Input(format!("{}: {e}", file.display()))),
    }
}

/// `dojo export script`: an exercise's solution or alternative, or a scenario's run.
fn export_script(
    file: Option<&PathBuf>,
    exercise: Option<&str>,
    alternative: Option<usize>,
) -> Result<String, String> {
    let script = if let Some(id) = exercise {
        let shipped = dojo_engine::exercise::shipped();
        let ex = shipped.iter().find(|e| e.id == id).ok_or_else(|| {
            let ids: Vec<&str> = shipped.iter().map(|e| e.id.as_str()).collect();
            format!(
                "--exercise {id}: no shipped exercise has that id (they are: {})",
                ids.join(", ")
            )
        })?;
        let design = match alternative {
            None => &ex.solution,
            Some(n) => ex.alternatives.get(n).ok_or_else(|| {
                format!("--alternative {n}: exercise {id} has {} alternative design(s), numbered from 0", ex.alternatives.len())
            })?,
        };
        if let Some(scenario) = &design.scenario {
            dojo_engine::services::script(scenario)
        } else {
            dojo_engine::exercise::check::script(ex, design).map_err(|e| {
                format!("exercise {id}: {e}: it is a schema exercise, with no channels to run")
            })?
        }
    } else {
        let path = file.ok_or("give a scenario FILE or --exercise ID")?;
        let text = read(path).map_err(|f| f.message())?;
        let scenario = dojo_engine::services::Scenario::from_json(&text)
            .map_err(|e| format!("{}: not a scenario: {e}", path.display()))?;
        dojo_engine::services::script(&scenario)
    };
    serde_json::to_string_pretty(&script).map_err(|e| e.to_string())
}

pub(crate) fn fail(failure: &Failure) -> ExitCode {
    eprintln!("{}", failure.message());
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Pattern(PatternCommand::Check { pattern, dialect }) => {
            match read(&pattern).and_then(|text| dialect::check(dialect, &text)) {
                Ok(summary) => {
                    println!("{summary}");
                    ExitCode::SUCCESS
                }
                Err(f) => fail(&f),
            }
        }
        Command::Pattern(PatternCommand::Test {
            batch: true,
            dialect,
            ..
        }) => {
            let stdin = io::stdin();
            let mut out = io::BufWriter::new(io::stdout().lock());
            for line in stdin.lock().lines() {
                let answer = match line {
                    Ok(line) => dialect::batch_line(dialect, &line),
                    Err(e) => serde_json::json!({ "error": format!("cannot read stdin: {e}") }),
                };
                if writeln!(out, "{answer}").is_err() {
                    return ExitCode::from(2);
                }
            }
            if out.flush().is_err() {
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Command::Pattern(PatternCommand::Test {
            pattern,
            event,
            dialect,
            ..
        }) => {
            let (Some(pattern), Some(event)) = (pattern, event) else {
                return fail(&Failure::Input(
                    "--pattern and --event are required without --batch".into(),
                ));
            };
            let outcome = read(&pattern)
                .and_then(|p| read(&event).map(|e| (p, e)))
                .and_then(|(p, e)| dialect::test(dialect, &p, &e));
            match outcome {
                Ok((matched, explanation)) => {
                    println!("{matched}");
                    print!("{explanation}");
                    if matched {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(f) => fail(&f),
            }
        }
        Command::Exercise(ExerciseCommand::Check { dir, verbose }) => exercise_check(&dir, verbose),
        Command::Exercise(ExerciseCommand::List) => {
            for ex in dojo_engine::exercise::shipped() {
                println!(
                    "{}\t{}\t{}\t{}",
                    ex.id,
                    ex.kind.name(),
                    ex.alternatives.len(),
                    ex.title
                );
            }
            ExitCode::SUCCESS
        }
        Command::Export(ExportCommand::Cloudformation { file }) => export_cloudformation(&file),
        Command::Export(ExportCommand::Script {
            file,
            exercise,
            alternative,
        }) => match export_script(file.as_ref(), exercise.as_deref(), alternative) {
            Ok(script) => {
                println!("{script}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&Failure::Input(e)),
        },
        Command::Aws(command) => aws::main(command),
        Command::Schema {
            command: Some(SchemaCommand::Infer { file, openapi }),
        } => schema::infer(&file, openapi),
        Command::Schema {
            command: Some(SchemaCommand::Check { files, mode }),
        } => schema::check(&files, &mode),
        Command::Schema {
            command: Some(SchemaCommand::Validate { schema, event }),
        } => schema::validate(&schema, &event),
        Command::Schema { command: None } => {
            let text = serde_json::to_string_pretty(&dojo_engine::exercise::design_schema())
                .expect("a schema is JSON");
            println!("{text}");
            ExitCode::SUCCESS
        }
        Command::Sim(SimCommand::Run { file }) => {
            let text = match read(&file) {
                Ok(t) => t,
                Err(f) => return fail(&f),
            };
            let is_scenario = serde_json::from_str::<serde_json::Value>(&text)
                .is_ok_and(|v| v.get("style").is_some());
            if is_scenario {
                return match dojo_engine::services::Scenario::from_json(&text) {
                    Ok(scenario) => {
                        let mut out = io::BufWriter::new(io::stdout().lock());
                        for record in dojo_engine::services::report(&scenario) {
                            if writeln!(out, "{record}").is_err() {
                                return ExitCode::from(2);
                            }
                        }
                        if out.flush().is_err() {
                            return ExitCode::from(2);
                        }
                        ExitCode::SUCCESS
                    }
                    Err(e) => fail(&Failure::Input(format!("{}: {e}", file.display()))),
                };
            }
            let records = dojo_engine::sim::script::Script::from_json(&text)
                .and_then(|s| dojo_engine::sim::script::run(&s));
            match records {
                Ok(records) => {
                    let mut out = io::BufWriter::new(io::stdout().lock());
                    for r in records {
                        let line = serde_json::to_string(&r).unwrap_or_else(|e| {
                            format!("{{\"record\":\"error\",\"error\":\"{e}\"}}")
                        });
                        if writeln!(out, "{line}").is_err() {
                            return ExitCode::from(2);
                        }
                    }
                    if out.flush().is_err() {
                        return ExitCode::from(2);
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&Failure::Input(format!("{}: {e}", file.display()))),
            }
        }
        Command::Bench(BenchCommand::Replay(args)) => match replay_bench::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("{message}");
                ExitCode::from(2)
            }
        },
        Command::Bench(BenchCommand::Match(args)) => match bench::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("{message}");
                ExitCode::from(2)
            }
        },
    }
}

/// `dojo exercise check DIR`.
fn exercise_check(dir: &PathBuf, verbose: bool) -> ExitCode {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) => {
            return fail(&Failure::Input(format!(
                "cannot read {}: {e}",
                dir.display()
            )))
        }
    };
    files.sort();
    if files.is_empty() {
        return fail(&Failure::Input(format!(
            "{} holds no .toml files",
            dir.display()
        )));
    }
    let mut exercises = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        let parsed = read(path).and_then(|text| {
            dojo_engine::exercise::parse_pack(&text, &name)
                .map_err(|e| Failure::Input(e.to_string()))
        });
        match parsed {
            Ok(list) => exercises.extend(list),
            Err(f) => return fail(&f),
        }
    }
    let mut ids = std::collections::BTreeSet::new();
    for ex in &exercises {
        if !ids.insert(ex.id.clone()) {
            return fail(&Failure::Input(format!(
                "two exercises have the id {}",
                ex.id
            )));
        }
    }
    let mut failed = 0;
    for ex in &exercises {
        match dojo_engine::exercise::prove(ex) {
            Ok(()) => println!(
                "ok   {} ({} goals; the start fails {}, the solution passes{}; par {})",
                ex.id,
                ex.goals.len(),
                dojo_engine::exercise::check::check(ex, &ex.start)
                    .results
                    .iter()
                    .filter(|r| !r.passed)
                    .count(),
                match ex.alternatives.len() {
                    0 => String::new(),
                    1 => ", and so does 1 other design".into(),
                    n => format!(", and so do {n} other designs"),
                },
                ex.par
            ),
            Err(e) => {
                failed += 1;
                println!("FAIL {e}");
            }
        }
        if verbose {
            use dojo_engine::exercise::check::{check, line};
            for (what, design) in [("start", &ex.start), ("solution", &ex.solution)] {
                for r in check(ex, design).results {
                    println!("       {what}: {}", line(&r));
                }
            }
        }
    }
    println!(
        "{} exercises: {} proved, {failed} failed",
        exercises.len(),
        exercises.len() - failed
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
