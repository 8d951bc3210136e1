//! The YAML config: its model, defaults, validation and path resolution.
//!
//! Every relative path resolves against the folder of the config file. Unknown
//! keys are errors. `ENRICHD_PLUGIN_DIR`, when set, overrides `plugin_dir`
//! (handy for running a debug build against the default config).

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A config problem, with the file and, for YAML errors, line and column.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read config: {cause}")]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Yaml {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// What to do with an input once its record is durably in the sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnSuccess {
    /// Move it to the `processed` folder (the default).
    Move,
    /// Delete it.
    Delete,
    /// Leave it where it is; the ledger remembers it is done.
    Keep,
}

/// How the drop folder is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WatchMode {
    /// inotify (through `notify`): close-after-write and rename-in events, plus periodic rescans.
    Events,
    /// Periodic listing only, for NFS/SMB where no events arrive.
    Poll,
}

/// The `watch` section.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Watch {
    pub mode: WatchMode,
    /// Poll mode: how often the folder is listed.
    pub poll_interval_ms: u64,
    /// A file found by a listing is taken only once its size and mtime have not changed for this long.
    pub quiet_period_ms: u64,
    /// Events mode: a full listing this often, to catch anything events missed.
    pub rescan_interval_s: u64,
    /// File names (globs) taken from the drop folder.
    pub include: Vec<String>,
    /// File names (globs) never taken, even when they match `include`.
    pub ignore: Vec<String>,
}

impl Default for Watch {
    fn default() -> Self {
        Watch {
            mode: WatchMode::Events,
            poll_interval_ms: 1000,
            quiet_period_ms: 1000,
            rescan_interval_s: 30,
            include: vec!["*".into()],
            ignore: vec![".*".into(), "*.tmp".into(), "*.part".into(), "*~".into()],
        }
    }
}

/// One entry of the plugin chain.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginEntry {
    /// A built-in plugin: loads `lib enrichd_<name>.so` from `plugin_dir`.
    pub name: Option<String>,
    /// Any plugin library, by path.
    pub library: Option<PathBuf>,
    /// The plugin's own settings, passed to it as JSON.
    #[serde(default)]
    pub settings: serde_json::Value,
    /// What a failure of this plugin on one record does.
    #[serde(default = "default_on_error")]
    pub on_error: OnError,
    /// A call that takes longer fails the file (the plugin is stuck: it cannot be skipped).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

/// What a plugin's error (or caught panic) on one record does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// The file fails: it goes to `failed/` with the reason (the default).
    FailFile,
    /// The record goes on without this plugin's output; `pipeline[].error` says why.
    SkipPlugin,
}

fn default_on_error() -> OnError {
    OnError::FailFile
}
fn default_timeout_ms() -> u64 {
    30_000
}

/// The `sink` section.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "lowercase")]
pub enum SinkConfig {
    /// JSON Lines, appended; `path: "-"` for stdout.
    Jsonl {
        path: PathBuf,
        /// fsync after at most this many records …
        #[serde(default = "default_batch")]
        batch: usize,
        /// … or after this long.
        #[serde(default = "default_flush_ms")]
        flush_ms: u64,
    },
}

fn default_batch() -> usize {
    64
}
fn default_flush_ms() -> u64 {
    20
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

/// The `log` section.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Log {
    /// A tracing filter (`info`, `enrichd=debug`, …); `RUST_LOG` overrides it.
    pub level: String,
    pub format: LogFormat,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            level: "info".into(),
            format: LogFormat::Human,
        }
    }
}

/// The config file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    drop: PathBuf,
    processed: Option<PathBuf>,
    failed: Option<PathBuf>,
    state_dir: Option<PathBuf>,
    #[serde(default = "default_on_success")]
    on_success: OnSuccess,
    #[serde(default)]
    watch: Watch,
    #[serde(default)]
    workers: usize,
    #[serde(default = "default_queue")]
    queue: usize,
    #[serde(default = "default_max_file_bytes")]
    max_file_bytes: u64,
    plugin_dir: Option<PathBuf>,
    plugins: Vec<PluginEntry>,
    sink: SinkConfig,
    #[serde(default)]
    log: Log,
    #[serde(default = "default_grace_ms")]
    shutdown_grace_ms: u64,
    #[serde(default)]
    metrics: Metrics,
}

