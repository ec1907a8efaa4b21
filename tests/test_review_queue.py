"""The manager's review queue (承認待ち): minutes, plans and closure requests in one place."""

import pytest
from django.urls import reverse

from cases.models import ClosureRequest, Conference, MinutesVersion, PlanGoal, Stage, SupportPlan
from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList, Notification

from .factories import (
    AgendaItemFactory,
    CaseFactory,
    ConferenceFactory,
    HubFactory,
    PlanFactory,
    UserFactory,
    code,
    meeting_type,
)
from .test_dashboard import tile_of

pytestmark = pytest.mark.django_db

QUEUE = reverse("cases:review_queue")
Status = Conference.Status


@pytest.fixture
def manager(make_member, hub):
    return make_member(Role.MANAGER, hub)


def submitted_minutes(hub, *, code_="suishin", hubs=(), **fields):
    conference = ConferenceFactory(
        convening_hub=hub, hubs=hubs, meeting_type=meeting_type(code_), status=Status.SUBMITTED,
        **fields,
    )  # fmt: skip
    AgendaItemFactory(conference=conference, case=CaseFactory(household__registered_hub=hub))
    return conference


def discussed_plan(hub, drafter=None):
    plan = PlanFactory(
        case=CaseFactory(household__registered_hub=hub),
        status=SupportPlan.Status.DISCUSSING,
        **({"created_by": drafter} if drafter else {}),
    )
    PlanGoal.objects.create(plan=plan, text="長男が週1回外出できる")
    return plan


def closure_request(hub, by=None):
    return ClosureRequest.objects.create(
        case=CaseFactory(household__registered_hub=hub),
        closure_reason=code(CodeList.CLOSURE_REASON, "goal_achieved"),
        note="目標達成",
        requested_by=by or UserFactory(),
    )


def url(name, obj):
    return reverse(f"cases:review_{name}", args=[obj.pk])


def sections(response):
    assert response.status_code in (200, 409)
    return {s["key"]: s["items"] for s in response.context["sections"]}


# Access ------------------------------------------------------------------------------------


def everything(hub):
    return {
        "minutes": submitted_minutes(hub),
        "plan": discussed_plan(hub),
        "closure": closure_request(hub),
    }


def decision_urls(items):
    return [
        (url("minutes_approve", items["minutes"]), {"version": items["minutes"].version}),
        (url("minutes_return", items["minutes"]), {"version": 1, "comment": "修正を"}),
        (url("plan_endorse", items["plan"]), {"version": items["plan"].version}),
        (url("plan_return", items["plan"]), {"version": 1, "comment": "修正を"}),
        (url("closure_approve", items["closure"]), {}),
        (url("closure_return", items["closure"]), {"comment": "修正を"}),
    ]


def test_it_sends_anonymous_users_to_sign_in(client, hub):
    for target in [QUEUE, *(u for u, _ in decision_urls(everything(hub)))]:
        response = client.post(target) if target != QUEUE else client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_only_managers_reach_it(client_as, hub, make_member, volunteer):
    items = everything(hub)
    for user in (
        volunteer,
        UserFactory(),
        make_member(Role.STAFF, hub),
        make_member(Role.CSW, hub),
        make_member(Role.COORDINATOR, hub),
    ):
        client = client_as(user)
        assert client.get(QUEUE).status_code == 404
        for target, data in decision_urls(items):
            assert client.post(target, data).status_code == 404
    assert Conference.objects.get().status == Status.SUBMITTED


def test_another_hubs_manager_sees_an_empty_queue_and_gets_404_on_its_items(
    client_as, hub, other_hub, make_member
):
    items = everything(hub)
    items["minutes"].hub_links.create(hub=other_hub)  # invited, but not the convener
    items["plan"].case.hub_links.create(hub=other_hub)  # taking part, but not the lead
    client = client_as(make_member(Role.MANAGER, other_hub))
    assert sections(client.get(QUEUE)) == {"minutes": [], "plans": [], "closures": []}
    for target, data in decision_urls(items):
        assert client.post(target, data).status_code == 404
    assert Conference.objects.get().status == Status.SUBMITTED
    assert SupportPlan.objects.get().status == SupportPlan.Status.DISCUSSING
    assert ClosureRequest.objects.get().status == ClosureRequest.Status.PENDING


def test_the_decisions_answer_only_post(client_as, manager, hub):
    client = client_as(manager)
    for target, _data in decision_urls(everything(hub)):
        assert client.get(target).status_code == 405
    assert client.post(QUEUE).status_code == 405


