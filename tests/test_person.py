"""The person page, the separate sensitive-details page, and their edits."""

import datetime

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.urls import reverse

from cases.models import (
    Case,
    Consent,
    Household,
    HouseholdFlag,
    Intake,
    Person,
    PersonDetails,
)
from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import (
    CaseFactory,
    ConsentFactory,
    HouseholdFactory,
    HubFactory,
    MembershipFactory,
    PersonFactory,
    code,
)

pytestmark = pytest.mark.django_db

PERSON_URLS = [
    "cases:person_detail",
    "cases:person_edit",
    "cases:person_details",
    "cases:person_details_edit",
    "cases:consent_add",
]


@pytest.fixture
def person(hub, staff):
    person = PersonFactory(
        household=HouseholdFactory(registered_hub=hub, registered_by=staff),
        family_name="高橋",
        given_name="健一",
        family_name_kana="たかはし",
        given_name_kana="けんいち",
        birth_date=datetime.date(1970, 3, 2),
        relationship=code(CodeList.RELATIONSHIP, "child"),
        phone="090-1234-5678",
    )
    PersonDetails.objects.create(
        person=person, care_level=PersonDetails.CareLevel.CARE_2, health_notes="糖尿病で通院中"
    )
    return person


def url(person, name="cases:person_detail"):
    return reverse(name, kwargs={"pk": person.pk})


def test_it_shows_the_person_to_their_hub(client_as, staff, person):
    case = CaseFactory(household=person.household, primary=person, fields=["elderly"])
    response = client_as(staff).get(url(person))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "高橋 健一",
        "たかはし けんいち",
        "1970年3月2日（昭和45年）",
        "子",
        "090-1234-5678",
    ):
        assert text in page
    assert str(person.age) in page
    assert person.household.number in page
    assert reverse("cases:household_detail", kwargs={"pk": person.household.pk}) in page
    assert response.context["cases"] == [case]


def test_it_shows_the_person_to_a_participating_hub(client_as, hub, other_hub):
    person = PersonFactory(household=HouseholdFactory(registered_hub=other_hub))
    CaseFactory(household=person.household, primary=person, hubs=[hub])
    user = MembershipFactory(hub=hub, role=Role.STAFF).user
    assert client_as(user).get(url(person)).status_code == 200


def test_it_lists_only_the_cases_the_user_may_see(client_as, staff, person, other_hub):
    hidden = CaseFactory(
        household=person.household, primary=person, lead_hub=other_hub, number="2026-999999"
    )
    response = client_as(staff).get(url(person))
    assert response.context["cases"] == []
    assert hidden.number not in response.content.decode()


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER, Role.COORDINATOR])
def test_it_is_a_404_for_an_unrelated_hub(client_as, person, role):
    CaseFactory(household=person.household, primary=person)
    outsider = MembershipFactory(hub=HubFactory(), role=role).user
    client = client_as(outsider)
    for name in PERSON_URLS:
        assert client.get(url(person, name)).status_code == 404, name
    assert not AccessLog.objects.exists()


def test_it_is_a_404_for_a_corner_volunteer_and_an_ended_membership(client_as, hub, person):
    volunteer = MembershipFactory(hub=hub, role=Role.VOLUNTEER).user
    retired = MembershipFactory(hub=hub, role=Role.STAFF, active=False).user
    for user in (volunteer, retired):
        client = client_as(user)
        for name in PERSON_URLS:
            assert client.get(url(person, name)).status_code == 404, name


