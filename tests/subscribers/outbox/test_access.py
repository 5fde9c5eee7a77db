# ruff: noqa: F811  (fixtures imported from push_fixtures)
"""A refused password (401/403 from Vibes) is one notice and a wait, not a stopped push per
person; the pushes go out by themselves once the credentials work again. Against the
simulator, which checks the username, password and company key as Vibes does."""

import pytest

from config.stalls import stall_figures
from subscribers import tasks
from subscribers.models import Person
from subscribers.outbox.models import Push, VibesAccess
from tests.subscribers.outbox.push_fixtures import published  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD_FIXED_LATER = "an-old-password"


@pytest.fixture
def refused(vibes_simulator, settings, published):
    """Three persons whose pushes met a wrong password."""
    right = settings.VIBES_PASSWORD
    settings.VIBES_PASSWORD = PASSWORD_FIXED_LATER
    persons = [Person.objects.create(mdn=f"+1299555014{n}") for n in range(3)]
    pushes = [Push.objects.get(person=p) for p in persons]
    notes = [tasks.push_send(push.pk) for push in pushes]
    return persons, pushes, notes, right


def figure(key):
    return next(f for f in stall_figures() if f.key == key)


def test_refused_credentials_leave_every_push_waiting_with_one_notice(refused, vibes_simulator):
    persons, pushes, notes, _right = refused
    assert notes == ["waiting for Vibes to accept our credentials"] * 3
    # Only the first push asked Vibes; the others waited without a request.
    assert len(vibes_simulator.requests()) == 1
    for push in pushes:
        push.refresh_from_db()
        assert (push.state, push.attempts, push.lease_until) == (Push.State.PENDING, 0, None)
    assert Push.objects.filter(state=Push.State.STOPPED).count() == 0
    assert not Person.objects.filter(sync_state=Person.SyncState.ATTENTION).exists()
    access = VibesAccess.objects.get()
    assert access.refused_since is not None and "401" in access.last_error
    notice = figure("vibes_credentials_refused_age")
    assert notice.problem and figure("pushes_stopped").value == 0


def test_the_pushes_go_out_by_themselves_once_the_credentials_work(
    refused, vibes_simulator, settings, published
):
    persons, pushes, _notes, right = refused
    assert tasks.vibes_access_probe() == "still refused"
    published.clear()
    settings.VIBES_PASSWORD = right  # staff fixed the setting; nobody presses "push now"
    assert tasks.vibes_access_probe() == "restored; 3 waiting push(es) queued"
    assert sorted(pk for pk, _ in published) == sorted(p.pk for p in pushes)
    for pk, _countdown in published:
        tasks.push_send(pk)
    assert set(Push.objects.values_list("state", flat=True)) == {Push.State.DONE}
    for person in persons:
        person.refresh_from_db()
        assert person.person_key in vibes_simulator.state.persons
        assert person.sync_state == Person.SyncState.IN_SYNC
    assert not figure("vibes_credentials_refused_age").problem
    assert tasks.vibes_access_probe() == "accepted"


def test_a_probe_that_gets_no_answer_keeps_the_pushes_waiting(refused, vibes_simulator, settings):
    _persons, _pushes, _notes, right = refused
    settings.VIBES_PASSWORD = right
    settings.VIBES_API_URL = "http://127.0.0.1:9"  # nothing listens: says nothing of access
    assert tasks.vibes_access_probe().startswith("no answer")
    assert VibesAccess.objects.get().refused_since is not None
