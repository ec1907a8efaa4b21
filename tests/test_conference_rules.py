"""The rules of conferences: consent gate, 支援会議 confidentiality, endorsement, approval."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services_conference as conferences
from cases.models import (
    ActionItem,
    AgendaItem,
    CaseHub,
    Conference,
    MinutesVersion,
    SupportPlan,
)
from hubs.models import Role

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


@pytest.fixture
def hubs(hub, other_hub):
    """The convening desk, the case's lead hub, and a third hub."""
    return {"desk": hub, "lead": other_hub, "third": HubFactory(name="地域包括支援センター")}


@pytest.fixture
def coordinator(make_member, hubs):
    return make_member(Role.COORDINATOR, hubs["desk"])


@pytest.fixture
def manager(make_member, hubs):
    return make_member(Role.MANAGER, hubs["desk"])


@pytest.fixture
def case(hubs):
    return CaseFactory(household__registered_hub=hubs["lead"], multi_agency=True)


def consent_for(case, hubs, **fields):
    return ConsentFactory(person=case.primary_person, hubs=list(hubs), **fields)


def plan_meeting(coordinator, hubs, code="suishin", invite=("lead", "third")):
    return conferences.conference_plan(
        actor=coordinator,
        meeting_type=meeting_type(code),
        starts_at=timezone.now() + datetime.timedelta(days=3),
        hubs=[hubs[name] for name in invite],
    )


# The consent gate ------------------------------------------------------------------------


def test_a_case_without_consent_is_refused_with_the_support_meeting_offered(
    coordinator, hubs, case
):
    conference = plan_meeting(coordinator, hubs)
    with pytest.raises(ValidationError) as refused:
        conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    assert "支援会議" in str(refused.value) and "同意" in str(refused.value)
    assert not conference.agenda_items.exists()


def test_a_consent_that_does_not_cover_every_attending_hub_is_refused(coordinator, hubs, case):
    consent_for(case, [hubs["desk"], hubs["lead"]])
    conference = plan_meeting(coordinator, hubs)
    with pytest.raises(ValidationError) as refused:
        conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    assert hubs["third"].name in str(refused.value)


def test_a_withdrawn_consent_is_refused(coordinator, hubs, case):
    today = timezone.localdate()
    consent_for(
        case, hubs.values(), obtained_on=today - datetime.timedelta(days=30), withdrawn_on=today
    )
    conference = plan_meeting(coordinator, hubs)
    with pytest.raises(ValidationError) as refused:
        conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    assert "撤回" in str(refused.value)


def test_consents_that_together_cover_the_hubs_are_recorded_on_the_agenda(coordinator, hubs, case):
    first = consent_for(case, [hubs["desk"], hubs["lead"]])
    second = consent_for(case, [hubs["third"]])
    conference = plan_meeting(coordinator, hubs)
    item = conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    assert set(item.consents.all()) == {first, second}


def test_a_support_meeting_takes_a_case_without_consent(coordinator, hubs, case):
    conference = plan_meeting(coordinator, hubs, code="shien")
    item = conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    assert item.case == case and not item.consents.exists()


def test_inviting_a_hub_outside_the_consent_is_refused(coordinator, hubs, case):
    consent_for(case, [hubs["desk"], hubs["lead"]])
    conference = plan_meeting(coordinator, hubs, invite=("lead",))
    conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    with pytest.raises(ValidationError):
        conferences.conference_update(
            actor=coordinator,
            conference=conference,
            expected_version=conference.version,
            hubs=[hubs["lead"], hubs["third"]],
        )
    assert set(conferences.attending_hubs(conference)) == {hubs["desk"], hubs["lead"]}


def test_staff_do_not_convene_meetings(make_member, hubs):
    with pytest.raises(PermissionDenied):
        plan_meeting(make_member(Role.STAFF, hubs["desk"]), hubs)


# 支援会議 confidentiality -----------------------------------------------------------------


@pytest.fixture
def support_meeting(coordinator, hubs, case):
    """A 支援会議 on the case with the desk and the lead hub; the third hub takes part in the
    case but was not invited."""
    CaseHub.objects.create(case=case, hub=hubs["third"])
    conference = plan_meeting(coordinator, hubs, code="shien", invite=("lead",))
    conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    return conference


