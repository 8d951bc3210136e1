#!/usr/bin/env bash
# End-to-end throughput of `enrichd run` against the Python peer daemon.
#
#   bash bench/throughput.sh [N=2000]
#
# env: CARGO_TARGET_DIR  where cargo builds (default: the repo's target/)
#      SEEDS       folder of *.txt articles (default ../shared/eval/dev)
#      PEERS       folder of the peer daemon (default ../shared/peers)
#      VENV        virtualenv for the peer, made on first use (default .venv-peers)
#      SKIP_BUILD=1  do not run cargo build
#      SKIP_PEER=1   measure enrichd only
#      TIMEOUT_S   give up waiting after this many seconds (default 900)
#      KEEP=1      keep the scratch folder (config, log, sink) afterwards
#
# Method, matched to ../shared/peers/bench_watchdog.sh so the two figures compare:
# start the daemon on an empty drop folder, wait until it says it is running,
# then one Python writer drops N copies of the seed articles (round-robin, names
# %07d_<seed>.txt) by writing staging/NAME and rename(2)-ing it into the drop
# folder, as fast as it can. End-to-end = first drop started -> N inputs done.
# Files/s = N / end-to-end.
#
# Differences, both forced by enrichd's design:
# - enrichd skips content it has already delivered (its ledger keys records by
#   SHA-256 of the bytes), so each copy gets one extra line "\n#%07d\n" to make
#   it unique; the peer gets the seed files byte for byte.
# - "done" for enrichd = the input moved to processed/ (or failed/), which it
#   does only after the record is fsync'd in the sink; the peer's end is its
#   process exiting after its N-th record is fsync'd (--exit-after N).
# enrichd's chain is whatever config/enrichd.yaml names; the config is copied to
# the scratch folder with drop/processed/failed/state/sink/plugin_dir rewritten
# (the other files of config/ are copied beside it so plugin settings that name
# files, like boilerplate's rules, still resolve).
# The writer and the daemon share the machine's cores: noisy, run it twice.
set -euo pipefail

