"""Writes for conferences (会議): planning, the consent gate, minutes, approval, action items.

Keyword-only, ``actor=``, each in a transaction. Views load conferences and cases through
``visible_to`` before calling; these functions enforce the rules of the institution.
"""

import dataclasses

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hubs.models import Hub, Membership, Role
from takatsuki_welfare.concurrency import EditConflict, save_versioned
from takatsuki_welfare.notify import notify_hub, notify_users

from . import services, services_support
from .models import (
    ActionItem,
    AgendaItem,
    Attendee,
    Conference,
    ConferenceHub,
    Consent,
    Decision,
    LegalType,
    MinutesVersion,
    SupportPlan,
)

CONVENING_ROLES = (Role.COORDINATOR, Role.MANAGER)
CONSENT_KINDS = (Consent.Kind.SHARE_WITH_AGENCIES, Consent.Kind.CONFERENCE)
Status = Conference.Status


def _membership(actor):
    return services_support._membership(actor)


def _convener(actor, conference=None):
    """Coordinators and managers convene; once planned, only at the convening hub."""
    membership = _membership(actor)
    if membership.role not in CONVENING_ROLES:
        raise PermissionDenied(_("Only coordinators and managers convene meetings."))
    if conference is not None and conference.convening_hub_id != membership.hub_id:
        raise PermissionDenied(_("Only the convening hub changes this meeting."))
    return membership


def _member_of_convening_hub(actor, conference):
    membership = _membership(actor)
    if conference.convening_hub_id != membership.hub_id:
        raise PermissionDenied(_("Only the convening hub writes the minutes."))
    return membership


def _manager_of_convening_hub(actor, conference):
    membership = _membership(actor)
    if membership.role != Role.MANAGER or membership.hub_id != conference.convening_hub_id:
        raise PermissionDenied(_("Only a manager of the convening hub approves the minutes."))
    return membership


def _locked(conference, expected_version=None):
    current = Conference.objects.select_for_update().select_related("meeting_type")
    current = current.get(pk=conference.pk)
    if expected_version is not None and current.version != expected_version:
        raise EditConflict(EditConflict.message)
    return current


def _set_status(conference, status, fields=()):
    conference.status = status
    conference.version += 1
    conference.save(update_fields=["status", "version", "updated_at", *fields])
    return conference


def _url(conference):
    return reverse("cases:conference_detail", args=[conference.pk])


# The consent gate --------------------------------------------------------------------------


@dataclasses.dataclass
class ConsentCheck:
    """Whether a case may go before a consent-based meeting with these hubs."""

    ok: bool
    consents: list
    missing_hubs: list
    message: str = ""


def consent_check(*, case, hubs, on_date=None):
    """The primary person's valid consents (to share, or to a 重層的支援会議) must together
    cover every attending hub, today and on the meeting day."""
    return consent_checks(cases=[case], hubs=hubs, on_date=on_date)[case.pk]


def consent_checks(*, cases, hubs, on_date=None):
    """consent_check for several cases in a fixed number of queries: {case.pk: ConsentCheck}."""
    today = timezone.localdate()
    days = {today, on_date or today}
    hubs = list(hubs)
    persons = {case.pk: case.primary_person for case in cases}
    consents = {}
    for consent in (
        Consent.objects.filter(
            person__in=[p for p in persons.values() if p is not None], kind__in=CONSENT_KINDS
        )
        .prefetch_related("hubs")
        .order_by("obtained_on", "id")
    ):
        consents.setdefault(consent.person_id, []).append(consent)
    return {
        case_pk: _check(person, consents.get(person.pk, []) if person else [], hubs, days)
        for case_pk, person in persons.items()
    }


def _check(person, consents, hubs, days):
    if person is None:
        return ConsentCheck(False, [], hubs, _("The case has no person concerned recorded."))
    valid = [c for c in consents if all(c.is_valid_on(day) for day in days)]
    if not valid:
        withdrawn = any(c.withdrawn_on for c in consents)
        message = (
            _("The consent of %(name)s has been withdrawn.")
            if withdrawn
            else _("%(name)s has not consented to sharing with the agencies.")
        ) % {"name": person.full_name}
        return ConsentCheck(False, [], hubs, message)
    covered = {hub.pk for consent in valid for hub in consent.hubs.all()}
    missing = [hub for hub in hubs if hub.pk not in covered]
    if missing:
        message = _("The consent of %(name)s does not cover: %(hubs)s.") % {
            "name": person.full_name,
            "hubs": "、".join(hub.name for hub in missing),
        }
        return ConsentCheck(False, valid, missing, message)
    return ConsentCheck(True, [c for c in valid if c.hubs.all()], [])


