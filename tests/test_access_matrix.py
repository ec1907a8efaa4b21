"""Every case-bearing URL against every kind of user: 200 inside the policy, 404 outside."""

import pytest
from django.urls import reverse

from hubs.models import Role

from .factories import (
    CaseFactory,
    ConsentFactory,
    HubFactory,
    IntakeFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(hub):
    case = CaseFactory(household__registered_hub=hub)
    person = case.primary_person
    intake = IntakeFactory(hub=hub, case=case, household=case.household)
    intake.persons.add(person)
    consent = ConsentFactory(person=person, hubs=[hub])
    return {"case": case, "person": person, "intake": intake, "consent": consent}


def urls(r):
    case, person = r["case"], r["person"]
    household = case.household.pk
    return [
        reverse("cases:case_detail", kwargs={"number": case.number}),
        reverse("cases:case_edit", kwargs={"number": case.number}),
        reverse("cases:case_closure_request", kwargs={"number": case.number}),
        reverse("cases:household_detail", args=[household]),
        reverse("cases:household_edit", args=[household]),
        reverse("cases:household_flag_add", args=[household]),
        reverse("cases:person_detail", args=[person.pk]),
        reverse("cases:person_edit", args=[person.pk]),
        reverse("cases:person_details", args=[person.pk]),
        reverse("cases:person_details_edit", args=[person.pk]),
        reverse("cases:consent_add", args=[person.pk]),
        reverse("cases:consent_withdraw", args=[r["consent"].pk]),
        reverse("cases:intake_detail", args=[r["intake"].pk]),
    ]


def _user(kind, hub, other_hub):
    make = {
        "own_staff": lambda: MembershipFactory(hub=hub, role=Role.STAFF).user,
        "own_csw": lambda: MembershipFactory(hub=hub, role=Role.CSW).user,
        "own_manager": lambda: MembershipFactory(hub=hub, role=Role.MANAGER).user,
        "other_staff": lambda: MembershipFactory(hub=other_hub, role=Role.STAFF).user,
        "other_manager": lambda: MembershipFactory(hub=other_hub, role=Role.MANAGER).user,
        "coordinator": lambda: MembershipFactory(hub=HubFactory(), role=Role.COORDINATOR).user,
        "volunteer": lambda: MembershipFactory(hub=hub, role=Role.VOLUNTEER).user,
        "ended_membership": lambda: MembershipFactory(hub=hub, role=Role.STAFF, active=False).user,
    }
    return make[kind]()


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("own_staff", 200),
        ("own_csw", 200),
        ("own_manager", 200),
        ("other_staff", 404),
        ("other_manager", 404),
        ("coordinator", 404),  # the case is not flagged for multi-agency coordination
        ("volunteer", 404),
        ("ended_membership", 404),
    ],
)
def test_every_case_bearing_url_follows_the_policy(client, records, hub, other_hub, kind, expected):
    client.force_login(_user(kind, hub, other_hub))
    statuses = {url: client.get(url).status_code for url in urls(records)}
    assert statuses == dict.fromkeys(statuses, expected)


def test_a_participating_hub_and_a_coordinator_of_a_multi_agency_case_see_it(
    client, records, hub, other_hub
):
    case = records["case"]
    case.hub_links.create(hub=other_hub)
    client.force_login(_user("other_staff", hub, other_hub))
    assert (
        client.get(reverse("cases:case_detail", kwargs={"number": case.number})).status_code == 200
    )
    case.multi_agency = True
    case.save()
    client.force_login(_user("coordinator", hub, other_hub))
    assert (
        client.get(reverse("cases:case_detail", kwargs={"number": case.number})).status_code == 200
    )


def test_signed_out_users_are_sent_to_sign_in(client, records):
    for url in urls(records):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_deactivated_account_is_signed_out(client, records, hub, other_hub):
    user = _user("own_staff", hub, other_hub)
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get(urls(records)[0]).status_code == 302


@pytest.mark.parametrize(
    ("steps", "case_status", "referral_status"),
    [
        ([], 404, 200),
        (["acknowledge"], 404, 200),
        (["accept"], 200, 200),
        (["decline"], 404, 200),
        (["withdraw"], 404, 200),
    ],
)
def test_the_receiving_hub_sees_the_case_only_after_accepting(
    client, records, hub, other_hub, steps, case_status, referral_status
):
    from referrals import services
    from referrals.models import Basis, DeclinedBy, DeclineReason, Kind

    sender = MembershipFactory(hub=hub, role=Role.STAFF).user
    receiver = MembershipFactory(hub=other_hub, role=Role.STAFF).user
    referral = services.referral_send(
        actor=sender, case=records["case"], to_hub=other_hub, kind=Kind.SUPPORT,
        reason="支援をお願いします", basis=Basis.SUPPORT_MEETING, meeting_reference="支援会議",
    )  # fmt: skip
    for step in steps:
        if step == "withdraw":
            services.referral_withdraw(actor=sender, referral=referral, reason="本人が転居")
        elif step == "decline":
            services.referral_decline(
                actor=receiver, referral=referral, reason=DeclineReason.CAPACITY,
                declined_by=DeclinedBy.HUB,
            )  # fmt: skip
        else:
            getattr(services, f"referral_{step}")(actor=receiver, referral=referral)
    client.force_login(receiver)
    case_urls = urls(records)[:-1]  # every case-bearing URL but the intake's
    assert {client.get(u).status_code for u in case_urls} == {case_status}
    assert (
        client.get(reverse("referrals:detail", args=[referral.pk])).status_code == referral_status
    )
