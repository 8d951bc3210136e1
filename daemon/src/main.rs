//! `enrichd`: watch a drop folder, run every new file through a chain of
//! extractor plugins, write enriched records to a sink.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use enrichd::{config, logging, oneshot, pipeline, service};
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("enrichd: error: {e:#}");
            ExitCode::from(2)
        }
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
        Command::Run { config } => {
            let cfg = config::Config::load(&config)?;
            logging::init(&cfg.log)?;
            let pipeline = pipeline::Pipeline::load(&cfg.plugins, &cfg.dir)?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            let result = runtime.block_on(service::run(cfg, pipeline));
            // Threads stuck in a plugin (abandoned after a timeout) must not hold the exit.
            runtime.shutdown_timeout(std::time::Duration::from_millis(500));
            result?;
            Ok(ExitCode::SUCCESS)
        }
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