def _refuse_without_consent(check):
    raise ValidationError(
        _(
            "%(reason)s A 重層的支援会議 discusses a case only with the person's consent covering "
            "every attending hub. Record the consent first, or discuss the case at a 支援会議 "
            "(社会福祉法106条の6), which needs no consent."
        )
        % {"reason": check.message}
    )


def attending_hubs(conference):
    return Hub.objects.filter(conference_links__conference=conference).exclude(
        conference_links__present=False
    )


# Planning ----------------------------------------------------------------------------------


@transaction.atomic
def conference_plan(*, actor, meeting_type, starts_at, hubs=(), **fields):
    """Plan a meeting at the actor's hub, inviting the given hubs (and always the convener)."""
    membership = _convener(actor)
    conference = Conference.objects.create(
        meeting_type=meeting_type,
        starts_at=starts_at,
        convening_hub=membership.hub,
        created_by=actor,
        **fields,
    )
    invited = {membership.hub, *hubs}
    ConferenceHub.objects.bulk_create(
        [ConferenceHub(conference=conference, hub=h) for h in invited]
    )
    return conference


@transaction.atomic
def conference_update(*, actor, conference, expected_version, hubs=None, **fields):
    """Change the plan of a meeting not yet held; new hubs must fit every agenda case's consent."""
    _convener(actor, conference)
    conference = _locked(conference, expected_version)
    if not conference.plan_editable:
        raise ValidationError(_("The meeting has been held: its plan no longer changes."))
    for name, value in fields.items():
        setattr(conference, name, value)
    if hubs is not None:
        hubs = {conference.convening_hub, *hubs}
        if conference.meeting_type.needs_consent:
            for item in conference.agenda_items.select_related("case"):
                check = consent_check(
                    case=item.case, hubs=hubs, on_date=timezone.localdate(conference.starts_at)
                )
                if not check.ok:
                    _refuse_without_consent(check)
                item.consents.set(check.consents)
        conference.hub_links.exclude(hub__in=hubs).delete()
        for hub in hubs:
            ConferenceHub.objects.get_or_create(conference=conference, hub=hub)
    conference.version += 1
    conference.save()
    return conference


@transaction.atomic
def conference_cancel(*, actor, conference, reason):
    _convener(actor, conference)
    conference = _locked(conference)
    if conference.status != Status.PLANNED:
        raise ValidationError(_("Only a planned meeting can be cancelled."))
    if not reason.strip():
        raise ValidationError({"reason": _("Please write why the meeting is cancelled.")})
    conference.notes = "\n".join(filter(None, [conference.notes, _("Cancelled: %s") % reason]))
    return _set_status(conference, Status.CANCELLED, ["notes"])


@transaction.atomic
def agenda_add(*, actor, conference, case, planned_minutes=None):
    """Put a case on the agenda. A 重層的支援会議 checks the consent first."""
    _convener(actor, conference)
    conference = _locked(conference)
    if not conference.plan_editable:
        raise ValidationError(_("The meeting has been held: its agenda no longer changes."))
    if conference.agenda_items.filter(case=case).exists():
        raise ValidationError(_("This case is already on the agenda."))
    consents = []
    if conference.meeting_type.needs_consent:
        check = consent_check(
            case=case,
            hubs=attending_hubs(conference),
            on_date=timezone.localdate(conference.starts_at),
        )
        if not check.ok:
            _refuse_without_consent(check)
        consents = check.consents
    order = (conference.agenda_items.aggregate(last=Max("order"))["last"] or 0) + 1
    item = AgendaItem.objects.create(
        conference=conference, case=case, order=order, planned_minutes=planned_minutes
    )
    item.consents.set(consents)
    return item


@transaction.atomic
def agenda_remove(*, actor, item):
    """Take a case off the agenda of a meeting not yet held (nothing has been recorded)."""
    _convener(actor, item.conference)
    conference = _locked(item.conference)
    if not conference.plan_editable:
        raise ValidationError(_("The meeting has been held: its agenda no longer changes."))
    item.delete()


