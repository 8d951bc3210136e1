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

/// The `claim` section: several daemons (on several machines) share one drop folder, usually
/// on NFS or SMB, and each takes different files. See `claim.rs`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Claim {
    /// This daemon's name among those sharing the folder; unique. Default: the host name.
    pub instance: String,
    /// A daemon whose heartbeat has not changed for this long is dead: its claimed files are
    /// taken over by the others.
    pub lease_s: u64,
    /// At most this many files claimed and not yet finished at a time.
    pub max_files: usize,
}

impl Default for Claim {
    fn default() -> Self {
        Claim {
            instance: host_name(),
            lease_s: 60,
            max_files: 16,
        }
    }
}

/// The machine's host name, or `localhost` when it cannot be read.
pub fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it or
    // truncates, and the read below stops at the first NUL or the buffer's end.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    match std::str::from_utf8(&buf[..end]) {
        Ok(name) if ok && !name.is_empty() => name.to_string(),
        _ => "localhost".into(),
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

/// One entry of the `sinks` list (or the single `sink`). A record is delivered when every
/// configured sink has committed it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "lowercase")]
pub enum SinkConfig {
    /// JSON Lines, appended; `path: "-"` for stdout.
    Jsonl {
        path: PathBuf,
        /// Commit after at most this many records …
        #[serde(default = "default_batch")]
        batch: usize,
        /// … or after this long.
        #[serde(default = "default_flush_ms")]
        flush_ms: u64,
    },
    /// An SQLite database (WAL mode), searchable with `enrichd search`.
    Sqlite {
        path: PathBuf,
        #[serde(default = "default_batch")]
        batch: usize,
        #[serde(default = "default_flush_ms")]
        flush_ms: u64,
    },
    /// A PostgreSQL server: `url` is a libpq connection string or `postgres://` URL.
    Postgres {
        url: String,
        #[serde(default = "default_batch")]
        batch: usize,
        #[serde(default = "default_flush_ms")]
        flush_ms: u64,
        /// How long one connection attempt may take (unless `url` sets `connect_timeout`).
        #[serde(default = "default_connect_timeout_ms")]
        connect_timeout_ms: u64,
    },
    /// A NATS JetStream stream: each record is published to `subject` with its id as `Nats-Msg-Id`.
    Nats {
        /// `nats://[user:password@]host:port`; several servers of one cluster comma-separated.
        url: String,
        stream: String,
        subject: String,
        #[serde(default = "default_batch")]
        batch: usize,
        #[serde(default = "default_flush_ms")]
        flush_ms: u64,
        /// Create the stream (taking `subject`) when it does not exist; when false it must exist.
        #[serde(default = "default_true")]
        create_stream: bool,
        /// The stream's deduplication window, set when the sink creates the stream: a record
        /// published again within it is stored once.
        #[serde(default = "default_duplicate_window_s")]
        duplicate_window_s: u64,
        /// A commit fails when the server has not acknowledged every record within this long.
        #[serde(default = "default_ack_timeout_ms")]
        ack_timeout_ms: u64,
    },
}

impl SinkConfig {
    /// The sink's type as written in the config.
    pub fn kind(&self) -> &'static str {
        match self {
            SinkConfig::Jsonl { .. } => "jsonl",
            SinkConfig::Sqlite { .. } => "sqlite",
            SinkConfig::Postgres { .. } => "postgres",
            SinkConfig::Nats { .. } => "nats",
        }
    }

    /// Where the sink writes, for `enrichd check` (never the PostgreSQL URL: it may hold a
    /// password).
    pub fn target(&self) -> String {
        match self {
            SinkConfig::Jsonl { path, .. } | SinkConfig::Sqlite { path, .. } => {
                path.display().to_string()
            }
            SinkConfig::Postgres { .. } => "the server of `url`".into(),
            SinkConfig::Nats {
                stream, subject, ..
            } => format!("stream {stream}, subject {subject}"),
        }
    }

    /// Whether the sink stores records in table columns (a database), read once per record
    /// on the worker ([`crate::sink::Prepared`]).
    pub fn stores_rows(&self) -> bool {
        matches!(
            self,
            SinkConfig::Sqlite { .. } | SinkConfig::Postgres { .. }
        )
    }

    /// Commit after at most this many records …
    pub fn batch(&self) -> usize {
        match self {
            SinkConfig::Jsonl { batch, .. }
            | SinkConfig::Sqlite { batch, .. }
            | SinkConfig::Postgres { batch, .. }
            | SinkConfig::Nats { batch, .. } => *batch,
        }
    }

    /// … or after this long.
    pub fn flush(&self) -> std::time::Duration {
        let ms = match self {
            SinkConfig::Jsonl { flush_ms, .. }
            | SinkConfig::Sqlite { flush_ms, .. }
            | SinkConfig::Postgres { flush_ms, .. }
            | SinkConfig::Nats { flush_ms, .. } => *flush_ms,
        };
        std::time::Duration::from_millis(ms)
    }

    /// Whether writing a record whose id the sink already holds leaves one copy (databases,
    /// JetStream with `Nats-Msg-Id`); a JSON Lines file appends a second line instead.
    pub fn deduplicates(&self) -> bool {
        !matches!(self, SinkConfig::Jsonl { .. })
    }
}

