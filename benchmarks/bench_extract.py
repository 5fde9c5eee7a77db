"""Benchmark of loading a Subscription Extract (`make bench-extract`; PostgreSQL).

Writes an extract of BENCH_EXTRACT_ROWS rows (1,000,000) over 40% as many persons and 5
lists, as Vibes writes it (tab-separated, the extract's own date form, 15% opt-outs, one
row in 500 bad), then runs the real command, ``manage.py vibes_import_extract``, each time
in a fresh database of its own (BENCH_DB, default vibes_extract_bench, on the server of
DATABASE_URL) and measures rows per second and the command's peak memory (its maxrss):

- row by row through the services (``--batch-size 0``, the path before batches) on the
  first BENCH_EXTRACT_SINGLE rows (5,000): the baseline;
- in batches, on the first tenth and on the whole file: memory must not grow with it;
- the whole file loaded again over what it loaded (every row unchanged or older);
- a dry run of the first tenth over the loaded database.

Not collected by pytest.
"""

import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("BENCH_EXTRACT_ROWS", "1000000"))
SINGLE = int(os.environ.get("BENCH_EXTRACT_SINGLE", "5000"))
DB = os.environ.get("BENCH_DB", "vibes_extract_bench")
SERVER = os.environ.get("DATABASE_URL", "")
COLUMNS = (
    "person_id\texternal_person_id\tmdn\tcarrier_code\tsubscription_list_id\t"
    "subscription_list_name\topt_in_date\topt_out_date\tsubscription_event\topt_out_reason\n"
)
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def url(dbname: str) -> str:
    parts = urlsplit(SERVER)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench-extract needs DATABASE_URL on PostgreSQL")
    return urlunsplit(parts._replace(path=f"/{dbname}"))


ENV = {
    **os.environ,
    "DATABASE_URL": url(DB),
    "DEBUG": "0",
    "HTTPS_ONLY": "0",
    "SECRET_KEY": "bench-extract-not-secret-" + "x" * 30,
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def write_extract(path: Path, rows: int) -> None:
    rng = random.Random(11)
    persons = max(rows * 2 // 5, 1)
    stamp = "%Y-%m-%d %H:%M:%S -0000"
    with path.open("w") as out:
        out.write(COLUMNS)
        for n in range(rows):
            p, lst = rng.randrange(persons), rng.randrange(5)
            opt_in = T0 + timedelta(seconds=rng.randrange(10**7))
            head = f"pk-{p}\tcrm-{p}\t+1299{p:07d}\t104\tlist-{lst}\tList {lst}\t"
            if n % 500 == 499:
                out.write(head + "not a date\t\tOPT_IN\t\n")
            elif rng.random() < 0.15:
                opt_out = opt_in + timedelta(seconds=rng.randrange(10**6))
                out.write(f"{head}{opt_in:{stamp}}\t{opt_out:{stamp}}\tOPT_OUT\tUSER_OPT_OUT\n")
            else:
                out.write(f"{head}{opt_in:{stamp}}\t\tOPT_IN\t\n")


def prefix(source: Path, target: Path, rows: int) -> None:
    with source.open() as src, target.open("w") as out:
        for i, line in enumerate(src):
            if i > rows:
                break
            out.write(line)


def fresh_database() -> None:
    with psycopg.connect(url("postgres").replace("postgres://", "postgresql://")) as admin:
        admin.autocommit = True
        admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB}"')
    manage("migrate", "--noinput", "-v0")


def manage(*args) -> tuple[float, float, str]:
    """Run a command; return its seconds, its own peak memory (MB) and what it printed."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, stdout=out, stderr=err
        )
        _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own usage
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        said, errors = out.read().strip(), err.read()
    if proc.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{errors[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, said + "\n    " + _last_progress(errors)


def _last_progress(err: str) -> str:
    lines = [s for s in re.split(r"[\r\n]", err) if s.startswith("rows")]
    return lines[-1] if lines else ""


def load(path: Path, *options) -> dict:
    rows = sum(1 for _ in path.open()) - 1
    seconds, peak, said = manage("vibes_import_extract", str(path), *options)
    figures = {"rows": rows, "seconds": seconds, "rate": rows / seconds, "peak_mb": peak}
    print(f"  {path.name} {' '.join(options)}: {rows} rows in {seconds:.1f} s, "
          f"{figures['rate']:.0f} rows/s, peak {peak:.0f} MB\n    {said}", flush=True)  # fmt: skip
    return figures


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        full, tenth, single = tmp / "extract.tsv", tmp / "tenth.tsv", tmp / "single.tsv"
        started = time.perf_counter()
        write_extract(full, ROWS)
        prefix(full, tenth, ROWS // 10)
        prefix(full, single, min(SINGLE, ROWS))
        print(f"extract: {ROWS} rows, {ROWS * 2 // 5} persons, 5 lists, written in "
              f"{time.perf_counter() - started:.0f} s; machine: {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
        fresh_database()
        one = load(single, "--batch-size", "0")
        fresh_database()
        small = load(tenth)
        fresh_database()
        big = load(full)
        again = load(full)
        dry = load(tenth, "--dry-run")
    rows = [
        ("row by row, empty database (rows/s)", f"{one['rate']:.0f}", ""),
        (f"batches, {ROWS // 10} rows, empty database", f"{small['rate']:.0f}", ""),
        (f"batches, {ROWS} rows, empty database", f"{big['rate']:.0f}", ">= 20,000"),
        ("  against row by row", f"{big['rate'] / one['rate']:.1f}x", ""),
        (f"batches, the {ROWS} rows again (unchanged)", f"{again['rate']:.0f}", ">= 20,000"),
        (f"dry run, {ROWS // 10} rows over them", f"{dry['rate']:.0f}", ""),
        ("peak memory, tenth / whole file (MB)", f"{small['peak_mb']:.0f} / {big['peak_mb']:.0f}",
         "flat"),
    ]  # fmt: skip
    print(f"\n{'':<46}{'figure':>12}  goal")
    for label, figure, goal in rows:
        print(f"{label:<46}{figure:>12}  {goal}")
    if os.environ.get("BENCH_KEEP") != "1":
        with psycopg.connect(url("postgres").replace("postgres://", "postgresql://")) as admin:
            admin.autocommit = True
            admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