def test_a_support_meeting_is_seen_by_its_attendees_and_the_conveners_manager(
    make_member, hubs, support_meeting, manager
):
    attendee = make_member(Role.STAFF, hubs["lead"])
    not_invited = make_member(Role.STAFF, hubs["third"])
    other_manager = make_member(Role.MANAGER, hubs["third"])
    unrelated_manager = make_member(Role.MANAGER, HubFactory())
    visible = {
        user: Conference.objects.visible_to(user).filter(pk=support_meeting.pk).exists()
        for user in (attendee, manager, not_invited, other_manager, unrelated_manager)
    }
    assert visible == {
        attendee: True,
        manager: True,
        not_invited: False,
        other_manager: False,
        unrelated_manager: False,
    }
    # Its existence on the case is hidden too, although the third hub sees the case.
    assert not AgendaItem.objects.visible_to(not_invited).exists()
    assert AgendaItem.objects.visible_to(attendee).count() == 1


def test_a_hub_marked_absent_loses_the_support_meeting(
    make_member, hubs, coordinator, support_meeting, case
):
    attendee = make_member(Role.STAFF, hubs["lead"])
    conferences.conference_hold(actor=coordinator, conference=support_meeting, present_hubs=[])
    assert not Conference.objects.visible_to(attendee).exists()
    assert Conference.objects.visible_to(coordinator).exists()  # the convening hub was there
    assert not CaseHub.objects.filter(case=case, hub=hubs["desk"]).exists()


def test_a_consent_meeting_is_on_the_case_for_everyone_who_sees_the_case(
    make_member, hubs, coordinator, case
):
    consent_for(case, hubs.values())
    CaseHub.objects.create(case=case, hub=HubFactory(name="子育て総合支援センター"))
    conference = plan_meeting(coordinator, hubs)
    conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    lead_staff = make_member(Role.STAFF, hubs["lead"])
    participant = make_member(Role.STAFF, case.hub_links.get(hub__name__startswith="子育て").hub)
    assert AgendaItem.objects.visible_to(participant).count() == 1
    assert not Conference.objects.visible_to(participant).exists()  # but not the minutes
    assert Conference.objects.visible_to(lead_staff).exists()


def test_every_attendee_of_a_support_meeting_acknowledges_confidentiality(
    coordinator, hubs, support_meeting
):
    someone = conferences.attendee_add(
        actor=coordinator, conference=support_meeting, name="民生委員 山田", affiliation="民生委員"
    )
    with pytest.raises(ValidationError):
        conferences.conference_hold(
            actor=coordinator, conference=support_meeting, present_attendees=[someone]
        )
    conferences.conference_hold(
        actor=coordinator,
        conference=support_meeting,
        present_attendees=[someone],
        acknowledged=[someone],
    )
    someone.refresh_from_db()
    assert someone.present and someone.confidentiality_acknowledged_at is not None


# Minutes, endorsement, approval ---------------------------------------------------------


@pytest.fixture
def held(coordinator, hubs, case):
    consent_for(case, hubs.values())
    conference = plan_meeting(coordinator, hubs)
    item = conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    conferences.conference_hold(
        actor=coordinator, conference=conference, present_hubs=[hubs["lead"], hubs["third"]]
    )
    item.refresh_from_db()
    return item


def test_attending_a_consent_meeting_makes_the_hubs_take_part_in_the_case(held, hubs, case):
    assert set(CaseHub.objects.filter(case=case).values_list("hub", flat=True)) == {
        hubs["desk"].pk,
        hubs["third"].pk,
    }  # the lead hub leads already


def test_endorsing_a_plan_at_the_meeting_decides_it_on_the_meeting_day(coordinator, held, case):
    plan = PlanFactory(case=case, status=SupportPlan.Status.DISCUSSING)
    conferences.agenda_item_record(
        actor=coordinator,
        item=held,
        expected_version=held.version,
        summary="役割分担を確認し、プランを決定した。",
        decisions=["plan", "support", "roles"],
        endorse_plan=plan,
    )
    plan.refresh_from_db()
    held.refresh_from_db()
    assert plan.status == SupportPlan.Status.ENDORSED and not plan.is_editable
    assert plan.endorsed_by == SupportPlan.EndorsedBy.CONFERENCE
    assert plan.endorsed_on == timezone.localdate(held.conference.starts_at)
    assert held.endorsed_plan == plan
    assert held.conference.status == Conference.Status.DRAFTING


