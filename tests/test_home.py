import pytest

from cases.models import ClosureRequest, Intake
from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import CaseFactory, HubFactory, IntakeFactory, MembershipFactory, code

pytestmark = pytest.mark.django_db


def test_it_lists_my_open_cases_and_intakes_waiting_at_my_hub(client, hub, staff):
    mine = CaseFactory(household__registered_hub=hub, main_worker=staff)
    CaseFactory(household__registered_hub=hub, main_worker=staff, stage="closed")
    someone_elses = CaseFactory(household__registered_hub=hub)
    waiting = IntakeFactory(hub=HubFactory(), handed_to=hub, outcome=Intake.Outcome.PENDING)
    client.force_login(staff)
    response = client.get("/")
    assert list(response.context["my_cases"]) == [mine]
    assert someone_elses not in response.context["my_cases"]
    assert list(response.context["incoming"]) == [waiting]
    assert AccessLog.objects.filter(user=staff, action="search", detail="home work lists").exists()


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
    assert [r.case for r in client.get("/").context["closures"]] == [case]


def test_volunteers_get_no_case_lists(client, volunteer):
    client.force_login(volunteer)
    response = client.get("/")
    assert "my_cases" not in response.context
    assert not AccessLog.objects.exists()


def test_the_home_page_runs_a_constant_number_of_queries(client, hub, staff, count_queries):
    client.force_login(staff)
    CaseFactory(household__registered_hub=hub, main_worker=staff)
    client.get("/")
    one = count_queries(lambda: client.get("/"))
    for _ in range(9):
        CaseFactory(household__registered_hub=hub, main_worker=staff)
        IntakeFactory(hub=HubFactory(), handed_to=hub, outcome=Intake.Outcome.PENDING)
    assert count_queries(lambda: client.get("/")) == one