N=${1:-2000}
REPO=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-target}
case "$TARGET" in /*) ;; *) TARGET="$REPO/$TARGET" ;; esac
SEEDS=${SEEDS:-$REPO/../shared/eval/dev}
PEERS=${PEERS:-$REPO/../shared/peers}
VENV=${VENV:-$REPO/.venv-peers}
TIMEOUT_S=${TIMEOUT_S:-900}
ENRICHD="$TARGET/release/enrichd"

case "$N" in '' | *[!0-9]*) echo "usage: $0 [N]: N must be a number" >&2; exit 2 ;; esac
[ "$N" -gt 0 ] || { echo "N must be at least 1" >&2; exit 2; }
ls "$SEEDS"/*.txt >/dev/null 2>&1 || { echo "no *.txt seed articles in $SEEDS" >&2; exit 2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "== building (release, workspace) into $TARGET"
    (cd "$REPO" && CARGO_TARGET_DIR="$TARGET" cargo build --release --workspace)
fi
[ -x "$ENRICHD" ] || { echo "$ENRICHD is missing: build first" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/enrichd-bench.XXXXXX")
DPID=
cleanup() {
    if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
        kill -TERM "$DPID" 2>/dev/null || true
        wait "$DPID" 2>/dev/null || true
    fi
    if [ "${KEEP:-0}" = 1 ]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- the config
mkdir -p "$WORK/config" "$WORK/staging" "$WORK/out"
cp -R "$REPO/config/." "$WORK/config/"
CFG="$WORK/config/enrichd.yaml"
python3 - "$REPO/config/enrichd.yaml" "$CFG" "$WORK" "$TARGET/release" <<'EOF'
# Rewrite the top-level paths (and sink.path) of the default config, keep the rest.
import json, re, sys
src, dst, work, plugin_dir = sys.argv[1:5]
want = {
    "drop": work + "/drop",
    "processed": work + "/drop/processed",
    "failed": work + "/drop/failed",
    "state_dir": work + "/state",
    "on_success": "move",
    "plugin_dir": plugin_dir,
}
out, seen, section = [], set(), None
for line in open(src, encoding="utf-8"):
    top = re.match(r"^([A-Za-z_]+):", line)
    if top:
        section = top.group(1)
        if section in want:
            out.append("%s: %s\n" % (section, json.dumps(want[section])))
            seen.add(section)
            continue
    elif section == "sink" and re.match(r"^\s+path:", line):
        indent = line[: len(line) - len(line.lstrip())]
        out.append("%spath: %s\n" % (indent, json.dumps(work + "/out/records.jsonl")))
        seen.add("sink.path")
        continue
    out.append(line)
if "sink.path" not in seen:
    sys.exit("config/enrichd.yaml has no sink.path to rewrite")
out += ["%s: %s\n" % (k, json.dumps(v)) for k, v in want.items() if k not in seen]
open(dst, "w", encoding="utf-8").write("".join(out))
EOF
# The environment variable would override plugin_dir: point it at this build too.
export ENRICHD_PLUGIN_DIR="$TARGET/release"
echo "== enrichd: N=$N, config $CFG"
"$ENRICHD" check --config "$CFG"

# ---------------------------------------------------------------- enrichd
LOG="$WORK/daemon.log"
SINK="$WORK/out/records.jsonl"
"$ENRICHD" run --config "$CFG" 2>"$LOG" &
DPID=$!
for _ in $(seq 1 300); do
    grep -q "enrichd is running" "$LOG" 2>/dev/null && break
    kill -0 "$DPID" 2>/dev/null || { echo "enrichd died:" >&2; cat "$LOG" >&2; exit 1; }
    sleep 0.1
done
grep -q "enrichd is running" "$LOG" || { echo "enrichd not running after 30 s" >&2; cat "$LOG" >&2; exit 1; }

T0=$(date +%s.%N)
GEN_S=$(python3 - "$SEEDS" "$WORK" "$N" <<'EOF'
import glob, os, sys, time
seeds, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
texts = []
for p in sorted(glob.glob(os.path.join(seeds, "*.txt"))):
    with open(p, "rb") as f:
        texts.append((os.path.basename(p), f.read()))
inbox, staging = os.path.join(work, "drop"), os.path.join(work, "staging")
t = time.perf_counter()
for i in range(n):
    name, data = texts[i % len(texts)]
    fn = "%07d_%s" % (i, name)
    tmp = os.path.join(staging, fn)
    with open(tmp, "wb") as f:
        f.write(data)
        f.write(b"\n#%07d\n" % i)  # unique content: enrichd dedups by SHA-256
    os.rename(tmp, os.path.join(inbox, fn))
print("%.3f" % (time.perf_counter() - t))
EOF
)
T_GEN=$(date +%s.%N)

done_count() {
    find "$WORK/drop/processed" "$WORK/drop/failed" -maxdepth 1 -name '*.txt' 2>/dev/null | wc -l
}
DEADLINE=$(($(date +%s) + TIMEOUT_S))
STATUS=ok
while [ "$(done_count)" -lt "$N" ]; do
    kill -0 "$DPID" 2>/dev/null || { STATUS="enrichd exited early"; break; }
    if [ "$(date +%s)" -ge "$DEADLINE" ]; then
        STATUS="TIMEOUT after ${TIMEOUT_S}s"
        break
    fi
    sleep 0.05
done
T1=$(date +%s.%N)
HWM_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$DPID/status" 2>/dev/null || echo 0)
# utime + stime (fields 14 and 15, after the parenthesised command name), in clock ticks.
CPU_TICKS=$(sed 's/^.*) //' "/proc/$DPID/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)
TICKS_PER_S=$(getconf CLK_TCK)
kill -TERM "$DPID" 2>/dev/null || true
wait "$DPID" 2>/dev/null || true
DPID=

ENRICHD_JSON="$WORK/enrichd.json"
python3 - "$N" "$T0" "$T_GEN" "$T1" "$GEN_S" "$SINK" "$WORK" "$STATUS" "$HWM_KB" \
    "$CPU_TICKS" "$TICKS_PER_S" >"$ENRICHD_JSON" <<'EOF'
import glob, json, os, statistics, sys
n, t0, tgen, t1, gen_s, sink, work, status, hwm_kb, ticks, hz = sys.argv[1:12]
n, t0, tgen, t1, gen_s = int(n), float(t0), float(tgen), float(t1), float(gen_s)
lines = bad = 0
chain_us = []
if os.path.exists(sink):
    with open(sink, encoding="utf-8") as f:
        for line in f:
            lines += 1
            try:
                r = json.loads(line)
                assert "source" in r and "text" in r
                chain_us.append(sum(s.get("micros", 0) for s in r.get("pipeline", [])))
            except Exception:
                bad += 1
cpu_s = int(ticks) / int(hz)
failed = len(glob.glob(os.path.join(work, "drop", "failed", "*.txt")))
e2e = t1 - t0
print(json.dumps({
    "status": status, "mode": "rename", "files": n, "records_written": lines,
    "bad_json_lines": bad, "failed_inputs": failed, "cpu_cores": os.cpu_count(),
    "writer_s": round(gen_s, 3), "drain_after_writer_s": round(t1 - tgen, 3),
    "end_to_end_s": round(e2e, 3),
    "files_per_s_end_to_end": round(lines / e2e, 1),
    "peak_rss_mib": round(int(hwm_kb) / 1024, 1),
    "daemon_cpu_s": round(cpu_s, 2),
    "daemon_cpu_ms_per_file": round(1000 * cpu_s / max(lines, 1), 3),
    "chain_ms_per_record_median": round(statistics.median(chain_us) / 1000, 3) if chain_us else None,
}, indent=2))
EOF
echo "== enrichd result"
cat "$ENRICHD_JSON"

# ---------------------------------------------------------------- the peer
if [ "${SKIP_PEER:-0}" = 1 ]; then
    exit 0
fi
if ! "$VENV/bin/python" -c "import watchdog" 2>/dev/null; then
    echo "== making $VENV with watchdog==7.1.0"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet watchdog==7.1.0
fi
echo "== Python peer (ingest_watchdog.py): N=$N"
PEER_JSON="$WORK/peer.json"
PY="$VENV/bin/python" bash "$PEERS/bench_watchdog.sh" "$N" "$SEEDS" >"$PEER_JSON"
cat "$PEER_JSON"

echo "== summary (N=$N, $(nproc) cores, one run; noisy machine)"
python3 - "$ENRICHD_JSON" "$PEER_JSON" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2]))
ef, pf = e["files_per_s_end_to_end"], p["files_per_s_end_to_end"]
print("enrichd     %8.1f files/s  (%s, %d records, %d failed, peak RSS %.1f MiB, %.2f CPU ms/file)"
      % (ef, e["status"], e["records_written"], e["failed_inputs"], e["peak_rss_mib"],
         e["daemon_cpu_ms_per_file"]))
print("python peer %8.1f files/s  (%s, %d records)" % (pf, p["status"], p["records_written"]))
print("ratio enrichd/peer: %.2fx" % (ef / pf if pf else float("nan")))
EOF
