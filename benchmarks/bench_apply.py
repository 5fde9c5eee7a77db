"""Benchmark of applying a burst of callbacks (`make bench-apply`; PostgreSQL and Redis).

Creates its own database (``vibes_apply_bench``, BENCH_DB to change it) on the server of
DATABASE_URL and stores a burst of mixed callbacks (subscription_added / _removed,
person_updated) over many persons and 5 lists, with 5% repeats and shuffled dates, as
the endpoint stores them (one row each; repeats as duplicates). Then, each time from the
same backlog (the applied rows removed and the events set back to received):

- real Celery workers (``--pool=solo``) apply it in batches, one worker and two, and one
  worker event by event (``CALLBACK_APPLY_BATCH=0``, for BENCH_SINGLE_SECONDS only):
  events per second, and the worker's peak memory (VmHWM);
- the endpoint's intake rate (gunicorn, concurrent clients) next to the bare insert view
  of benchmarks/urls.py with no worker running, and the endpoint again while a worker
  applies the backlog on the same machine;
- in this process, chunk after chunk: queries per event and peak memory as the number
  of batches grows;
- the batch rate and queries per event again with BENCH_BIG_PERSONS (1,000,000) persons
  already in the database (benchmarks/admin_data.py).

Environment: DATABASE_URL, REDIS_URL (both required), BENCH_SCALE (1.0: 50,000 events
over 20,000 persons; 0.2 for a quick run), BENCH_BIG_PERSONS, BENCH_SINGLE_SECONDS (30),
BENCH_PORT (8431), BENCH_KEEP=1 keeps the database. Not collected by pytest.
"""

import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
EVENTS = int(50_000 * SCALE)
PERSONS = int(20_000 * SCALE)
BIG = int(os.environ.get("BENCH_BIG_PERSONS", "1000000"))
SINGLE_SECONDS = float(os.environ.get("BENCH_SINGLE_SECONDS", "30"))
PORT = int(os.environ.get("BENCH_PORT", "8431"))
DB = os.environ.get("BENCH_DB", "vibes_apply_bench")
SERVER = os.environ.get("DATABASE_URL", "")
TOKEN = "bench-token-" + "x" * 32
T0 = datetime(2024, 3, 1, tzinfo=UTC)


