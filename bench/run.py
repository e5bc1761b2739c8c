"""``make bench``: the app side by side with its references, on loopback.

Sets up its own scratch data (a SQLite file under ``var/bench/`` and the
PostgreSQL database ``forum_bench`` with Redis db 15; never the real ones),
starts every server it measures on free loopback ports, and drives each with
wrk (a compiled load generator, so the measuring does not compete with the
app for the interpreter). Every figure is the median of ``--runs`` runs; each
scenario and its reference are measured in turn within the same round, so a
drift of the shared machine affects both alike. Prints one table and writes
``bench/results/<date>.json``.

The app runs under gunicorn with 2 workers (``forum/gunicorn.conf.py``), once
on SQLite and once on PostgreSQL with Redis, with ``RATE_LIMITS=off``. The
references run under the same gunicorn settings: a trivial WSGI app serving a
body of the debate page's size (``reference_app.py``), and Isso (installed
into ``bench/.isso-venv``, its guard off, seeded with the same threads).

    python bench/run.py                       # everything, about 12 minutes
    python bench/run.py --seconds 3 --runs 3 --backends sqlite --only page,api
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VAR = ROOT / "var" / "bench"
RESULTS = BENCH / "results"
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.parent / "gunicorn"
GUNICORN_CONF = ROOT / "forum" / "gunicorn.conf.py"
# The same settings without the app's Django hooks, for the references.
REFERENCE_CONF = BENCH / "gunicorn_reference.conf.py"
ISSO_VENV = BENCH / ".isso-venv"
ISSO_PINS = ["isso==0.14.0", "gunicorn==27.0.1"]
POSTGRES_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forum_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
WORKERS = "2"
THREADS = {"thread_200": 200, "thread_2000": 2000}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ tools


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed with apt when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing the Debian package")
    apt = ["apt-get", "install", "-y", "-q", "wrk"]
    if os.geteuid() != 0:
        apt.insert(0, "sudo")
    if subprocess.run(apt, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run([*apt[:-4], "update", "-q"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(apt, check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed: apt-get install wrk")


def ensure_isso() -> Path:
    """Isso in its own virtual environment, never in the app's."""
    gunicorn = ISSO_VENV / "bin" / "gunicorn"
    if not gunicorn.exists():
        log(f"installing {' '.join(ISSO_PINS)} into {ISSO_VENV.relative_to(ROOT)}")
        subprocess.run([sys.executable, "-m", "venv", str(ISSO_VENV)], check=True)
        subprocess.run([str(ISSO_VENV / "bin" / "pip"), "install", "--quiet", *ISSO_PINS], check=True)
    return gunicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> dict:
    model = ""
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor()
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    total = memory[1].split()[1] if len(memory) > 1 else "?"
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory": total,
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


# --------------------------------------------------------------- servers