/// The `metrics` section: a Prometheus endpoint, off unless `listen` is set.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// Address for `GET /metrics`, e.g. `127.0.0.1:9464`.
    pub listen: Option<std::net::SocketAddr>,
}

fn default_grace_ms() -> u64 {
    10_000
}

fn default_on_success() -> OnSuccess {
    OnSuccess::Move
}
fn default_queue() -> usize {
    256
}
fn default_max_file_bytes() -> u64 {
    16 * 1024 * 1024
}

/// A plugin to load: its library path, settings and failure policy.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginSpec {
    pub library: PathBuf,
    pub settings: serde_json::Value,
    pub on_error: OnError,
    pub timeout: std::time::Duration,
}

/// The validated config, every path absolute.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub file: PathBuf,
    pub dir: PathBuf,
    pub drop: PathBuf,
    pub processed: PathBuf,
    pub failed: PathBuf,
    pub state_dir: PathBuf,
    pub on_success: OnSuccess,
    pub watch: Watch,
    pub workers: usize,
    pub queue: usize,
    pub max_file_bytes: u64,
    pub plugins: Vec<PluginSpec>,
    pub sink: SinkConfig,
    pub log: Log,
    /// On SIGTERM, how long files in flight may take before they are abandoned (and redone at
    /// the next start).
    pub shutdown_grace: std::time::Duration,
    pub metrics: Metrics,
}

impl Config {
    /// Read, parse and validate a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Read {
            path: path.to_path_buf(),
            cause,
        })?;
        let file = std::path::absolute(path).map_err(|cause| ConfigError::Read {
            path: path.to_path_buf(),
            cause,
        })?;
        Config::parse(&text, &file)
    }

    /// Parse config text as if read from `file` (an absolute path).
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let raw: Raw = serde_norway::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            let message = e.to_string();
            // serde_norway appends " at line L column C"; the prefix already says where.
            let message = match message.rfind(" at line ") {
                Some(i) if line > 0 => message[..i].to_string(),
                _ => message,
            };
            ConfigError::Yaml {
                path: file.to_path_buf(),
                line,
                column,
                message,
            }
        })?;
        let invalid = |message: String| ConfigError::Invalid {
            path: file.to_path_buf(),
            message,
        };
        let dir = file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"));
        let resolve = |p: &Path| -> PathBuf {
            let joined = if p.is_absolute() {
                p.to_path_buf()
            } else {
                dir.join(p)
            };
            lexical_clean(&joined)
        };
        let drop = resolve(&raw.drop);
        let plugin_dir = match std::env::var_os("ENRICHD_PLUGIN_DIR") {
            // From the shell: relative to the working directory, not the config.
            Some(d) if !d.is_empty() => lexical_clean(&std::path::absolute(&d).map_err(|e| {
                invalid(format!("ENRICHD_PLUGIN_DIR={d:?} cannot be resolved: {e}"))
            })?),
            _ => resolve(raw.plugin_dir.as_deref().unwrap_or(Path::new("."))),
        };
        if raw.plugins.is_empty() {
            return Err(invalid(
                "`plugins` is empty: name at least one plugin".into(),
            ));
        }
        let mut plugins = Vec::with_capacity(raw.plugins.len());
        for (i, p) in raw.plugins.iter().enumerate() {
            let library = match (&p.name, &p.library) {
                (Some(name), None) => plugin_dir.join(library_file_name(name)),
                (None, Some(lib)) => resolve(lib),
                _ => {
                    return Err(invalid(format!(
                        "plugins[{i}]: give exactly one of `name` (a built-in plugin) or `library` (a path)"
                    )))
                }
            };
            plugins.push(PluginSpec {
                library,
                settings: p.settings.clone(),
                on_error: p.on_error,
                timeout: std::time::Duration::from_millis(p.timeout_ms.max(1)),
            });
        }
        let workers = if raw.workers == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            raw.workers
        };
        if raw.queue == 0 {
            return Err(invalid("`queue` must be at least 1".into()));
        }
        let sink = match raw.sink {
            SinkConfig::Jsonl {
                path,
                batch,
                flush_ms,
            } => {
                if batch == 0 {
                    return Err(invalid("sink.batch must be at least 1".into()));
                }
                let path = if path.as_os_str() == "-" {
                    path
                } else {
                    resolve(&path)
                };
                SinkConfig::Jsonl {
                    path,
                    batch,
                    flush_ms,
                }
            }
        };
        for pattern in raw.watch.include.iter().chain(&raw.watch.ignore) {
            globset::Glob::new(pattern)
                .map_err(|e| invalid(format!("watch: bad file pattern {pattern:?}: {e}")))?;
        }
        Ok(Config {
            file: file.to_path_buf(),
            processed: raw
                .processed
                .as_deref()
                .map(&resolve)
                .unwrap_or_else(|| drop.join("processed")),
            failed: raw
                .failed
                .as_deref()
                .map(&resolve)
                .unwrap_or_else(|| drop.join("failed")),
            state_dir: raw
                .state_dir
                .as_deref()
                .map(&resolve)
                .unwrap_or_else(|| drop.join(".enrichd")),
            dir,
            drop,
            on_success: raw.on_success,
            watch: raw.watch,
            workers,
            queue: raw.queue,
            max_file_bytes: raw.max_file_bytes,
            plugins,
            sink,
            log: raw.log,
            shutdown_grace: std::time::Duration::from_millis(raw.shutdown_grace_ms),
            metrics: raw.metrics,
        })
    }
}

