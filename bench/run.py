#!/usr/bin/env python3
"""enrichd's performance harness: every measurement, one run, the same files.

    python3 bench/run.py [--n 20000] [--quick] [--skip-build] [--keep]

A benchmark, not a test: it prints figures and ratios (and the issue's
targets beside them) and writes bench/RESULTS.md; it fails only when a
measurement cannot be taken (a build error, a daemon that dies, a timeout),
saying which and where. What each figure means: bench/README.md.

Environment: CARGO_TARGET_DIR (default: the repo's target/), BENCH_DIR (the
parent of the scratch folder; default: the system's temporary folder).
Python 3 standard library only; the peer runs in .venv-peers at the repo
root (made on first use: python3 -m venv, pip install watchdog==7.1.0).
"""
import argparse
import datetime as dt
import glob
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen  # noqa: E402  (bench/gen.py, the workload)

PEER = os.path.normpath(os.path.join(REPO, "..", "shared", "peers", "ingest_watchdog.py"))
VENV = os.path.join(REPO, ".venv-peers")
GNU_TIME = "/usr/bin/time"
WATCHDOG = "watchdog==7.1.0"
MIB = 1024 * 1024
T_START = time.perf_counter()

# The targets (2-core machine), printed beside the figures.
TARGET_VS_PEER = 20.0        # enrichd files/s >= 20x the peer's
TARGET_VS_IO = 3.0           # I/O bound files/s <= 3x enrichd's
TARGET_P99_MS = 50.0         # arrival -> durable p99 at 500 files/s
TARGET_RSS_MIB = 64.0        # peak RSS, flat from 1k to 100k queued files


class BenchError(Exception):
    """A measurement could not be taken."""


def log(msg):
    print("[%6.1fs] %s" % (time.perf_counter() - T_START, msg), file=sys.stderr, flush=True)


def tail(path, lines=20):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return "(cannot read %s: %s)" % (path, e)


def pct(values, p):
    """The p-th percentile (nearest rank) of values."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)] if s else float("nan")


def spawn(argv, rss_file=None, **kw):
    """Start argv in its own process group; with rss_file, under GNU time, which writes
    the peak RSS (KiB) there.

    Not wait4's ru_maxrss of our own child: Linux carries the RSS high-water mark of
    the process that exec'd (this Python, forked) into it. GNU time is small.
    """
    if rss_file:
        argv = [GNU_TIME, "-f", "%M", "-o", rss_file] + argv
    return subprocess.Popen(argv, start_new_session=True, cwd=REPO, **kw)


def kill_group(proc):
    if proc.returncode is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def wait_child(proc, timeout, what, log_path):
    """Reap proc with wait4 -> (exit code, CPU s: user + system, its children included)."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, ru.ru_utime + ru.ru_stime
        if time.monotonic() > deadline:
            kill_group(proc)
            raise BenchError("%s: still running after %d s; killed. Its log: %s\n%s"
                             % (what, timeout, log_path, tail(log_path)))
        time.sleep(0.02)


def time_rss_mib(rss_file):
    """The peak RSS GNU time wrote (its last line, KiB), in MiB."""
    try:
        with open(rss_file, encoding="utf-8") as f:
            return int(f.read().split()[-1]) / 1024
    except (OSError, ValueError, IndexError) as e:
        raise BenchError("cannot read the peak RSS that %s wrote to %s: %s" % (GNU_TIME, rss_file, e))


