import pytest

from subscribers import services
from subscribers.models import Person, Source, SubscriptionEvent

pytestmark = pytest.mark.django_db


def test_history_cannot_be_changed_through_the_admin_even_by_a_superuser(admin_client):
    person = services.person_create(source=Source.ADMIN, mdn="+14155550132")
    event = SubscriptionEvent.objects.get(person=person)
    url = f"/admin/subscribers/subscriptionevent/{event.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b'type="submit" value="Save"' not in page.content
    admin_client.post(url, {"note": "rewritten"})
    assert admin_client.get("/admin/subscribers/subscriptionevent/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/subscribers/subscriptionevent/{event.pk}/delete/").status_code
        == 403
    )
    event.refresh_from_db()
    assert event.note == "created"


@pytest.mark.usefixtures("text_fields")
def test_staff_edit_in_admin_goes_through_the_service_and_records_history(admin_client, admin_user):
    person = services.person_create(source=Source.ADMIN, mdn="+14155550132")
    response = admin_client.post(
        f"/admin/subscribers/person/{person.pk}/change/",
        {
            "external_person_id": "ex-1",
            "mdn": "+14155550132",
            "carrier_code": "",
            "cf_first_name": "Ana",
            "timezone": "",
            "subscriptions-TOTAL_FORMS": "0",
            "subscriptions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    person = Person.objects.get(pk=person.pk)
    assert person.external_person_id == "ex-1"
    event = SubscriptionEvent.objects.filter(person=person).latest("id")
    assert event.staff_user == admin_user
    assert set(event.changes) == {"external_person_id", "custom_fields"}
