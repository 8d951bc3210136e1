//! A throwaway PostgreSQL server for the end-to-end tests: Debian's server binaries
//! (`apt-get install postgresql`) run on a temporary data folder, listening on 127.0.0.1 and a
//! free port, with `fsync` on. PostgreSQL refuses to run as root, so as root the data folder
//! belongs to the `postgres` user and the server runs as that user (through `setpriv`). The
//! server is stopped and its folder removed when the value is dropped; it also gets SIGQUIT
//! (immediate shutdown) when the test thread that started it dies.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running (or stopped, restartable) PostgreSQL server with one database, `enrichd`.
pub struct PgServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// Run the server's programs as `postgres` (we are root).
    as_postgres: bool,
    server: Option<Child>,
}

/// The folder of the newest installed PostgreSQL server's programs.
fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            ["initdb", "postgres", "psql"]
                .iter()
                .all(|p| bin.join(p).exists())
                .then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "the PostgreSQL tests need a PostgreSQL server installed: no /usr/lib/postgresql/*/bin/{{initdb,postgres,psql}}; install it with `apt-get install postgresql`"
        ),
    }
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether this process runs as root.
fn is_root() -> bool {
    run(Command::new("id").arg("-u"), "id -u").trim() == "0"
}

/// A TCP port that was free a moment ago.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local address").port()
}

impl PgServer {
    /// Create a data folder, start the server and create the `enrichd` database.
    pub fn start() -> PgServer {
        let bin = bin_dir();
        let dir = tempfile::tempdir().expect("tempdir");
        let as_postgres = is_root();
        if as_postgres {
            let id = |flag: &str| -> u32 {
                run(Command::new("id").args([flag, "postgres"]), "id postgres")
                    .trim()
                    .parse()
                    .unwrap_or_else(|e| panic!("odd id of the postgres user: {e}"))
            };
            std::os::unix::fs::chown(dir.path(), Some(id("-u")), Some(id("-g")))
                .expect("chown the server folder to postgres");
        }
        let mut pg = PgServer {
            dir,
            bin,
            port: free_port(),
            as_postgres,
            server: None,
        };
        let data = pg.data();
        run(
            pg.command("initdb")
                .arg("-D")
                .arg(&data)
                .args(["-U", "postgres", "-A", "trust", "-E", "UTF8"])
                .args(["--locale=C", "--no-sync"]),
            "initdb",
        );
        pg.restart();
        pg.psql("postgres", "CREATE DATABASE enrichd");
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A command for one of the server's programs, as the right user.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("setpriv");
        if self.as_postgres {
            cmd.args(["--reuid=postgres", "--regid=postgres", "--init-groups"]);
        }
        cmd.args(["--pdeathsig", "QUIT", "--"])
            .arg(self.bin.join(program))
            .current_dir(self.dir.path());
        cmd
    }

    /// The connection string of the `enrichd` database.
    pub fn url(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=enrichd connect_timeout=2",
            self.port
        )
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Start the server (again: same data, same port) and wait until it takes connections.
    pub fn restart(&mut self) {
        assert!(self.server.is_none(), "the server is already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.log"))
            .expect("server log");
        let child = self
            .command("postgres")
            .arg("-D")
            .arg(self.data())
            .args(["-p", &self.port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=on"])
            .arg("-k")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("setpriv runs the server");
        self.server = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(Ok(Some(status))) = self.server.as_mut().map(Child::try_wait) {
                self.server = None;
                panic!("the PostgreSQL server exited ({status}):\n{}", self.log());
            }
            if self.try_psql("postgres", "SELECT 1").is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the PostgreSQL server does not take connections:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stop the server (fast shutdown: sessions are cut, nothing committed is lost) and wait.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.server.take() {
            crate::support::stop_child(&mut child, "INT", Duration::from_secs(30));
        }
    }

    /// A `psql` on database `db` (unaligned, tuples only, quiet, stops at the first error);
    /// add `-c SQL`, or feed it SQL on its standard input.
    pub fn psql_command(&self, db: &str) -> Command {
        let mut cmd = Command::new(self.bin.join("psql"));
        cmd.args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", "postgres", "-d", db, "-AtqX", "-v", "ON_ERROR_STOP=1"])
            .env("PGCONNECT_TIMEOUT", "5");
        cmd
    }

    fn try_psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let out = self
            .psql_command(db)
            .args(["-c", sql])
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Run SQL in database `db`; returns psql's unaligned output (`|` between columns).
    pub fn psql(&self, db: &str, sql: &str) -> String {
        self.try_psql(db, sql)
            .unwrap_or_else(|e| panic!("psql {sql:?} failed: {e}"))
    }

    /// Run SQL in the `enrichd` database and parse the single value it returns.
    pub fn value<T: std::str::FromStr>(&self, sql: &str) -> T
    where
        T::Err: std::fmt::Debug,
    {
        let out = self.psql("enrichd", sql);
        out.parse()
            .unwrap_or_else(|e| panic!("{sql:?} gave {out:?}: {e:?}"))
    }

    /// The data folder's path (for messages).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        self.stop();
    }
}
