"""Stage changes from the case page, and closing a case through a manager's approval."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, ClosureRequest, Stage, StageChange
from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import CaseFactory, HubFactory, code

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(hub):
    return CaseFactory(household__registered_hub=hub, stage=Stage.ASSESSMENT)


@pytest.fixture
def manager(make_member, hub):
    return make_member(Role.MANAGER, hub)


def stage_url(case):
    return reverse("cases:case_stage", args=[case.number])


def closure_url(case):
    return reverse("cases:case_closure_request", args=[case.number])


def decide_url(request):
    return reverse("cases:closure_decide", args=[request.pk])


def change_stage(client, case, to_stage, reason="理由", version=None):
    data = {"to_stage": to_stage, "reason": reason, "version": version or case.version}
    return client.post(stage_url(case), data)


def request_closure(user, case, note="目標を達成し本人も了承"):
    return services.closure_request(
        actor=user, case=case, closure_reason=code(CodeList.CLOSURE_REASON, "goal_achieved"),
        note=note,
    )  # fmt: skip


# Stage changes -----------------------------------------------------------------------------


def test_it_changes_the_stage_with_a_reason_and_keeps_history(client_as, staff, hub, case):
    response = change_stage(client_as(staff), case, Stage.PLANNING, "アセスメント完了")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.number])
    case.refresh_from_db()
    assert case.stage == Stage.PLANNING
    assert case.version == 2
    change = StageChange.objects.get(case=case)
    assert (change.from_stage, change.to_stage, change.reason) == (
        Stage.ASSESSMENT, Stage.PLANNING, "アセスメント完了",
    )  # fmt: skip
    assert (change.changed_by, change.acting_hub) == (staff, hub)
    entry = AccessLog.objects.get(action=AccessLog.Action.UPDATE)
    assert (entry.object_type, entry.object_id) == ("case", str(case.pk))
    html = client_as(staff).get(reverse("cases:case_detail", args=[case.number])).content
    assert "アセスメント完了" in html.decode()


def test_it_requires_a_reason(client_as, staff, case):
    response = change_stage(client_as(staff), case, Stage.PLANNING, "   ")
    assert response.status_code == 200
    assert "reason" in response.context["stage_form"].errors
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT
    assert not StageChange.objects.exists()


def test_it_closes_only_through_approval(client_as, staff, case):
    response = change_stage(client_as(staff), case, Stage.CLOSED)
    assert response.status_code == 200
    assert "to_stage" in response.context["stage_form"].errors
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT


def test_it_refuses_a_stale_version(client_as, staff, case):
    services.case_change_stage(
        actor=staff, case=Case.objects.get(pk=case.pk), to_stage=Stage.PLANNING,
        reason="先に変更", expected_version=1,
    )  # fmt: skip
    response = change_stage(client_as(staff), case, Stage.SUPPORT, "後から変更", version=1)
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.stage == Stage.PLANNING
    assert StageChange.objects.count() == 1
    assert response.context["stage_form"].initial["reason"] == "後から変更"


def test_it_reopens_a_closed_case(client_as, staff, case):
    case.stage, case.closed_on = Stage.CLOSED, timezone.localdate()
    case.closure_reason = code(CodeList.CLOSURE_REASON, "goal_achieved")
    case.save()
    response = change_stage(client_as(staff), case, Stage.ASSESSMENT, "再度の相談あり")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT
    assert case.closed_on is None and case.closure_reason is None
    assert StageChange.objects.get(case=case).from_stage == Stage.CLOSED


def test_stage_changes_are_refused_outside_the_case(client_as, client, make_member, volunteer,
                                                    case, other_hub):  # fmt: skip
    for user in (make_member(Role.MANAGER, other_hub), volunteer):
        assert change_stage(client_as(user), case, Stage.PLANNING).status_code == 404
    client.logout()
    assert change_stage(client, case, Stage.PLANNING).status_code == 302
    assert client_as(make_member(Role.STAFF, case.lead_hub)).get(stage_url(case)).status_code == 405
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT


# Closure -----------------------------------------------------------------------------------


def test_staff_request_closure_with_a_reason(client_as, staff, case):
    client = client_as(staff)
    assert client.get(closure_url(case)).status_code == 200
    reason = code(CodeList.CLOSURE_REASON, "goal_achieved")
    response = client.post(closure_url(case), {"closure_reason": reason.pk, "note": "就労が安定"})
    assert response.status_code == 302
    request = ClosureRequest.objects.get(case=case)
    assert (request.status, request.requested_by, request.note) == (
        ClosureRequest.Status.PENDING, staff, "就労が安定",
    )  # fmt: skip
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT
    html = client.get(reverse("cases:case_detail", args=[case.number])).content.decode()
    assert "就労が安定" in html and "目標達成" in html


def test_a_closure_request_needs_a_reason_and_a_note(client_as, staff, case):
    response = client_as(staff).post(closure_url(case), {"closure_reason": "", "note": "メモ"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"closure_reason"}
    assert response.context["form"]["note"].value() == "メモ"
    assert not ClosureRequest.objects.exists()


def test_closure_requests_are_refused_outside_the_case(client_as, client, make_member,
                                                       volunteer, case, other_hub):  # fmt: skip
    for user in (make_member(Role.STAFF, other_hub), volunteer):
        assert client_as(user).get(closure_url(case)).status_code == 404
    client.logout()
    assert client.get(closure_url(case)).status_code == 302


def test_the_lead_hub_manager_approves_and_the_case_closes(client_as, staff, manager, case):
    request = request_closure(staff, case)
    response = client_as(manager).post(decide_url(request), {"decision": "approve"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert case.closed_on == timezone.localdate()
    assert case.closure_reason.code == "goal_achieved"
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (ClosureRequest.Status.APPROVED, manager)
    change = StageChange.objects.get(case=case, to_stage=Stage.CLOSED)
    assert change.changed_by == manager
    assert AccessLog.objects.filter(
        action=AccessLog.Action.UPDATE, object_type="case", object_id=str(case.pk)
    ).exists()


def test_the_manager_returns_with_a_comment_and_the_case_stays_open(client_as, staff, manager,
                                                                     case):  # fmt: skip
    request = request_closure(staff, case)
    response = client_as(manager).post(
        decide_url(request), {"decision": "return", "comment": "家族の意向を再確認してください"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT
    request.refresh_from_db()
    assert request.status == ClosureRequest.Status.RETURNED
    html = client_as(staff).get(reverse("cases:case_detail", args=[case.number])).content
    assert "家族の意向を再確認してください" in html.decode()


def test_returning_needs_a_comment(client_as, staff, manager, case):
    request = request_closure(staff, case)
    response = client_as(manager).post(decide_url(request), {"decision": "return", "comment": ""})
    assert response.status_code == 200
    [(item, form)] = response.context["items"]
    assert item == request and "comment" in form.errors
    request.refresh_from_db()
    assert request.status == ClosureRequest.Status.PENDING


def test_staff_cannot_decide(client_as, staff, make_member, case):
    request = request_closure(staff, case)
    for role in (Role.STAFF, Role.CSW, Role.COORDINATOR):
        response = client_as(make_member(role, case.lead_hub)).post(
            decide_url(request), {"decision": "approve"}
        )
        assert response.status_code in (403, 404)
    request.refresh_from_db()
    assert request.status == ClosureRequest.Status.PENDING


def test_a_manager_of_another_hub_gets_404(client_as, staff, make_member, case, other_hub):
    request = request_closure(staff, case)
    outsider = make_member(Role.MANAGER, other_hub)
    response = client_as(outsider).post(decide_url(request), {"decision": "approve"})
    assert response.status_code == 404


def test_a_manager_of_a_participating_hub_cannot_decide(client_as, staff, make_member, case,
                                                        other_hub):  # fmt: skip
    case.hub_links.create(hub=other_hub)
    request = request_closure(staff, case)
    participant = make_member(Role.MANAGER, other_hub)
    response = client_as(participant).post(decide_url(request), {"decision": "approve"})
    assert response.status_code == 403
    assert request not in [i for i, _ in client_as(participant).get(
        reverse("cases:closure_queue")).context["items"]]  # fmt: skip


def test_the_queue_is_for_managers_of_the_lead_hub(client_as, staff, manager, volunteer, case):
    request = request_closure(staff, case)
    response = client_as(manager).get(reverse("cases:closure_queue"))
    assert response.status_code == 200
    assert [item for item, _ in response.context["items"]] == [request]
    assert case.primary_person.full_name in response.content.decode()
    for user in (staff, volunteer):
        assert client_as(user).get(reverse("cases:closure_queue")).status_code == 403


def test_the_queue_runs_the_same_number_of_queries_for_1_and_20_requests(
    client_as, staff, manager, hub, count_queries
):
    client = client_as(manager)
    request_closure(staff, CaseFactory(household__registered_hub=hub))
    client.get(reverse("cases:closure_queue"))
    one = count_queries(lambda: client.get(reverse("cases:closure_queue")))
    for _ in range(19):
        request_closure(staff, CaseFactory(household__registered_hub=hub))
    twenty = count_queries(lambda: client.get(reverse("cases:closure_queue")))
    assert one == twenty


def test_a_second_decision_is_refused(client_as, staff, manager, case):
    request = request_closure(staff, case)
    client = client_as(manager)
    client.post(decide_url(request), {"decision": "approve"})
    response = client.post(decide_url(request), {"decision": "return", "comment": "やはり"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ClosureRequest.Status.APPROVED


def test_decide_is_post_only(client_as, staff, manager, case):
    request = request_closure(staff, case)
    assert client_as(manager).get(decide_url(request)).status_code == 405


def test_the_queue_is_empty_for_a_manager_without_requests(client_as, make_member):
    manager = make_member(Role.MANAGER, HubFactory())
    response = client_as(manager).get(reverse("cases:closure_queue"))
    assert response.status_code == 200
    assert response.context["items"] == []