fn default_batch() -> usize {
    256
}
fn default_flush_ms() -> u64 {
    20
}
fn default_true() -> bool {
    true
}
fn default_duplicate_window_s() -> u64 {
    3600
}
fn default_ack_timeout_ms() -> u64 {
    5000
}
fn default_connect_timeout_ms() -> u64 {
    5000
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
    #[serde(default = "default_max_inflight_bytes")]
    max_inflight_bytes: u64,
    plugin_dir: Option<PathBuf>,
    plugins: Vec<PluginEntry>,
    sink: Option<SinkConfig>,
    sinks: Option<Vec<SinkConfig>>,
    #[serde(default)]
    log: Log,
    #[serde(default = "default_grace_ms")]
    shutdown_grace_ms: u64,
    #[serde(default)]
    metrics: Metrics,
    claim: Option<Claim>,
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
fn default_max_inflight_bytes() -> u64 {
    4 * 1024 * 1024
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
    /// Input bytes between a worker taking a file and its record committed (see
    /// [`crate::budget`]); a file larger than this runs alone.
    pub max_inflight_bytes: u64,
    pub plugins: Vec<PluginSpec>,
    /// Where records go; deduplicating sinks first, the (at most one) JSON Lines sink last.
    pub sinks: Vec<SinkConfig>,
    pub log: Log,
    /// On SIGTERM, how long files in flight may take before they are abandoned (and redone at
    /// the next start).
    pub shutdown_grace: std::time::Duration,
    pub metrics: Metrics,
    /// Set when the drop folder is shared with other daemons.
    pub claim: Option<Claim>,
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
        if raw.max_inflight_bytes == 0 {
            return Err(invalid("`max_inflight_bytes` must be at least 1".into()));
        }
        let sinks = match (raw.sink, raw.sinks) {
            (Some(one), None) => vec![one],
            (None, Some(list)) if !list.is_empty() => list,
            (None, Some(_)) => {
                return Err(invalid("`sinks` is empty: name at least one sink".into()))
            }
            (None, None) => {
                return Err(invalid(
                    "no sink: add a `sinks` list (or one `sink`)".into(),
                ))
            }
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "give either `sink` (one) or `sinks` (a list), not both".into(),
                ))
            }
        };
        let sinks = sinks
            .into_iter()
            .enumerate()
            .map(|(i, s)| validate_sink(i, s, &resolve).map_err(&invalid))
            .collect::<Result<Vec<_>, _>>()?;
        if sinks.iter().filter(|s| !s.deduplicates()).count() > 1 {
            return Err(invalid(
                "at most one `jsonl` sink: after a crash the ledger reads one file back to know what was delivered"
                    .into(),
            ));
        }
        // A JSON Lines file cannot drop a duplicate, so it commits last: a record found in it
        // after a crash is in every other sink too.
        let mut sinks = sinks;
        sinks.sort_by_key(|s| !s.deduplicates());
        if let Some(claim) = &raw.claim {
            let name = &claim.instance;
            if name.is_empty()
                || name.starts_with('.')
                || name.ends_with(".alive")
                || name.contains(['/', '\\'])
            {
                return Err(invalid(format!(
                    "claim.instance {name:?} must be a plain name (no `/`, no leading `.`, not ending in `.alive`)"
                )));
            }
            if claim.lease_s == 0 || claim.max_files == 0 {
                return Err(invalid(
                    "claim.lease_s and claim.max_files must be at least 1".into(),
                ));
            }
            if raw.on_success == OnSuccess::Keep {
                return Err(invalid(
                    "on_success: keep cannot be used with `claim`: a kept file would stay claimed"
                        .into(),
                ));
            }
        }
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
            // Daemons sharing a drop folder each keep their own state.
            state_dir: raw
                .state_dir
                .as_deref()
                .map(&resolve)
                .unwrap_or_else(|| match &raw.claim {
                    Some(c) => drop.join(".enrichd").join(&c.instance),
                    None => drop.join(".enrichd"),
                }),
            dir,
            drop,
            on_success: raw.on_success,
            watch: raw.watch,
            workers,
            queue: raw.queue,
            max_file_bytes: raw.max_file_bytes,
            max_inflight_bytes: raw.max_inflight_bytes,
            plugins,
            sinks,
            log: raw.log,
            shutdown_grace: std::time::Duration::from_millis(raw.shutdown_grace_ms),
            metrics: raw.metrics,
            claim: raw.claim,
        })
    }
}

