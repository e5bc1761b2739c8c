"""Peak memory and time of ``export_poll_results --kind ballots`` on large polls.

Run by hand (not part of the test suite):

    .venv/bin/python bench/export_memory.py                  # 100,000 and 1,000,000 ballots
    .venv/bin/python bench/export_memory.py --sizes 1000000 --formats csv

It builds a scratch SQLite database in a temporary folder (never the project's),
fills one debate per size with that many ballots (and a published comment from
one voter in a hundred, so ``has_commented`` has work to do), then runs the
management command in a child process per size and format and reads the child's
peak resident memory from the kernel (``wait4``). As a floor it runs
``sqlite3 -csv`` on the same columns in the same kind of order. Flat memory means
the peak is about the same for every size.
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run_measured(argv, env, stdout=subprocess.DEVNULL) -> tuple[float, float]:
    """Run a child; return (seconds, peak RSS in MiB) of that child alone."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = child.stderr.read().decode()
    child.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(map(str, argv))} failed:\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports KiB


def populate(env, sizes: list[int]) -> dict[int, str]:
    """One debate per size, filled with raw inserts (fast), in a child Python with Django set up."""
    script = f"""
import datetime, django
django.setup()
from django.db import connection, transaction
from forum.debates.models import Debate, PollOption
from forum.debates.seed import ensure_clearview_debate

base, _ = ensure_clearview_debate()
start = datetime.datetime(2026, 3, 1)
next_participant = 1
for size in {sizes!r}:
    debate = Debate.objects.create(
        slug=f"bench-{{size}}", title=base.title, summary=base.summary, source_name=base.source_name,
        source_date=base.source_date, source_url=base.source_url, question=base.question,
    )
    options = [PollOption.objects.create(debate=debate, key=o.key, label=o.label, position=o.position)
               for o in base.options.all()]
    ids = [o.pk for o in options]
    with transaction.atomic(), connection.cursor() as cursor:
        first = next_participant
        for lo in range(0, size, 50_000):
            hi = min(size, lo + 50_000)
            cursor.executemany(
                "INSERT INTO debates_participant (id, key_hash, created_at, last_seen_on) VALUES (%s, %s, %s, %s)",
                [(first + i, f"{{first + i:064x}}", "2026-03-01 00:00:00", "2026-03-01") for i in range(lo, hi)],
            )
            rows = []
            for i in range(lo, hi):
                cast = (start + datetime.timedelta(seconds=i * 2_592_000 // size)).strftime("%Y-%m-%d %H:%M:%S")
                option, first_option = ids[i % 3], ids[(i // 7) % 3]
                rows.append((debate.pk, first + i, option, first_option, int(option != first_option), cast, cast, ""))
            cursor.executemany(
                "INSERT INTO debates_ballot (debate_id, participant_id, option_id, first_option_id, changes,"
                " cast_at, updated_at, network_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
        cursor.executemany(
            "INSERT INTO debates_comment (debate_id, participant_id, depth, author_name, body, body_html, status,"
            " reasons, created_at, like_count, report_count, likes_by_stance, idempotency_key, network_hash,"
            " placeholder)"
            " VALUES (%s, %s, 0, 'Reader', %s, '', 'published', '[]', '2026-03-02 10:00:00', 0, 0, '{{}}', '', '',"
            " %s)",
            [(debate.pk, first + i, f"=comment {{i}}", False) for i in range(0, size, 100)],
        )
        next_participant += size
    print(debate.pk, flush=True)
"""
    subprocess.run([PYTHON, "-c", script], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return {size: f"bench-{size}" for size in sizes}


def sqlite_floor(db: Path, slug: str, out: Path) -> tuple[float, float]:
    """``sqlite3 -csv`` producing the same columns, shuffled the same way, as a lower bound.

    ``has_commented`` is the same uncorrelated ``IN`` the app runs: SQLite plans a
    correlated ``EXISTS`` as a scan of the debate's published comments per ballot
    (about twenty minutes here), which would measure the planner, not the export.
    Both sides write their CSV to a file in the scratch folder."""
    sql = f"""
SELECT printf('%016x', (b.id * 1103515245 + 12345) % 2147483647) AS ballot_id,
       o.key AS option, f.key AS first_option, b.changes,
       strftime('%Y-%m-%dT%H:00:00Z', b.cast_at) AS cast_hour,
       b.participant_id IN (SELECT c.participant_id FROM debates_comment c WHERE c.status = 'published'
               AND c.debate_id = (SELECT id FROM debates_debate WHERE slug = '{slug}')) AS has_commented
FROM debates_ballot b
JOIN debates_polloption o ON o.id = b.option_id
JOIN debates_polloption f ON f.id = b.first_option_id
WHERE b.debate_id = (SELECT id FROM debates_debate WHERE slug = '{slug}')
ORDER BY (b.id * 1103515245 + 12345) % 2147483647;
"""
    with out.open("wb") as handle:
        return run_measured(["sqlite3", "-csv", "-header", str(db), sql], os.environ.copy(), stdout=handle)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="Ballots per debate, comma-separated.")
    parser.add_argument("--formats", default="csv,json,xlsx")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch folder and print its path.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")

    scratch = Path(tempfile.mkdtemp(prefix="export-bench-"))
    db = scratch / "bench.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "forum.settings",
        "VAR_DIR": str(scratch),
        "DATABASE_URL": f"sqlite:///{db}",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    try:
        print(f"Scratch database: {db}")
        started = time.perf_counter()
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run([PYTHON, "manage.py", "createcachetable"], env=env, cwd=ROOT, check=True)
        slugs = populate(env, sizes)
        print(f"Filled {sum(sizes):,} ballots in {time.perf_counter() - started:.0f} s\n")

        baseline_s, baseline_mib = run_measured([PYTHON, "manage.py", "check"], env)
        print(f"Python + Django start-up (manage.py check): peak RSS {baseline_mib:.0f} MiB, {baseline_s:.1f} s\n")
        print(f"{'ballots':>10}  {'what':<28} {'seconds':>8}  {'peak RSS MiB':>12}  {'file MiB':>9}")
        for size in sizes:
            for fmt in formats:
                out = scratch / f"ballots-{size}.{fmt}"
                argv = [PYTHON, "manage.py", "export_poll_results", slugs[size], "--kind", "ballots"]
                seconds, peak = run_measured([*argv, "--format", fmt, "--output", str(out), "-v0"], env)
                mib = out.stat().st_size / 2**20
                print(f"{size:>10,}  {'export_poll_results ' + fmt:<28} {seconds:>8.1f}  {peak:>12.0f}  {mib:>9.1f}")
                out.unlink()
            out = scratch / f"sqlite-{size}.csv"
            seconds, peak = sqlite_floor(db, slugs[size], out)
            mib = out.stat().st_size / 2**20
            print(f"{size:>10,}  {'sqlite3 -csv (floor)':<28} {seconds:>8.1f}  {peak:>12.0f}  {mib:>9.1f}")
            out.unlink()
        print(f"\nDone in {datetime.timedelta(seconds=round(time.perf_counter() - started))}.")
    finally:
        if args.keep:
            print(f"Kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
