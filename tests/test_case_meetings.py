"""The case page's meetings (会議) section: what was decided where, and no trace of a 支援会議
for anyone who did not attend it."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse

from cases.models import (
    CaseHub,
    CasePerson,
    Decision,
    OutreachAttempt,
    PlanAction,
    PlanGoal,
    SupportPlan,
)
from hubs.models import Role

from .factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CaseFactory,
    ConferenceFactory,
    HubFactory,
    PersonFactory,
    PlanFactory,
    ReferralFactory,
    meeting_type,
)

pytestmark = pytest.mark.django_db


def url(case):
    return reverse("cases:case_detail", args=[case.number])


def conference_url(conference):
    """The conference page, once it is wired (another part of issue 6 builds it)."""
    try:
        return reverse("cases:conference_detail", args=[conference.pk])
    except NoReverseMatch:
        return None


@pytest.fixture
def case(hub):
    return CaseFactory(household__registered_hub=hub, lead_hub=hub)


def test_it_lists_the_meetings_with_decisions_review_date_and_endorsed_plan(
    client_as, staff, hub, case
):
    plan = PlanFactory(case=case, status=SupportPlan.Status.ENDORSED, number=2)
    item = AgendaItemFactory(
        case=case,
        conference=ConferenceFactory(convening_hub=hub, title="11月 多機関協働推進会議"),
        decisions=[Decision.PLAN, Decision.ROLES],
        endorsed_plan=plan,
        next_review_on=datetime.date(2026, 2, 27),
    )
    response = client_as(staff).get(url(case))
    assert [m.pk for m in response.context["meetings"]] == [item.pk]
    assert response.context["meetings"][0].conference_visible
    html = response.content.decode()
    section = html[html.index('data-testid="case-meetings"') :]
    for text in (
        "11月 多機関協働推進会議", "多機関協働推進会議", "2026-02-27",
        item.conference.get_status_display(), *item.get_decisions_display(),
        reverse("cases:plan_detail", args=[plan.pk]),
    ):  # fmt: skip
        assert str(text) in section, text
    link = conference_url(item.conference)
    if link:
        assert f'href="{link}"' in section


def test_a_meeting_the_user_did_not_attend_is_listed_without_a_link_to_its_minutes(
    client_as, make_member, case, other_hub
):
    """A 重層的支援会議 is on the case for whoever sees the case; its minutes are not."""
    CaseHub.objects.create(case=case, hub=other_hub)
    item = AgendaItemFactory(case=case, conference=ConferenceFactory(title="推進会議の記録"))
    response = client_as(make_member(Role.STAFF, other_hub)).get(url(case))
    meetings = list(response.context["meetings"])
    assert [m.pk for m in meetings] == [item.pk]
    assert not meetings[0].conference_visible
    link = conference_url(item.conference)
    if link:
        assert link not in response.content.decode()


@pytest.fixture
def support_meeting(case, hub, make_member):
    """A 支援会議 on the case convened by the desk, attended by one participating hub only."""
    desk, attending, not_invited = (
        HubFactory(name="福祉相談支援課（支援会議）"),
        HubFactory(name="出席した拠点"),
        HubFactory(name="招かれなかった拠点"),
    )
    for participant in (attending, not_invited):
        CaseHub.objects.create(case=case, hub=participant)
    conference = ConferenceFactory(
        meeting_type=meeting_type("shien"),
        convening_hub=desk,
        hubs=[attending],
        title="極秘の支援会議",
        place="第二会議室",
    )
    item = AgendaItemFactory(case=case, conference=conference, decisions=[Decision.SHARE])
    ActionItemFactory(agenda_item=item, owner_hub=HubFactory(name="会議で役割を得た拠点"))
    return {
        "conference": conference,
        "attendee": make_member(Role.STAFF, attending),
        "not_invited": make_member(Role.STAFF, not_invited),
        "other_manager": make_member(Role.MANAGER, not_invited),
    }


TRACES = ("極秘の支援会議", "第二会議室", "会議で役割を得た拠点", "福祉相談支援課（支援会議）")


@pytest.mark.parametrize("who", ["lead_staff", "not_invited", "other_manager"])
def test_a_support_meeting_leaves_no_trace_on_the_case_page_for_non_attendees(
    client_as, staff, case, support_meeting, who
):
    user = staff if who == "lead_staff" else support_meeting[who]
    response = client_as(user).get(url(case))
    assert response.status_code == 200  # they see the case …
    assert list(response.context["meetings"]) == []  # … but not the meeting
    html = response.content.decode()
    for text in TRACES:
        assert text not in html, text
    link = conference_url(support_meeting["conference"])
    if link:
        assert link not in html
        assert client_as(user).get(link).status_code == 404


def test_an_attendee_of_the_support_meeting_sees_it_on_the_case_page(
    client_as, case, support_meeting
):
    response = client_as(support_meeting["attendee"]).get(url(case))
    meetings = list(response.context["meetings"])
    assert [m.conference_id for m in meetings] == [support_meeting["conference"].pk]
    assert meetings[0].conference_visible
    html = response.content.decode()
    assert "極秘の支援会議" in html
    assert "会議で役割を得た拠点" in html  # the action item's owner, on the ecomap


def _grow(case, hub, staff, n):
    """n more of everything the meetings section and the ecomap draw from."""
    plan = PlanFactory(
        case=case, status=SupportPlan.Status.ENDORSED, number=len(case.plans.all()) + 1
    )
    goal = PlanGoal.objects.create(plan=plan, text="生活の安定")
    for index in range(n):
        person = PersonFactory(
            household=case.household, sex=["male", "female", "other"][index % 3],
            co_resident=index % 2 == 0,
        )  # fmt: skip
        CasePerson.objects.create(case=case, person=person)
        CaseHub.objects.create(case=case, hub=HubFactory(), reason="参加")
        ReferralFactory(case=case, to_hub=HubFactory())
        PlanAction.objects.create(goal=goal, hub=HubFactory(), text="役割")
        conference = ConferenceFactory(
            meeting_type=meeting_type("shien" if index % 2 else "suishin"), convening_hub=hub
        )
        item = AgendaItemFactory(
            case=case, conference=conference, decisions=[Decision.SHARE], endorsed_plan=plan
        )
        ActionItemFactory(agenda_item=item, owner_hub=HubFactory())
        OutreachAttempt.objects.create(
            case=case, person=person, method=OutreachAttempt.Method.VISIT,
            result=OutreachAttempt.Result.MET, recorded_by=staff, acting_hub=HubFactory(),
        )  # fmt: skip


def test_its_query_count_does_not_grow_with_meetings_members_or_hubs(
    client_as, staff, hub, count_queries
):
    small = CaseFactory(household__registered_hub=hub, lead_hub=hub)
    large = CaseFactory(household__registered_hub=hub, lead_hub=hub)
    _grow(small, hub, staff, 1)
    _grow(large, hub, staff, 10)
    client = client_as(staff)
    client.get(url(small))  # warm up (session, caches)
    one = count_queries(lambda: client.get(url(small)))
    ten = count_queries(lambda: client.get(url(large)))
    assert len(client.get(url(large)).context["meetings"]) == 10
    assert one == ten
