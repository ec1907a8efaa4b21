"""The start page: who sees which dashboard, the pieces kept from before, and the access log."""

import pytest
from django.urls import reverse

from cases.models import ClosureRequest, Intake
from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import CaseFactory, HubFactory, IntakeFactory, MembershipFactory, UserFactory, code

pytestmark = pytest.mark.django_db


def tiles(response):
    return {tile.key: tile for tile in response.context["tiles"]}


def test_it_lists_my_open_cases_and_intakes_waiting_at_my_hub(client, hub, staff):
    mine = CaseFactory(household__registered_hub=hub, main_worker=staff)
    CaseFactory(household__registered_hub=hub, main_worker=staff, stage="closed")
    someone_elses = CaseFactory(household__registered_hub=hub)
    waiting = IntakeFactory(hub=HubFactory(), handed_to=hub, outcome=Intake.Outcome.PENDING)
    client.force_login(staff)
    response = client.get("/")
    assert response.context["my_cases"].rows == [mine]
    assert response.context["my_cases"].count == 1
    assert someone_elses not in response.context["my_cases"].rows
    assert tiles(response)["incoming"].rows == [waiting]
    assert tiles(response)["incoming"].count == 1


def test_it_logs_one_search_per_dashboard_view(client, hub, staff):
    client.force_login(staff)
    client.get("/")
    entries = AccessLog.objects.filter(user=staff)
    assert [(e.action, e.detail) for e in entries] == [("search", "dashboard")]


def test_my_cases_link_to_the_case_list_of_my_open_cases(client, hub, staff):
    mine = CaseFactory(household__registered_hub=hub, main_worker=staff)
    CaseFactory(household__registered_hub=hub, main_worker=staff, stage="closed")
    CaseFactory(household__registered_hub=hub)
    client.force_login(staff)
    url = client.get("/").context["my_cases"].url
    listed = client.get(url).context["object_list"]
    assert [case.number for case in listed] == [mine.number]


def test_managers_see_closure_requests_of_cases_their_hub_leads(client, hub, other_hub):
    manager = MembershipFactory(hub=hub, role=Role.MANAGER).user
    case = CaseFactory(household__registered_hub=hub)
    foreign = CaseFactory(household__registered_hub=other_hub)
    reason = code(CodeList.CLOSURE_REASON, "goal_achieved")
    for c in (case, foreign):
        ClosureRequest.objects.create(
            case=c, closure_reason=reason, note="目標達成", requested_by=manager
        )
    client.force_login(manager)
    assert [r.case for r in tiles(client.get("/"))["closures"].rows] == [case]


def test_staff_get_no_manager_or_coordinator_tiles(client, staff):
    client.force_login(staff)
    keys = set(tiles(client.get("/")))
    assert keys == {
        "contact_mine",
        "outreach",
        "actions",
        "reviews",
        "referrals",
        "incoming",
        "meeting_actions",
    }


def test_volunteers_get_their_own_page_without_case_data(client, volunteer, hub):
    case = CaseFactory(household__registered_hub=hub, summary="秘密の相談内容")
    IntakeFactory(
        hub=volunteer.memberships.get().hub,
        recorded_by=volunteer,
        handed_to=hub,
        case=case,
        subject_description="角の家の高齢の男性",
        outcome=Intake.Outcome.PENDING,
    )
    client.force_login(volunteer)
    response = client.get("/")
    assert response.status_code == 200
    assert "tiles" not in response.context
    assert "my_cases" not in response.context
    [row] = response.context["hand_overs"]
    assert row["handed_to"] == hub.name
    assert row["connected"] is True
    html = response.content.decode()
    assert hub.name in html
    assert case.number not in html
    assert "秘密の相談内容" not in html
    assert "角の家の高齢の男性" not in html
    assert reverse("cases:corner_intake_create") in html
    assert not AccessLog.objects.exists()


def test_volunteers_see_only_their_own_hand_overs(client, volunteer, hub):
    IntakeFactory(hub=hub, recorded_by=UserFactory(), handed_to=hub)
    client.force_login(volunteer)
    assert client.get("/").context["hand_overs"] == []


def test_a_user_acting_nowhere_sees_no_lists(client):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200
    assert "tiles" not in response.context
    assert not AccessLog.objects.exists()


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_home_page_runs_a_constant_number_of_queries(client, hub, staff, count_queries):
    client.force_login(staff)
    CaseFactory(household__registered_hub=hub, main_worker=staff)
    IntakeFactory(hub=HubFactory(), handed_to=hub, outcome=Intake.Outcome.PENDING)
    client.get("/")
    one = count_queries(lambda: client.get("/"))
    for _ in range(19):
        CaseFactory(household__registered_hub=hub, main_worker=staff)
        IntakeFactory(hub=HubFactory(), handed_to=hub, outcome=Intake.Outcome.PENDING)
    assert count_queries(lambda: client.get("/")) == one


def test_the_volunteer_page_runs_a_constant_number_of_queries(
    client, volunteer, hub, count_queries
):
    own_hub = volunteer.memberships.get().hub
    client.force_login(volunteer)
    IntakeFactory(hub=own_hub, recorded_by=volunteer, handed_to=hub)
    client.get("/")
    one = count_queries(lambda: client.get("/"))
    for _ in range(19):
        IntakeFactory(hub=own_hub, recorded_by=volunteer, handed_to=hub)
    assert count_queries(lambda: client.get("/")) == one