def test_a_plan_is_not_decided_at_a_support_meeting(coordinator, hubs, case):
    conference = plan_meeting(coordinator, hubs, code="shien")
    item = conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    conferences.conference_hold(actor=coordinator, conference=conference)
    plan = PlanFactory(case=case, status=SupportPlan.Status.DISCUSSING)
    with pytest.raises(ValidationError):
        conferences.agenda_item_record(
            actor=coordinator, item=item, expected_version=item.version, summary="",
            decisions=["share"], endorse_plan=plan,
        )  # fmt: skip
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.DISCUSSING


def test_approved_minutes_are_read_only_and_a_correction_is_a_new_revision(
    coordinator, manager, held, make_member, hubs
):
    conference = held.conference
    conferences.agenda_item_record(
        actor=coordinator, item=held, expected_version=held.version,
        summary="初回の検討。", decisions=["share"],
    )  # fmt: skip
    conferences.minutes_submit(actor=coordinator, conference=conference)
    with pytest.raises(PermissionDenied):
        conferences.minutes_approve(actor=coordinator, conference=conference)
    with pytest.raises(PermissionDenied):
        conferences.minutes_approve(
            actor=make_member(Role.MANAGER, hubs["lead"]), conference=conference
        )
    conferences.minutes_approve(actor=manager, conference=conference)
    conference.refresh_from_db()
    held.refresh_from_db()
    assert conference.status == Conference.Status.APPROVED
    with pytest.raises(ValidationError):
        conferences.agenda_item_record(
            actor=coordinator, item=held, expected_version=held.version,
            summary="書き換え", decisions=[],
        )  # fmt: skip

    with pytest.raises(ValidationError):
        conferences.minutes_correct(actor=coordinator, conference=conference, reason=" ")
    conferences.minutes_correct(actor=coordinator, conference=conference, reason="出席者の記載漏れ")
    held.refresh_from_db()
    conferences.agenda_item_record(
        actor=coordinator, item=held, expected_version=held.version,
        summary="初回の検討。民生委員も出席。", decisions=["share"],
    )  # fmt: skip
    conferences.minutes_submit(actor=coordinator, conference=conference)
    conferences.minutes_approve(actor=manager, conference=conference)
    first, second = MinutesVersion.objects.filter(conference=conference).order_by("number")
    assert first.content["cases"][0]["summary"] == "初回の検討。"
    assert second.content["cases"][0]["summary"] == "初回の検討。民生委員も出席。"
    assert (first.correction_reason, second.correction_reason) == ("", "出席者の記載漏れ")


def test_returned_minutes_carry_the_comment_back_to_writing(coordinator, manager, held):
    conference = held.conference
    conferences.minutes_submit(actor=coordinator, conference=conference)
    with pytest.raises(ValidationError):
        conferences.minutes_return(actor=manager, conference=conference, comment="")
    conferences.minutes_return(actor=manager, conference=conference, comment="決定事項を具体的に")
    conference.refresh_from_db()
    assert conference.status == Conference.Status.DRAFTING
    assert conference.return_comment == "決定事項を具体的に"


def test_action_items_go_overdue_and_are_done_by_the_owner_hub(
    coordinator, held, hubs, make_member, case
):
    action = conferences.action_item_add(
        actor=coordinator, item=held, text="就労準備支援の見学に同行", owner_hub=hubs["third"],
        due_on=timezone.localdate() - datetime.timedelta(days=1),
    )  # fmt: skip
    today = timezone.localdate()
    assert list(ActionItem.objects.overdue(today)) == [action]
    owner = make_member(Role.STAFF, hubs["third"])
    assert list(ActionItem.objects.visible_to(owner)) == [action]
    with pytest.raises(PermissionDenied):
        conferences.action_item_done(actor=make_member(Role.STAFF, HubFactory()), action=action)
    conferences.action_item_done(actor=owner, action=action)
    assert not ActionItem.objects.overdue(today).exists()


def test_action_items_of_a_cancelled_meeting_are_not_tasks(hubs):
    action = ActionItemFactory(due_on=timezone.localdate() - datetime.timedelta(days=3))
    conference = action.agenda_item.conference
    Conference.objects.filter(pk=conference.pk).update(status=Conference.Status.CANCELLED)
    assert not ActionItem.objects.open().exists()


def test_factories_build_a_visible_meeting_for_the_convening_hub(make_member):
    item = AgendaItemFactory()
    member = make_member(Role.STAFF, item.conference.convening_hub)
    assert Conference.objects.visible_to(member).get() == item.conference
