"""The case list: filters, name/kana search, sorting, pagination, access and the access log."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, HouseholdFlag, Stage
from cases.views.case import CappedPaginator
from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import CaseFactory, MembershipFactory, PersonFactory, code

pytestmark = pytest.mark.django_db

URL = reverse("cases:case_list")


def numbers(response):
    return [case.number for case in response.context["object_list"]]


@pytest.fixture
def list_as(client_as, staff):
    def get(params=None, user=None):
        response = client_as(user or staff).get(URL, params or {})
        assert response.status_code == 200
        return response

    return get


def test_it_lists_only_the_cases_the_user_may_see(list_as, hub, other_hub):
    own = CaseFactory(household__registered_hub=hub)
    shared = CaseFactory(household__registered_hub=other_hub, hubs=[hub])
    CaseFactory(household__registered_hub=other_hub)
    assert set(numbers(list_as())) == {own.number, shared.number}


def test_it_filters_by_stage(list_as, hub):
    support = CaseFactory(household__registered_hub=hub, stage=Stage.SUPPORT)
    assessment = CaseFactory(household__registered_hub=hub, stage=Stage.ASSESSMENT)
    CaseFactory(household__registered_hub=hub, stage=Stage.CLOSED)
    assert numbers(list_as({"stage": ["support"]})) == [support.number]
    found = list_as({"stage": ["support", "assessment"]})
    assert set(numbers(found)) == {support.number, assessment.number}


def test_it_filters_by_field_and_concern(list_as, hub):
    elderly = CaseFactory(household__registered_hub=hub, fields=["elderly"])
    CaseFactory(household__registered_hub=hub, fields=["disability"])
    elderly.concerns.set([code(CodeList.CONCERN, "care")])
    assert numbers(list_as({"field": code(CodeList.FIELD, "elderly").pk})) == [elderly.number]
    assert numbers(list_as({"concern": code(CodeList.CONCERN, "care").pk})) == [elderly.number]


def test_it_filters_by_active_complex_needs_flag(list_as, hub, staff):
    flagged = CaseFactory(household__registered_hub=hub)
    ended = CaseFactory(household__registered_hub=hub)
    CaseFactory(household__registered_hub=hub)
    kind = code(CodeList.COMPLEX_NEED, "8050")
    today = timezone.localdate()
    for case, ended_on in ((flagged, None), (ended, today - datetime.timedelta(days=1))):
        HouseholdFlag.objects.create(
            household=case.household, kind=kind, judged_on=today, judged_by=staff,
            basis="80代の母と50代の息子", ended_on=ended_on,
        )  # fmt: skip
    assert numbers(list_as({"flag": kind.pk})) == [flagged.number]


def test_it_filters_by_lead_hub_and_multi_agency(list_as, hub, other_hub):
    own = CaseFactory(household__registered_hub=hub, multi_agency=True)
    shared = CaseFactory(household__registered_hub=other_hub, hubs=[hub])
    assert numbers(list_as({"lead_hub": other_hub.pk})) == [shared.number]
    assert numbers(list_as({"multi_agency": "true"})) == [own.number]
    assert numbers(list_as({"multi_agency": "false"})) == [shared.number]


def test_it_filters_by_main_worker_among_the_hubs_members(list_as, hub, staff, make_member):
    colleague = make_member(Role.CSW, hub)
    outsider = make_member(Role.STAFF)
    mine = CaseFactory(household__registered_hub=hub, main_worker=colleague)
    CaseFactory(household__registered_hub=hub, main_worker=staff)
    response = list_as({"main_worker": colleague.pk})
    assert numbers(response) == [mine.number]
    choices = response.context["filter"].form.fields["main_worker"].queryset
    assert colleague in choices and staff in choices and outsider not in choices


def test_it_filters_cases_without_contact_for_more_than_n_days(list_as, hub):
    today = timezone.localdate()
    long_ago = CaseFactory(
        household__registered_hub=hub, last_contact_on=today - datetime.timedelta(days=10)
    )
    never = CaseFactory(household__registered_hub=hub, last_contact_on=None)
    CaseFactory(household__registered_hub=hub, last_contact_on=today - datetime.timedelta(days=2))
    CaseFactory(
        household__registered_hub=hub,
        stage=Stage.CLOSED,
        last_contact_on=today - datetime.timedelta(days=60),
    )
    found = list_as({"no_contact_days": 5})
    assert set(numbers(found)) == {long_ago.number, never.number}


def test_it_filters_by_opening_date(list_as, hub):
    CaseFactory(household__registered_hub=hub, opened_on=datetime.date(2025, 3, 31))
    april = CaseFactory(household__registered_hub=hub, opened_on=datetime.date(2025, 4, 15))
    CaseFactory(household__registered_hub=hub, opened_on=datetime.date(2025, 5, 1))
    found = list_as({"opened_from": "2025-04-01", "opened_to": "2025-04-30"})
    assert numbers(found) == [april.number]


@pytest.fixture
def named_cases(hub):
    tanaka = PersonFactory(
        family_name="田中", given_name="花子", family_name_kana="たなか", given_name_kana="はなこ",
        household__registered_hub=hub,
    )  # fmt: skip
    takahashi = PersonFactory(
        family_name="髙橋", given_name="一郎", family_name_kana="タカハシ",
        given_name_kana="イチロウ", household__registered_hub=hub,
    )  # fmt: skip
    return {
        "tanaka": CaseFactory(household=tanaka.household, primary=tanaka, number="2025-000777"),
        "takahashi": CaseFactory(household=takahashi.household, primary=takahashi),
    }


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("田中", "tanaka"),
        ("田中　花子", "tanaka"),
        ("タナカ", "tanaka"),
        ("ﾀﾅｶ", "tanaka"),
        ("はなこ", "tanaka"),
        ("高橋", "takahashi"),
        ("たかはし", "takahashi"),
        ("000777", "tanaka"),
        ("２０２５－０００７７７", "tanaka"),
    ],
)
def test_it_finds_cases_by_name_kana_variant_kanji_or_number(list_as, named_cases, text, who):
    assert numbers(list_as({"q": text})) == [named_cases[who].number]


def test_it_searches_every_person_of_the_case_not_only_the_primary(list_as, hub, staff):
    case = CaseFactory(household__registered_hub=hub)
    sister = PersonFactory(family_name="佐藤", family_name_kana="さとう", household=case.household)
    case.case_persons.create(person=sister)
    assert numbers(list_as({"q": "さとう"})) == [case.number]


def test_it_sorts_by_each_column_with_id_breaking_ties(list_as, hub):
    day = datetime.date(2025, 6, 1)
    cases = [
        CaseFactory(household__registered_hub=hub, opened_on=day, stage=stage)
        for stage in (Stage.MONITORING, Stage.INTAKE, Stage.SUPPORT, Stage.INTAKE)
    ]
    by_id = [c.number for c in sorted(cases, key=lambda c: c.pk)]
    assert numbers(list_as({"ordering": "opened"})) == by_id
    assert numbers(list_as({"ordering": "-opened"})) == by_id
    assert numbers(list_as({"ordering": "number"})) == sorted(by_id)
    assert numbers(list_as({"ordering": "-number"})) == sorted(by_id, reverse=True)
    # Stages sort in the order a case moves through them, ties by id.
    assert numbers(list_as({"ordering": "stage"})) == [
        cases[1].number, cases[3].number, cases[2].number, cases[0].number,
    ]  # fmt: skip


def test_it_sorts_never_contacted_cases_first_by_last_contact(list_as, hub):
    recent = CaseFactory(household__registered_hub=hub, last_contact_on=datetime.date(2025, 6, 2))
    older = CaseFactory(household__registered_hub=hub, last_contact_on=datetime.date(2025, 5, 2))
    never = CaseFactory(household__registered_hub=hub, last_contact_on=None)
    expected = [never.number, older.number, recent.number]
    assert numbers(list_as({"ordering": "last_contact"})) == expected
    assert numbers(list_as({"ordering": "-last_contact"})) == expected[::-1]


def test_it_shows_the_columns(list_as, hub, staff):
    case = CaseFactory(
        household__registered_hub=hub, fields=["elderly"], main_worker=staff, multi_agency=True,
        last_contact_on=timezone.localdate() - datetime.timedelta(days=90),
    )  # fmt: skip
    html = list_as().content.decode()
    person = case.primary_person
    for text in (case.number, person.full_name, person.full_name_kana, "芥川町", "高齢",
                 hub.name, staff.last_name):  # fmt: skip
        assert text in html
    assert reverse("cases:case_detail", args=[case.number]) in html
    assert "badge--danger" in html  # contact overdue


def test_it_escapes_script_in_names(list_as, hub):
    person = PersonFactory(family_name="<script>alert(1)</script>", household__registered_hub=hub)
    CaseFactory(household=person.household, primary=person)
    html = list_as().content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_it_runs_the_same_number_of_queries_for_1_and_20_rows(client_as, staff, hub,
                                                              count_queries):  # fmt: skip
    client = client_as(staff)
    CaseFactory(household__registered_hub=hub, fields=["elderly"], main_worker=staff)
    client.get(URL)  # warm up (session, caches)
    one = count_queries(lambda: client.get(URL, {"ordering": "stage"}))
    for _ in range(19):
        CaseFactory(household__registered_hub=hub, fields=["elderly", "poverty"], main_worker=staff)
    twenty = count_queries(lambda: client.get(URL, {"ordering": "stage"}))
    assert Case.objects.visible_to(staff).count() == 20
    assert one == twenty


def test_it_caps_the_count(list_as, hub, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for _ in range(5):
        CaseFactory(household__registered_hub=hub)
    response = list_as()
    assert response.context["paginator"].capped
    assert response.context["paginator"].count == 4


def test_it_paginates_by_50(list_as, hub):
    for _ in range(51):
        CaseFactory(household__registered_hub=hub)
    assert len(numbers(list_as())) == 50
    assert len(numbers(list_as({"page": 2}))) == 1


def test_it_writes_a_search_entry_with_the_filter(list_as, staff, hub):
    list_as({"q": "田中", "stage": ["support"]})
    entry = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert entry.user == staff
    assert entry.hub == hub
    assert entry.role == Role.STAFF
    assert "stage=support" in entry.detail
    assert "q=" in entry.detail


def test_it_refuses_volunteers_and_users_acting_nowhere(client_as, volunteer, make_member):
    assert client_as(volunteer).get(URL).status_code == 404
    inactive = MembershipFactory(active=False).user
    assert client_as(inactive).get(URL).status_code == 404


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_bad_filter_input_does_not_fail(list_as, hub):
    CaseFactory(household__registered_hub=hub)
    response = list_as({"no_contact_days": "abc", "opened_from": "2025-02-30", "ordering": "x"})
    assert response.context["filter"].form.errors
