"""The Subscription Extract applied in batches: the same rows as loading it row by row
through the services, what a load says it changed, a dry run, a second load, a batch that
fails, and the number of queries a batch takes."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subscribers.models import Person, Subscription, SubscriptionEvent
from subscribers.repair import extract
from subscribers.repair.extract import extract_load
from tests.callbacks.test_batch_equivalence import NEW_NUMBER, PEOPLE, T0, seed, snapshot

pytestmark = pytest.mark.django_db

COLUMNS = (
    "person_id\texternal_person_id\tmdn\tcarrier_code\tsubscription_list_id\t"
    "subscription_list_name\topt_in_date\topt_out_date\tsubscription_event\topt_out_reason"
)
HEADER = COLUMNS + "\tfirst_name\n"
# The extract's own date form, and the API's.
DATE_SHAPES = ["{:%Y-%m-%d %H:%M:%S -0600}", "{:%Y-%m-%dT%H:%M:%SZ}", "{:%Y-%m-%d %H:%M:%S +0000}"]


@st.composite
def extract_row(draw):
    who = draw(st.sampled_from(PEOPLE))
    key, ext, mdn = draw(
        st.sampled_from(
            [
                (who["key"], who["ext"] or "", who["mdn"]),
                (who["key"], "", ""),
                ("", who["ext"] or "", ""),
                ("", "", who["mdn"][2:5] + "-" + who["mdn"][5:8] + "-" + who["mdn"][8:]),
                (who["key"], "", NEW_NUMBER),  # the number C asked to switch to
                ("", "", ""),  # names nobody: a bad row
            ]
        )
    )
    event = draw(st.sampled_from(["OPT_IN", "OPT_IN", "opt_out", "OPT_OUT", "MAYBE"]))
    shape = draw(st.sampled_from(DATE_SHAPES))
    opt_in = shape.format(T0 + timedelta(minutes=draw(st.integers(0, 30))))
    opt_out = shape.format(T0 + timedelta(minutes=draw(st.integers(0, 60))))
    if "OUT" not in event.upper():
        opt_out = ""
    elif draw(st.booleans()):
        opt_in = ""
    list_id, name = draw(st.sampled_from([("L1", "Deals"), ("L1", ""), ("L2", "News"), ("", "")]))
    reason = draw(st.sampled_from(["USER_OPT_OUT", "api_opt_out", ""])) if opt_out else ""
    first = draw(st.sampled_from(["", "Al", "Cy"]))
    return "\t".join(
        [key, ext or "", mdn, "104", list_id, name, opt_in, opt_out, event, reason, first]
    )


@st.composite
def extracts(draw):
    rows = draw(st.lists(extract_row(), min_size=1, max_size=16))
    for row in draw(st.lists(st.sampled_from(rows), max_size=4)):
        rows.insert(draw(st.integers(0, len(rows))), row)  # repeats, anywhere
    return HEADER + "\n".join(rows) + "\n", draw(st.sampled_from([1, 2, 5, 2000]))


class Rollback(Exception):
    pass


def loaded(text: str, batch_size: int, bad: list) -> tuple[dict, dict]:
    try:
        with transaction.atomic():
            seed()
            counts = extract_load(
                io.StringIO(text),
                batch_size=batch_size,
                on_bad_row=lambda line, why: bad.append((batch_size, line, why)),
            )
            result = snapshot()
            raise Rollback
    except Rollback:
        return result, counts


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=extracts())
def test_an_extract_loaded_in_batches_leaves_every_row_as_loading_it_row_by_row(case):
    """Persons (numbers in any form, erased, dead or being switched), lists and their
    names, subscriptions, history, deadlines and suppression hits, and the counts."""
    text, size = case
    bad = []
    row_by_row, counts_one = loaded(text, 0, bad)
    batched, counts_batched = loaded(text, size, bad)
    for table in row_by_row:
        assert batched[table] == row_by_row[table], table
    assert counts_batched == counts_one
    assert [b[1:] for b in bad if b[0] == size] == [b[1:] for b in bad if b[0] == 0]


def rows(n: int, *, start: int = 0, event: str = "OPT_IN") -> str:
    lines = []
    for i in range(start, start + n):
        opt_out = "2017-05-01 10:00:00 -0600" if event == "OPT_OUT" else ""
        lines.append(
            f"pk-{i}\t\t+1299555{i:04d}\t104\tL{i % 3}\tList {i % 3}\t"
            f"2017-04-05 14:30:00 -0600\t{opt_out}\t{event}\t{'user_opt_out' if opt_out else ''}"
        )
    return COLUMNS + "\n" + "\n".join(lines) + "\n"


def load(tmp_path, text: str, *args) -> tuple[str, str]:
    """What the command printed; a load that refused rows (exit status 2) says so last on
    standard error. Nothing loaded at all (exit status 1) raises."""
    path = tmp_path / "extract.tsv"
    path.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("vibes_import_extract", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        if exc.returncode != 2:
            raise
        err.write(f"\nexit status 2: {exc}")
    return out.getvalue(), err.getvalue()


def test_a_load_says_what_it_changed_and_a_second_load_changes_nothing(tmp_path):
    out, err = load(tmp_path, rows(30), "--batch-size", "7")
    assert out.strip() == "lists created: 3, opted in: 30, persons created: 30"
    assert "rows [##############################] 30/30" in err
    history = SubscriptionEvent.objects.count()
    out, _ = load(tmp_path, rows(30), "--batch-size", "7")
    assert out.strip() == "unchanged: 30"
    assert SubscriptionEvent.objects.count() == history
    out, _ = load(tmp_path, rows(10, event="OPT_OUT"))
    assert out.strip() == "opted out: 10"
    assert Subscription.objects.filter(status="opted_out").count() == 10


IN_DATE = "2017-04-05 14:30:00 -0600"


@pytest.mark.parametrize("batch_size", ["0", "2000"])
def test_the_next_days_extract_naming_the_same_opt_outs_again_records_nothing(tmp_path, batch_size):
    """The extract names a subscription's every event again each day: neither its older
    events nor a second opt-out (kept in history, the first one's date and reason kept)
    are recorded again."""
    text = (
        COLUMNS
        + "\n"
        + "".join(
            f"pk-1\t\t+12995550001\t104\tL1\tDeals\t{IN_DATE}\t{out}\t{event}\t{why}\n"
            for out, event, why in [
                ("", "OPT_IN", ""),
                ("2017-05-01 10:00:00 -0600", "OPT_OUT", "USER_OPT_OUT"),
                ("2017-05-03 10:00:00 -0600", "OPT_OUT", "api_opt_out"),
            ]
        )
    )
    out, _ = load(tmp_path, text, "--batch-size", batch_size)
    assert out.strip() == "lists created: 1, opted in: 1, opted out: 2, persons created: 1"
    sub = Subscription.objects.get()
    assert (sub.opt_out_reason, sub.opt_out_date.day) == ("user_opt_out", 1)
    history = SubscriptionEvent.objects.count()
    out, _ = load(tmp_path, text, "--batch-size", batch_size)
    assert out.strip() == "skipped: a newer event is known: 2, unchanged: 1"
    assert SubscriptionEvent.objects.count() == history  # the older two are in history


def test_a_dry_run_prints_exactly_what_the_load_then_does_and_keeps_nothing(tmp_path):
    load(tmp_path, rows(5))
    text = rows(10, event="OPT_OUT") + rows(8, start=20).split("\n", 1)[1] + "pk-x\t\t\t\tL1\n"
    dry, dry_err = load(tmp_path, text, "--dry-run", "--batch-size", "4")
    assert dry.startswith("dry run, nothing applied: ")
    assert Person.objects.count() == 5 and SubscriptionEvent.objects.count() == 5 + 5
    real, real_err = load(tmp_path, text, "--batch-size", "4")
    assert dry.removeprefix("dry run, nothing applied: ") == real
    assert real.strip() == "bad rows: 1, opted in: 8, opted out: 10, persons created: 13"
    assert "line 20: 5 fields where the header has 10" in dry_err
    assert "line 20:" in real_err and "exit status 2: 1 rows refused" in real_err


def test_a_batch_that_fails_is_rolled_back_and_its_rows_applied_one_by_one(tmp_path, monkeypatch):
    real = extract.rows_apply

    def broken(rows, *, lock=True):
        real(rows, lock=lock)  # writes, then fails
        raise RuntimeError("the database refused a row")

    monkeypatch.setattr(extract, "rows_apply", broken)
    out, _ = load(tmp_path, rows(12), "--batch-size", "5")
    assert out.strip() == "lists created: 3, opted in: 12, persons created: 12"
    assert Person.objects.count() == 12 and Subscription.objects.count() == 12
    assert SubscriptionEvent.objects.count() == 24  # each created, then opted in: once


@pytest.mark.parametrize("n", [50, 400])
def test_a_batch_takes_a_few_queries_not_a_few_a_row(n):
    """Row by row it takes about ten a row. (SQLite caps the parameters of a statement at
    999, so there a bulk insert of many rows is split into several.)"""
    with CaptureQueriesContext(connection) as queries:
        counts = extract_load(io.StringIO(rows(n)), batch_size=1000)
    assert counts["opted in"] == n
    bound = 30 if connection.vendor == "postgresql" else 30 + n // 20
    assert len(queries) <= bound, [q["sql"][:120] for q in queries.captured_queries]


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(Exception, match="missing columns"):
        load(tmp_path, "person_id\tmdn\npk-1\t+12995550001\n")
    with pytest.raises(Exception, match="batch-size"):
        load(tmp_path, rows(1), "--batch-size", "-1")