class Server:
    """A gunicorn with 2 workers on a free loopback port, in its own process group."""

    def __init__(self, name, gunicorn, app: str, env: dict, *, ready="/", cwd=ROOT, port=None, conf=GUNICORN_CONF):
        self.name, self.gunicorn, self.app, self.cwd, self.ready, self.conf = name, gunicorn, app, cwd, ready, conf
        self.port = port or free_port()
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port), "WEB_CONCURRENCY": WORKERS}
        self.process = None
        self.log_path = VAR / "logs" / f"{name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        out = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(self.gunicorn), self.app, "-c", str(self.conf)],
            cwd=self.cwd,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"{self.name} exited at start; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + self.ready, timeout=30) as response:
                    response.read()
                    return self
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        sys.exit(f"{self.name} did not answer within 60 s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


def fetch(url: str, cookie: str = "") -> bytes:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


# ----------------------------------------------------------- measurement


@dataclass
class Target:
    """One thing wrk measures: a URL, a Lua script and a number of connections."""

    name: str
    url: str
    script: str = "get.lua"
    connections: int = 8
    cookie: str = ""
    slow: bool = False  # a reference that answers in seconds: measured four times longer
    idle_url: str = ""  # a cheap URL of the same server, to wait until it has worked off abandoned requests
    runs: list = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(r[key] for r in self.runs)


def wrk(target: Target, seconds: float, *, record: bool = True) -> dict:
    seconds = seconds * 4 if target.slow else seconds
    command = [
        "wrk",
        "-t1",
        f"-c{target.connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "60s",
        "-s",
        str(BENCH / target.script),
        target.url,
    ]
    env = {**os.environ, "BENCH_DIR": str(BENCH), "BENCH_COOKIE": target.cookie}
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds + 120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"wrk gave no figures for {target.name}:\n{out.stdout}\n{out.stderr}")
    figures = json.loads(line[6:])
    result = {
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        "p50_ms": figures["p50_us"] / 1000,
        "p90_ms": figures["p90_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "requests": figures["requests"],
        "seconds": figures["duration_us"] / 1e6,
        "errors": figures["status_errors"] + figures["timeouts"] + figures["connect_errors"] + figures["read_errors"],
        "load": round(os.getloadavg()[0], 2),
    }
    if record:
        target.runs.append(result)
    if target.idle_url:
        wait_until_idle(target.idle_url)
    return result


def wait_until_idle(url: str, limit: float = 120) -> None:
    """Requests wrk gave up on at the end of a run are still being worked off by the
    server; the next measurement starts only when two quick ones in a row (one per
    worker) answer at once, so that one run's backlog never counts against the next."""
    deadline, quick = time.monotonic() + limit, 0
    while quick < 2 and time.monotonic() < deadline:
        started = time.monotonic()
        try:
            fetch(url)
        except urllib.error.HTTPError:
            pass
        except OSError:
            time.sleep(0.5)
            continue
        quick = quick + 1 if time.monotonic() - started < 0.5 else 0


def measure_group(targets: list[Target], seconds: float, runs: int) -> None:
    """Warm each target up, then measure them in turn, ``runs`` rounds."""
    for target in targets:
        if not target.slow:  # a slow reference has nothing to warm: it caches nothing
            wrk(target, 1, record=False)
    for round_ in range(runs):
        for target in targets:
            r = wrk(target, seconds)
            log(
                f"  round {round_ + 1}: {target.name:<14} {r['rps']:9.1f} req/s  p50 {r['p50_ms']:8.1f} ms"
                + (f"  {r['errors']} errors" if r["errors"] else "")
            )


@dataclass
class Comparison:
    scenario: str
    target: Target
    reference: Target
    reference_label: str
    goal: str
    kind: str  # "throughput": target/reference >= bound; "latency": target/reference p50 <= bound
    bound: float | None  # None: a row for scale, with no goal of its own

    def result(self) -> dict:
        if self.kind == "throughput":
            # A reference that finished no request in a run counts as one: the ratio is then a lower bound.
            per_round = [
                t["rps"] / (r["rps"] or 1 / r["seconds"])
                for t, r in zip(self.target.runs, self.reference.runs, strict=True)
            ]
            value, reference = self.target.median("rps"), self.reference.median("rps")
        else:
            per_round = [t["p50_ms"] / r["p50_ms"] for t, r in zip(self.target.runs, self.reference.runs, strict=True)]
            value, reference = self.target.median("p50_ms"), self.reference.median("p50_ms")
        ratio = statistics.median(per_round)
        errors = sum(r["errors"] for r in self.target.runs)
        if self.bound is None:
            met = None
        else:
            met = (ratio >= self.bound if self.kind == "throughput" else ratio <= self.bound) and not errors
        # The reference finished no request in some run: its ratio is a lower bound.
        at_least = any(r["requests"] == 0 for r in self.reference.runs)
        return {
            "scenario": self.scenario,
            "kind": self.kind,
            "value": round(value, 2),
            "reference": round(reference, 2),
            "reference_label": self.reference_label,
            "ratio": round(ratio, 3),
            "ratio_is_lower_bound": at_least,
            "ratios_per_round": [round(x, 3) for x in per_round],
            "goal": self.goal,
            "met": met,
            "errors": errors,
            "runs": self.target.runs,
            "reference_runs": self.reference.runs,
        }


# ------------------------------------------------------------ scratch data


def app_env(backend: str, **extra) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "TEST_DB_SUFFIX", "PRODUCTION")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="forum.settings",
        VAR_DIR=str(VAR / backend),
        DEBUG="off",
        RATE_LIMITS="off",
        LOG_LEVEL="WARNING",
        CACHE_PREFIX="bench",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    if backend == "postgres":
        env.update(DATABASE_URL=POSTGRES_URL, REDIS_URL=REDIS_URL)
    else:
        env.update(DATABASE_URL=f"sqlite:///{VAR / backend / 'forum.sqlite3'}")
    env.update(extra)
    return env