# Contents ----------------------------------------------------------------------------------


def test_it_lists_what_waits_for_the_managers_hub_only(client_as, manager, hub, other_hub):
    minutes = submitted_minutes(hub)
    support_meeting = submitted_minutes(hub, code_="shien", hubs=[other_hub])
    plan = discussed_plan(hub)
    closure = closure_request(hub)
    # Not waiting, or not this hub's to decide:
    ConferenceFactory(convening_hub=hub, status=Status.DRAFTING)
    submitted_minutes(other_hub, hubs=[hub])
    PlanFactory(case=CaseFactory(household__registered_hub=hub))
    discussed_plan(other_hub)
    closure_request(other_hub)
    returned = closure_request(hub)
    returned.status = ClosureRequest.Status.RETURNED
    returned.save()
    response = client_as(manager).get(QUEUE)
    assert sections(response) == {
        "minutes": [support_meeting, minutes]
        if support_meeting.starts_at < minutes.starts_at
        else [minutes, support_meeting],
        "plans": [plan],
        "closures": [closure],
    }
    html = response.content.decode()
    assert 'data-count="minutes">2<' in html
    assert 'data-count="plans">1<' in html
    assert 'data-count="closures">1<' in html
    assert reverse("cases:minutes", args=[minutes.pk]) in html
    assert reverse("cases:plan_detail", args=[plan.pk]) in html
    assert reverse("cases:case_detail", args=[closure.case.number]) in html
    assert 'data-empty="' not in html
    assert AccessLog.objects.filter(user=manager, action="search", path=QUEUE).count() == 1


def test_each_empty_section_says_so(client_as, manager):
    html = client_as(manager).get(QUEUE).content.decode()
    for key in ("minutes", "plans", "closures"):
        assert f'data-empty="{key}"' in html
        assert f'data-count="{key}">0<' in html


def test_the_queue_runs_a_constant_number_of_queries(client_as, manager, hub, count_queries):
    client = client_as(manager)

    def fill(n):
        for _ in range(n):
            submitted_minutes(hub)
            discussed_plan(hub)
            closure_request(hub)

    fill(1)
    client.get(QUEUE)
    one = count_queries(lambda: client.get(QUEUE))
    fill(19)
    assert [len(items) for items in sections(client.get(QUEUE)).values()] == [20, 20, 20]
    assert count_queries(lambda: client.get(QUEUE)) == one


def test_the_dashboard_tile_counts_everything_awaiting_the_manager(
    client_as, manager, hub, make_member
):
    submitted_minutes(hub)
    submitted_minutes(hub)
    discussed_plan(hub)
    closure_request(hub)
    tile = tile_of(client_as(manager), "approvals")
    assert (tile.count, tile.url) == (4, QUEUE)
    assert [row["count"] for row in tile.rows] == [2, 1, 1]
    assert sum(len(items) for items in sections(client_as(manager).get(QUEUE)).values()) == 4
    staff_tiles = client_as(make_member(Role.STAFF, hub)).get("/").context["tiles"]
    assert "approvals" not in {t.key for t in staff_tiles}


# Minutes -----------------------------------------------------------------------------------


def test_it_approves_minutes(client_as, manager, hub):
    conference = submitted_minutes(hub)
    response = client_as(manager).post(
        url("minutes_approve", conference), {"version": conference.version}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}#minutes"
    conference.refresh_from_db()
    assert conference.status == Status.APPROVED
    assert MinutesVersion.objects.get(conference=conference).approved_by == manager
    assert AccessLog.objects.filter(action="update", object_id=str(conference.pk)).exists()


def test_it_approves_a_support_meetings_minutes_its_hub_convened(client_as, manager, hub):
    conference = submitted_minutes(hub, code_="shien")
    client_as(manager).post(url("minutes_approve", conference), {"version": conference.version})
    conference.refresh_from_db()
    assert conference.status == Status.APPROVED


def test_returning_minutes_needs_a_comment(client_as, manager, hub):
    conference = submitted_minutes(hub)
    client = client_as(manager)
    response = client.post(
        url("minutes_return", conference), {"version": conference.version, "comment": "  "}
    )
    assert response.status_code == 200
    form = sections(response)["minutes"][0].return_form
    assert form.errors["comment"]
    assert 'class="field__error"' in response.content.decode()
    conference.refresh_from_db()
    assert conference.status == Status.SUBMITTED


