"""The tablet quick entry: my cases in two taps, one POST, and the browser draft cleared after."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AccompanimentRecord, Case, Stage
from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import CaseFactory, HubFactory, PersonFactory, code

pytestmark = pytest.mark.django_db

URL = reverse("cases:record_quick")


def overdue(case, days=5):
    """Put the case past its follow-up interval (連絡途絶)."""
    last = timezone.localdate() - datetime.timedelta(days=case.follow_up_days + days)
    case.last_contact_on = last
    case.save(update_fields=["last_contact_on"])
    return case


def post_data(case, **changes):
    data = {
        "case": case.number,
        "contact_type": code(CodeList.CONTACT_TYPE, "home_visit").pk,
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "content": "訪問。母は元気。長男は玄関まで出てきて挨拶してくれた。",
    }
    data.update(changes)
    return data


@pytest.fixture
def cases(hub, staff, make_member, other_hub):
    colleague = make_member(Role.STAFF, hub)
    mine = CaseFactory(
        household__registered_hub=hub,
        main_worker=staff,
        primary=PersonFactory(family_name="大野", given_name="トメ", household__town="芥川町"),
    )
    return {
        "mine": mine,
        "hub_overdue": overdue(CaseFactory(household__registered_hub=hub, main_worker=colleague)),
        "hub_in_touch": CaseFactory(household__registered_hub=hub, main_worker=colleague),
        "mine_closed": CaseFactory(
            household__registered_hub=hub, main_worker=staff, stage=Stage.CLOSED
        ),
        "partner_overdue": overdue(
            CaseFactory(household__registered_hub=other_hub, hubs=[hub], main_worker=colleague)
        ),
        "other_hub": CaseFactory(household__registered_hub=other_hub),
    }


def test_it_lists_my_cases_and_my_hubs_overdue_cases(client_as, staff, cases):
    response = client_as(staff).get(URL)
    assert response.status_code == 200
    cards = response.context["cards"]
    assert cards == [cases["hub_overdue"], cases["mine"]]  # overdue first
    html = response.content.decode()
    assert "大野 トメ" in html and cases["mine"].household.address in html
    assert 'data-testid="case-card"' in html
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH).exists()


def test_it_preselects_home_visit_and_now(client_as, staff, cases):
    form = client_as(staff).get(URL).context["form"]
    assert form["contact_type"].value() == code(CodeList.CONTACT_TYPE, "home_visit").pk
    now = timezone.localtime().replace(tzinfo=None)
    assert abs(form["occurred_at"].value() - now) < datetime.timedelta(minutes=2)


def test_it_preselects_a_case_from_the_query(client_as, staff, cases):
    partner = cases["hub_in_touch"]
    response = client_as(staff).get(f"{URL}?case={partner.number}")
    assert response.context["selected"] == partner.number
    assert partner in response.context["cards"]
    assert f'value="{partner.number}" checked' in response.content.decode()


def test_it_does_not_preselect_a_case_the_user_may_not_see(client_as, staff, cases):
    response = client_as(staff).get(f"{URL}?case={cases['other_hub'].number}")
    assert cases["other_hub"] not in response.context["cards"]
    assert f'value="{cases["other_hub"].number}"' not in response.content.decode()


def test_it_saves_in_one_post_and_clears_the_draft_afterwards(client_as, staff, cases):
    client = client_as(staff)
    case = cases["hub_overdue"]
    response = client.post(URL, post_data(case))
    assert response.status_code == 302
    assert response["Location"] == URL
    record = AccompanimentRecord.objects.get()
    assert (record.case, record.author, record.acting_hub) == (case, staff, case.lead_hub)
    assert record.contact_type.code == "home_visit"
    case.refresh_from_db()
    assert case.last_contact_on == timezone.localdate()
    assert case not in Case.objects.contact_overdue()
    assert AccessLog.objects.filter(action=AccessLog.Action.CREATE, object_id=str(record.pk))
    html = client.get(URL).content.decode()
    assert f'data-draft-clear="tsunagu-draft:{staff.pk}:quick"' in html
    assert "data-draft-clear" not in client.get(URL).content.decode()  # only once


def test_it_keeps_the_draft_key_per_user(client_as, staff, cases):
    html = client_as(staff).get(URL).content.decode()
    assert f'data-draft-key="tsunagu-draft:{staff.pk}:quick"' in html
    assert "js/draft.js" in html and "<script>" not in html


def test_content_is_required_and_the_choice_is_kept(client_as, staff, cases):
    case = cases["mine"]
    response = client_as(staff).post(URL, post_data(case, content="   "))
    assert response.status_code == 200
    assert "content" in response.context["form"].errors
    assert response.context["selected"] == case.number
    assert f'value="{case.number}" checked' in response.content.decode()
    assert not AccompanimentRecord.objects.exists()


@pytest.mark.parametrize("which", ["other_hub", "mine_closed", "unknown"])
def test_the_case_must_be_an_open_visible_case(client_as, staff, cases, which):
    case = cases.get(which) or Case(number="2099-999999")
    response = client_as(staff).post(URL, post_data(case))
    assert response.status_code == 200
    assert "case" in response.context["form"].errors
    assert not AccompanimentRecord.objects.exists()


def test_a_case_and_a_contact_type_are_required(client_as, staff, cases):
    response = client_as(staff).post(URL, {"content": "メモ", "occurred_at": ""})
    assert response.status_code == 200
    assert {"case", "contact_type", "occurred_at"} <= set(response.context["form"].errors)


def test_an_unrelated_hub_sees_none_of_the_cases(client_as, make_member, cases):
    client = client_as(make_member(Role.STAFF, HubFactory()))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["cards"] == []
    assert client.post(URL, post_data(cases["mine"])).status_code == 200
    assert not AccompanimentRecord.objects.exists()


def test_its_query_count_does_not_grow_with_cases(client_as, staff, hub, count_queries):
    client = client_as(staff)
    CaseFactory(household__registered_hub=hub, main_worker=staff)
    one = count_queries(lambda: client.get(URL))
    for _ in range(19):
        overdue(CaseFactory(household__registered_hub=hub, main_worker=staff))
    assert len(client.get(URL).context["cards"]) == 20
    assert count_queries(lambda: client.get(URL)) == one
