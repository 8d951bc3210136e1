//! `enrichd`: watch a drop folder, run every new file through a chain of
//! extractor plugins, write enriched records to a sink.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use enrichd::{config, logging, oneshot, pipeline, search, service};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "enrichd",
    version,
    about = "Drop-folder enrichment daemon with run-time plugins"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Watch the drop folder and process every file that arrives (the daemon).
    Run {
        /// The config file.
        #[arg(long, short, default_value = "config/enrichd.yaml")]
        config: PathBuf,
    },
    /// Process files or folders once; records to stdout as JSON Lines, in input order.
    Process {
        /// Files, or folders whose matching files are taken.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The config file.
        #[arg(long, short, default_value = "config/enrichd.yaml")]
        config: PathBuf,
    },
    /// Validate the config, load every plugin and print the chain; each plugin that cannot
    /// be loaded is explained on one line.
    Check {
        /// The config file.
        #[arg(long, short, default_value = "config/enrichd.yaml")]
        config: PathBuf,
    },
    /// List the plugin chain: name, version, ABI version and library path of each plugin.
    Plugins {
        /// The config file.
        #[arg(long, short, default_value = "config/enrichd.yaml")]
        config: PathBuf,
    },
    /// Search the SQLite sink's database: the matching articles (date, title, people) as a
    /// table, or JSON Lines with --json. Exit status: 0 when something matched, 1 when
    /// nothing did (nothing is printed), 2 on an error.
    Search {
        /// Words to find in titles and bodies, with or without diacritics; all must match.
        /// "Words in quotes" must stand together. Optional when a filter is given.
        words: Vec<String>,
        /// Only articles naming this person (whole words of the name, diacritics optional).
        #[arg(long)]
        person: Option<String>,
        /// Only articles naming a person of this rank: Vietnamese ("Thượng tướng"), English
        /// ("Colonel General") or NATO code ("OF-8").
        #[arg(long)]
        rank: Option<String>,
        /// Only articles published on or after this day (YYYY-MM-DD, YYYY-MM or YYYY);
        /// articles without a publication date are left out.
        #[arg(long)]
        since: Option<String>,
        /// Only articles published on or before this day (YYYY-MM-DD, YYYY-MM or YYYY).
        #[arg(long)]
        until: Option<String>,
        /// At most this many articles.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// One JSON object per article (id, title, published, people, source, snippet).
        #[arg(long)]
        json: bool,
        /// The database file (instead of the config's sqlite sink).
        #[arg(long, conflicts_with = "config")]
        db: Option<PathBuf>,
        /// The config file whose sqlite sink is searched.
        #[arg(long, short, default_value = "config/enrichd.yaml")]
        config: PathBuf,
    },
}