def test_an_inactive_user_and_anonymous_users_are_sent_to_sign_in(client, hub, person):
    for name in PERSON_URLS:
        response = client.get(url(person, name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    inactive = MembershipFactory(hub=hub, role=Role.STAFF, user__is_active=False).user
    client.force_login(inactive)
    assert client.get(url(person)).status_code == 302


def test_it_logs_the_view(client_as, staff, hub, person):
    client_as(staff).get(url(person), REMOTE_ADDR="192.0.2.10")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.hub, entry.role, entry.action) == (
        staff,
        hub,
        Role.STAFF,
        AccessLog.Action.VIEW,
    )
    assert (entry.object_type, entry.object_id, entry.ip) == (
        "person",
        str(person.pk),
        "192.0.2.10",
    )
    assert entry.detail == ""


def test_it_shows_consents_with_withdrawn_ones_struck(client_as, staff, hub, other_hub, person):
    ConsentFactory(person=person, hubs=[hub, other_hub], recorded_by=staff)
    ConsentFactory(
        person=person,
        kind=Consent.Kind.CONFERENCE,
        obtained_on=datetime.date(2025, 4, 1),
        withdrawn_on=datetime.date(2025, 6, 1),
        hubs=[hub],
    )
    response = client_as(staff).get(url(person))
    page = response.content.decode()
    assert other_hub.name in page
    assert "2025年6月1日" in page and 'class="struck"' in page
    assert len(response.context["consents"]) == 2


def test_sensitive_details_are_not_on_the_person_page(client_as, staff, person):
    page = client_as(staff).get(url(person)).content.decode()
    assert "糖尿病" not in page and "要介護2" not in page
    assert url(person, "cases:person_details") in page


def test_sensitive_details_have_their_own_logged_page(client_as, staff, hub, person):
    response = client_as(staff).get(url(person, "cases:person_details"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "糖尿病で通院中" in page and "要介護2" in page
    entry = AccessLog.objects.get()
    assert (entry.action, entry.object_type, entry.object_id, entry.detail) == (
        AccessLog.Action.VIEW,
        "person",
        str(person.pk),
        "sensitive details",
    )
    assert (entry.user, entry.hub, entry.role) == (staff, hub, Role.STAFF)


def test_a_person_without_sensitive_details_gets_an_empty_page(client_as, staff, hub):
    person = PersonFactory(household__registered_hub=hub)
    assert client_as(staff).get(url(person, "cases:person_details")).status_code == 200
    assert not PersonDetails.objects.filter(person=person).exists()


def test_it_escapes_script_in_names(client_as, staff, hub):
    person = PersonFactory(household__registered_hub=hub, given_name="<script>alert(1)</script>")
    page = client_as(staff).get(url(person)).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# Edit ----------------------------------------------------------------------------------------


def edit_data(person, **changes):
    data = {
        "version": person.version,
        "family_name": person.family_name,
        "given_name": person.given_name,
        "family_name_kana": person.family_name_kana,
        "given_name_kana": person.given_name_kana,
        "birth_date": "昭和45年3月2日",
        "sex": Person.Sex.MALE,
        "phone": person.phone,
        "phone2": "",
        "email": "",
        "relationship": person.relationship_id or "",
        "co_resident": "on",
    }
    return {**data, **changes}


def test_it_saves_an_edit_with_a_wareki_birth_date(client_as, staff, person):
    data = edit_data(person, birth_date="S46.4.10", given_name_kana="ケンイチ")
    response = client_as(staff).post(url(person, "cases:person_edit"), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.birth_date == datetime.date(1971, 4, 10)
    assert person.given_name_kana == "ケンイチ"
    assert person.version == 2
    assert Person.objects.search("ケンイチ").filter(pk=person.pk).exists()
    entry = AccessLog.objects.get(action=AccessLog.Action.UPDATE)
    assert (entry.object_type, entry.object_id, entry.user) == ("person", str(person.pk), staff)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": "昭和65年1月1日"}, "birth_date"),
        ({"birth_date": "2月30日"}, "birth_date"),
        ({"given_name_kana": "健一"}, "given_name_kana"),
        ({"family_name": ""}, "family_name"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_it_refuses_bad_input_and_keeps_it(client_as, staff, person, changes, field):
    response = client_as(staff).post(url(person, "cases:person_edit"), edit_data(person, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    for value in changes.values():
        assert value in response.content.decode()
    person.refresh_from_db()
    assert person.version == 1


def test_it_refuses_the_second_of_two_concurrent_edits(client_as, staff, hub, person):
    colleague = MembershipFactory(hub=hub).user
    started = edit_data(person)
    client_as(colleague).post(url(person, "cases:person_edit"), {**started, "phone2": "072-111"})
    response = client_as(staff).post(
        url(person, "cases:person_edit"), {**started, "phone2": "072-999-0000"}
    )
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()
    assert "072-999-0000" in response.content.decode()
    person.refresh_from_db()
    assert (person.phone2, person.version) == ("072-111", 2)


def test_it_saves_sensitive_details_with_locking(client_as, staff, hub, person):
    details = person.details
    started = {
        "version": details.version,
        "disability_certificate": PersonDetails.Certificate.PHYSICAL,
        "certificate_grade": "2級",
        "care_level": PersonDetails.CareLevel.CARE_3,
        "employment": "",
        "health_insurance": "国民健康保険",
        "pension": "",
        "health_notes": "糖尿病で通院中",
    }
    edit = url(person, "cases:person_details_edit")
    client = client_as(staff)
    assert client.get(edit).status_code == 200
    assert client.post(edit, started).status_code == 302
    details.refresh_from_db()
    assert (details.care_level, details.version) == (PersonDetails.CareLevel.CARE_3, 2)
    updates = AccessLog.objects.filter(action=AccessLog.Action.UPDATE)
    assert [(e.object_id, e.detail) for e in updates] == [(str(person.pk), "sensitive details")]

    conflict = client.post(edit, {**started, "pension": "老齢基礎年金"})
    assert conflict.status_code == 409
    assert "老齢基礎年金" in conflict.content.decode()
    details.refresh_from_db()
    assert (details.pension, details.version) == ("", 2)


def test_it_creates_the_sensitive_details_on_first_save(client_as, staff, hub):
    person = PersonFactory(household__registered_hub=hub)
    data = {"version": 1, "employment": "パート", "disability_certificate": "", "care_level": ""}
    response = client_as(staff).post(url(person, "cases:person_details_edit"), data)
    assert response.status_code == 302
    assert PersonDetails.objects.get(person=person).employment == "パート"


def test_the_main_records_keep_a_change_history():
    for model in (Household, HouseholdFlag, Person, PersonDetails, Case, Intake, Consent):
        assert auditlog.contains(model), model


def test_an_edit_leaves_a_change_history_with_who_and_what(client_as, staff, person):
    data = edit_data(
        person, phone2="072-555-0000", relationship=code(CodeList.RELATIONSHIP, "self").pk
    )
    client_as(staff).post(url(person, "cases:person_edit"), data)
    change = LogEntry.objects.get_for_object(person).get(action=LogEntry.Action.UPDATE)
    assert change.actor == staff
    assert change.changes_dict["phone2"] == ["", "072-555-0000"]
    assert "relationship" in change.changes_dict
    assert "birth_date" not in change.changes_dict  # unchanged fields are not listed
