"""Recording and withdrawing consent (本人同意): never deleted, withdrawn with a date."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Consent
from hubs.models import Role
from takatsuki_welfare.models import AccessLog

from .factories import (
    CaseFactory,
    ConsentFactory,
    HouseholdFactory,
    HubFactory,
    MembershipFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


@pytest.fixture
def person(hub, staff):
    return PersonFactory(household=HouseholdFactory(registered_hub=hub, registered_by=staff))


def add_url(person):
    return reverse("cases:consent_add", kwargs={"pk": person.pk})


def withdraw_url(consent):
    return reverse("cases:consent_withdraw", kwargs={"pk": consent.pk})


def consent_data(*hubs, **changes):
    data = {
        "kind": Consent.Kind.SHARE_WITH_AGENCIES,
        "hubs": [h.pk for h in hubs],
        "obtained_on": TODAY().isoformat(),
        "method": Consent.Method.SIGNATURE,
        "note": "本人が署名",
    }
    return {**data, **changes}


def test_it_records_consent(client_as, staff, hub, other_hub, person):
    response = client_as(staff).post(add_url(person), consent_data(hub, other_hub))
    assert response.status_code == 302
    consent = person.consents.get()
    assert (consent.kind, consent.method, consent.obtained_on, consent.recorded_by) == (
        Consent.Kind.SHARE_WITH_AGENCIES,
        Consent.Method.SIGNATURE,
        TODAY(),
        staff,
    )
    assert set(consent.hubs.all()) == {hub, other_hub}
    assert consent.covers(other_hub)
    entry = AccessLog.objects.get(action=AccessLog.Action.CREATE)
    assert (entry.object_type, entry.object_id, entry.user, entry.hub) == (
        "consent",
        str(consent.pk),
        staff,
        hub,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"obtained_on": (datetime.date.today() + datetime.timedelta(days=1)).isoformat()},
         "obtained_on"),
        ({"obtained_on": "yesterday"}, "obtained_on"),
        ({"method": "telepathy"}, "method"),
        ({"hubs": []}, "hubs"),
        ({"kind": ""}, "kind"),
    ],
)  # fmt: skip
def test_it_refuses_bad_consent_and_keeps_the_input(client_as, staff, hub, person, changes, field):
    response = client_as(staff).post(add_url(person), consent_data(hub, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "本人が署名" in response.content.decode()
    assert not Consent.objects.exists()


def test_inactive_hubs_are_not_offered(client_as, staff, hub, person):
    closed = HubFactory(name="閉所した拠点", active=False)
    response = client_as(staff).post(add_url(person), consent_data(hub, closed))
    assert "hubs" in response.context["form"].errors
    assert "閉所した拠点" not in response.content.decode()


def test_it_withdraws_consent_and_keeps_it(client_as, staff, hub, person):
    consent = ConsentFactory(
        person=person, hubs=[hub], obtained_on=TODAY() - datetime.timedelta(days=10)
    )
    client = client_as(staff)
    assert client.get(withdraw_url(consent)).status_code == 200
    response = client.post(
        withdraw_url(consent), {"withdrawn_on": TODAY().isoformat(), "note": "電話で撤回の申出"}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert (consent.withdrawn_on, consent.withdrawal_note) == (TODAY(), "電話で撤回の申出")
    assert not consent.covers(hub)
    entry = AccessLog.objects.get(action=AccessLog.Action.UPDATE)
    assert (entry.object_type, entry.object_id) == ("consent", str(consent.pk))
    page = client.get(reverse("cases:person_detail", kwargs={"pk": person.pk})).content.decode()
    assert 'class="struck"' in page and "電話で撤回の申出" in page


def test_a_withdrawn_consent_cannot_be_withdrawn_again(client_as, staff, hub, person):
    consent = ConsentFactory(
        person=person, obtained_on=datetime.date(2025, 1, 1), withdrawn_on=datetime.date(2025, 2, 1)
    )
    response = client_as(staff).post(withdraw_url(consent), {"withdrawn_on": TODAY().isoformat()})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    consent.refresh_from_db()
    assert consent.withdrawn_on == datetime.date(2025, 2, 1)


@pytest.mark.parametrize(
    "withdrawn_on",
    [
        (datetime.date.today() + datetime.timedelta(days=1)).isoformat(),
        (datetime.date.today() - datetime.timedelta(days=30)).isoformat(),  # before obtained
    ],
)
def test_it_refuses_an_impossible_withdrawal_date(client_as, staff, person, withdrawn_on):
    consent = ConsentFactory(person=person, obtained_on=TODAY() - datetime.timedelta(days=1))
    response = client_as(staff).post(withdraw_url(consent), {"withdrawn_on": withdrawn_on})
    assert "withdrawn_on" in response.context["form"].errors
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_consent_pages_are_a_404_outside_the_policy(client_as, hub, person):
    CaseFactory(household=person.household, primary=person)
    consent = ConsentFactory(person=person, hubs=[hub])
    outsiders = [
        MembershipFactory(hub=HubFactory(), role=Role.STAFF).user,
        MembershipFactory(hub=HubFactory(), role=Role.MANAGER).user,
        MembershipFactory(hub=hub, role=Role.VOLUNTEER).user,
    ]
    for user in outsiders:
        client = client_as(user)
        assert client.get(add_url(person)).status_code == 404
        assert client.post(add_url(person), consent_data(hub)).status_code == 404
        assert client.post(withdraw_url(consent), {"withdrawn_on": TODAY()}).status_code == 404
    assert Consent.objects.count() == 1
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_consent_pages_send_anonymous_users_to_sign_in(client, person):
    consent = ConsentFactory(person=person)
    for target in (add_url(person), withdraw_url(consent)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_escapes_script_in_consent_notes(client_as, staff, hub, person):
    ConsentFactory(person=person, hubs=[hub], note="<script>alert(1)</script>")
    page = client_as(staff).get(reverse("cases:person_detail", kwargs={"pk": person.pk}))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()
    assert "<script>alert(1)" not in page.content.decode()
