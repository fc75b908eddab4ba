#!/usr/bin/python3
"""Driver of `make bench`: runs lmbench (calibration, cases, peers), a
throwaway PostgreSQL cluster for the SQL peer, then bench/report.py.

    bench/run.py --build BUILD [--mode quick|full] [--threads N]

Environment:
  LM_SHARED_DATA        directory of the shared reference data (default:
                        ../shared/data from the repository root, if present)
  LM_BENCH_SYNTHETIC=1  ignore the shared data, use the synthetic world
  LM_BENCH_PG           conninfo of an existing server for the SQL peer
                        (default: a throwaway cluster, scripts/pg-test-cluster.sh)
  BENCH_ALLOW_MISSING=1 a missing peer is listed in the report, not an error
  BENCH_COUNTRY_TIMEOUT seconds before the country case is stopped (default 1800)
"""
import argparse
import glob
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import report  # noqa: E402


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


class PgCluster:
    """A throwaway cluster: scripts/pg-test-cluster.sh when present, else a
    minimal initdb in a temporary directory (as the postgres user when root)."""

    def __init__(self):
        self.dir = None
        self.own = False
        self.conninfo = None
        self.error = None

    def start(self):
        script = os.path.join(ROOT, "scripts", "pg-test-cluster.sh")
        if os.path.exists(script):
            p = subprocess.run(["bash", script, "start"], capture_output=True, text=True, cwd=ROOT)
            if p.returncode != 0:
                self.error = "scripts/pg-test-cluster.sh start failed: " + (p.stderr.strip() or p.stdout.strip())
                return False
            env = {}
            for line in p.stdout.splitlines():
                words = shlex.split(line)
                if words and words[0] == "export":
                    for w in words[1:]:
                        k, _, v = w.partition("=")
                        env[k] = v
            self.dir = env.get("LM_PG_DIR")
            self.conninfo = "host=%s port=%s user=%s dbname=%s" % (
                env.get("PGHOST"), env.get("PGPORT"), env.get("PGUSER", "postgres"), env.get("PGDATABASE", "postgres"))
            return True
        return self._start_own()

    def _bin(self, name):
        found = shutil.which(name)
        if found:
            return found
        dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: [int(x) for x in d.split("/")[-2].split(".") if x.isdigit()])
        for d in reversed(dirs):
            if os.access(os.path.join(d, name), os.X_OK):
                return os.path.join(d, name)
        return None

    def _as_owner(self, cmd):
        if os.geteuid() == 0:
            return ["runuser", "-u", os.environ.get("LM_PG_OS_USER", "postgres"), "--"] + cmd
        return cmd

    def _start_own(self):
        initdb, pg_ctl = self._bin("initdb"), self._bin("pg_ctl")
        if not initdb or not pg_ctl:
            self.error = "PostgreSQL server binaries (initdb, pg_ctl) not found; install the Debian package postgresql"
            return False
        self.dir = tempfile.mkdtemp(prefix="lmpg.", dir=os.environ.get("TMPDIR", "/tmp"))
        self.own = True
        os.chmod(self.dir, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.dir, os.environ.get("LM_PG_OS_USER", "postgres"))
        data = os.path.join(self.dir, "data")
        p = subprocess.run(self._as_owner([initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"]),
                           capture_output=True, text=True)
        if p.returncode != 0:
            self.error = "initdb failed: " + p.stderr.strip()
            return False
        with open(os.path.join(data, "postgresql.conf"), "a") as f:
            f.write("listen_addresses = ''\nunix_socket_directories = '%s'\nport = 5432\nfsync = off\n" % self.dir)
        p = subprocess.run(self._as_owner([pg_ctl, "-D", data, "-l", os.path.join(self.dir, "server.log"), "-w", "start"]),
                           capture_output=True, text=True)
        if p.returncode != 0:
            self.error = "pg_ctl start failed: " + p.stderr.strip()
            return False
        self.conninfo = "host=%s port=5432 user=postgres dbname=postgres" % self.dir
        return True

    def stop(self):
        if not self.dir:
            return
        if not self.own:
            subprocess.run(["bash", os.path.join(ROOT, "scripts", "pg-test-cluster.sh"), "stop", self.dir],
                           capture_output=True, cwd=ROOT)
        else:
            pg_ctl = self._bin("pg_ctl")
            if pg_ctl:
                subprocess.run(self._as_owner([pg_ctl, "-D", os.path.join(self.dir, "data"), "-m", "immediate", "-w", "stop"]),
                               capture_output=True)
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None


def run_lmbench(args, results, env, timeout=None, what="lmbench"):
    """Run one lmbench process appending to results; a crash or timeout
    becomes an error line in the results (the report shows it)."""
    log("running: " + " ".join(shlex.quote(a) for a in args))
    t0 = time.time()
    proc = subprocess.Popen(args, env=env, cwd=ROOT, start_new_session=True)
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        rc = "timeout"
    dt = time.time() - t0
    if rc != 0:
        status = "timeout" if rc == "timeout" else "error"
        msg = ("stopped after %.0f s (limit %s s)" % (dt, timeout)) if rc == "timeout" else \
              ("exited with status %s" % rc if isinstance(rc, int) and rc > 0 else "killed by signal %s" % (-rc))
        with open(results, "a") as f:
            f.write(json.dumps({"type": "process", "what": what, "status": status, "error": msg,
                                "command": " ".join(args)}) + "\n")
        log("%s: %s" % (what, msg))
    return rc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--mode", default="full", choices=["quick", "full"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--pre", default="", help="make targets run first (they write BUILD/bench/*.jsonl)")
    ap.add_argument("--pre-full", default="", help="make targets run first in full mode only")
    a = ap.parse_args()

    build = a.build if os.path.isabs(a.build) else os.path.join(ROOT, a.build)
    out = os.path.join(build, "bench")
    os.makedirs(out, exist_ok=True)
    lmbench = os.path.join(out, "lmbench")
    results = os.path.join(out, "results.jsonl")
    with open(results, "w") as f:
        f.write(json.dumps({"type": "run", "mode": a.mode, "threads": a.threads,
                            "date": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
                            "load_average_start": os.getloadavg()}) + "\n")
    t_start = time.time()

    data = os.environ.get("LM_SHARED_DATA") or os.path.join(os.path.dirname(ROOT), "shared", "data")
    if os.environ.get("LM_BENCH_SYNTHETIC") == "1" or not os.path.isdir(data):
        log("shared data not found (%s): synthetic world" % data)
        data = ""
    base = ["--mode", a.mode, "--threads", str(a.threads), "--python", a.python,
            "--numpy-script", os.path.join(ROOT, "bench", "peer_numpy.py"), "--out", results]
    if data:
        base += ["--data", data]
    tmp = tempfile.mkdtemp(prefix="lmbench.")
    base += ["--tmp", tmp]

    # 0. other harnesses (bench_pg, bench_assign, ...): fresh files in full mode
    pre = a.pre.split() + (a.pre_full.split() if a.mode == "full" else [])
    for target in pre:
        for stale in {"bench-pg": ["pg.jsonl"], "bench-assign": ["assign.jsonl"]}.get(target, []):
            if os.path.exists(os.path.join(out, stale)):
                os.unlink(os.path.join(out, stale))
        log("make " + target)
        p = subprocess.run(["make", "--no-print-directory", "BUILD=" + a.build, target], cwd=ROOT)
        if p.returncode != 0:
            with open(results, "a") as f:
                f.write(json.dumps({"type": "process", "what": "make " + target, "status": "error",
                                    "error": "exited with status %d" % p.returncode}) + "\n")

    env = dict(os.environ)
    env["OPENBLAS_NUM_THREADS"] = str(a.threads)
    env["OMP_NUM_THREADS"] = str(a.threads)
    # FAISS runs its loops on OpenMP threads and its matrix products on
    # OpenBLAS's own threads; with OpenMP's default busy-waiting the two sets
    # fight for the same cores (measured 7x slower at 2 threads here). Passive
    # waiting is FAISS's best setting on this machine; libmatch uses pthreads
    # and is not affected.
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    env_skx = dict(env, OPENBLAS_CORETYPE="SkylakeX")
    env_def = {k: v for k, v in env.items() if k != "OPENBLAS_CORETYPE"}

    # 1. calibration
    run_lmbench([lmbench, "calibrate", "--threads", str(a.threads), "--seconds", "2", "--out", results], results,
                env, what="calibration")

    # 2. the SQL peer's server
    pg = PgCluster()
    pg_args = []
    if os.environ.get("LM_BENCH_PG"):
        pg_args = ["--pg", os.environ["LM_BENCH_PG"]]
    elif pg.start():
        pg_args = ["--pg", pg.conninfo]
        log("PostgreSQL: " + pg.conninfo)
    else:
        log("PostgreSQL unavailable: " + str(pg.error))
        with open(results, "a") as f:
            f.write(json.dumps({"type": "process", "what": "postgresql", "status": "missing",
                                "error": pg.error}) + "\n")
        pg_args = ["--no-pg"]
    try:
        # 3. every case, peers with OpenBLAS forced to SkylakeX kernels
        run_lmbench([lmbench, "run", "--blas-tag", "skylakex"] + base + pg_args, results, env_skx, what="cases")
    finally:
        pg.stop()
    # 4. the FAISS rows again with Debian's default OpenBLAS core type
    run_lmbench([lmbench, "run", "--faiss-only", "--blas-tag", "default"] + base + ["--no-pg"], results, env_def,
                what="faiss (default OpenBLAS)")
    # 5. the country: its own process, so its peak RSS is its own
    if a.mode == "full":
        limit = float(os.environ.get("BENCH_COUNTRY_TIMEOUT", "1800"))
        run_lmbench([lmbench, "run", "--only", "country", "--blas-tag", "skylakex"] + base + ["--no-pg"], results,
                    env_skx, timeout=limit, what="country")
    shutil.rmtree(tmp, ignore_errors=True)

    # 6. the report (merges pg.jsonl / assign.jsonl when present)
    rc = report.build(out, mode=a.mode, threads=a.threads, elapsed=time.time() - t_start,
                      allow_missing=os.environ.get("BENCH_ALLOW_MISSING") == "1")
    log("done in %.0f s: %s" % (time.time() - t_start, os.path.join(out, "report.md")))
    return rc


if __name__ == "__main__":
    sys.exit(main())
