"""The household page (世帯): members, flags, visible cases and existence signals; edit; flags."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Household, HouseholdFlag
from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import (
    CaseFactory,
    HouseholdFactory,
    HubFactory,
    MembershipFactory,
    PersonFactory,
    code,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


@pytest.fixture
def household(hub, staff):
    return HouseholdFactory(registered_hub=hub, registered_by=staff, notes="母と長男の二人暮らし")


@pytest.fixture
def hidden_case(household, other_hub):
    """A case on the household that only other_hub (障がい) may see."""
    case = CaseFactory(household=household, lead_hub=other_hub, number="2026-999999")
    case.fields.set([code(CodeList.FIELD, "disability")])
    return case


def url(household, name="cases:household_detail"):
    return reverse(name, kwargs={"pk": household.pk})


def test_it_shows_the_household_to_its_hub(client_as, staff, household):
    mother = PersonFactory(
        household=household,
        family_name="高橋",
        given_name="和子",
        birth_date=datetime.date(1944, 5, 1),
        relationship=code(CodeList.RELATIONSHIP, "self"),
    )
    flag = HouseholdFlag.objects.create(
        household=household,
        kind=code(CodeList.COMPLEX_NEED, "8050"),
        judged_on=TODAY(),
        judged_by=staff,
        basis="長男が10年以上就労しておらず、母の年金で生活",
    )
    flag.persons.set([mother])
    case = CaseFactory(household=household, primary=mother, fields=["elderly"])
    response = client_as(staff).get(url(household))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("高橋 和子", "1944年5月1日", "本人", "8050問題", "長男が10年以上", case.number):
        assert text in page
    assert reverse("cases:case_detail", kwargs={"number": case.number}) in page
    assert reverse("cases:person_detail", kwargs={"pk": mother.pk}) in page


def test_it_shows_the_household_to_a_participating_hub(client_as, hub, other_hub):
    household = HouseholdFactory(registered_hub=other_hub)
    CaseFactory(household=household, hubs=[hub])
    user = MembershipFactory(hub=hub, role=Role.CSW).user
    assert client_as(user).get(url(household)).status_code == 200


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER, Role.COORDINATOR])
def test_it_is_a_404_for_an_unrelated_hub(client_as, household, role):
    CaseFactory(household=household)
    outsider = MembershipFactory(hub=HubFactory(), role=role).user
    for name in ("cases:household_detail", "cases:household_edit", "cases:household_flag_add"):
        assert client_as(outsider).get(url(household, name)).status_code == 404


def test_it_is_a_404_for_a_corner_volunteer_even_of_the_same_hub(client_as, hub, household):
    for user in (MembershipFactory(hub=hub, role=Role.VOLUNTEER).user,):
        assert client_as(user).get(url(household)).status_code == 404


def test_it_is_a_404_when_the_membership_has_ended(client_as, hub, household):
    retired = MembershipFactory(hub=hub, role=Role.STAFF, active=False).user
    assert client_as(retired).get(url(household)).status_code == 404


def test_an_inactive_user_is_signed_out(client_as, hub, household):
    inactive = MembershipFactory(hub=hub, role=Role.STAFF, user__is_active=False).user
    response = client_as(inactive).get(url(household))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_sends_anonymous_users_to_sign_in(client, household):
    for name in ("cases:household_detail", "cases:household_edit", "cases:household_flag_add"):
        response = client.get(url(household, name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_signals_a_hidden_case_by_its_field_only(client_as, staff, household, hidden_case):
    response = client_as(staff).get(url(household))
    page = response.content.decode()
    assert response.context["hidden_fields"] == ["障がい"]
    assert 'data-testid="existence-signal"' in page
    assert hidden_case.number not in page
    assert "障がい者基幹相談支援センター" not in page  # the hidden case's hub
    assert reverse("cases:case_detail", kwargs={"number": hidden_case.number}) not in page
    assert hidden_case not in response.context["cases"]


def test_it_signals_nothing_when_every_case_is_visible(client_as, staff, household):
    CaseFactory(household=household, fields=["elderly"])
    response = client_as(staff).get(url(household))
    assert response.context["hidden_fields"] == []
    assert not response.context["hidden_without_field"]
    assert 'data-testid="existence-signal"' not in response.content.decode()


def test_it_logs_the_view(client_as, staff, hub, household):
    client_as(staff).get(url(household), REMOTE_ADDR="10.1.2.3")
    entry = AccessLog.objects.get(action=AccessLog.Action.VIEW)
    assert (entry.user, entry.hub, entry.role) == (staff, hub, Role.STAFF)
    assert (entry.object_type, entry.object_id) == ("household", str(household.pk))
    assert entry.ip == "10.1.2.3"


def test_it_does_not_log_a_refused_view(client_as, household):
    outsider = MembershipFactory(hub=HubFactory()).user
    client_as(outsider).get(url(household))
    assert not AccessLog.objects.exists()


def _populated_household(hub, other_hub, user, size):
    household = HouseholdFactory(registered_hub=hub)
    people = [PersonFactory(household=household) for _ in range(size)]
    for person in people:
        flag = HouseholdFlag.objects.create(
            household=household,
            kind=code(CodeList.COMPLEX_NEED, "isolation"),
            judged_on=TODAY(),
            judged_by=user,
            basis="近隣との交流なし",
        )
        flag.persons.set([person])
        CaseFactory(household=household, primary=person, fields=["elderly", "poverty"])
        hidden = CaseFactory(household=household, primary=person, lead_hub=other_hub)
        hidden.fields.set([code(CodeList.FIELD, "disability")])
    return household


def test_its_query_count_does_not_grow_with_members_flags_and_cases(
    client_as, staff, hub, other_hub, count_queries
):
    client = client_as(staff)
    small = _populated_household(hub, other_hub, staff, 1)
    large = _populated_household(hub, other_hub, staff, 10)
    client.get(url(small))
    assert count_queries(lambda: client.get(url(small))) == count_queries(
        lambda: client.get(url(large))
    )


def test_it_escapes_script_in_names_and_notes(client_as, staff, household):
    household.notes = "<script>alert(1)</script>"
    household.save()
    PersonFactory(household=household, family_name="<script>alert(2)</script>")
    page = client_as(staff).get(url(household)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page


# Edit ----------------------------------------------------------------------------------------


def edit_data(household, **changes):
    data = {
        "version": household.version,
        "postal_code": "569-0000",
        "town": "芥川町",
        "address_rest": "2丁目3番4号",
        "phone": "072-000-0000",
        "public_assistance": Household.PublicAssistance.NONE,
        "notes": "",
    }
    return {**data, **changes}


def test_it_saves_an_edit_and_logs_it(client_as, staff, household):
    response = client_as(staff).post(url(household, "cases:household_edit"), edit_data(household))
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.address_rest, household.version) == ("2丁目3番4号", 2)
    entry = AccessLog.objects.get(action=AccessLog.Action.UPDATE)
    assert (entry.object_type, entry.object_id, entry.user) == (
        "household",
        str(household.pk),
        staff,
    )


def test_it_refuses_the_second_of_two_concurrent_edits(client_as, staff, hub, household):
    colleague = MembershipFactory(hub=hub).user
    started = edit_data(household)  # both opened the form at version 1
    client_as(colleague).post(url(household, "cases:household_edit"), started)
    response = client_as(staff).post(
        url(household, "cases:household_edit"), {**started, "address_rest": "5丁目6番7号"}
    )
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()
    assert "5丁目6番7号" in response.content.decode()  # what the user typed is kept
    household.refresh_from_db()
    assert (household.address_rest, household.version) == ("2丁目3番4号", 2)
    assert AccessLog.objects.filter(action=AccessLog.Action.UPDATE).count() == 1


def test_bad_input_re_renders_the_form(client_as, staff, household):
    response = client_as(staff).post(
        url(household, "cases:household_edit"),
        edit_data(household, public_assistance="bogus", notes="残す"),
    )
    assert response.status_code == 200
    assert "public_assistance" in response.context["form"].errors
    assert "残す" in response.content.decode()


# Flags ---------------------------------------------------------------------------------------


def flag_data(*persons, **changes):
    data = {
        "kind": code(CodeList.COMPLEX_NEED, "8050").pk,
        "persons": [p.pk for p in persons],
        "judged_on": TODAY().isoformat(),
        "basis": "80代の母と50代の長男、長男はひきこもり状態",
    }
    return {**data, **changes}


def test_it_adds_a_flag_judged_by_the_user(client_as, staff, household):
    mother, son = PersonFactory(household=household), PersonFactory(household=household)
    response = client_as(staff).post(
        url(household, "cases:household_flag_add"), flag_data(mother, son)
    )
    assert response.status_code == 302
    flag = household.flags.get()
    assert (flag.kind.code, flag.judged_by, flag.judged_on) == ("8050", staff, TODAY())
    assert set(flag.persons.all()) == {mother, son}
    entry = AccessLog.objects.get(action=AccessLog.Action.CREATE)
    assert (entry.object_type, entry.object_id) == ("householdflag", str(flag.pk))


def test_it_refuses_a_person_of_another_household(client_as, staff, hub, household):
    stranger = PersonFactory(household=HouseholdFactory(registered_hub=hub))
    response = client_as(staff).post(
        url(household, "cases:household_flag_add"), flag_data(stranger)
    )
    assert response.status_code == 200
    assert "persons" in response.context["form"].errors
    assert not HouseholdFlag.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"judged_on": (datetime.date.today() + datetime.timedelta(days=1)).isoformat()},
         "judged_on"),
        ({"basis": "   "}, "basis"),
        ({"kind": ""}, "kind"),
    ],
)  # fmt: skip
def test_it_refuses_an_incomplete_flag(client_as, staff, household, changes, field):
    response = client_as(staff).post(
        url(household, "cases:household_flag_add"), flag_data(**changes)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not HouseholdFlag.objects.exists()


def test_it_ends_a_flag_without_deleting_it(client_as, staff, household):
    flag = HouseholdFlag.objects.create(
        household=household,
        kind=code(CodeList.COMPLEX_NEED, "young_carer"),
        judged_on=TODAY() - datetime.timedelta(days=30),
        judged_by=staff,
        basis="中学生の長女が祖母の介護",
    )
    end_url = reverse("cases:household_flag_end", kwargs={"pk": household.pk, "flag_pk": flag.pk})
    client = client_as(staff)
    assert client.get(end_url).status_code == 200
    response = client.post(end_url, {"ended_on": TODAY().isoformat()})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.ended_on == TODAY()
    assert AccessLog.objects.filter(action=AccessLog.Action.UPDATE, object_id=flag.pk).exists()
    page = client.get(url(household)).content.decode()
    assert "ヤングケアラー" in page and 'class="struck"' in page
    again = client.post(end_url, {"ended_on": TODAY().isoformat()})
    assert again.status_code == 200 and again.context["form"].non_field_errors()


def test_it_refuses_an_end_before_the_judgement(client_as, staff, household):
    flag = HouseholdFlag.objects.create(
        household=household,
        kind=code(CodeList.COMPLEX_NEED, "isolation"),
        judged_on=TODAY(),
        judged_by=staff,
        basis="孤立",
    )
    end_url = reverse("cases:household_flag_end", kwargs={"pk": household.pk, "flag_pk": flag.pk})
    yesterday = (TODAY() - datetime.timedelta(days=1)).isoformat()
    response = client_as(staff).post(end_url, {"ended_on": yesterday})
    assert "ended_on" in response.context["form"].errors
    flag.refresh_from_db()
    assert flag.ended_on is None


def test_a_flag_of_another_household_cannot_be_ended_through_this_one(client_as, staff, hub):
    mine, theirs = HouseholdFactory(registered_hub=hub), HouseholdFactory(registered_hub=hub)
    flag = HouseholdFlag.objects.create(
        household=theirs,
        kind=code(CodeList.COMPLEX_NEED, "isolation"),
        judged_on=TODAY(),
        judged_by=staff,
        basis="孤立",
    )
    end_url = reverse("cases:household_flag_end", kwargs={"pk": mine.pk, "flag_pk": flag.pk})
    assert client_as(staff).post(end_url, {"ended_on": TODAY().isoformat()}).status_code == 404