def manage(env: dict, *args: str) -> str:
    out = subprocess.run([str(PYTHON), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def prepare_database(backend: str) -> dict:
    """A fresh scratch database, migrated and seeded; returns what seed.py reports."""
    env = app_env(backend)
    directory = VAR / backend
    directory.mkdir(parents=True, exist_ok=True)
    if backend == "postgres":
        import psycopg
        import redis

        name = POSTGRES_URL.rsplit("/", 1)[1]
        assert name.startswith("forum_bench"), "the benchmark only ever drops a database named forum_bench*"
        with psycopg.connect(POSTGRES_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        redis.Redis.from_url(REDIS_URL).flushdb()
    else:
        for path in directory.glob("forum.sqlite3*"):
            path.unlink()
    started = time.monotonic()
    manage(env, "manage.py", "migrate", "--noinput", "--verbosity", "0")
    manage(env, "manage.py", "createcachetable")
    migrated = time.monotonic()
    seeded = json.loads(manage(env, str(BENCH / "seed.py")).strip().splitlines()[-1])
    log(
        f"{backend}: migrated in {migrated - started:.0f} s, seeded {seeded['comments']:,} comments"
        f" in {time.monotonic() - migrated:.0f} s"
    )
    return seeded


def prepare_isso(gunicorn: Path) -> Server:
    directory = VAR / "isso"
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("comments.db*"):
        path.unlink()
    port = free_port()
    config = directory / "isso.cfg"
    config.write_text(
        "[general]\n"
        f"dbpath = {directory / 'comments.db'}\n"
        f"host = http://127.0.0.1:{port}/\n"
        "[guard]\nenabled = false\n"
        "[moderation]\nenabled = false\n"
    )
    threads = [f"/{name}={n}" for name, n in THREADS.items()] + ["/comment_posts=1"]
    subprocess.run([str(ISSO_VENV / "bin" / "python"), str(BENCH / "isso_seed.py"), str(config), *threads], check=True)
    env = {**os.environ, "ISSO_SETTINGS": str(config)}
    return Server("isso", gunicorn, "isso.run", env, ready="/?uri=/thread_200", port=port, conf=REFERENCE_CONF)


# --------------------------------------------------------------- the run


def bench_backend(backend: str, isso: Server, args) -> list[dict]:
    seeded = prepare_database(backend)
    app = Server(f"app-{backend}", GUNICORN, "forum.wsgi", app_env(backend)).start()
    nocache = Server(f"app-{backend}-nocache", GUNICORN, "forum.wsgi", app_env(backend, PAGE_CACHE="off")).start()
    servers = [app, nocache]
    try:
        page_bytes = len(fetch(app.url + "/"))
        reference = Server(
            "reference",
            GUNICORN,
            "reference_app:application",
            {**os.environ, "BODY_BYTES": str(page_bytes)},
            cwd=BENCH,
            conf=REFERENCE_CONF,
        ).start()
        servers.append(reference)
        api = app.url + "/api/v1/debates/{}/comments"
        session = f"{seeded['session_cookie']}={seeded['session']}"
        queue_html = fetch(app.url + "/moderation/", session).decode()
        if "bench-moderator" not in queue_html and "Pending" not in queue_html:
            sys.exit("the benchmark's moderator session does not open the moderation queue")
        sizes = {
            "page_bytes": page_bytes,
            "api_200_bytes": len(fetch(api.format(seeded["thread_200"]))),
            "api_2000_bytes": len(fetch(api.format(seeded["thread_2000"]))),
            "isso_200_bytes": len(fetch(isso.url + "/?uri=/thread_200")),
            "isso_2000_bytes": len(fetch(isso.url + "/?uri=/thread_2000")),
            "queue_bytes": len(queue_html),
        }
        log(f"{backend}: response sizes {sizes}")
        isso_idle = isso.url + "/?uri=/no-such-thread"  # a 404 at once
        nocache_idle = nocache.url + "/healthz"
        t = {
            "reference": Target("reference", reference.url + "/"),
            "page": Target("page", app.url + "/"),
            "page_nocache": Target("page_nocache", nocache.url + "/", idle_url=nocache_idle),
            "api_200": Target("api_200", api.format(seeded["thread_200"])),
            "isso_200": Target("isso_200", isso.url + "/?uri=/thread_200", idle_url=isso_idle),
            "api_2000": Target("api_2000", api.format(seeded["thread_2000"])),
            # Each answer takes Isso seconds of CPU: two connections keep both workers busy without
            # queueing requests past the end of the run (throughput is the same from two up).
            "isso_2000": Target(
                "isso_2000", isso.url + "/?uri=/thread_2000", connections=2, slow=True, idle_url=isso_idle
            ),
            "comment_post": Target("comment_post", api.format(seeded["comment_posts"]), "post_comment.lua"),
            "vote_post": Target("vote_post", app.url + f"/api/v1/debates/{seeded['votes']}/vote", "post_vote.lua"),
            "isso_post": Target("isso_post", isso.url + "/new?uri=/comment_posts", "isso_post.lua", idle_url=isso_idle),
            "page_1": Target("page_1", app.url + "/", connections=1),
            "queue_1": Target("queue_1", app.url + "/moderation/", connections=1, cookie=session),
            "audit_1": Target("audit_1", app.url + "/moderation/audit/", connections=1, cookie=session),
            "page_nocache_1": Target("page_nocache_1", nocache.url + "/", connections=1, idle_url=nocache_idle),
        }
        groups = {
            "page": [t["reference"], t["page"], t["page_nocache"]],
            "api": [t["isso_200"], t["api_200"]],
            "thread": [t["isso_2000"], t["api_2000"]],
            "post": [t["isso_post"], t["comment_post"], t["vote_post"]],
            "queue": [t["page_1"], t["page_nocache_1"], t["queue_1"], t["audit_1"]],
        }
        comparisons = {
            "page": [
                Comparison(
                    "Debate page, 10,000 comments, anonymous, cache warm",
                    t["page"],
                    t["reference"],
                    f"trivial WSGI app, {page_bytes:,} bytes",
                    ">= 0.30 x reference",
                    "throughput",
                    0.30,
                ),
                Comparison(
                    "The same page, cache off (PAGE_CACHE=off)",
                    t["page_nocache"],
                    t["page"],
                    "the cached page",
                    ">= 0.10 x cached",
                    "throughput",
                    0.10,
                ),
            ],
            "api": [
                Comparison(
                    "Comments API, 200-comment thread",
                    t["api_200"],
                    t["isso_200"],
                    "Isso ?uri=, same thread",
                    ">= 20 x Isso",
                    "throughput",
                    20,
                )
            ],
            "thread": [
                Comparison(
                    "2,000-comment thread, first page (API)",
                    t["api_2000"],
                    t["isso_2000"],
                    "Isso ?uri=, same thread",
                    ">= 20 x Isso",
                    "throughput",
                    20,
                )
            ],
            "post": [
                Comparison(
                    "Comment POST (rate limits off)",
                    t["comment_post"],
                    t["isso_post"],
                    "Isso comment POST",
                    ">= 1 x Isso",
                    "throughput",
                    1,
                ),
                Comparison(
                    "Vote POST, a new participant each",
                    t["vote_post"],
                    t["isso_post"],
                    "Isso comment POST",
                    ">= 2 x Isso",
                    "throughput",
                    2,
                ),
            ],
            "queue": [
                Comparison(
                    "Moderation queue, 100,000 comments, 10,000 pending (p50, 1 connection)",
                    t["queue_1"],
                    t["page_1"],
                    "the debate page, p50",
                    "<= 2 x page latency",
                    "latency",
                    2,
                ),
                Comparison(
                    "The same queue next to the page rendered afresh (p50, 1 connection)",
                    t["queue_1"],
                    t["page_nocache_1"],
                    "the debate page with PAGE_CACHE=off, p50",
                    "<= 2 x page latency",
                    "latency",
                    2,
                ),
                # What any moderator page costs before its content: the session, the
                # user, the group and the two-factor checks, and the page's frame.
                Comparison(
                    "For scale: the smallest moderator page, the audit log (p50, 1 connection)",
                    t["audit_1"],
                    t["page_1"],
                    "the debate page, p50",
                    "none (for scale)",
                    "latency",
                    None,
                ),
            ],
        }
        results = []
        for name, targets in groups.items():
            if args.only and name not in args.only:
                continue
            log(f"{backend}: {name}")
            measure_group(targets, args.seconds, args.runs)
            for comparison in comparisons[name]:
                results.append({"backend": backend, **comparison.result()})
        for r in results:
            r["sizes"] = sizes
        return results
    finally:
        for server in servers:
            server.stop()


_EXPORT_LINE = re.compile(
    r"^\s*1,000,000\s+(export_poll_results csv|sqlite3 -csv \(floor\))\s+([\d.]+)\s+(\d+)\s+([\d.]+)\s*$", re.M
)


def export_scenario(args) -> list[dict]:
    """The CSV export of 1,000,000 ballots next to ``sqlite3 -csv`` on the same file, measured by the
    exports' own harness (``bench/export_memory.py``: time and peak memory of each child process)."""
    script = BENCH / "export_memory.py"
    scenario = {"backend": "sqlite", "scenario": "Export of 1,000,000 ballots as CSV", "kind": "export"}
    if not script.exists():
        log("export: bench/export_memory.py is not there; skipped")
        return [{**scenario, "error": "bench/export_memory.py is missing"}]
    runs = []
    for round_ in range(args.runs):
        out = subprocess.run(
            [str(PYTHON), str(script), "--sizes", "1000000", "--formats", "csv"],
            cwd=ROOT,
            env=app_env("sqlite"),
            capture_output=True,
            text=True,
        )
        found = {name: (float(s), float(mb)) for name, s, mb, _ in _EXPORT_LINE.findall(out.stdout)}
        if out.returncode != 0 or len(found) != 2:
            log(f"export: bench/export_memory.py failed:\n{out.stdout[-1500:]}\n{out.stderr[-1500:]}")
            text = out.stderr or out.stdout
            return [{**scenario, "error": _cause(text), "output": text[-3000:]}]
        export, floor = found["export_poll_results csv"], found["sqlite3 -csv (floor)"]
        runs.append({"seconds": export[0], "peak_mb": export[1], "reference_seconds": floor[0]})
        log(f"  round {round_ + 1}: export {export[0]:.1f} s, {export[1]:.0f} MiB; sqlite3 -csv {floor[0]:.1f} s")
    seconds = statistics.median(r["seconds"] for r in runs)
    reference = statistics.median(r["reference_seconds"] for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    ratio = statistics.median(r["seconds"] / r["reference_seconds"] for r in runs)
    return [
        {
            **scenario,
            "seconds": seconds,
            "reference_seconds": reference,
            "peak_mb": peak,
            "ratio": round(ratio, 2),
            "reference_label": "sqlite3 -csv, same columns, same file",
            "goal": "<= 3 x time, peak < 200 MB",
            "met": ratio <= 3 and peak < 200,
            "runs": runs,
        }
    ]


def _cause(text: str) -> str:
    """The line of a traceback that names the error, e.g. ``OperationalError: no such column``."""
    lines = [line.strip() for line in text.splitlines() if re.match(r"^[\w.]+(Error|Exception): ", line.strip())]
    short = [line for line in lines if len(line) < 300]
    return (short or lines or [text.strip()[-200:]])[0]


def _fmt(r: dict) -> tuple[str, str, str]:
    if r.get("kind") == "throughput":
        at_least = ">= " if r.get("ratio_is_lower_bound") else ""
        return f"{r['value']:,.1f} req/s", f"{r['reference']:,.1f} req/s", f"{at_least}{r['ratio']:.2f}x"
    if r.get("kind") == "latency":
        return f"p50 {r['value']:,.1f} ms", f"p50 {r['reference']:,.1f} ms", f"{r['ratio']:.2f}x"
    if r.get("kind") == "export" and "seconds" in r:
        value = f"{r['seconds']:.1f} s, peak {r['peak_mb']:.0f} MiB"
        return value, f"{r['reference_seconds']:.1f} s", f"{r['ratio']:.2f}x"
    return "not measured (see below)", "", ""


def table(results: list[dict]) -> str:
    rows = [("backend", "scenario", "app (median)", "reference (median)", "ratio", "goal", "met")]
    for r in results:
        value, reference, ratio = _fmt(r)
        met = {True: "yes", False: "NO", None: "-"}[r["met"]] if "met" in r else "?"
        if r.get("errors"):
            met += f" ({r['errors']} errors)"
        reference = f"{reference} ({r['reference_label']})" if r.get("reference_label") else reference
        rows.append((r["backend"], r["scenario"], value, reference, ratio, r.get("goal", ""), met))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "-|-".join("-" * w for w in widths))
    lines += [f"\n{r['scenario']}: not measured: {r['error']}" for r in results if r.get("error")]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmarks of the debate app next to their references.")
    parser.add_argument("--table", metavar="JSON", help="print the table of an earlier run's results file and stop")
    parser.add_argument("--seconds", type=float, default=5, help="length of one measurement (default 5)")
    parser.add_argument("--runs", type=int, default=3, help="rounds per scenario, at least 3 (default 3)")
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both (default)")
    parser.add_argument("--only", default="", help="groups to run: page,api,thread,post,queue,export")
    args = parser.parse_args()
    if args.table:
        print(table(json.loads(Path(args.table).read_text())["results"]))
        return
    if args.runs < 3:
        parser.error("--runs must be at least 3: the figures are medians")
    args.only = [x for x in args.only.split(",") if x]
    started = time.monotonic()
    ensure_wrk()
    isso_gunicorn = ensure_isso()
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        manage(app_env("sqlite"), "manage.py", "collectstatic", "--noinput", "--verbosity", "0")
    info = machine()
    log(f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} memory, load {info['load_average_at_start']}")
    isso = prepare_isso(isso_gunicorn)
    results = []
    try:
        if not args.only or {"page", "api", "thread", "post", "queue"} & set(args.only):
            isso.start()
            for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
                results += bench_backend(backend, isso, args)
    finally:
        isso.stop()
    if not args.only or "export" in args.only:
        results += export_scenario(args)
    text = table(results)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{datetime.date.today().isoformat()}.json"
    path.write_text(
        json.dumps(
            {
                "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "command": " ".join(["python", "bench/run.py", *sys.argv[1:]]),
                "machine": info,
                "seconds_per_run": args.seconds,
                "runs": args.runs,
                "workers": int(WORKERS),
                "minutes": round((time.monotonic() - started) / 60, 1),
                "table": text.splitlines(),
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    log(f"wrote {path.relative_to(ROOT)} after {(time.monotonic() - started) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