@transaction.atomic
def agenda_move(*, actor, item, offset):
    """Move a case up (-1) or down (+1) the agenda."""
    _convener(actor, item.conference)
    conference = _locked(item.conference)
    if not conference.plan_editable:
        raise ValidationError(_("The meeting has been held: its agenda no longer changes."))
    items = list(conference.agenda_items.order_by("order", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + offset
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        for position, other in enumerate(items, start=1):
            if other.order != position:
                AgendaItem.objects.filter(pk=other.pk).update(order=position)


@transaction.atomic
def attendee_add(*, actor, conference, user=None, hub=None, name="", affiliation=""):
    _convener(actor, conference)
    if user is None and not name.strip():
        raise ValidationError({"name": _("Choose a user or write the attendee's name.")})
    if conference.status not in (Status.PLANNED, Status.HELD):
        raise ValidationError(_("The attendance of this meeting is closed."))
    if user is not None and hub is None:
        membership = Membership.objects.active().filter(user=user).first()
        hub = membership.hub if membership else None
    return Attendee.objects.create(
        conference=conference, user=user, hub=hub, name=name.strip(), affiliation=affiliation
    )


# The meeting --------------------------------------------------------------------------------


@transaction.atomic
def conference_hold(*, actor, conference, expected_version=None, present_hubs=(),
                    present_attendees=(), acknowledged=()):  # fmt: skip
    """Record who came and open the minutes. At a 支援会議 everyone present must have
    acknowledged the duty of confidentiality (社会福祉法106条の6第5項)."""
    _member_of_convening_hub(actor, conference)
    conference = _locked(conference, expected_version)
    if conference.status not in (Status.PLANNED, Status.HELD):
        raise ValidationError(_("The attendance of this meeting is closed."))
    present_hubs = {h.pk for h in present_hubs} | {conference.convening_hub_id}
    present_attendees = {a.pk for a in present_attendees}
    acknowledged = {a.pk for a in acknowledged}
    if conference.is_support_meeting and present_attendees - acknowledged:
        raise ValidationError(
            _("At a 支援会議 every attendee acknowledges the duty of confidentiality.")
        )
    now = timezone.now()
    for link in conference.hub_links.all():
        link.present = link.hub_id in present_hubs
        link.save(update_fields=["present"])
    for attendee in conference.attendees.all():
        attendee.present = attendee.pk in present_attendees
        if attendee.pk in acknowledged and attendee.confidentiality_acknowledged_at is None:
            attendee.confidentiality_acknowledged_at = now
        attendee.save(update_fields=["present", "confidentiality_acknowledged_at"])
    if conference.meeting_type.needs_consent:
        # Hubs that attended a consent-based meeting take part in its cases from now on.
        for item in conference.agenda_items.select_related("case"):
            for hub in attending_hubs(conference):
                services.case_add_hub(case=item.case, hub=hub, reason=_("Attended %s") % conference)
    return _set_status(conference, Status.HELD)


@transaction.atomic
def agenda_item_record(*, actor, item, expected_version, summary, decisions,
                       next_review_on=None, endorse_plan=None):  # fmt: skip
    """Write the minutes of one agenda case; endorsing a plan at a 重層的支援会議 decides it."""
    _member_of_convening_hub(actor, item.conference)
    conference = _locked(item.conference)
    if not conference.minutes_editable:
        raise ValidationError(_("These minutes are not open for writing."))
    unknown = set(decisions) - set(Decision.values)
    if unknown:
        raise ValidationError({"decisions": _("Choose decisions from the list.")})
    item.summary, item.next_review_on = summary, next_review_on
    item.decisions = [code for code in Decision.values if code in decisions]
    if endorse_plan is not None and item.endorsed_plan_id != endorse_plan.pk:
        _endorse_at_conference(actor, conference, item, endorse_plan)
        item.endorsed_plan = endorse_plan
    save_versioned(
        item,
        expected_version=expected_version,
        fields=["summary", "decisions", "next_review_on", "endorsed_plan"],
    )
    if conference.status == Status.HELD:
        _set_status(conference, Status.DRAFTING)
    return item


def _endorse_at_conference(actor, conference, item, plan):
    if conference.meeting_type.legal_type != LegalType.MULTI_LAYERED:
        raise ValidationError({"endorse_plan": _("A plan is decided only at a 重層的支援会議.")})
    if plan.case_id != item.case_id or plan.status != SupportPlan.Status.DISCUSSING:
        raise ValidationError(
            {"endorse_plan": _("Choose this case's plan that is under discussion.")}
        )
    check = consent_check(
        case=item.case,
        hubs=attending_hubs(conference),
        on_date=timezone.localdate(conference.starts_at),
    )
    if not check.ok:
        raise ValidationError({"endorse_plan": check.message})
    services_support.plan_endorse(
        actor=actor,
        plan=plan,
        by=SupportPlan.EndorsedBy.CONFERENCE,
        endorsed_on=timezone.localdate(conference.starts_at),
    )


@transaction.atomic
def action_item_add(*, actor, item, text, owner_hub, owner_person="", due_on=None):
    _member_of_convening_hub(actor, item.conference)
    if not item.conference.minutes_editable:
        raise ValidationError(_("These minutes are not open for writing."))
    if not text.strip():
        raise ValidationError({"text": _("Write what is to be done.")})
    action = ActionItem.objects.create(
        agenda_item=item, text=text, owner_hub=owner_hub, owner_person=owner_person, due_on=due_on
    )
    if item.conference.meeting_type.needs_consent:
        services.case_add_hub(case=item.case, hub=owner_hub, reason=_("Role from a meeting"))
    return action


@transaction.atomic
def action_item_done(*, actor, action, done_on=None):
    """The owner hub (or the convener) marks a task done; this is progress, not minutes."""
    membership = _membership(actor)
    if membership.hub_id not in (
        action.owner_hub_id,
        action.agenda_item.conference.convening_hub_id,
    ):
        raise PermissionDenied(_("Only the owner hub marks this task done."))
    if action.done_on is None:
        action.done_on, action.done_by = done_on or timezone.localdate(), actor
        action.save(update_fields=["done_on", "done_by"])
    return action


# Approval -----------------------------------------------------------------------------------


@transaction.atomic
def minutes_submit(*, actor, conference, expected_version=None):
    _member_of_convening_hub(actor, conference)
    conference = _locked(conference, expected_version)
    if not conference.minutes_editable:
        raise ValidationError(_("These minutes are not open for writing."))
    _set_status(conference, Status.SUBMITTED)
    managers = Membership.objects.active().filter(hub=conference.convening_hub, role=Role.MANAGER)
    notify_users(
        [m.user for m in managers.select_related("user")],
        message=_("Minutes await your approval: %s") % conference,
        url=_url(conference),
        hub=conference.convening_hub,
    )
    return conference


@transaction.atomic
def minutes_approve(*, actor, conference, expected_version=None):
    """承認: the minutes become read-only, and this revision is kept as approved."""
    _manager_of_convening_hub(actor, conference)
    conference = _locked(conference, expected_version)
    if conference.status != Status.SUBMITTED:
        raise ValidationError(_("Only minutes awaiting approval can be approved."))
    MinutesVersion.objects.create(
        conference=conference,
        number=conference.minutes_revision,
        content=minutes_content(conference),
        approved_by=actor,
        correction_reason=conference.correction_reason,
    )
    conference.return_comment = ""
    _set_status(conference, Status.APPROVED, ["return_comment"])
    for hub in {a.owner_hub for a in ActionItem.objects.filter(agenda_item__conference=conference)}:
        notify_hub(
            hub, message=_("New tasks from a meeting: %s") % conference, url=_url(conference)
        )
    return conference


@transaction.atomic
def minutes_return(*, actor, conference, comment, expected_version=None):
    _manager_of_convening_hub(actor, conference)
    conference = _locked(conference, expected_version)
    if conference.status != Status.SUBMITTED:
        raise ValidationError(_("Only minutes awaiting approval can be returned."))
    if not comment.strip():
        raise ValidationError({"comment": _("Please write what needs changing.")})
    conference.return_comment = comment
    _set_status(conference, Status.DRAFTING, ["return_comment"])
    notify_users(
        [conference.created_by],
        message=_("Minutes returned: %s") % conference,
        url=_url(conference),
        hub=conference.convening_hub,
    )
    return conference


@transaction.atomic
def minutes_correct(*, actor, conference, reason, expected_version=None):
    """Open approved minutes for a correction: a new revision, approved again; the approved
    one stays as it was (MinutesVersion)."""
    _member_of_convening_hub(actor, conference)
    conference = _locked(conference, expected_version)
    if conference.status != Status.APPROVED:
        raise ValidationError(_("Only approved minutes are corrected this way."))
    if not reason.strip():
        raise ValidationError({"reason": _("Please write why the minutes are corrected.")})
    conference.minutes_revision += 1
    conference.correction_reason = reason
    return _set_status(conference, Status.DRAFTING, ["minutes_revision", "correction_reason"])


def minutes_content(conference):
    """The minutes as plain data: what an approved revision keeps."""
    items = conference.agenda_items.select_related("case", "endorsed_plan").prefetch_related(
        "action_items__owner_hub"
    )
    return {
        "meeting_type": str(conference.meeting_type),
        "starts_at": conference.starts_at.isoformat(),
        "place": conference.place,
        "online": conference.online,
        "notes": conference.notes,
        "hubs": [
            {"name": link.hub.name, "present": link.present}
            for link in conference.hub_links.select_related("hub")
        ],
        "attendees": [
            {
                "name": str(a),
                "affiliation": a.affiliation or (a.hub.name if a.hub_id else ""),
                "present": a.present,
                "acknowledged": bool(a.confidentiality_acknowledged_at),
            }
            for a in conference.attendees.select_related("user", "hub")
        ],
        "cases": [
            {
                "case": item.case.number,
                "summary": item.summary,
                "decisions": [str(label) for label in item.get_decisions_display()],
                "endorsed_plan": str(item.endorsed_plan) if item.endorsed_plan_id else "",
                "next_review_on": item.next_review_on.isoformat() if item.next_review_on else "",
                "actions": [
                    {
                        "text": a.text,
                        "owner_hub": a.owner_hub.name,
                        "owner_person": a.owner_person,
                        "due_on": a.due_on.isoformat() if a.due_on else "",
                    }
                    for a in item.action_items.all()
                ],
            }
            for item in items
        ],
    }
