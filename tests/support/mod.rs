//! Shared helpers of the end-to-end tests: a sandbox folder with its own
//! config, the real `enrichd` binary, the built plugins beside it.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The `enrichd` binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_enrichd"))
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where the built-in plugin libraries were built: beside the binary.
pub fn plugin_dir() -> PathBuf {
    let dir = bin().parent().expect("binary has a folder").to_path_buf();
    for name in [
        "normalize",
        "boilerplate",
        "dates",
        "ranks",
        "acronyms",
        "example",
    ] {
        let lib = dir.join(format!("libenrichd_{name}.so"));
        assert!(
            lib.exists(),
            "{} is missing: build the workspace first (cargo build --workspace)",
            lib.display()
        );
    }
    dir
}

/// The chain of the default config, as YAML, with rule files from the repo.
pub fn default_chain() -> String {
    let c = repo().join("config");
    format!(
        "plugins:\n  - name: normalize\n  - name: boilerplate\n    settings:\n      rules: {}\n  - name: dates\n    settings:\n      lexicon: {}\n  - name: ranks\n    settings:\n      lexicon: {}\n  - name: acronyms\n    settings:\n      dictionary: {}\n",
        c.join("boilerplate.vi.yaml").display(),
        c.join("dates.vi.yaml").display(),
        c.join("ranks.vi.yaml").display(),
        c.join("acronyms.vi.yaml").display(),
    )
}

/// The five dev articles.
pub fn dev_articles() -> Vec<PathBuf> {
    let dir = repo().join("../shared/eval/dev");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    v.sort();
    v
}

/// A temporary folder with a drop folder, a sink and a config.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    /// A sandbox whose config has `chain` (YAML `plugins:` list) and `extra` top-level YAML.
    pub fn new(chain: &str, extra: &str) -> Sandbox {
        Sandbox::with_sinks(
            chain,
            "sink:\n  type: jsonl\n  path: out/records.jsonl\n  flush_ms: 50\n",
            extra,
        )
    }

    /// A sandbox whose config has `sinks` (top-level YAML: a `sinks:` list or one `sink:`)
    /// instead of the JSON Lines file `out/records.jsonl` alone.
    pub fn with_sinks(chain: &str, sinks: &str, extra: &str) -> Sandbox {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = format!(
            "drop: drop\nplugin_dir: {}\nwatch:\n  include: [\"*.txt\"]\n  quiet_period_ms: 300\n{sinks}log:\n  level: debug\n{chain}{extra}",
            plugin_dir().display()
        );
        std::fs::create_dir_all(dir.path().join("drop")).unwrap();
        std::fs::write(dir.path().join("enrichd.yaml"), config).unwrap();
        Sandbox { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn config(&self) -> PathBuf {
        self.path("enrichd.yaml")
    }

    /// The complete records in `out/records.jsonl` so far (a line being written is not one yet).
    pub fn records(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.path("out/records.jsonl")).unwrap_or_default();
        parse_jsonl(text.rfind('\n').map_or("", |end| &text[..end]))
    }

    /// Start `enrichd run` on this sandbox.
    pub fn start(&self) -> Daemon {
        let mut cmd = Command::new(bin());
        cmd.args(["run", "--config"]).arg(self.config());
        self.spawn(cmd)
    }

    /// Start `enrichd run` as systemd would: with `env`, and `WATCHDOG_PID` set to its own pid
    /// (a shell sets it, then `exec`s the daemon in its place).
    pub fn start_as_service(&self, env: &[(&str, &Path)]) -> Daemon {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "WATCHDOG_PID=$$ exec \"$0\" run --config \"$1\""])
            .arg(bin())
            .arg(self.config());
        for (k, v) in env {
            cmd.env(k, v);
        }
        self.spawn(cmd)
    }

    fn spawn(&self, cmd: Command) -> Daemon {
        spawn_daemon(cmd, &self.path("daemon.log"))
    }

    /// Run `enrichd ARGS --config <this config>` to completion.
    pub fn enrichd(&self, args: &[&str]) -> Output {
        Command::new(bin())
            .args(args)
            .arg("--config")
            .arg(self.config())
            .output()
            .expect("enrichd runs")
    }
}

/// Start `enrichd run --config CONFIG`, its log (stderr) going to `log`.
pub fn start_daemon(config: &Path, log: &Path) -> Daemon {
    let mut cmd = Command::new(bin());
    cmd.args(["run", "--config"]).arg(config);
    spawn_daemon(cmd, log)
}

fn spawn_daemon(mut cmd: Command, log: &Path) -> Daemon {
    let file = std::fs::File::create(log).unwrap();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(file)
        .spawn()
        .expect("enrichd starts");
    Daemon {
        child,
        log: log.to_path_buf(),
    }
}

pub fn parse_jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// A running daemon; stopped (SIGTERM) when dropped.
pub struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Daemon {
    /// Stop with SIGTERM and wait; returns whether it exited successfully.
    pub fn stop(mut self) -> bool {
        self.terminate()
    }

    fn terminate(&mut self) -> bool {
        stop_child(&mut self.child, "TERM", Duration::from_secs(20)).is_some_and(|s| s.success())
    }

    /// Kill with SIGKILL (no chance to clean up) and reap.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The daemon's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Send a signal by name (`HUP`, `TERM`, …).
    pub fn signal(&self, name: &str) {
        let _ = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status();
    }

    /// Wait up to `secs` for the process to exit by itself.
    pub fn wait_exit(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

/// Send `signal` (`TERM`, `INT`, …) to `child` and wait up to `grace` for it to exit; past
/// that, SIGKILL it. Returns its exit status when it exited by itself.
pub fn stop_child(
    child: &mut Child,
    signal: &str,
    grace: Duration,
) -> Option<std::process::ExitStatus> {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status();
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// Wait up to `secs` for `cond`; returns whether it came true.
pub fn wait_until(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cond()
}

/// Build the C example plugin (examples/c-plugin/count.c), claiming ABI version `abi`.
pub fn c_plugin(out_dir: &Path, abi: u32) -> PathBuf {
    let lib = out_dir.join(format!("libcount_abi{abi}.so"));
    let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-shared", "-fPIC", "-Wall", "-Werror"])
        .arg(format!("-DPLUGIN_ABI={abi}u"))
        .arg("-I")
        .arg(repo().join("plugin-api/include"))
        .arg(repo().join("examples/c-plugin/count.c"))
        .arg("-o")
        .arg(&lib)
        .status()
        .expect("a C compiler (cc) is installed");
    assert!(status.success(), "the C test plugin does not compile");
    lib
}