impl Config {
    /// Whether `self` differs from `running` in settings a reload cannot apply (all but the chain).
    pub fn needs_restart(&self, running: &Config) -> bool {
        let without_chain = |c: &Config| Config {
            plugins: Vec::new(),
            ..c.clone()
        };
        without_chain(self) != without_chain(running)
    }
}

/// The file name of a built-in plugin library on this platform.
pub fn library_file_name(name: &str) -> String {
    format!(
        "{}enrichd_{}{}",
        std::env::consts::DLL_PREFIX,
        name.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    )
}

/// Remove `.` and resolve `..` components without touching the file system.
fn lexical_clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str =
        "drop: in\nplugins:\n  - name: normalize\nsink:\n  type: jsonl\n  path: out/r.jsonl\n";

    #[test]
    fn relative_paths_resolve_against_the_config_folder() {
        let c = Config::parse(MINIMAL, Path::new("/etc/enrichd/enrichd.yaml")).unwrap();
        assert_eq!(c.drop, Path::new("/etc/enrichd/in"));
        assert_eq!(c.processed, Path::new("/etc/enrichd/in/processed"));
        assert_eq!(c.failed, Path::new("/etc/enrichd/in/failed"));
        let SinkConfig::Jsonl { path, .. } = &c.sink;
        assert_eq!(path, Path::new("/etc/enrichd/out/r.jsonl"));
    }

    #[test]
    fn unknown_keys_are_errors_with_line_and_column() {
        let text = format!("{MINIMAL}wrokers: 4\n");
        let err = Config::parse(&text, Path::new("/c/enrichd.yaml")).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("/c/enrichd.yaml:7:1: unknown field `wrokers`"),
            "{msg}"
        );
    }

    #[test]
    fn a_plugin_needs_exactly_one_of_name_or_library() {
        let text = MINIMAL.replace("- name: normalize", "- settings: {}");
        let err = Config::parse(&text, Path::new("/c/e.yaml")).unwrap_err();
        assert!(
            err.to_string().contains("plugins[0]: give exactly one of"),
            "{err}"
        );
    }

    #[test]
    fn stdout_sink_stays_a_dash() {
        let text = MINIMAL.replace("out/r.jsonl", "\"-\"");
        let c = Config::parse(&text, Path::new("/c/e.yaml")).unwrap();
        let SinkConfig::Jsonl { path, .. } = &c.sink;
        assert_eq!(path, Path::new("-"));
    }
}