impl Config {
    /// Records per delivery batch: the smallest `batch` of the sinks.
    pub fn delivery_batch(&self) -> usize {
        self.sinks.iter().map(SinkConfig::batch).min().unwrap_or(1)
    }

    /// How long a batch waits to fill: the shortest `flush_ms` of the sinks.
    pub fn delivery_linger(&self) -> std::time::Duration {
        self.sinks
            .iter()
            .map(SinkConfig::flush)
            .min()
            .unwrap_or_default()
    }

    /// Whether `self` differs from `running` in settings a reload cannot apply (all but the chain).
    pub fn needs_restart(&self, running: &Config) -> bool {
        let without_chain = |c: &Config| Config {
            plugins: Vec::new(),
            ..c.clone()
        };
        without_chain(self) != without_chain(running)
    }
}

/// Check one sink entry and make its paths absolute; the message names the entry.
fn validate_sink(
    i: usize,
    sink: SinkConfig,
    resolve: &dyn Fn(&Path) -> PathBuf,
) -> Result<SinkConfig, String> {
    let at = format!("sinks[{i}] ({})", sink.kind());
    if sink.batch() == 0 {
        return Err(format!("{at}: `batch` must be at least 1"));
    }
    let nonempty = |key: &str, value: &str| {
        if value.trim().is_empty() {
            Err(format!("{at}: `{key}` is empty"))
        } else {
            Ok(())
        }
    };
    Ok(match sink {
        SinkConfig::Jsonl {
            path,
            batch,
            flush_ms,
        } => SinkConfig::Jsonl {
            path: if path.as_os_str() == "-" {
                path
            } else {
                resolve(&path)
            },
            batch,
            flush_ms,
        },
        SinkConfig::Sqlite {
            path,
            batch,
            flush_ms,
        } => SinkConfig::Sqlite {
            path: resolve(&path),
            batch,
            flush_ms,
        },
        SinkConfig::Postgres {
            ref url,
            connect_timeout_ms,
            ..
        } => {
            nonempty("url", url)?;
            if connect_timeout_ms == 0 {
                return Err(format!("{at}: `connect_timeout_ms` must be at least 1"));
            }
            url.parse::<tokio_postgres::Config>()
                .map_err(|e| format!("{at}: `url` is not a PostgreSQL connection string: {e}"))?;
            sink
        }
        SinkConfig::Nats {
            ref url,
            ref stream,
            ref subject,
            duplicate_window_s,
            ack_timeout_ms,
            ..
        } => {
            nonempty("url", url)?;
            nonempty("stream", stream)?;
            nonempty("subject", subject)?;
            if stream.contains(|c: char| c.is_whitespace() || ".*>/\\".contains(c)) {
                return Err(format!(
                    "{at}: `stream` {stream:?} may not hold spaces or any of . * > / \\"
                ));
            }
            if subject.contains(char::is_whitespace)
                || subject
                    .split('.')
                    .any(|t| t.is_empty() || t == "*" || t == ">")
            {
                return Err(format!(
                    "{at}: `subject` {subject:?} must be dot-separated tokens without wildcards or spaces"
                ));
            }
            if duplicate_window_s == 0 || ack_timeout_ms == 0 {
                return Err(format!(
                    "{at}: `duplicate_window_s` and `ack_timeout_ms` must be at least 1"
                ));
            }
            sink
        }
    })
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
        assert_eq!(
            c.sinks[0],
            SinkConfig::Jsonl {
                path: "/etc/enrichd/out/r.jsonl".into(),
                batch: 256,
                flush_ms: 20
            }
        );
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
        assert!(matches!(&c.sinks[0], SinkConfig::Jsonl { path, .. } if path == Path::new("-")));
    }

    #[test]
    fn sinks_list_puts_the_json_lines_file_last_and_allows_only_one() {
        let text = "drop: in\nplugins:\n  - name: normalize\nsinks:\n  - type: jsonl\n    path: r.jsonl\n  - type: sqlite\n    path: r.db\n";
        let c = Config::parse(text, Path::new("/c/e.yaml")).unwrap();
        let kinds: Vec<_> = c.sinks.iter().map(SinkConfig::kind).collect();
        assert_eq!(kinds, ["sqlite", "jsonl"]);
        assert!(
            matches!(&c.sinks[0], SinkConfig::Sqlite { path, .. } if path == Path::new("/c/r.db"))
        );
        let two = format!("{text}  - type: jsonl\n    path: s.jsonl\n");
        let err = Config::parse(&two, Path::new("/c/e.yaml")).unwrap_err();
        assert!(
            err.to_string().contains("at most one `jsonl` sink"),
            "{err}"
        );
    }

    #[test]
    fn nats_sink_has_defaults_and_refuses_wildcard_subjects_and_dotted_streams() {
        let text = "drop: in\nplugins:\n  - name: normalize\nsinks:\n  - type: nats\n    url: nats://x:4222\n    stream: RECORDS\n    subject: enrichd.records\n";
        let c = Config::parse(text, Path::new("/c/e.yaml")).unwrap();
        assert_eq!(
            c.sinks[0],
            SinkConfig::Nats {
                url: "nats://x:4222".into(),
                stream: "RECORDS".into(),
                subject: "enrichd.records".into(),
                batch: 256,
                flush_ms: 20,
                create_stream: true,
                duplicate_window_s: 3600,
                ack_timeout_ms: 5000,
            }
        );
        for (from, to, complaint) in [
            ("enrichd.records", "enrichd.*", "`subject`"),
            ("enrichd.records", "enrichd.>", "`subject`"),
            ("enrichd.records", "enrichd..records", "`subject`"),
            ("RECORDS", "MY.RECORDS", "`stream`"),
            (
                "RECORDS\n",
                "RECORDS\n    ack_timeout_ms: 0\n",
                "at least 1",
            ),
        ] {
            let bad = text.replace(from, to);
            let err = Config::parse(&bad, Path::new("/c/e.yaml")).unwrap_err();
            assert!(err.to_string().contains(complaint), "{to}: {err}");
        }
    }

    #[test]
    fn sink_and_sinks_together_or_neither_are_refused() {
        let both = format!("{MINIMAL}sinks:\n  - type: sqlite\n    path: r.db\n");
        let err = Config::parse(&both, Path::new("/c/e.yaml")).unwrap_err();
        assert!(err.to_string().contains("not both"), "{err}");
        let neither = "drop: in\nplugins:\n  - name: normalize\n";
        let err = Config::parse(neither, Path::new("/c/e.yaml")).unwrap_err();
        assert!(err.to_string().contains("no sink"), "{err}");
        let bad = "drop: in\nplugins:\n  - name: normalize\nsinks:\n  - type: nats\n    url: nats://x\n    stream: ''\n    subject: a\n";
        let err = Config::parse(bad, Path::new("/c/e.yaml")).unwrap_err();
        assert!(
            err.to_string()
                .contains("sinks[0] (nats): `stream` is empty"),
            "{err}"
        );
    }

    #[test]
    fn a_postgres_sink_takes_a_connection_string_and_a_connect_timeout() {
        let base = "drop: in\nplugins:\n  - name: normalize\nsink:\n  type: postgres\n";
        let text = format!("{base}  url: postgres://enrichd@db.example/news\n");
        let c = Config::parse(&text, Path::new("/c/e.yaml")).unwrap();
        assert!(matches!(
            &c.sinks[0],
            SinkConfig::Postgres { connect_timeout_ms: 5000, url, .. } if url == "postgres://enrichd@db.example/news"
        ));
        let text = format!(
            "{base}  url: \"host=/run/postgresql dbname=news\"\n  connect_timeout_ms: 800\n"
        );
        let c = Config::parse(&text, Path::new("/c/e.yaml")).unwrap();
        assert!(matches!(
            &c.sinks[0],
            SinkConfig::Postgres {
                connect_timeout_ms: 800,
                ..
            }
        ));
        let bad = format!("{base}  url: \"host=x port=notaport\"\n");
        let err = Config::parse(&bad, Path::new("/c/e.yaml")).unwrap_err();
        assert!(
            err.to_string()
                .contains("sinks[0] (postgres): `url` is not a PostgreSQL connection string"),
            "{err}"
        );
    }
}