fn main() -> ExitCode {
    tune_malloc();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("enrichd: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// glibc gives each thread that allocates under contention an arena of its own, up to eight
/// per core; records are built on worker threads and freed on the sink thread, so a burst
/// leaves memory spread over many arenas (peak RSS 83 MiB instead of 58 MiB for a 3,000-file
/// burst on 2 cores). Two arenas keep the peak flat; the allocation rate is low enough that
/// the lock is not a bottleneck.
///
/// Buffers of 128 KiB and more (the text of a large input, a batch's serialised records) are
/// mapped on their own and given back to the kernel when freed. glibc otherwise raises that
/// threshold after each such free, up to 32 MiB, and the next large text lands in the heap,
/// where it stays as fragmentation (peak RSS over a 10,000-file burst: 92 → 84 MiB).
/// Called before any thread starts.
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check { config } => {
            let cfg = config::Config::load(&config)?;
            let failures = print_chain(&cfg);
            if failures > 0 {
                anyhow::bail!(
                    "{failures} of {} plugins cannot be loaded",
                    cfg.plugins.len()
                );
            }
            for (i, sink) in cfg.sinks.iter().enumerate() {
                println!("sink {}: {} → {}", i + 1, sink.kind(), sink.target());
            }
            println!("config {} is valid", cfg.file.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Plugins { config } => {
            let cfg = config::Config::load(&config)?;
            Ok(match print_chain(&cfg) {
                0 => ExitCode::SUCCESS,
                _ => ExitCode::from(2),
            })
        }
        Command::Process { paths, config } => {
            let cfg = config::Config::load(&config)?;
            logging::init(&cfg.log)?;
            let pipeline = pipeline::Pipeline::load(&cfg.plugins, &cfg.dir)?;
            let failed = oneshot::run(&cfg, &pipeline, &paths)?;
            if failed > 0 {
                eprintln!("enrichd: {failed} input(s) failed");
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Search {
            words,
            person,
            rank,
            since,
            until,
            limit,
            json,
            db,
            config,
        } => {
            let query = search::Query {
                words: words.join(" "),
                person,
                rank,
                since,
                until,
                limit,
            };
            if query.is_empty() {
                anyhow::bail!(
                    "give words to search for, or a filter (--person, --rank, --since, --until)"
                );
            }
            let db = match db {
                Some(db) => db,
                None => sqlite_path(&config)?,
            };
            let conn = search::open(&db)?;
            let hits = search::search(&conn, &query)?;
            print_hits(&hits, json)?;
            Ok(if hits.is_empty() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Run { config } => {
            let cfg = config::Config::load(&config)?;
            logging::init(&cfg.log)?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            // Signals are caught from here on: a stop during the plugins' start-up or the
            // sinks' recovery is acted on (a clean stop) once the daemon is up.
            let signals = {
                let _in_runtime = runtime.enter();
                service::Signals::new()?
            };
            let pipeline = pipeline::Pipeline::load(&cfg.plugins, &cfg.dir)?;
            let result = runtime.block_on(service::run(cfg, pipeline, signals));
            // Threads stuck in a plugin (abandoned after a timeout) must not hold the exit.
            runtime.shutdown_timeout(std::time::Duration::from_millis(500));
            result?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The database of the config's (first) sqlite sink.
fn sqlite_path(config: &std::path::Path) -> anyhow::Result<PathBuf> {
    let cfg = config::Config::load(config)?;
    cfg.sinks
        .iter()
        .find_map(|s| match s {
            config::SinkConfig::Sqlite { path, .. } => Some(path.clone()),
            _ => None,
        })
        .with_context(|| {
            format!(
                "{}: no sqlite sink in `sinks`: add one, or name the database with --db PATH",
                cfg.file.display()
            )
        })
}

/// Print search hits: JSON Lines, or a table (cut to the terminal's width on a terminal).
/// A reader that stops early (`| head`) is not an error.
fn print_hits(hits: &[search::Hit], json: bool) -> anyhow::Result<()> {
    use std::io::{IsTerminal as _, Write as _};
    let mut out = std::io::stdout().lock();
    let mut text = String::new();
    if json {
        for hit in hits {
            text.push_str(&serde_json::to_string(hit).context("cannot serialise a hit")?);
            text.push('\n');
        }
    } else if !hits.is_empty() {
        let width = out.is_terminal().then(terminal_width);
        text = search::table(hits, width);
    }
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to stdout")
        }
        _ => Ok(()),
    }
}

/// The width of the terminal on stdout: `COLUMNS`, else what the terminal says, else 100.
fn terminal_width() -> usize {
    if let Some(columns) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return columns;
    }
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct it is given, which lives here.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    if ok && size.ws_col > 0 {
        usize::from(size.ws_col)
    } else {
        100
    }
}

/// Load each plugin of the chain on its own and print it (stdout) or why it failed (stderr,
/// one line each); returns the number of failures.
fn print_chain(cfg: &config::Config) -> usize {
    let mut failures = 0;
    for (i, spec) in cfg.plugins.iter().enumerate() {
        match pipeline::Stage::load(spec, &cfg.dir) {
            Ok(stage) => {
                let p = &stage.plugin;
                println!(
                    "{}. {} {} (ABI {})  {}",
                    i + 1,
                    p.name(),
                    p.version(),
                    enrichd_plugin_api::abi::ABI_VERSION,
                    p.path().display()
                );
            }
            Err(e) => {
                failures += 1;
                eprintln!("enrichd: error: plugins[{i}]: {e}");
            }
        }
    }
    failures
}