def test_it_returns_minutes_with_the_comment_to_their_author(client_as, manager, hub):
    conference = submitted_minutes(hub)
    response = client_as(manager).post(
        url("minutes_return", conference),
        {"version": conference.version, "comment": "支援会議の守秘の記載を追加してください"},
    )
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.status == Status.DRAFTING
    assert conference.return_comment == "支援会議の守秘の記載を追加してください"
    assert Notification.objects.filter(recipient=conference.created_by).exists()


def test_a_stale_decision_is_refused_with_409_and_keeps_what_was_typed(client_as, manager, hub):
    conference = submitted_minutes(hub)
    client = client_as(manager)
    response = client.post(
        url("minutes_return", conference),
        {"version": conference.version - 1 + 5, "comment": "出席者の所属を確認"},
    )
    assert response.status_code == 409
    form = sections(response)["minutes"][0].return_form
    assert form.non_field_errors()
    assert form["comment"].value() == "出席者の所属を確認"
    assert form["version"].value() == conference.version
    conference.refresh_from_db()
    assert conference.status == Status.SUBMITTED
    assert client.post(url("minutes_approve", conference), {}).status_code == 409


def test_deciding_minutes_no_longer_waiting_says_why(client_as, manager, hub):
    conference = submitted_minutes(hub)
    Conference.objects.filter(pk=conference.pk).update(status=Status.APPROVED)
    response = client_as(manager).post(
        url("minutes_approve", conference), {"version": conference.version}
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]]


# Plans -------------------------------------------------------------------------------------


def test_it_endorses_a_plan(client_as, manager, hub):
    plan = discussed_plan(hub)
    response = client_as(manager).post(url("plan_endorse", plan), {"version": plan.version})
    assert response["Location"] == f"{QUEUE}#plans"
    plan.refresh_from_db()
    assert (plan.status, plan.endorsed_by_user) == (SupportPlan.Status.ENDORSED, manager)
    assert plan.endorsed_by == SupportPlan.EndorsedBy.MANAGER


def test_it_returns_a_plan_to_its_drafter_who_sees_the_comment(client_as, manager, hub, staff):
    plan = discussed_plan(hub, drafter=staff)
    response = client_as(manager).post(
        url("plan_return", plan), {"version": plan.version, "comment": "短期目標を具体的に"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.return_comment) == (SupportPlan.Status.DRAFT, "短期目標を具体的に")
    assert Notification.objects.filter(
        recipient=staff, url=reverse("cases:plan_detail", args=[plan.pk])
    ).exists()
    page = client_as(staff).get(reverse("cases:plan_detail", args=[plan.pk]))
    assert "短期目標を具体的に" in page.content.decode()


def test_returning_a_plan_needs_a_comment(client_as, manager, hub):
    plan = discussed_plan(hub)
    response = client_as(manager).post(url("plan_return", plan), {"version": plan.version})
    assert sections(response)["plans"][0].return_form.errors["comment"]
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.DISCUSSING


# Closure requests --------------------------------------------------------------------------


def test_it_approves_a_closure_request(client_as, manager, hub):
    closure = closure_request(hub)
    response = client_as(manager).post(url("closure_approve", closure))
    assert response["Location"] == f"{QUEUE}#closures"
    closure.refresh_from_db()
    closure.case.refresh_from_db()
    assert closure.status == ClosureRequest.Status.APPROVED
    assert closure.case.stage == Stage.CLOSED


def test_it_returns_a_closure_request_only_with_a_comment(client_as, manager, hub):
    closure = closure_request(hub)
    client = client_as(manager)
    response = client.post(url("closure_return", closure), {"comment": ""})
    assert sections(response)["closures"][0].return_form.errors["comment"]
    closure.refresh_from_db()
    assert closure.status == ClosureRequest.Status.PENDING
    client.post(url("closure_return", closure), {"comment": "本人の意向を再確認"})
    closure.refresh_from_db()
    assert (closure.status, closure.comment) == (
        ClosureRequest.Status.RETURNED,
        "本人の意向を再確認",
    )


def test_a_hub_convened_elsewhere_is_not_the_managers_to_approve(client_as, hub, make_member):
    conference = submitted_minutes(HubFactory(), hubs=[hub])
    client = client_as(make_member(Role.MANAGER, hub))
    assert sections(client.get(QUEUE))["minutes"] == []
    assert client.post(url("minutes_approve", conference), {"version": 1}).status_code == 404