def server_url(dbname: str) -> str:
    parts = urlsplit(SERVER)
    if not parts.scheme.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("bench-apply needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    return urlunsplit(parts._replace(path=f"/{dbname}"))


os.environ.update(
    {
        "DATABASE_URL": server_url(DB),
        "DEBUG": "0",
        "HTTPS_ONLY": "0",
        "SECRET_KEY": "bench-apply-not-secret-" + "x" * 30,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CALLBACK_TOKENS": TOKEN,
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "benchmarks.apply_settings",
        "CONN_MAX_AGE": "0",
        "BENCH_PORT": str(PORT),  # bench_callbacks' clients post to it
    }
)
with psycopg.connect(server_url("postgres").replace("postgres://", "postgresql://")) as admin:
    admin.autocommit = True
    admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{DB}"')

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from benchmarks.admin_data import insert_persons  # noqa: E402
from benchmarks.bench_callbacks import load, post, summary  # noqa: E402
from callbacks.apply import event_apply, events_apply_received  # noqa: E402
from callbacks.models import CallbackEvent  # noqa: E402
from callbacks.parsing import mdn_of, parse_event, person_of  # noqa: E402
from config.celery import app  # noqa: E402
from subscribers import services  # noqa: E402


def body(n: int, rng: random.Random, prefix: str = "burst") -> dict:
    i = rng.randrange(PERSONS)
    person = {"id": f"{prefix}-{i}", "person_key": f"{prefix}-{i}"}
    person["mobile_phone"] = {"mdn": f"+1415{i:07d}"}
    stamp = (T0 + timedelta(seconds=rng.randrange(86_400 * 30))).strftime("%Y-%m-%dT%H:%M:%SZ")
    roll = rng.random()
    if roll < 0.15:
        person.update(updated_at=stamp, custom_fields={"tier": rng.choice("ABC")}, timezone="UTC")
        return {"event_id": f"{prefix}-{n}", "callback_type": "person_updated",
                "event_date": stamp, "person": person}  # fmt: skip
    kind = "subscription_added" if roll < 0.7 else "subscription_removed"
    sub = {"person": person, "subscription_list": {"id": f"list-{rng.randrange(5)}"},
           "opt_in_date": stamp, "acquisition_campaign": {"id": "2342312"}}  # fmt: skip
    if kind == "subscription_removed":
        sub.update(opt_out_date=stamp, opt_out_reason="user_opt_out")
    return {"event_id": f"{prefix}-{n}", "callback_type": kind, "event_date": stamp,
            "subscription": sub}  # fmt: skip


def store_burst() -> None:
    """The burst as the endpoint stores it, in bulk (its intake is measured over HTTP)."""
    rng = random.Random(7)
    bodies = [body(n, rng) for n in range(EVENTS)]
    bodies += [rng.choice(bodies) for _ in range(EVENTS // 20)]
    rng.shuffle(bodies)
    rows, seen = [], set()
    for b in bodies:
        raw = json.dumps(b)
        parsed = parse_event(raw)
        first = parsed.dedupe_key not in seen
        seen.add(parsed.dedupe_key)
        rows.append(
            CallbackEvent(
                method="POST", body=raw, callback_type=parsed.callback_type,
                event_id=parsed.event_id, event_date=parsed.event_date, payload=parsed.payload,
                dedupe_key=parsed.dedupe_key if first else None,
                status="received" if first else "duplicate",
                mdn=mdn_of(person_of(parsed.payload)),
            )
        )  # fmt: skip
    CallbackEvent.objects.bulk_create(rows, batch_size=2000)


def sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def reset() -> None:
    """The backlog as stored: what applying it wrote removed, every first delivery received."""
    sql(
        "UPDATE callbacks_callbackevent SET status = 'received', person_id = NULL, attempts = 0,"
        " error = '', processed_at = NULL WHERE status <> 'duplicate' AND event_id LIKE 'burst-%'"
    )
    burst = "SELECT id FROM subscribers_person WHERE person_key NOT LIKE 'bench-%'"
    # History is append-only (subscribers/migrations/0003_history_append_only.py): only in
    # this throwaway database is its guard lifted, to take the rows a run wrote away again.
    history = "subscribers_subscriptionevent"
    sql(f"DELETE FROM subscribers_optoutdeadline WHERE person_id IN ({burst})")  # noqa: S608
    sql(f"ALTER TABLE {history} DISABLE TRIGGER subscriptionevent_append_only")
    sql(f"DELETE FROM {history} WHERE person_id IN ({burst})")  # noqa: S608
    sql(f"ALTER TABLE {history} ENABLE TRIGGER subscriptionevent_append_only")
    sql(f"DELETE FROM subscribers_subscription WHERE person_id IN ({burst})")  # noqa: S608
    sql("DELETE FROM callbacks_callbackevent WHERE event_id NOT LIKE 'burst-%'")
    sql("DELETE FROM subscribers_person WHERE person_key NOT LIKE 'bench-%' OR person_key IS NULL")
    sql("VACUUM ANALYZE")  # fmt: skip
    app.control.purge()


def waiting() -> int:
    return CallbackEvent.objects.filter(status="received").count()


def worker(n: int, batch: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "CALLBACK_APPLY_BATCH": str(batch),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-n", f"apply{n}@%h"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def peak_kb(proc: subprocess.Popen) -> int:
    for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def stop(procs) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=60)


def apply_with_workers(count: int, batch: int = 500, seconds: float | None = None) -> dict:
    """Rate from the first event applied to the last (or to ``seconds``), and peak memory."""
    reset()
    total = waiting()
    procs = [worker(n, batch, ROOT / "var" / f"bench-apply-worker{n}.log") for n in range(count)]
    try:
        while waiting() == total:
            time.sleep(0.05)
        start = time.perf_counter()
        while (left := waiting()) and (seconds is None or time.perf_counter() - start < seconds):
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        memory = max(peak_kb(p) for p in procs)
    finally:
        stop(procs)
    figures = {"rate": (total - left) / elapsed, "applied": total - left, "peak_mb": memory / 1024}
    print(f"  {count} worker(s), batch {batch}: {figures['applied']} events in {elapsed:.1f} s, "
          f"{figures['rate']:.0f}/s, peak {figures['peak_mb']:.0f} MB", flush=True)  # fmt: skip
    return figures


def gunicorn() -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
         f"127.0.0.1:{PORT}", "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "GUNICORN_CMD_ARGS": ""}, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120  # a shared machine may be slow to start it
    while post("/healthz", b"")[0] == 0:
        if time.monotonic() > deadline or server.poll() is not None:
            server.terminate()
            sys.exit("gunicorn did not start")
        time.sleep(0.3)
    return server


def intake_bodies(prefix: str, n: int) -> list[bytes]:
    rng = random.Random(prefix)
    return [json.dumps(body(i, rng, prefix)).encode() for i in range(n)]


def intake(requests: int, *, while_applying: bool) -> dict:
    """Endpoint and bare-view rates over HTTP, with or without a worker applying."""
    reset()
    procs = [worker(9, 500, ROOT / "var" / "bench-apply-worker9.log")] if while_applying else []
    try:
        if procs:
            total = waiting()
            while waiting() == total:
                time.sleep(0.05)
        out = {}
        for rnd in range(2):
            for name, path in (
                ("baseline", "/bench/baseline/"),
                ("endpoint", f"/callbacks/vibes/{TOKEN}/"),
            ):
                if name == "baseline" and while_applying:
                    continue
                result = load(path, intake_bodies(f"{name}{rnd}{while_applying}", requests // 2))
                result["cpu"] = 0.0
                out.setdefault(name, []).append(result)
        still = waiting()
    finally:
        stop(procs)
    rates = {name: summary(results)["rate"] for name, results in out.items()}
    rates["backlog_left"] = still
    print(f"  intake{' while a worker applies' if while_applying else ''}: "
          + ", ".join(f"{k} {v:.0f}" for k, v in rates.items()), flush=True)  # fmt: skip
    return rates


def in_process(chunks: int = 10**9) -> list[tuple[int, float, float]]:
    """(batches, queries per event so far, peak MB) as the number of batches grows."""
    reset()
    counted = {"queries": 0}

    def counter(execute, *args):
        counted["queries"] += 1
        return execute(*args)

    points, applied, batches = [], 0, 0
    with connection.execute_wrapper(counter):
        while batches < chunks:
            run = events_apply_received(limit=500, batch=500, seconds=60)
            if not run.applied:
                break
            applied += run.applied
            batches += 1
            if batches in (1, 10, 30, 60) or batches % 50 == 0:
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                points.append((batches, counted["queries"] / applied, peak))
    return points


def without_claims(n: int = 2000) -> tuple[float, float]:
    """In this process, the same first ``n`` events of the backlog: each through its
    handler (``event_apply``, no claim of the backlog per event), then in batches of 500.
    Events per second of each: the two apply paths alone, without the per-event worker's
    claim, a sorted pick from the whole backlog for every event."""
    reset()
    first = list(
        CallbackEvent.objects.filter(status="received")
        .order_by("event_date", "id")
        .values_list("pk", flat=True)[:n]
    )
    started = time.perf_counter()
    for pk in first:
        event_apply(event_id=pk)
    single = len(first) / (time.perf_counter() - started)
    reset()
    started = time.perf_counter()
    done = 0
    while done < len(first):
        done += events_apply_received(
            limit=500, batch=500, seconds=60, opt_outs_first=False
        ).applied
    batched = done / (time.perf_counter() - started)
    print(f"  in this process, {len(first)} events: handler by handler {single:.0f}/s, "
          f"batches {batched:.0f}/s", flush=True)  # fmt: skip
    return single, batched


def main() -> int:
    call_command("migrate", "--noinput", "-v0", "--skip-checks")
    (ROOT / "var").mkdir(exist_ok=True)
    # The burst's five lists, and the four benchmarks/admin_data.py puts its persons on.
    for list_id in [f"list-{i}" for i in range(5)] + ["1234", "1235", "1236", "1237"]:
        services.subscription_list_upsert(list_id=list_id, name=f"Bench list {list_id}")
    started = time.perf_counter()
    store_burst()
    print(f"burst: {EVENTS} events (+5% repeats) over {PERSONS} persons, 5 lists, "
          f"stored in {time.perf_counter() - started:.0f} s")  # fmt: skip
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start "
          "(shared with other work)")  # fmt: skip
    server = gunicorn()
    try:
        bare = intake(3000, while_applying=False)
        one = apply_with_workers(1)
        two = apply_with_workers(2)
        single = apply_with_workers(1, batch=0, seconds=SINGLE_SECONDS)
        busy = intake(3000, while_applying=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
    alone = without_claims()
    growth = in_process()
    busy_ratio = busy["endpoint"] / bare["baseline"]
    memory = f"{one['peak_mb']:.0f} / {two['peak_mb']:.0f}"
    print(f"\n{'':<44}{'figure':>12}  goal")
    rows = [
        ("per-event apply, 1 worker (events/s)", f"{single['rate']:.0f}", ""),
        ("batch apply, 1 worker (events/s)", f"{one['rate']:.0f}", ""),
        ("batch vs per-event", f"{one['rate'] / single['rate']:.1f}x", ">= 15x"),
        ("  the paths alone, in this process", f"{alone[1] / alone[0]:.1f}x", ""),
        ("batch apply, 2 workers (events/s)", f"{two['rate']:.0f}", ""),
        ("endpoint intake, no worker (callbacks/s)", f"{bare['endpoint']:.0f}", ""),
        ("bare insert view, no worker (req/s)", f"{bare['baseline']:.0f}", ""),
        ("apply / intake, 1 worker", f"{one['rate'] / bare['endpoint']:.2f}", ">= 1.0"),
        ("apply / intake, 2 workers", f"{two['rate'] / bare['endpoint']:.2f}", ">= 1.0"),
        ("endpoint while a worker applies (cb/s)", f"{busy['endpoint']:.0f}", ""),
        ("  as a ratio of the bare insert view", f"{busy_ratio:.2f}", ">= 0.6"),
        ("  backlog still waiting when it ended", f"{busy['backlog_left']}", "> 0"),
        ("peak worker memory, 1 / 2 workers (MB)", memory, "flat"),
    ]  # fmt: skip
    for label, figure, goal in rows:
        print(f"{label:<44}{figure:>12}  {goal}")
    print("\nin this process, batches of 500: batches, queries/event, peak MB")
    for batches, per_event, peak in growth:
        print(f"  {batches:>5} {per_event:>8.3f} {peak:>8.0f}")
    started = time.perf_counter()
    insert_persons(1, BIG)
    print(f"\n{BIG} persons added in {time.perf_counter() - started:.0f} s")
    big = apply_with_workers(1)
    big_growth = in_process(chunks=30)
    change = big["rate"] / one["rate"] - 1
    print(f"batch apply, 1 worker, {BIG} persons stored: {big['rate']:.0f} events/s "
          f"({change:+.0%} against the empty database; goal within 20%), "
          f"peak {big['peak_mb']:.0f} MB")  # fmt: skip
    print(f"  queries/event after {big_growth[-1][0]} batches: {big_growth[-1][1]:.3f} "
          f"(empty database: {growth[min(len(growth), 3) - 1][1]:.3f})")  # fmt: skip
    if os.environ.get("BENCH_KEEP") != "1":
        connections.close_all()
        with psycopg.connect(server_url("postgres").replace("postgres://", "postgresql://")) as c:
            c.autocommit = True
            c.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
