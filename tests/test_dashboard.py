"""The role-aware dashboard (つながり続ける): 連絡途絶, outreach, actions, reviews, referrals."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services_support
from cases.models import (
    ClosureRequest,
    Conference,
    Intake,
    OutreachAttempt,
    PlanAction,
    PlanGoal,
    SupportPlan,
)
from hubs.models import Role
from referrals.models import Status
from takatsuki_welfare import dashboard
from takatsuki_welfare.models import CodeList

from .factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CaseFactory,
    ConferenceFactory,
    HubFactory,
    IntakeFactory,
    PersonFactory,
    PlanFactory,
    ReferralFactory,
    code,
    meeting_type,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def tiles(response):
    return {tile.key: tile for tile in response.context["tiles"]}


def tile_of(client, key):
    response = client.get("/")
    assert response.status_code == 200
    return tiles(response)[key]


def overdue_case(hub, worker=None, days_late=1, **fields):
    """A case opened without contact since, its 30-day interval run out ``days_late`` days ago."""
    return CaseFactory(
        household__registered_hub=hub,
        main_worker=worker,
        follow_up_days=30,
        opened_on=TODAY - datetime.timedelta(days=30 + days_late),
        **fields,
    )


def attempt(case, hub, by, *, person=None, on=TODAY - 7 * DAY, next_on=TODAY, **fields):
    return OutreachAttempt.objects.create(
        case=case,
        person=person or case.primary_person,
        attempted_on=on,
        method=OutreachAttempt.Method.VISIT,
        result=OutreachAttempt.Result.ABSENT,
        next_attempt_on=next_on,
        recorded_by=by,
        acting_hub=hub,
        **fields,
    )


def plan_with_action(case, hub, *, status=SupportPlan.Status.ENDORSED, due_on, **action_fields):
    plan = PlanFactory(case=case, status=status, number=case.plans.count() + 1)
    goal = PlanGoal.objects.create(plan=plan, text="母の介護サービス利用を安定させる")
    return PlanAction.objects.create(
        goal=goal, text="ケアマネジャーと連絡調整", hub=hub, due_on=due_on, **action_fields
    )


@pytest.fixture
def manager(make_member, hub):
    return make_member(Role.MANAGER, hub)


@pytest.fixture
def coordinator(make_member, hub):
    return make_member(Role.COORDINATOR, hub)


# 連絡途絶 ------------------------------------------------------------------------------------


def test_an_overdue_case_shows_for_its_main_worker_and_the_lead_hubs_manager_only(
    client_as, hub, other_hub, staff, manager, make_member
):
    case = overdue_case(hub, staff)
    colleague = make_member(Role.STAFF, hub)
    outsider = make_member(Role.STAFF, other_hub)
    assert tile_of(client_as(staff), "contact_mine").rows == [case]
    assert tile_of(client_as(manager), "contact_hub").rows == [case]
    assert tile_of(client_as(manager), "contact_mine").rows == []
    assert tile_of(client_as(colleague), "contact_mine").rows == []
    assert "contact_hub" not in tiles(client_as(colleague).get("/"))
    assert tile_of(client_as(outsider), "contact_mine").rows == []


def test_a_case_due_today_is_not_overdue_and_one_due_yesterday_is(client_as, hub, staff):
    due_today = overdue_case(hub, staff, days_late=0)
    due_yesterday = overdue_case(hub, staff, days_late=1)
    assert due_today.contact_due_on == TODAY
    tile = tile_of(client_as(staff), "contact_mine")
    assert tile.rows == [due_yesterday]
    assert tile.count == 1


def test_the_interval_counts_from_the_last_contact(client_as, hub, staff):
    case = overdue_case(hub, staff, days_late=10)
    services_support.record_create(
        actor=staff,
        case=case,
        contact_type=code(CodeList.CONTACT_TYPE, "phone"),
        content="電話で近況を確認。",
        occurred_at=timezone.now() - 31 * DAY,
    )
    case.refresh_from_db()
    assert case.contact_due_on == TODAY - DAY
    assert tile_of(client_as(staff), "contact_mine").rows == [case]


def test_the_oldest_due_case_comes_first(client_as, hub, staff):
    recent = overdue_case(hub, staff, days_late=2)
    oldest = overdue_case(hub, staff, days_late=20)
    assert tile_of(client_as(staff), "contact_mine").rows == [oldest, recent]


def test_closed_cases_are_never_overdue(client_as, hub, staff):
    overdue_case(hub, staff, stage="closed")
    assert tile_of(client_as(staff), "contact_mine").count == 0


def test_recording_a_contact_takes_the_case_off_the_list(client_as, hub, staff):
    case = overdue_case(hub, staff)
    client = client_as(staff)
    assert tile_of(client, "contact_mine").rows == [case]
    services_support.record_create(
        actor=staff,
        case=case,
        contact_type=code(CodeList.CONTACT_TYPE, "home_visit"),
        content="自宅を訪問し、母と面談。",
    )
    assert tile_of(client, "contact_mine").rows == []


def test_a_failed_contact_leaves_the_case_on_the_list(client_as, hub, staff):
    case = overdue_case(hub, staff)
    services_support.record_create(
        actor=staff,
        case=case,
        contact_type=code(CodeList.CONTACT_TYPE, "no_contact"),
        content="訪問したが不在。手紙を投函。",
    )
    assert tile_of(client_as(staff), "contact_mine").rows == [case]


def test_coordinators_see_multi_agency_cases_city_wide(
    client_as, hub, other_hub, coordinator, staff
):
    elsewhere = overdue_case(other_hub, multi_agency=True)
    overdue_case(other_hub)
    assert tile_of(client_as(coordinator), "contact_multi_agency").rows == [elsewhere]
    assert "contact_multi_agency" not in tiles(client_as(staff).get("/"))


def test_the_contact_numbers_link_to_case_lists_with_the_same_rows(
    client_as, hub, other_hub, staff, manager, coordinator
):
    mine = [overdue_case(hub, staff, days_late=d) for d in (3, 9)]
    hubs = overdue_case(hub, None, days_late=5)
    overdue_case(hub, staff, days_late=0)
    multi = overdue_case(other_hub, multi_agency=True)
    for user, key, expected in (
        (staff, "contact_mine", [mine[1], mine[0]]),
        (manager, "contact_hub", [mine[1], hubs, mine[0]]),
        (coordinator, "contact_multi_agency", [multi]),
    ):
        client = client_as(user)
        tile = tile_of(client, key)
        assert tile.rows == expected
        listed = client.get(tile.url).context["object_list"]
        assert [c.number for c in listed] == [c.number for c in expected]


# Outreach ----------------------------------------------------------------------------------


def test_outreach_attempts_due_by_today_show_for_the_attempting_hub(
    client_as, hub, other_hub, staff, make_member
):
    case = CaseFactory(household__registered_hub=hub)
    due = attempt(case, hub, staff, next_on=TODAY)
    son = PersonFactory(household=case.household, given_name="一郎")
    case.case_persons.create(person=son)
    attempt(case, hub, staff, person=son, next_on=TODAY + DAY)
    shared = CaseFactory(household__registered_hub=other_hub, hubs=[hub])
    attempt(shared, other_hub, make_member(Role.CSW, other_hub), next_on=TODAY - DAY)
    assert tile_of(client_as(staff), "outreach").rows == [due]


def test_only_the_latest_attempt_for_a_person_is_due(client_as, hub, staff):
    case = CaseFactory(household__registered_hub=hub)
    attempt(case, hub, staff, on=TODAY - 20 * DAY, next_on=TODAY - 10 * DAY)
    latest = attempt(case, hub, staff, on=TODAY - 9 * DAY, next_on=TODAY - DAY)
    assert tile_of(client_as(staff), "outreach").rows == [latest]
    attempt(case, hub, staff, on=TODAY, next_on=TODAY + 14 * DAY)
    assert tile_of(client_as(staff), "outreach").rows == []


def test_an_attempt_without_a_next_date_or_on_a_closed_case_is_not_due(client_as, hub, staff):
    attempt(CaseFactory(household__registered_hub=hub), hub, staff, next_on=None)
    attempt(CaseFactory(household__registered_hub=hub, stage="closed"), hub, staff)
    assert tile_of(client_as(staff), "outreach").count == 0


# Plan actions and reviews ------------------------------------------------------------------


def test_overdue_actions_are_those_of_endorsed_plans_open_and_of_my_hub(
    client_as, hub, other_hub, staff
):
    case = CaseFactory(household__registered_hub=hub)
    overdue = plan_with_action(case, hub, due_on=TODAY - DAY)
    plan_with_action(
        CaseFactory(household__registered_hub=hub), hub, due_on=TODAY - DAY, done_on=TODAY
    )
    plan_with_action(CaseFactory(household__registered_hub=hub), hub, due_on=TODAY)
    plan_with_action(
        CaseFactory(household__registered_hub=hub),
        hub,
        status=SupportPlan.Status.DRAFT,
        due_on=TODAY - DAY,
    )
    plan_with_action(
        CaseFactory(household__registered_hub=hub, hubs=[other_hub]),
        other_hub,
        due_on=TODAY - DAY,
    )
    assert tile_of(client_as(staff), "actions").rows == [overdue]


def test_actions_on_cases_my_hub_cannot_see_stay_hidden(client_as, hub, other_hub, staff):
    plan_with_action(CaseFactory(household__registered_hub=other_hub), hub, due_on=TODAY - DAY)
    assert tile_of(client_as(staff), "actions").count == 0


def test_plans_due_for_review_are_endorsed_plans_my_hub_leads(client_as, hub, other_hub, staff):
    due = PlanFactory(
        case=CaseFactory(household__registered_hub=hub),
        status=SupportPlan.Status.ENDORSED,
        review_on=TODAY,
    )
    PlanFactory(
        case=CaseFactory(household__registered_hub=hub),
        status=SupportPlan.Status.ENDORSED,
        review_on=TODAY + DAY,
    )
    PlanFactory(
        case=CaseFactory(household__registered_hub=hub),
        status=SupportPlan.Status.EVALUATED,
        review_on=TODAY - DAY,
    )
    PlanFactory(
        case=CaseFactory(household__registered_hub=other_hub, hubs=[hub]),
        status=SupportPlan.Status.ENDORSED,
        review_on=TODAY - DAY,
    )
    assert tile_of(client_as(staff), "reviews").rows == [due]


# Referrals ---------------------------------------------------------------------------------


def test_referrals_waiting_for_my_hub_with_the_overdue_ones_counted(
    client_as, hub, other_hub, staff
):
    waiting = ReferralFactory(case__household__registered_hub=other_hub, to_hub=hub)
    late = ReferralFactory(
        case__household__registered_hub=other_hub,
        to_hub=hub,
        status=Status.ACKNOWLEDGED,
        acknowledge_due=TODAY - 5 * DAY,
        answer_due=TODAY - DAY,
    )
    ReferralFactory(case__household__registered_hub=other_hub, to_hub=hub, status=Status.ACCEPTED)
    ReferralFactory(case__household__registered_hub=hub, to_hub=other_hub)
    tile = tile_of(client_as(staff), "referrals")
    assert tile.rows == [late, waiting]
    assert (tile.count, tile.overdue) == (2, 1)


def test_the_referral_number_links_to_the_inbox_with_the_same_rows(
    client_as, hub, other_hub, staff
):
    referrals = {
        ReferralFactory(case__household__registered_hub=other_hub, to_hub=hub) for _ in range(2)
    }
    client = client_as(staff)
    tile = tile_of(client, "referrals")
    sections = {s["key"]: s for s in client.get(tile.url).context["sections"]}
    assert set(tile.rows) == referrals == set(sections["incoming"]["items"])


# Links, counts, queries --------------------------------------------------------------------


def test_the_task_numbers_link_to_task_lists_with_the_same_rows(client_as, hub, staff):
    for n in range(3):
        case = CaseFactory(household__registered_hub=hub)
        attempt(case, hub, staff, next_on=TODAY - n * DAY)
        plan_with_action(case, hub, due_on=TODAY - (n + 1) * DAY)
        PlanFactory(
            case=CaseFactory(household__registered_hub=hub),
            status=SupportPlan.Status.ENDORSED,
            review_on=TODAY - n * DAY,
        )
    plan_with_action(CaseFactory(household__registered_hub=hub), hub, due_on=TODAY + DAY)
    client = client_as(staff)
    for key in ("outreach", "actions", "reviews"):
        tile = tile_of(client, key)
        listed = list(client.get(tile.url).context["object_list"])
        assert tile.count == 3
        assert listed == tile.rows


def test_counts_are_capped(client_as, hub, staff, monkeypatch):
    monkeypatch.setattr(dashboard, "COUNT_CAP", 3)
    for _ in range(4):
        overdue_case(hub, staff)
    tile = tile_of(client_as(staff), "contact_mine")
    assert (tile.count, tile.capped) == (3, True)
    assert "3件以上" in client_as(staff).get("/").content.decode()


def test_the_dashboard_escapes_names(client_as, hub, staff):
    case = overdue_case(hub, staff)
    person = case.primary_person
    person.family_name = "<script>alert(1)</script>"
    person.save()
    html = client_as(staff).get("/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def _fill(n, hub, other_hub, worker, coordinator_case_hub):
    for _ in range(n):
        case = overdue_case(hub, worker, multi_agency=True)
        attempt(case, hub, worker)
        plan_with_action(case, hub, due_on=TODAY - DAY)
        case.plans.update(review_on=TODAY - DAY)
        ClosureRequest.objects.create(
            case=case,
            closure_reason=code(CodeList.CLOSURE_REASON, "goal_achieved"),
            note="目標達成",
            requested_by=worker,
        )
        ReferralFactory(
            case__household__registered_hub=other_hub, to_hub=hub, answer_due=TODAY - DAY
        )
        IntakeFactory(hub=HubFactory(), handed_to=hub, outcome=Intake.Outcome.PENDING)
        overdue_case(coordinator_case_hub, multi_agency=True)
        PlanFactory(case=case, status=SupportPlan.Status.DISCUSSING, number=2)
        conference = ConferenceFactory(
            convening_hub=hub, hubs=[other_hub], status=Conference.Status.SUBMITTED
        )
        ActionItemFactory(
            agenda_item=AgendaItemFactory(conference=conference, case=case),
            owner_hub=hub,
            due_on=TODAY - DAY,
        )
        ActionItemFactory(
            agenda_item=AgendaItemFactory(
                conference=ConferenceFactory(
                    convening_hub=other_hub, hubs=[hub], meeting_type=meeting_type("shien")
                ),
                case=CaseFactory(household__registered_hub=other_hub),
            ),
            owner_hub=hub,
        )


@pytest.mark.parametrize("role", [Role.STAFF, Role.CSW, Role.COORDINATOR, Role.MANAGER])
def test_the_dashboard_runs_a_constant_number_of_queries(
    client_as, hub, other_hub, make_member, count_queries, role
):
    user = make_member(role, hub)
    client = client_as(user)
    elsewhere = HubFactory()
    _fill(1, hub, other_hub, user, elsewhere)
    client.get("/")
    one = count_queries(lambda: client.get("/"))
    assert all(tile.rows for tile in client.get("/").context["tiles"])
    _fill(19, hub, other_hub, user, elsewhere)
    response = client.get("/")
    assert all(tile.rows for tile in response.context["tiles"])
    assert count_queries(lambda: client.get("/")) == one


def test_the_case_list_filters_combine_with_its_other_conditions(client_as, hub, staff):
    late = overdue_case(hub, staff, days_late=4)
    colleagues = overdue_case(hub, None, days_late=8)
    on_time = CaseFactory(household__registered_hub=hub, main_worker=staff)
    client = client_as(staff)
    url = reverse("cases:case_list")

    def numbers(params):
        return [c.number for c in client.get(url, params).context["object_list"]]

    assert numbers({"contact_overdue": "on"}) == [colleagues.number, late.number]
    assert numbers({"mine": "on", "ordering": "number"}) == [late.number, on_time.number]
    assert numbers({"contact_overdue": "on", "ordering": "-number"}) == [
        colleagues.number,
        late.number,
    ]
    assert set(numbers({})) == {late.number, colleagues.number, on_time.number}