def vm_hwm_mib(pid):
    """VmHWM (peak RSS) of a running process, in MiB."""
    with open("/proc/%d/status" % pid, encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise BenchError("no VmHWM in /proc/%d/status" % pid)


def run_measured(argv, stdout_path, stderr_path, timeout, what, env=None):
    """Run argv to completion -> (wall s, peak RSS MiB, CPU s); a non-zero exit is an error."""
    rss_file = stderr_path + ".rss"
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        t = time.perf_counter()
        proc = spawn(argv, rss_file, stdout=out, stderr=err, env=env)
        code, cpu = wait_child(proc, timeout, what, stderr_path)
        wall = time.perf_counter() - t
    if code != 0:
        raise BenchError("%s: `%s` exited with %d. Its stderr (%s):\n%s"
                         % (what, " ".join(map(shlex.quote, argv)), code, stderr_path,
                            tail(stderr_path)))
    return wall, time_rss_mib(rss_file), cpu


def link_set(files, folder):
    """A folder of hard links to files (so the same bytes serve every phase)."""
    os.makedirs(folder, exist_ok=True)
    for path, _ in files:
        os.link(path, os.path.join(folder, os.path.basename(path)))
    return folder


def drop(files, staging, inbox, rate=None):
    """Move files into inbox the way a writer should: link into staging, rename(2) in.

    With rate (files/s), file k is dropped at start + k/rate (absolute schedule, so
    no drift); without, as fast as possible. -> {name: arrival time}, taken with
    time.time() right after each rename, and the lateness of the writer (s, max).
    """
    arrivals, late = {}, 0.0
    start = time.time()
    for k, (path, _) in enumerate(files):
        name = os.path.basename(path)
        if rate:
            due = start + k / rate
            wait = due - time.time()
            if wait > 0:
                time.sleep(wait)
            else:
                late = max(late, -wait)
        tmp = os.path.join(staging, name)
        os.link(path, tmp)
        os.rename(tmp, os.path.join(inbox, name))
        arrivals[name] = time.time()
    return arrivals, late


# ----------------------------------------------------------------------------- config
def write_config(src, dst_dir, work, plugin_dir, only_sink=None):
    """Copy config/ beside the rewritten config: scratch paths, JSON log at info.

    The chain and every other setting stay as `src` has them (plugin settings that
    name files, like boilerplate's rules, resolve because config/'s other files are
    copied beside it). `only_sink`: keep only the items of `sinks:` of that type.
    """
    shutil.copytree(os.path.dirname(src), dst_dir, dirs_exist_ok=True)
    dst = os.path.join(dst_dir, os.path.basename(src))
    top = {
        "drop": work + "/drop", "processed": work + "/drop/processed",
        "failed": work + "/drop/failed", "state_dir": work + "/state",
        "on_success": "move", "plugin_dir": plugin_dir,
    }
    nested = {("log", "level"): "info", ("log", "format"): "json"}
    out, seen, section = [], set(), None
    sink_paths = 0
    dropping = False  # inside an item of `sinks:` that only_sink leaves out
    with open(src, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^([A-Za-z_]+):", line)
            if m:
                dropping = False
                section = m.group(1)
                if section in top:
                    out.append("%s: %s\n" % (section, json.dumps(top[section])))
                    seen.add(section)
                    continue
            else:
                item = re.match(r"^\s*- type:\s*(\S+)", line)
                if item and section == "sinks" and only_sink:
                    dropping = item.group(1) != only_sink
                if dropping:
                    continue
                # A sink's file (`sink:` or an item of `sinks:`) goes to the scratch out/ folder.
                m = re.match(r"^(\s+(?:- )?)path:\s*(\S+)", line)
                if m and section in ("sink", "sinks") and m.group(2) not in ('"-"', "'-'", "-"):
                    name = os.path.basename(m.group(2).strip("'\""))
                    out.append("%spath: %s\n" % (m.group(1), json.dumps(work + "/out/" + name)))
                    sink_paths += 1
                    continue
                m = re.match(r"^(\s+)([A-Za-z_]+):", line)
                if m and (section, m.group(2)) in nested:
                    key = (section, m.group(2))
                    out.append("%s%s: %s\n" % (m.group(1), key[1], json.dumps(nested[key])))
                    seen.add(key)
                    continue
            out.append(line)
    missing = [".".join(k) for k in nested if k not in seen] + ([] if sink_paths else ["sink path"])
    if missing:
        raise BenchError("%s has no %s to rewrite (the harness needs the sink in its scratch "
                         "folder and a JSON log)" % (src, ", ".join(missing)))
    out += ["%s: %s\n" % (k, json.dumps(v)) for k, v in top.items() if k not in seen]
    with open(dst, "w", encoding="utf-8") as f:
        f.write("".join(out))
    for d in ("drop", "staging", "out"):
        os.makedirs(os.path.join(work, d), exist_ok=True)
    return dst


class Env:
    """Paths and settings shared by the phases."""

    def __init__(self, args, scratch):
        target = os.environ.get("CARGO_TARGET_DIR") or "target"
        self.target = target if os.path.isabs(target) else os.path.join(REPO, target)
        self.bins = os.path.join(self.target, args.profile)
        self.enrichd = os.path.join(self.bins, "enrichd")
        self.boundary = os.path.join(self.bins, "boundary")
        self.sinks = os.path.join(self.bins, "sinks")
        self.config = os.path.abspath(args.config)
        self.scratch = scratch
        self.timeout = args.timeout
        self.env = dict(os.environ, ENRICHD_PLUGIN_DIR=self.bins)
        self.env.pop("RUST_LOG", None)  # it would override log.level: the harness needs info

    def workdir(self, name, only_sink=None):
        """A fresh folder for one run, with its config -> (folder, config path)."""
        work = os.path.join(self.scratch, name)
        os.makedirs(work)
        return work, write_config(self.config, os.path.join(work, "config"), work, self.bins,
                                  only_sink)

    def done_with(self, work, keep):
        if not keep:
            shutil.rmtree(work)


# ----------------------------------------------------------------------------- daemon
def parse_ts(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


class Daemon:
    """`enrichd run` on a scratch folder; reads its JSON log for deliveries."""

    def __init__(self, env, work, cfg, what):
        self.env, self.work, self.cfg, self.what = env, work, cfg, what
        self.drop_dir = os.path.join(work, "drop")
        self.staging = os.path.join(work, "staging")
        self.log_path = os.path.join(work, "daemon.log")
        self.delivered = {}      # file name -> time its record was durable (log timestamp)
        self.failed = []         # log lines of failed inputs
        self._log_pos, self._partial = 0, b""
        self.proc = None

    def start(self):
        self.started = time.time()
        self._log = open(self.log_path, "wb")
        self.proc = spawn([self.env.enrichd, "run", "--config", self.cfg],
                          stdout=subprocess.DEVNULL, stderr=self._log, env=self.env.env)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise BenchError("%s: enrichd exited with %s at start. Its log (%s):\n%s"
                                 % (self.what, self.proc.returncode, self.log_path,
                                    tail(self.log_path)))
            with open(self.log_path, "rb") as f:
                if b"enrichd is running" in f.read():
                    return
            if time.monotonic() > deadline:
                raise BenchError("%s: enrichd did not say it is running within 60 s. Its log "
                                 "(%s):\n%s" % (self.what, self.log_path, tail(self.log_path)))
            time.sleep(0.05)

    def _read_log(self):
        with open(self.log_path, "rb") as f:
            f.seek(self._log_pos)
            data = f.read()
        self._log_pos += len(data)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            if b'"delivered"' not in line and b"failed; moving" not in line:
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                raise BenchError("%s: a log line of enrichd is not JSON (%s): %r"
                                 % (self.what, self.log_path, line[:200]))
            msg = ev.get("fields", {}).get("message", "")
            if msg == "delivered":
                name = os.path.basename(ev["fields"]["path"])
                self.delivered[name] = parse_ts(ev["timestamp"])
            elif msg.startswith("failed; moving"):
                self.failed.append(line.decode("utf-8", "replace"))

    def wait_done(self, n):
        """Until n inputs are delivered or failed (or the timeout)."""
        deadline = time.monotonic() + self.env.timeout
        while True:
            self._read_log()
            if len(self.delivered) + len(self.failed) >= n:
                return
            if self.proc.poll() is not None:
                raise BenchError("%s: enrichd exited (%s) after %d of %d inputs. Its log (%s):\n%s"
                                 % (self.what, self.proc.returncode, len(self.delivered), n,
                                    self.log_path, tail(self.log_path)))
            if time.monotonic() > deadline:
                raise BenchError("%s: only %d of %d inputs delivered (%d failed) after %d s. "
                                 "Its log (%s):\n%s" % (self.what, len(self.delivered), n,
                                                         len(self.failed), self.env.timeout,
                                                         self.log_path, tail(self.log_path)))
            time.sleep(0.05)

    def stop(self):
        """Peak RSS (VmHWM, read while the work is done and it idles), SIGTERM, reap
        -> (peak RSS MiB, CPU s) of the daemon."""
        rss = vm_hwm_mib(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        code, cpu = wait_child(self.proc, 60, self.what + ": stopping enrichd", self.log_path)
        self._log.close()
        if code != 0:
            raise BenchError("%s: enrichd exited with %d on SIGTERM. Its log (%s):\n%s"
                             % (self.what, code, self.log_path, tail(self.log_path)))
        return rss, cpu

    def kill(self):
        if self.proc:
            kill_group(self.proc)

    def check_sink(self, n):
        sink = os.path.join(self.work, "out", "records.jsonl")
        with open(sink, "rb") as f:
            lines = sum(1 for _ in f)
        if lines != n or self.failed:
            raise BenchError("%s: %d inputs, %d records in %s, %d failed (first: %s)"
                             % (self.what, n, lines, sink, len(self.failed),
                                self.failed[:1]))


def latencies_ms(arrivals, delivered):
    missing = [k for k in arrivals if k not in delivered]
    if missing:
        raise BenchError("no delivery logged for %d dropped files (first: %s)"
                         % (len(missing), missing[0]))
    return [1000 * (delivered[k] - arrivals[k]) for k in arrivals]


# ----------------------------------------------------------------------------- phases
def phase_batch(env, files, name, keep):
    """`enrichd process` over a folder of files -> figures."""
    folder = link_set(files, os.path.join(env.scratch, name))
    work, cfg = env.workdir(name + "-run")
    records = os.path.join(work, "records.jsonl")
    wall, rss, cpu = run_measured([env.enrichd, "process", folder, "--config", cfg], records,
                                  os.path.join(work, "stderr.log"), env.timeout,
                                  "batch (%s)" % name, env=env.env)
    n, nbytes = len(files), sum(b for _, b in files)
    per_plugin, chain, count = {}, [], 0
    with open(records, encoding="utf-8") as f:
        for line in f:
            count += 1
            steps = json.loads(line)["pipeline"]
            for s in steps:
                if s.get("error"):
                    raise BenchError("batch (%s): a record failed in %s: %s (records: %s)"
                                     % (name, s["plugin"], s["error"], records))
                per_plugin.setdefault(s["plugin"], []).append(s["micros"])
            chain.append(sum(s["micros"] for s in steps))
    if count != n:
        raise BenchError("batch (%s): %d inputs but %d records in %s" % (name, n, count, records))
    res = {"files": n, "mib": nbytes / MIB, "wall_s": wall, "docs_s": n / wall,
           "mb_s": nbytes / 1e6 / wall, "rss_mib": rss, "cpu_ms_doc": 1000 * cpu / n,
           "plugins": per_plugin, "chain_us": chain}
    shutil.rmtree(folder)
    env.done_with(work, keep)
    return res


def phase_io(env, files):
    """The I/O bound on the same files: cat (all bytes to one file, fsync'd) and cp."""
    folder = link_set(files, os.path.join(env.scratch, "io-src"))
    out = os.path.join(env.scratch, "io-cat.out")
    copy = os.path.join(env.scratch, "io-cp")
    cat = ("find %s -maxdepth 1 -name '*.txt' -print0 | xargs -0 cat -- > %s && sync %s"
           % (shlex.quote(folder), shlex.quote(out), shlex.quote(out)))
    res = {}
    for key, cmd in (("cat", cat), ("cp", "cp -r %s %s" % (shlex.quote(folder), shlex.quote(copy)))):
        t = time.perf_counter()
        p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True)
        wall = time.perf_counter() - t
        if p.returncode != 0:
            raise BenchError("I/O bound: `%s` failed (%d): %s" % (cmd, p.returncode, p.stderr))
        res[key] = {"cmd": cmd, "wall_s": wall, "docs_s": len(files) / wall,
                    "mb_s": sum(b for _, b in files) / 1e6 / wall}
    if os.path.getsize(out) != sum(b for _, b in files):
        raise BenchError("I/O bound: %s has %d bytes, the files %d"
                         % (out, os.path.getsize(out), sum(b for _, b in files)))
    for p in (folder, copy):
        shutil.rmtree(p)
    os.remove(out)
    return res


def phase_boundary(env, quick):
    """The existing `boundary` binary, fed the dev articles' full-chain records."""
    work, cfg = env.workdir("boundary")
    dev = os.path.normpath(os.path.join(REPO, "..", "shared", "eval", "dev"))
    records = os.path.join(work, "dev.jsonl")
    run_measured([env.enrichd, "process", dev, "--config", cfg], records,
                 os.path.join(work, "process.log"), env.timeout, "boundary: records", env=env.env)
    iters, warmup = (200, 20) if quick else (2000, 200)
    argv = [env.boundary, "--data", dev, "--records", records,
            "--iters", str(iters), "--warmup", str(warmup)]
    out = os.path.join(work, "boundary.out")
    run_measured(argv, out, os.path.join(work, "boundary.log"), env.timeout, "boundary",
                 env=env.env)
    with open(out, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^median of articles\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(-?[\d.]+)",
                  text, re.M)
    if not m:
        raise BenchError("boundary: no 'median of articles' line in its output (%s)" % out)
    utf8, call_empty, call_fields, run_fields, host = map(float, m.groups())
    env.done_with(work, False)
    return {"cmd": " ".join(argv[:1] + ["--records", "DEV_RECORDS"] + argv[5:]),
            "call_empty_us": call_empty, "call_fields_us": call_fields,
            "run_fields_us": run_fields, "host_us": host}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError("%s exited at start (exit %s)" % (what, proc.returncode))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise BenchError("%s does not accept connections on port %d after %d s" % (what, port, timeout))


def start_postgres(root):
    """A throw-away PostgreSQL server on loopback (as the `postgres` user when run as root,
    which PostgreSQL requires) -> (process, url), or None when PostgreSQL is not installed."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        return None
    bindir = os.path.dirname(bins[-1])
    data = os.path.join(root, "pgdata")
    as_pg = []
    if os.geteuid() == 0:
        as_pg = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
        os.chmod(root, 0o755)
        os.makedirs(data, mode=0o700)
        shutil.chown(data, "postgres", "postgres")
    subprocess.run(as_pg + [os.path.join(bindir, "initdb"), "-D", data, "-U", "postgres", "-A",
                            "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                   check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(as_pg + [os.path.join(bindir, "postgres"), "-D", data, "-p", str(port),
                                     "-k", data, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, proc, "postgres")
    time.sleep(0.5)  # the port opens a moment before the server takes logins
    return proc, "postgres://postgres@127.0.0.1:%d/postgres" % port


def start_nats(root):
    """A throw-away `nats-server -js` on loopback -> (process, url), or None when not installed."""
    exe = shutil.which("nats-server") or ("/usr/sbin/nats-server" if os.access("/usr/sbin/nats-server", os.X_OK) else None)
    if not exe:
        return None
    port = free_port()
    proc = subprocess.Popen([exe, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", os.path.join(root, "nats")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, proc, "nats-server")
    return proc, "nats://127.0.0.1:%d" % port


def phase_sinks(env, quick):
    """Records/s each sink makes durable (the `sinks` binary): the dev and more articles'
    full-chain records, copied under fresh ids, in batches of the default `batch` (256), a
    commit each."""
    work, cfg = env.workdir("sinks")
    shared = os.path.normpath(os.path.join(REPO, "..", "shared", "eval"))
    records = os.path.join(work, "records.jsonl")
    run_measured([env.enrichd, "process", os.path.join(shared, "dev"), os.path.join(shared, "more"),
                  "--config", cfg], records, os.path.join(work, "process.log"), env.timeout,
                 "sinks: records", env=env.env)
    n = 2000 if quick else 20000
    servers = tempfile.mkdtemp(prefix="enrichd-bench-servers.")
    procs = []
    try:
        sinks = [("jsonl", "{type: jsonl, path: %s}" % json.dumps(os.path.join(work, "r.jsonl"))),
                 ("sqlite", "{type: sqlite, path: %s}" % json.dumps(os.path.join(work, "r.db")))]
        for start, kind, fmt in ((start_postgres, "postgres", "{type: postgres, url: %s}"),
                                 (start_nats, "nats", "{type: nats, url: %s, stream: BENCH, subject: bench.records}")):
            got = start(servers)
            if got is None:
                log("   %s is not installed: its sink is not measured" % kind)
                continue
            procs.append(got[0])
            sinks.append((kind, fmt % json.dumps(got[1])))
        out = []
        for kind, yaml in sinks:
            argv = [env.sinks, "--records", records, "--sink", yaml, "--n", str(n)]
            res = os.path.join(work, "sinks-%s.out" % kind)
            run_measured(argv, res, os.path.join(work, "sinks-%s.log" % kind), env.timeout,
                         "sinks: " + kind, env=env.env)
            with open(res, encoding="utf-8") as f:
                out.append(json.loads(f.read().strip().splitlines()[-1]))
            log("   %s: %.0f records/s, commit p50 %.1f ms" % (kind, out[-1]["records_per_s"], out[-1]["commit_ms_p50"]))
        return {"n": n, "sinks": out}
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(servers, ignore_errors=True)
        env.done_with(work, False)


def daemon_phase(env, name, files, rate=None, queued=False, keep=False, only_sink=None):
    """One `enrichd run` over files -> figures.

    queued: the files are in the drop folder before the daemon starts (a backlog);
    else they are renamed in once it runs, as fast as possible or at `rate` files/s.
    only_sink: run with only the config's sink of that type.
    """
    n = len(files)
    work, cfg = env.workdir(name, only_sink)
    if queued:
        link_set(files, os.path.join(work, "drop"))
    d = Daemon(env, work, cfg, "daemon " + name)
    try:
        d.start()
        if not queued:
            arrivals, late = drop(files, d.staging, d.drop_dir, rate=rate)
        d.wait_done(n)
        rss, cpu = d.stop()
    finally:
        d.kill()
    d.check_sink(n)
    env.done_with(work, keep)
    res = {"files": n, "mib": sum(b for _, b in files) / MIB, "rss_mib": rss,
           "cpu_ms_file": 1000 * cpu / n}
    if queued:
        start = d.started
    else:
        start = min(arrivals.values())
        span = max(arrivals.values()) - start
        lat = latencies_ms(arrivals, d.delivered)
        res.update({"drop_s": span, "achieved": (n - 1) / span if span else float("nan"),
                    "writer_late_ms": 1000 * late, "rate": rate, "p50_ms": pct(lat, 50),
                    "p90_ms": pct(lat, 90), "p99_ms": pct(lat, 99), "max_ms": max(lat)})
    res["total_s"] = max(d.delivered.values()) - start
    res["files_s"] = n / res["total_s"]
    return res


def backlog_sets(corpus, sizes, tail=8):
    """The backlog sets: for each size N, the first N files of the corpus with their last
    `tail` swapped for the `tail` largest files of the largest set. Every set then holds the
    same largest files, so the sets differ in how many files wait and not in how large the
    largest is: peak memory follows the largest file (the size sweep measures that), and the
    first 1,000 files alone hold none of the 1 MiB tail that 10,000 or 100,000 do."""
    largest = sorted(corpus[:max(sizes)], key=lambda f: f[1])[-tail:]
    sets = []
    for n in sizes:
        k = min(tail, n // 10)
        head = [f for f in corpus[:n] if f not in largest[len(largest) - k:]]
        sets.append(head[:n - k] + largest[len(largest) - k:])
    return sets


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if os.path.exists(py) and subprocess.run([py, "-c", "import watchdog"],
                                             capture_output=True).returncode == 0:
        return py
    log("making %s with %s (for the Python peer)" % (VENV, WATCHDOG))
    for argv in ([sys.executable, "-m", "venv", VENV],
                 [os.path.join(VENV, "bin", "pip"), "install", "--quiet", WATCHDOG]):
        p = subprocess.run(argv, capture_output=True, text=True)
        if p.returncode != 0:
            raise BenchError("peer venv: `%s` failed (%d):\n%s%s\n(on Debian, `python3 -m venv` "
                             "needs the python3-venv package)"
                             % (" ".join(argv), p.returncode, p.stdout, p.stderr))
    return py


def phase_peer(env, files, keep):
    """The Python peer on the same files, dropped the same way as the burst."""
    py = ensure_venv()
    n = len(files)
    work = os.path.join(env.scratch, "peer")
    inbox, staging = os.path.join(work, "inbox"), os.path.join(work, "staging")
    os.makedirs(inbox)
    os.makedirs(staging)
    out, log_path = os.path.join(work, "out.jsonl"), os.path.join(work, "peer.log")
    argv = [py, PEER, "--inbox", inbox, "--out", out, "--exit-after", str(n),
            "--fsync-every", "100"]
    with open(log_path, "wb") as lf:
        proc = spawn(argv, log_path + ".rss", stdout=subprocess.DEVNULL, stderr=lf)
        try:
            deadline = time.monotonic() + 60
            while True:
                with open(log_path, "rb") as f:
                    if b"READY" in f.read():
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise BenchError("peer: not READY (exit %s). Its log (%s):\n%s"
                                     % (proc.poll(), log_path, tail(log_path)))
                time.sleep(0.05)
            arrivals, _ = drop(files, staging, inbox)
            code, cpu = wait_child(proc, env.timeout, "peer", log_path)
            end = time.time()
        finally:
            kill_group(proc)
    with open(out, "rb") as f:
        lines = sum(1 for _ in f)
    if code != 0 or lines != n:
        raise BenchError("peer: exit %d, %d records of %d in %s. Its log (%s):\n%s"
                         % (code, lines, n, out, log_path, tail(log_path)))
    total = end - min(arrivals.values())
    rss = time_rss_mib(log_path + ".rss")
    if not keep:
        shutil.rmtree(work)
    return {"files": n, "total_s": total, "files_s": n / total, "rss_mib": rss,
            "cpu_ms_file": 1000 * cpu / n, "cmd": " ".join(argv[1:2] + ["--inbox", "INBOX",
                                                                       "--out", "OUT"] + argv[6:])}


# ----------------------------------------------------------------------------- report
def machine():
    model = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        mem = int(f.readline().split()[1]) / MIB
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "?"
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {"date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "cores": os.cpu_count(), "model": model, "mem_gib": mem,
            "kernel": platform.release(), "commit": commit + (" (+ uncommitted changes)" if dirty else "")}


def f1(x):
    return "%.0f" % x if x >= 1000 else "%.1f" % x


def yes(ok):
    return "yes" if ok else "**no**"


def report(R, args, argv):
    m, wl = R["machine"], R["workload"]
    b, io, bu, st = R["batch"], R["io"], R["burst"], R["steady"]
    L = []
    add = L.append
    add("# enrichd benchmark results")
    add("")
    add("Written by `bench/run.py` (what each figure means: `bench/README.md`). A benchmark, "
        "not a test: the targets are the issue's, for a 2-core machine.")
    add("")
    add("| | |")
    add("|---|---|")
    add("| date | %s |" % m["date"])
    add("| machine | %d cores, %s, %.1f GiB RAM, Linux %s |" % (m["cores"], m["model"], m["mem_gib"], m["kernel"]))
    add("| load average (1 min) | %.2f at start, %.2f at the end |" % (R["load"][0], R["load"][1]))
    add("| enrichd | commit %s, %s build, config `%s`: %s |"
        % (m["commit"], args.profile, os.path.relpath(os.path.abspath(args.config), REPO), R["chain"]))
    add("| command | `%s` (%s; %.0f s in all) |" % (argv, "--quick mode" if args.quick else "full mode", R["runtime_s"]))
    add("| workload | `bench/gen.py` seed %d: %s |" % (args.seed, wl))
    add("")
    add("## Summary")
    add("")
    add("| measurement | figure | target | meets it |")
    add("|---|---|---|---|")
    peer = R.get("peer")
    if peer:
        r = bu["files_s"] / peer["files_s"]
        add("| daemon files/s ÷ Python peer files/s (same files, same drop) | %.2f× (%s vs %s) | ≥ %.0f× | %s |"
            % (r, f1(bu["files_s"]), f1(peer["files_s"]), TARGET_VS_PEER, yes(r >= TARGET_VS_PEER)))
        bj = R["burst_jsonl"]
        add("| the same, enrichd writing only the JSON Lines file (the peer's output) | %.2f× (%s) | | |"
            % (bj["files_s"] / peer["files_s"], f1(bj["files_s"])))
        add("| batch docs/s ÷ Python peer files/s | %.2f× | | |" % (b["docs_s"] / peer["files_s"]))
    else:
        add("| enrichd ÷ Python peer | not measured (--skip-peer) | ≥ %.0f× | |" % TARGET_VS_PEER)
    for what, x in (("batch", b["docs_s"]), ("daemon burst", bu["files_s"])):
        r = io["cat"]["docs_s"] / x
        add("| %s files/s vs the I/O bound (cat, %s files/s) | %.1f× slower | ≤ %.0f× slower | %s |"
            % (what, f1(io["cat"]["docs_s"]), r, TARGET_VS_IO, yes(r <= TARGET_VS_IO)))
    add("| arrival → durable p99 at %d files/s | %.0f ms (p50 %.0f, max %.0f) | ≤ %.0f ms | %s |"
        % (st["rate"], st["p99_ms"], st["p50_ms"], st["max_ms"], TARGET_P99_MS, yes(st["p99_ms"] <= TARGET_P99_MS)))
    peak = max([b["rss_mib"], bu["rss_mib"], R["burst_jsonl"]["rss_mib"], st["rss_mib"]] + [x["rss_mib"] for x in R["backlog"]]
               + [x["rss_mib"] for _, x in R["sizes"]])
    add("| peak RSS, any enrichd run of this table | %.1f MiB | ≤ %.0f MiB | %s |" % (peak, TARGET_RSS_MIB, yes(peak <= TARGET_RSS_MIB)))
    bl = R["backlog"]
    grow = bl[-1]["rss_mib"] / bl[0]["rss_mib"]
    add("| peak RSS, backlog %d → %d files | %.1f → %.1f MiB (×%.2f) | flat | %s |"
        % (bl[0]["files"], bl[-1]["files"], bl[0]["rss_mib"], bl[-1]["rss_mib"], grow, yes(grow <= 1.25)))
    add("")
    add("## 1. Batch: `enrichd process` over the %d files" % b["files"])
    add("")
    add("| files | MiB | wall s | docs/s | MB/s | peak RSS MiB | CPU ms/doc |")
    add("|---|---|---|---|---|---|---|")
    add("| %d | %.1f | %.2f | %s | %.2f | %.1f | %.2f |" % (b["files"], b["mib"], b["wall_s"], f1(b["docs_s"]), b["mb_s"], b["rss_mib"], b["cpu_ms_doc"]))
    add("")
    add("## 2. Daemon: `enrichd run`")
    add("")
    add("(a) all %d files renamed in at once (the writer took %.2f s): last record durable after "
        "**%.2f s** = **%s files/s**; peak RSS %.1f MiB; CPU %.2f ms/file; arrival → durable "
        "p50 %.0f ms, p99 %.0f ms, max %.0f ms (queueing behind the burst)."
        % (bu["files"], bu["drop_s"], bu["total_s"], f1(bu["files_s"]), bu["rss_mib"], bu["cpu_ms_file"],
           bu["p50_ms"], bu["p99_ms"], bu["max_ms"]))
    add("")
    bj = R["burst_jsonl"]
    add("The same burst with only the config's JSON Lines sink (what the Python peer writes; no "
        "SQLite): **%.2f s** = **%s files/s**; peak RSS %.1f MiB; CPU %.2f ms/file. The "
        "difference is the SQLite sink's cost (a transaction, a full-text index and an fsync "
        "per batch)." % (bj["total_s"], f1(bj["files_s"]), bj["rss_mib"], bj["cpu_ms_file"]))
    add("")
    add("(b) %d files at a steady %d files/s (achieved %.1f/s, writer at most %.1f ms behind "
        "schedule):" % (st["files"], st["rate"], st["achieved"], st["writer_late_ms"]))
    add("")
    add("| arrival → durable | p50 | p90 | p99 | max |")
    add("|---|---|---|---|---|")
    add("| ms | %.1f | %.1f | %.1f | %.1f |" % (st["p50_ms"], st["p90_ms"], st["p99_ms"], st["max_ms"]))
    add("")
    add("Peak RSS %.1f MiB, CPU %.2f ms/file." % (st["rss_mib"], st["cpu_ms_file"]))
    add("")
    add("## 3. Cost per plugin (from the batch records' `pipeline[].micros`, µs per document)")
    add("")
    add("| plugin | mean | p50 | p99 | max | share of chain |")
    add("|---|---|---|---|---|---|")
    chain_total = sum(b["chain_us"])
    for name, us in b["plugins"].items():
        add("| %s | %.0f | %.0f | %.0f | %.0f | %.0f%% |" % (name, statistics.mean(us), pct(us, 50), pct(us, 99), max(us), 100 * sum(us) / chain_total))
    ch = b["chain_us"]
    add("| **chain** | %.0f | %.0f | %.0f | %.0f | 100%% |" % (statistics.mean(ch), pct(ch, 50), pct(ch, 99), max(ch)))
    add("")
    bd = R.get("boundary")
    if bd:
        stages = len(b["plugins"])
        add("The plugin boundary (`%s`, median of the dev articles, no-op plugin): one call through "
            "the C ABI %.1f µs with no fields, %.1f µs with a full record's fields; `Pipeline::run` "
            "around it %.1f µs (host's own work %.1f µs). × %d stages = %.0f µs per document, "
            "%.1f%% of the chain's mean. That is the fixed cost of a crossing: the no-op plugin "
            "returns 20 bytes. Counted in instructions over the real chain, whose plugins return "
            "whole texts and lists of objects, the boundary is about a third of the chain "
            "(bench/README.md, \"What the boundary costs the real chain\")." % (bd["cmd"], bd["call_empty_us"], bd["call_fields_us"],
                                              bd["run_fields_us"], bd["host_us"], stages, stages * bd["run_fields_us"],
                                              100 * stages * bd["run_fields_us"] / statistics.mean(ch)))
        add("")
    add("## 4. Growth")
    add("")
    add("Backlog: the daemon started on a drop folder already holding N files (time from start to "
        "the last record durable). Each set holds the same largest files (the corpus's 8 largest "
        "replace the set's last 8), so the sets differ in count, not in their largest file.")
    add("")
    add("| queued files | MiB | largest KiB | s | files/s | peak RSS MiB | CPU ms/file |")
    add("|---|---|---|---|---|---|---|")
    for x in bl:
        add("| %d | %.1f | %.0f | %.1f | %s | %.1f | %.2f |" % (x["files"], x["mib"], x["largest_kib"], x["total_s"], f1(x["files_s"]), x["rss_mib"], x["cpu_ms_file"]))
    add("")
    add("File size: `enrichd process` over files all of one size.")
    add("")
    add("| size | files | docs/s | MB/s | peak RSS MiB | chain µs/doc (p50) | CPU ms/doc |")
    add("|---|---|---|---|---|---|---|")
    for size, x in R["sizes"]:
        add("| %s | %d | %s | %.2f | %.1f | %.0f | %.2f |" % (human(size), x["files"], f1(x["docs_s"]), x["mb_s"], x["rss_mib"], pct(x["chain_us"], 50), x["cpu_ms_doc"]))
    add("")
    add("## 5. References (same files)")
    add("")
    add("| what | files/s | MB/s | s | peak RSS MiB | command |")
    add("|---|---|---|---|---|---|")
    add("| enrichd process (batch) | %s | %.2f | %.2f | %.1f | `enrichd process DIR` |" % (f1(b["docs_s"]), b["mb_s"], b["wall_s"], b["rss_mib"]))
    add("| enrichd run (burst) | %s | %.2f | %.2f | %.1f | `enrichd run` |" % (f1(bu["files_s"]), b["mib"] * MIB / 1e6 / bu["total_s"], bu["total_s"], bu["rss_mib"]))
    for key in ("cat", "cp"):
        x = io[key]
        add("| I/O bound: %s | %s | %.1f | %.2f | | `%s` |" % (key, f1(x["docs_s"]), x["mb_s"], x["wall_s"], x["cmd"].replace(R["scratch"], "$SCRATCH").replace("|", "\\|")))
    if peer:
        add("| Python peer (watchdog + regex) | %s | %.2f | %.2f | %.1f | `%s` |" % (f1(peer["files_s"]), b["mib"] * MIB / 1e6 / peer["total_s"], peer["total_s"], peer["rss_mib"], peer["cmd"]))
    add("")
    sk = R["sinks"]
    add("## 6. Sinks: records made durable per second")
    add("")
    add("`target/%s/sinks --records RECORDS --sink YAML --n %d`: the dev and more articles' "
        "full-chain records, copied under fresh ids, through the daemon's own `Sinks` in batches "
        "of the default `batch` (256) with one commit each (fsync / transaction / every JetStream ack). Servers on "
        "loopback, started by the harness." % (args.profile, sk["n"]))
    add("")
    add("| sink | records/s | commit p50 ms | commit p99 ms |")
    add("|---|---|---|---|")
    for x in sk["sinks"]:
        add("| %s | %s | %.1f | %.1f |" % (x["sink"], f1(x["records_per_s"]), x["commit_ms_p50"], x["commit_ms_p99"]))
    add("")
    for note in (R.get("note"), args.note):
        if note:
            add(note)
            add("")
    return "\n".join(L) + "\n"


def human(size):
    return "%d KiB" % (size // 1024) if size < MIB else "%d MiB" % (size // MIB)


def load1():
    return os.getloadavg()[0]


# ----------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description="enrichd's performance harness (bench/README.md)")
    ap.add_argument("--n", type=int, help="files in the main workload (default 20000; 500 with --quick)")
    ap.add_argument("--quick", action="store_true", help="CI smoke size: 500 files, 1 s steady "
                    "phase, backlogs 100 and 500, small size sweep, short boundary run")
    ap.add_argument("--skip-build", action="store_true",
                    help="do not build first (cargo build --workspace, with --release for the "
                         "release profile)")
    ap.add_argument("--profile", choices=("release", "debug"), default="release",
                    help="the build to bench (default release; debug only to check that the "
                         "harness runs, as CI does: its figures mean nothing)")
    ap.add_argument("--skip-peer", action="store_true", help="do not run the Python peer")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    ap.add_argument("--seed", type=int, default=1, help="workload seed (default 1)")
    ap.add_argument("--config", default=os.path.join(REPO, "config", "enrichd.yaml"),
                    help="enrichd config to bench (default config/enrichd.yaml; paths are "
                    "rewritten to the scratch folder)")
    ap.add_argument("--rate", type=int, default=500, help="steady phase files/s (default 500)")
    ap.add_argument("--steady-s", type=float, help="steady phase seconds (default 30; 1 with --quick)")
    ap.add_argument("--backlog", help="comma-separated backlog sizes (default 1000,10000,100000; "
                    "100,500 with --quick)")
    ap.add_argument("--timeout", type=int, default=1800, help="give up on one phase after "
                    "this many seconds (default 1800)")
    ap.add_argument("--note", help="a line to add to RESULTS.md (what was built, what else ran)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"),
                    help="where to write the results (default bench/RESULTS.md)")
    args = ap.parse_args()
    n = args.n or (500 if args.quick else 20000)
    steady_s = args.steady_s if args.steady_s is not None else (1.0 if args.quick else 30.0)
    backlog = [int(x) for x in (args.backlog or ("100,500" if args.quick else "1000,10000,100000")).split(",")]
    steady_n = int(args.rate * steady_s)
    if n < 1 or steady_n < 1 or min(backlog) < 1:
        ap.error("--n, --rate × --steady-s and the backlog sizes must be at least 1")
    if steady_n > n:
        ap.error("the steady phase needs %d files (%d/s × %g s) but the workload has %d: raise "
                 "--n or lower --rate/--steady-s" % (steady_n, args.rate, steady_s, n))
    # Size sweep: enough files to time, at most 16 MiB a size (20 files of 1 MiB).
    sizes = [1024 * k for k in (1, 4, 16, 64, 256, 1024)]
    per_size = lambda s: max(5, min(100, 1600 * 1024 // s)) if args.quick else max(20, min(1000, 16 * MIB // s))
    argv = " ".join(["%s=%s" % (k, shlex.quote(os.environ[k]))
                     for k in ("CARGO_TARGET_DIR", "BENCH_DIR") if os.environ.get(k)]
                    + ["python3", "bench/run.py"] + [shlex.quote(a) for a in sys.argv[1:]])

    parent = os.environ.get("BENCH_DIR") or None
    if parent and os.path.realpath(parent).startswith(os.path.realpath(REPO) + os.sep):
        ap.error("BENCH_DIR=%s is inside the repository: put scratch data outside it" % parent)
    if parent:
        os.makedirs(parent, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="enrichd-bench.", dir=parent)
    env = Env(args, scratch)
    R = {"scratch": scratch, "load": [load1(), None]}
    ok = False
    try:
        log("scratch folder %s; target dir %s; load average %.2f" % (scratch, env.target, R["load"][0]))
        if not os.access(GNU_TIME, os.X_OK):
            raise BenchError("%s (GNU time) is missing: the harness reads peak RSS with it. "
                             "Install it: apt-get install time" % GNU_TIME)
        build = ["cargo", "build", "--workspace"] + (["--release"] if args.profile == "release" else [])
        if not args.skip_build:
            log(" ".join(build))
            p = subprocess.run(build, cwd=REPO, env=dict(os.environ, CARGO_TARGET_DIR=env.target))
            if p.returncode != 0:
                raise BenchError("%s failed (exit %d), target dir %s"
                                 % (" ".join(build), p.returncode, env.target))
        for exe in (env.enrichd, env.boundary, env.sinks):
            if not os.access(exe, os.X_OK):
                raise BenchError("%s is missing: build first (%s, with the same CARGO_TARGET_DIR)"
                                 % (exe, " ".join(build)))
        work, cfg = env.workdir("check")
        p = subprocess.run([env.enrichd, "check", "--config", cfg], capture_output=True, text=True,
                           env=env.env)
        if p.returncode != 0:
            raise BenchError("enrichd check --config %s failed:\n%s%s" % (cfg, p.stdout, p.stderr))
        names = re.findall(r"^\s*\d*[.:)]?\s*([a-z][\w-]*)\s+(\d+\.\d+\.\d+)", p.stdout, re.M)
        R["chain"] = " → ".join("%s %s" % nv for nv in names) or p.stdout.strip().replace("\n", "; ")
        log("chain: %s" % R["chain"])

        total = max([n] + backlog)
        log("generating %d files (bench/gen.py, seed %d)" % (total, args.seed))
        corpus = gen.generate(os.path.join(scratch, "corpus"), total, seed=args.seed, log=log)
        main_set = corpus[:n]
        R["workload"] = gen.describe([s for _, s in main_set])
        log("workload: " + R["workload"])

        log("1. batch: enrichd process over %d files" % n)
        R["batch"] = phase_batch(env, main_set, "batch", args.keep)
        log("   %.1f docs/s, %.2f MB/s, peak RSS %.1f MiB" % (R["batch"]["docs_s"], R["batch"]["mb_s"], R["batch"]["rss_mib"]))
        log("5a. I/O bound: cat and cp of the same files")
        R["io"] = phase_io(env, main_set)
        log("   cat %.0f files/s, cp %.0f files/s" % (R["io"]["cat"]["docs_s"], R["io"]["cp"]["docs_s"]))
        log("3. plugin boundary (boundary binary)")
        R["boundary"] = phase_boundary(env, args.quick)
        log("2a. daemon burst: %d files at once" % n)
        R["burst"] = daemon_phase(env, "burst", main_set, keep=args.keep)
        log("   %.1f files/s, peak RSS %.1f MiB" % (R["burst"]["files_s"], R["burst"]["rss_mib"]))
        log("2a. daemon burst, JSON Lines only (the peer's output): %d files at once" % n)
        R["burst_jsonl"] = daemon_phase(env, "burst-jsonl", main_set, keep=args.keep,
                                        only_sink="jsonl")
        log("   %.1f files/s, peak RSS %.1f MiB" % (R["burst_jsonl"]["files_s"], R["burst_jsonl"]["rss_mib"]))
        if not args.skip_peer:
            log("5b. Python peer on the same %d files" % n)
            R["peer"] = phase_peer(env, main_set, args.keep)
            log("   %.1f files/s" % R["peer"]["files_s"])
        log("2b. daemon steady: %d files at %d/s" % (steady_n, args.rate))
        R["steady"] = daemon_phase(env, "steady", main_set[:steady_n], rate=args.rate, keep=args.keep)
        log("   p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (R["steady"]["p50_ms"], R["steady"]["p99_ms"], R["steady"]["max_ms"]))
        R["backlog"] = []
        for b, files in zip(backlog, backlog_sets(corpus, backlog)):
            log("4a. daemon backlog: %d files queued at start" % b)
            R["backlog"].append(daemon_phase(env, "backlog-%d" % b, files, queued=True, keep=args.keep))
            R["backlog"][-1]["largest_kib"] = max(s for _, s in files) / 1024
            log("   %.1f files/s, peak RSS %.1f MiB" % (R["backlog"][-1]["files_s"], R["backlog"][-1]["rss_mib"]))
        R["sizes"] = []
        for s in sizes:
            k = per_size(s)
            log("4b. file size %s: %d files" % (human(s), k))
            files = gen.generate(os.path.join(scratch, "size-%d" % s), k, seed=args.seed, size=s)
            x = phase_batch(env, files, "size-%d-set" % s, args.keep)
            shutil.rmtree(os.path.join(scratch, "size-%d" % s))
            R["sizes"].append((s, x))
            log("   %.1f docs/s, %.2f MB/s, peak RSS %.1f MiB" % (x["docs_s"], x["mb_s"], x["rss_mib"]))
        log("6. sinks: records/s each sink makes durable")
        R["sinks"] = phase_sinks(env, args.quick)
        R["load"][1] = load1()
        R["machine"] = machine()
        R["runtime_s"] = time.perf_counter() - T_START
        if R["load"][0] >= 1.5 or R["load"][1] >= 1.5:
            R["note"] = ("**Note:** the machine was busy (load average %.2f at start, %.2f at the "
                         "end, %d cores): other processes shared the CPU, so every figure here is "
                         "lower than on a quiet machine, by an unknown factor. Ratios between "
                         "figures taken back to back are the more useful part."
                         % (R["load"][0], R["load"][1], os.cpu_count()))
        text = report(R, args, argv)
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
        print(text)
        log("wrote %s" % args.out)
        ok = True
    except BenchError as e:
        print("bench/run.py: error: %s" % e, file=sys.stderr)
    except KeyboardInterrupt:
        print("bench/run.py: interrupted", file=sys.stderr)
    finally:
        if ok and not args.keep:
            log("removing the scratch folder")
            shutil.rmtree(scratch)
        else:
            log("scratch folder kept: %s" % scratch)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
