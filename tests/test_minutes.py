"""The minutes (会議録): the page, approval by the convening hub's manager, read-only approved
minutes, corrections as revisions, the A4 print, and who may open them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services_conference as conferences
from cases.models import (
    AgendaItem,
    CaseHub,
    Conference,
    ConferenceHub,
    MinutesVersion,
    SupportPlan,
)
from hubs.models import Role
from takatsuki_welfare.models import AccessLog

from .factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CaseFactory,
    ConsentFactory,
    HubFactory,
    PlanFactory,
    meeting_type,
)

pytestmark = pytest.mark.django_db

Status = Conference.Status


def u(name, *args):
    return reverse(f"cases:{name}", args=args)


@pytest.fixture
def hubs(hub, other_hub):
    return {"desk": hub, "lead": other_hub, "third": HubFactory(name="地域包括支援センター")}


@pytest.fixture
def coordinator(make_member, hubs):
    return make_member(Role.COORDINATOR, hubs["desk"])


@pytest.fixture
def manager(make_member, hubs):
    return make_member(Role.MANAGER, hubs["desk"])


def new_case(hubs, consent=True):
    case = CaseFactory(household__registered_hub=hubs["lead"], multi_agency=True)
    if consent:
        ConsentFactory(person=case.primary_person, hubs=list(hubs.values()))
    return case


def held_meeting(coordinator, hubs, cases, code="suishin", invite=("lead", "third"), present=None):
    conference = conferences.conference_plan(
        actor=coordinator,
        meeting_type=meeting_type(code),
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        hubs=[hubs[name] for name in invite],
    )
    for case in cases:
        conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    present = invite if present is None else present
    conferences.conference_hold(
        actor=coordinator, conference=conference, present_hubs=[hubs[name] for name in present]
    )
    conference.refresh_from_db()
    return conference


@pytest.fixture
def case(hubs):
    return new_case(hubs)


@pytest.fixture
def conference(coordinator, hubs, case):
    return held_meeting(coordinator, hubs, [case])


@pytest.fixture
def item(conference):
    return conference.agenda_items.get()


def record(coordinator, item, summary, **fields):
    item.refresh_from_db()
    return conferences.agenda_item_record(
        actor=coordinator, item=item, expected_version=item.version, summary=summary,
        decisions=fields.pop("decisions", ["share"]), **fields,
    )  # fmt: skip


def step(client, name, conference, **data):
    conference.refresh_from_db()
    return client.post(u(name, conference.pk), {"version": conference.version, **data})


# The page -----------------------------------------------------------------------------------


def test_it_shows_the_header_attendance_cases_decisions_and_actions(
    client_as, coordinator, hubs, conference, item, case
):
    plan = PlanFactory(case=case, status=SupportPlan.Status.DISCUSSING)
    record(
        coordinator, item, "長男の就労について協議した。",
        decisions=["plan", "roles"], endorse_plan=plan,
        next_review_on=datetime.date.today() + datetime.timedelta(days=90),
    )  # fmt: skip
    action = conferences.action_item_add(
        actor=coordinator, item=item, text="見学に同行する", owner_hub=hubs["third"],
        owner_person="包括 山本",
    )  # fmt: skip
    response = client_as(coordinator).get(u("minutes", conference.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert conference.place in html and hubs["desk"].name in html
    assert case.number in html and "長男の就労について協議した。" in html
    assert f'data-testid="minutes-hub-{hubs["third"].pk}"' in html
    assert f'data-testid="minutes-action-{action.pk}"' in html and "包括 山本" in html
    assert u("plan_detail", plan.pk) in html
    assert 'data-testid="submit-minutes"' in html
    assert 'data-testid="approve-minutes"' not in html
    assert AccessLog.objects.filter(
        action=AccessLog.Action.VIEW, object_type="conference", object_id=str(conference.pk)
    ).exists()


def test_a_support_meeting_shows_the_duty_and_each_acknowledgement(client_as, coordinator, hubs):
    conference = conferences.conference_plan(
        actor=coordinator, meeting_type=meeting_type("shien"),
        starts_at=timezone.now(), hubs=[hubs["lead"]],
    )  # fmt: skip
    conferences.agenda_add(actor=coordinator, conference=conference, case=new_case(hubs, False))
    someone = conferences.attendee_add(
        actor=coordinator, conference=conference, name="民生委員 山田", affiliation="民生委員"
    )
    conferences.conference_hold(
        actor=coordinator, conference=conference, present_hubs=[hubs["lead"]],
        present_attendees=[someone], acknowledged=[someone],
    )  # fmt: skip
    html = client_as(coordinator).get(u("minutes", conference.pk)).content.decode()
    assert 'data-testid="confidentiality-duty"' in html
    assert "☑" in html and "民生委員 山田" in html


# Approval ----------------------------------------------------------------------------------


def test_submit_then_approve_makes_the_minutes_read_only(
    client_as, coordinator, manager, conference, item
):
    record(coordinator, item, "初回の検討。")
    response = step(client_as(coordinator), "minutes_submit", conference)
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.status == Status.SUBMITTED

    client = client_as(manager)
    html = client.get(u("minutes", conference.pk)).content.decode()
    assert 'data-testid="approve-minutes"' in html and 'data-testid="return-minutes"' in html
    assert step(client, "minutes_approve", conference).status_code == 302
    conference.refresh_from_db()
    assert conference.status == Status.APPROVED
    assert MinutesVersion.objects.filter(conference=conference, number=1).exists()

    client = client_as(coordinator)
    html = client.get(u("minutes", conference.pk)).content.decode()
    assert 'data-testid="read-only"' in html
    assert 'data-testid="submit-minutes"' not in html
    assert 'name="summary"' not in client.get(u("meeting_item", item.pk)).content.decode()
    item.refresh_from_db()
    response = client.post(
        u("meeting_item", item.pk), {"version": item.version, "summary": "書き換え", "save": "1"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.summary == "初回の検討。"
    response = client.post(
        u("meeting_action_add", item.pk),
        {"action-text": "追加", "action-owner_hub": conference.convening_hub_id},
    )
    assert response.status_code == 302 and not item.action_items.exists()


def test_only_a_manager_of_the_convening_hub_approves(
    client_as, coordinator, make_member, hubs, conference
):
    conferences.minutes_submit(actor=coordinator, conference=conference)
    for user in (coordinator, make_member(Role.MANAGER, hubs["lead"])):
        response = step(client_as(user), "minutes_approve", conference)
        assert response.status_code == 403
    conference.refresh_from_db()
    assert conference.status == Status.SUBMITTED


def test_a_stale_approval_is_refused_with_409(client_as, coordinator, manager, conference):
    conferences.minutes_submit(actor=coordinator, conference=conference)
    conference.refresh_from_db()
    response = client_as(manager).post(
        u("minutes_approve", conference.pk), {"version": conference.version - 1}
    )
    assert response.status_code == 409
    conference.refresh_from_db()
    assert conference.status == Status.SUBMITTED


def test_returning_needs_a_comment_and_shows_it_to_the_writers(
    client_as, coordinator, manager, conference
):
    conferences.minutes_submit(actor=coordinator, conference=conference)
    client = client_as(manager)
    response = step(client, "minutes_return", conference, comment="  ")
    assert response.status_code == 200
    conference.refresh_from_db()
    assert conference.status == Status.SUBMITTED
    response = step(client, "minutes_return", conference, comment="決定事項を具体的に")
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.status == Status.DRAFTING
    html = client_as(coordinator).get(u("minutes", conference.pk)).content.decode()
    assert 'data-testid="return-comment"' in html and "決定事項を具体的に" in html


def test_a_correction_is_revision_2_and_revision_1_stays_as_approved(
    client_as, coordinator, manager, conference, item
):
    record(coordinator, item, "初回の検討。")
    conferences.minutes_submit(actor=coordinator, conference=conference)
    conferences.minutes_approve(actor=manager, conference=conference)
    client = client_as(coordinator)
    response = step(client, "minutes_correct", conference, reason="")
    assert response.status_code == 200
    conference.refresh_from_db()
    assert conference.status == Status.APPROVED

    response = step(client, "minutes_correct", conference, reason="出席者の記載漏れ")
    assert response.status_code == 302
    conference.refresh_from_db()
    assert (conference.status, conference.minutes_revision) == (Status.DRAFTING, 2)
    item.refresh_from_db()
    response = client.post(
        u("meeting_item", item.pk),
        {"version": item.version, "summary": "初回の検討。民生委員も出席。", "save": "1"},
    )
    assert response.status_code == 302
    assert step(client, "minutes_submit", conference).status_code == 302
    assert step(client_as(manager), "minutes_approve", conference).status_code == 302

    first, second = MinutesVersion.objects.filter(conference=conference).order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert second.correction_reason == "出席者の記載漏れ"
    html = client.get(u("minutes", conference.pk)).content.decode()
    assert 'data-testid="revision-1"' in html and 'data-testid="revision-2"' in html
    old = client.get(u("minutes_version", conference.pk, 1))
    assert old.status_code == 200
    assert "初回の検討。" in old.content.decode()
    assert "民生委員も出席" not in old.content.decode()
    assert "民生委員も出席" in client.get(u("minutes_version", conference.pk, 2)).content.decode()
    assert client.get(u("minutes_version", conference.pk, 3)).status_code == 404


# Print ------------------------------------------------------------------------------------


def test_the_print_has_the_approval_box_and_is_logged_as_an_export(
    client_as, coordinator, manager, conference, item
):
    record(coordinator, item, "初回の検討。")
    conferences.minutes_submit(actor=coordinator, conference=conference)
    conferences.minutes_approve(actor=manager, conference=conference)
    response = client_as(coordinator).get(u("minutes_print", conference.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="approval-box"' in html and manager.last_name in html
    assert 'data-testid="confidential-note"' not in html
    assert f'data-testid="print-case-{item.pk}"' in html
    assert AccessLog.objects.filter(
        action=AccessLog.Action.EXPORT, object_id=str(conference.pk), detail="minutes printed"
    ).exists()


def test_the_print_of_a_support_meeting_carries_the_confidentiality_note(
    client_as, coordinator, hubs
):
    conference = held_meeting(coordinator, hubs, [new_case(hubs, False)], code="shien")
    html = client_as(coordinator).get(u("minutes_print", conference.pk)).content.decode()
    assert 'data-testid="confidential-note"' in html


# Who may open the minutes -----------------------------------------------------------------


@pytest.fixture
def approved(coordinator, manager, conference, item):
    record(coordinator, item, "初回の検討。")
    conferences.minutes_submit(actor=coordinator, conference=conference)
    conferences.minutes_approve(actor=manager, conference=conference)
    conference.refresh_from_db()
    return conference


def minutes_urls(conference):
    return [
        ("get", u("minutes", conference.pk)),
        ("get", u("minutes_print", conference.pk)),
        ("get", u("minutes_version", conference.pk, 1)),
        ("post", u("minutes_submit", conference.pk)),
        ("post", u("minutes_approve", conference.pk)),
        ("post", u("minutes_return", conference.pk)),
        ("post", u("minutes_correct", conference.pk)),
    ]


@pytest.mark.parametrize("who", ["unrelated staff", "unrelated manager", "volunteer"])
def test_outsiders_get_404_on_every_minutes_url(client_as, make_member, volunteer, approved, who):
    user = {
        "unrelated staff": lambda: make_member(Role.STAFF, HubFactory()),
        "unrelated manager": lambda: make_member(Role.MANAGER, HubFactory()),
        "volunteer": lambda: volunteer,
    }[who]()
    client = client_as(user)
    for method, url in minutes_urls(approved):
        assert getattr(client, method)(url, {"version": approved.version}).status_code == 404, url
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


def test_anonymous_users_are_sent_to_sign_in(client, approved):
    for method, url in minutes_urls(approved):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


def test_a_hub_that_did_not_attend_the_support_meeting_gets_404(
    client_as, make_member, coordinator, hubs
):
    case = new_case(hubs, consent=False)
    CaseHub.objects.create(case=case, hub=hubs["third"])  # takes part in the case
    conference = held_meeting(coordinator, hubs, [case], code="shien", present=("lead",))
    assert ConferenceHub.objects.get(conference=conference, hub=hubs["third"]).present is False
    for role in (Role.STAFF, Role.MANAGER):
        client = client_as(make_member(role, hubs["third"]))
        assert client.get(u("minutes", conference.pk)).status_code == 404
        assert client.get(u("minutes_print", conference.pk)).status_code == 404
    attendee = client_as(make_member(Role.STAFF, hubs["lead"]))
    assert attendee.get(u("minutes", conference.pk)).status_code == 200
    assert attendee.get(u("minutes_print", conference.pk)).status_code == 200


def test_the_convening_hubs_manager_sees_the_minutes(client_as, manager, conference):
    assert client_as(manager).get(u("minutes", conference.pk)).status_code == 200


# Query counts -----------------------------------------------------------------------------


def test_the_minutes_query_count_does_not_grow_with_the_agenda(
    client_as, coordinator, hubs, conference, count_queries
):
    def grow(n):
        for _ in range(n):
            case = new_case(hubs)
            plan = PlanFactory(case=case, status=SupportPlan.Status.ENDORSED)
            agenda = AgendaItemFactory(conference=conference, case=case, endorsed_plan=plan)
            ActionItemFactory(agenda_item=agenda, owner_hub=hubs["lead"])
            ActionItemFactory(agenda_item=agenda, owner_hub=hubs["third"])

    client = client_as(coordinator)
    grow(1)
    pages = (u("minutes", conference.pk), u("minutes_print", conference.pk))
    counts = [count_queries(lambda url=url: client.get(url)) for url in pages]
    grow(19)
    assert AgendaItem.objects.filter(conference=conference).count() == 21
    assert [count_queries(lambda url=url: client.get(url)) for url in pages] == counts
