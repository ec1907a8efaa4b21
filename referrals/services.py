"""Referral transitions: each checks who may make it, runs in a transaction, writes an event.

Receiver side (any casework member of the receiving hub, its manager included): acknowledge,
accept, start, complete, decline. Sender side (casework members of the sending hub): withdraw,
re-route, keep. The system expires referrals left unanswered past their answer date.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseHub, Consent, Intake
from cases.services import case_add_hub
from hubs.models import Role
from takatsuki_welfare.access import acting_membership
from takatsuki_welfare.concurrency import EditConflict
from takatsuki_welfare.notify import notify_hub

from .business_days import add_business_days
from .models import (
    NEEDS_NEXT_STEP,
    OPEN,
    Basis,
    DeclinedBy,
    DeclineReason,
    Kind,
    NextStep,
    Outcome,
    Referral,
    ReferralEvent,
    Status,
    Urgency,
)

CONSENT_KINDS_FOR_REFERRAL = [Consent.Kind.SHARE_WITH_AGENCIES, Consent.Kind.SPECIFIC_AGENCY]


def _casework(actor):
    membership = acting_membership(actor)
    if membership is None or membership.role == Role.VOLUNTEER:
        raise PermissionDenied(_("Your role may not do this."))
    return membership


def _receiver(actor, referral):
    membership = _casework(actor)
    if membership.hub_id != referral.to_hub_id:
        raise PermissionDenied(_("Only the receiving hub can answer this referral."))
    return membership


def _sender(actor, referral):
    membership = _casework(actor)
    if membership.hub_id != referral.from_hub_id:
        raise PermissionDenied(_("Only the sending hub can do this."))
    return membership


def _url(referral):
    return reverse("referrals:detail", args=[referral.pk])


def _locked(referral, expected_version=None):
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if expected_version is not None and current.version != expected_version:
        raise EditConflict(EditConflict.message)
    return current


def _move(referral, *, actor, membership, to_status, comment="", fields=()):
    """Change status, save the given fields, bump the version and write the event."""
    from_status = referral.status
    referral.status = to_status
    referral.version += 1
    referral.save(update_fields=["status", "version", *fields])
    ReferralEvent.objects.create(
        referral=referral,
        actor=actor,
        acting_hub=membership.hub if membership else None,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )
    return referral


def _refuse(referral, allowed, action):
    if referral.status not in allowed:
        raise ValidationError(
            _("A referral that is “%(status)s” cannot be %(action)s.")
            % {"status": referral.get_status_display(), "action": action}
        )


# Sending -----------------------------------------------------------------------------------


def check_basis(*, person, to_hub, basis, consent=None, meeting_reference="", today=None):
    """Why a referral may share this person's information with to_hub, or ValidationError."""
    today = today or timezone.localdate()
    if basis == Basis.SUPPORT_MEETING:
        if not meeting_reference.strip():
            raise ValidationError(
                {
                    "meeting_reference": _(
                        "Name the support meeting (支援会議) where sharing was decided, with "
                        "its date. Without consent, a case is shared only through a support "
                        "meeting."
                    )
                }
            )
        return
    if person is None:
        raise ValidationError(
            {
                "basis": _(
                    "The person is not identified yet, so there is no consent to rely on: "
                    "refer through a support meeting (支援会議) instead."
                )
            }
        )
    if consent is None:
        raise ValidationError(
            {
                "consent": _(
                    "Choose the consent that covers the receiving hub. If there is none, record "
                    "the person's consent first, or refer through a support meeting (支援会議)."
                )
            }
        )
    if consent.person_id != person.pk:
        raise ValidationError({"consent": _("This consent is not the referred person's.")})
    if consent.kind not in CONSENT_KINDS_FOR_REFERRAL:
        raise ValidationError({"consent": _("This consent is not for sharing with agencies.")})
    if consent.withdrawn_on is not None and consent.withdrawn_on <= today:
        raise ValidationError(
            {
                "consent": _(
                    "This consent was withdrawn on %(date)s. Ask the person again, or refer "
                    "through a support meeting (支援会議)."
                )
                % {"date": consent.withdrawn_on}
            }
        )
    if consent.obtained_on > today:
        raise ValidationError({"consent": _("This consent is dated in the future.")})
    if not consent.hubs.filter(pk=to_hub.pk).exists():
        raise ValidationError(
            {
                "consent": _(
                    "This consent does not cover %(hub)s. Ask the person to extend its scope "
                    "(record a new consent), or refer through a support meeting (支援会議)."
                )
                % {"hub": to_hub}
            }
        )


def due_dates(to_hub, urgency, today=None):
    today = today or timezone.localdate()
    if urgency == Urgency.URGENT:
        same_day = add_business_days(today, 0)
        return same_day, same_day
    return (
        add_business_days(today, to_hub.acknowledge_business_days),
        add_business_days(today, to_hub.answer_business_days),
    )


@transaction.atomic
def referral_send(*, actor, to_hub, kind, reason, basis, case=None, intake=None, person=None,
                  request="", urgency=Urgency.NORMAL, consent=None, meeting_reference="",
                  rerouted_from=None):  # fmt: skip
    membership = _casework(actor)
    if case is None and intake is None:
        raise ValidationError(_("A referral is about a case or an intake."))
    if to_hub.pk == membership.hub_id:
        raise ValidationError({"to_hub": _("Choose another hub than your own.")})
    if not to_hub.active:
        raise ValidationError({"to_hub": _("This hub is no longer active.")})
    if kind == Kind.HANDOVER and (case is None or case.lead_hub_id != membership.hub_id):
        raise ValidationError(
            {"kind": _("Only the lead hub of a case can hand the lead over (引継ぎ).")}
        )
    if person is None:
        person = case.primary_person if case is not None else intake.persons.first()
    check_basis(
        person=person,
        to_hub=to_hub,
        basis=basis,
        consent=consent,
        meeting_reference=meeting_reference,
    )
    acknowledge_due, answer_due = due_dates(to_hub, urgency)
    referral = Referral.objects.create(
        case=case,
        intake=intake,
        person=person,
        from_hub=membership.hub,
        sender=actor,
        to_hub=to_hub,
        kind=kind,
        reason=reason,
        request=request,
        urgency=urgency,
        basis=basis,
        consent=consent if basis == Basis.CONSENT else None,
        meeting_reference=meeting_reference if basis == Basis.SUPPORT_MEETING else "",
        acknowledge_due=acknowledge_due,
        answer_due=answer_due,
        rerouted_from=rerouted_from,
    )
    ReferralEvent.objects.create(
        referral=referral,
        actor=actor,
        acting_hub=membership.hub,
        to_status=Status.SENT,
        comment=reason,
    )
    notify_hub(
        to_hub,
        message=_("New referral from %(hub)s (%(kind)s)")
        % {"hub": membership.hub, "kind": referral.get_kind_display()},
        url=_url(referral),
    )
    return referral


# Receiver ----------------------------------------------------------------------------------


def _tell_sender(referral, message):
    notify_hub(referral.from_hub, message=message, url=_url(referral))


@transaction.atomic
def referral_acknowledge(*, actor, referral, comment="", expected_version=None):
    referral = _locked(referral, expected_version)
    membership = _receiver(actor, referral)
    _refuse(referral, [Status.SENT], _("acknowledged"))
    referral.acknowledged_at = timezone.now()
    _move(
        referral,
        actor=actor,
        membership=membership,
        to_status=Status.ACKNOWLEDGED,
        comment=comment,
        fields=["acknowledged_at"],
    )
    _tell_sender(referral, _("%(hub)s acknowledged your referral") % {"hub": referral.to_hub})
    return referral


@transaction.atomic
def referral_accept(*, actor, referral, comment="", expected_version=None):
    """Accepting makes the receiver a participating hub; a 引継ぎ also moves the lead."""
    referral = _locked(referral, expected_version)
    membership = _receiver(actor, referral)
    _refuse(referral, OPEN, _("accepted"))
    if referral.kind == Kind.HANDOVER and referral.case.lead_hub_id != referral.from_hub_id:
        raise ValidationError(
            _(
                "The lead of this case has moved to another hub since the handover was sent; "
                "decline it and let the current lead hub decide."
            )
        )
    now = timezone.now()
    referral.acknowledged_at = referral.acknowledged_at or now
    referral.answered_at = now
    _move(
        referral,
        actor=actor,
        membership=membership,
        to_status=Status.ACCEPTED,
        comment=comment,
        fields=["acknowledged_at", "answered_at"],
    )
    case = referral.case
    if case is not None:
        if referral.kind == Kind.HANDOVER:
            _move_lead(case, referral)
        else:
            case_add_hub(case=case, hub=referral.to_hub, reason=referral.get_kind_display())
    elif referral.intake is not None and referral.intake.case_id is None:
        intake = referral.intake
        intake.handed_to, intake.outcome = referral.to_hub, Intake.Outcome.HANDED_OVER
        intake.save(update_fields=["handed_to", "outcome"])
    _tell_sender(referral, _("%(hub)s accepted your referral") % {"hub": referral.to_hub})
    return referral


def _move_lead(case, referral):
    previous = case.lead_hub
    Case.objects.filter(pk=case.pk).update(
        lead_hub=referral.to_hub, main_worker=None, version=F("version") + 1
    )
    CaseHub.objects.filter(case=case, hub=referral.to_hub).delete()
    CaseHub.objects.get_or_create(
        case=case, hub=previous, defaults={"reason": _("Handed the lead over (引継ぎ)")}
    )


@transaction.atomic
def referral_start(*, actor, referral, comment="", expected_version=None):
    referral = _locked(referral, expected_version)
    membership = _receiver(actor, referral)
    _refuse(referral, [Status.ACCEPTED], _("started"))
    return _move(
        referral, actor=actor, membership=membership, to_status=Status.IN_PROGRESS, comment=comment
    )


@transaction.atomic
def referral_complete(*, actor, referral, outcome, outcome_note="", expected_version=None):
    referral = _locked(referral, expected_version)
    membership = _receiver(actor, referral)
    _refuse(referral, [Status.ACCEPTED, Status.IN_PROGRESS], _("completed"))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Report whether the person was connected.")})
    referral.outcome, referral.outcome_note = outcome, outcome_note
    referral.completed_at = timezone.now()
    _move(
        referral,
        actor=actor,
        membership=membership,
        to_status=Status.COMPLETED,
        comment=outcome_note,
        fields=["outcome", "outcome_note", "completed_at"],
    )
    _tell_sender(
        referral,
        _("%(hub)s reported the outcome: %(outcome)s")
        % {"hub": referral.to_hub, "outcome": referral.get_outcome_display()},
    )
    return referral


@transaction.atomic
def referral_decline(*, actor, referral, reason, declined_by, note="", expected_version=None):
    referral = _locked(referral, expected_version)
    membership = _receiver(actor, referral)
    _refuse(referral, OPEN, _("declined"))
    if reason not in DeclineReason.values:
        raise ValidationError({"decline_reason": _("Choose why the referral is declined.")})
    if reason == DeclineReason.OTHER and not note.strip():
        raise ValidationError({"decline_note": _("Please describe the reason.")})
    if declined_by not in DeclinedBy.values:
        raise ValidationError({"declined_by": _("Say who declined: the hub or the person.")})
    referral.decline_reason, referral.declined_by, referral.decline_note = reason, declined_by, note
    referral.answered_at = timezone.now()
    _move(
        referral,
        actor=actor,
        membership=membership,
        to_status=Status.DECLINED,
        comment=note or referral.get_decline_reason_display(),
        fields=["decline_reason", "declined_by", "decline_note", "answered_at"],
    )
    _tell_sender(
        referral,
        _("%(hub)s declined your referral: choose the next step (re-route or keep)")
        % {"hub": referral.to_hub},
    )
    return referral


# Sender ------------------------------------------------------------------------------------


@transaction.atomic
def referral_withdraw(*, actor, referral, reason, expected_version=None):
    referral = _locked(referral, expected_version)
    membership = _sender(actor, referral)
    _refuse(referral, OPEN, _("withdrawn"))
    if not reason.strip():
        raise ValidationError({"withdraw_reason": _("Please write why the referral is withdrawn.")})
    referral.withdraw_reason = reason
    _move(
        referral,
        actor=actor,
        membership=membership,
        to_status=Status.WITHDRAWN,
        comment=reason,
        fields=["withdraw_reason"],
    )
    notify_hub(
        referral.to_hub,
        message=_("%(hub)s withdrew a referral") % {"hub": referral.from_hub},
        url=_url(referral),
    )
    return referral


def _require_next_step(referral):
    if referral.status not in NEEDS_NEXT_STEP or referral.next_step:
        raise ValidationError(
            _("A next step is chosen only after a referral is declined or has expired.")
        )


@transaction.atomic
def referral_keep(*, actor, referral, note, expected_version=None):
    """After a decline or expiry: the sending hub keeps supporting the case itself."""
    referral = _locked(referral, expected_version)
    membership = _sender(actor, referral)
    _require_next_step(referral)
    if not note.strip():
        raise ValidationError({"next_step_note": _("Please write how the support continues.")})
    referral.next_step, referral.next_step_note = NextStep.KEEP, note
    referral.version += 1
    referral.save(update_fields=["next_step", "next_step_note", "version"])
    ReferralEvent.objects.create(
        referral=referral,
        actor=actor,
        acting_hub=membership.hub,
        from_status=referral.status,
        to_status=referral.status,
        comment=_("Kept by the sending hub: %(note)s") % {"note": note},
    )
    return referral


@transaction.atomic
def referral_reroute(*, actor, referral, to_hub, note="", expected_version=None, **send_kwargs):
    """After a decline or expiry: refer the same case to another named hub, linked."""
    referral = _locked(referral, expected_version)
    membership = _sender(actor, referral)
    _require_next_step(referral)
    if to_hub.pk == referral.to_hub_id:
        raise ValidationError(
            {"to_hub": _("Choose another hub than the one that did not take it.")}
        )
    send_kwargs.setdefault("kind", referral.kind)
    send_kwargs.setdefault("reason", referral.reason)
    send_kwargs.setdefault("request", referral.request)
    send_kwargs.setdefault("urgency", referral.urgency)
    send_kwargs.setdefault("basis", referral.basis)
    send_kwargs.setdefault("consent", referral.consent)
    send_kwargs.setdefault("meeting_reference", referral.meeting_reference)
    new = referral_send(
        actor=actor,
        to_hub=to_hub,
        case=referral.case,
        intake=referral.intake,
        person=referral.person,
        rerouted_from=referral,
        **send_kwargs,
    )
    referral.next_step, referral.next_step_note = NextStep.REROUTE, note
    referral.version += 1
    referral.save(update_fields=["next_step", "next_step_note", "version"])
    ReferralEvent.objects.create(
        referral=referral,
        actor=actor,
        acting_hub=membership.hub,
        from_status=referral.status,
        to_status=referral.status,
        comment=_("Re-routed to %(hub)s. %(note)s") % {"hub": to_hub, "note": note},
    )
    return new


# System ------------------------------------------------------------------------------------


def expire_overdue(today=None):
    """Expire referrals unanswered past their answer date; escalate to both hubs."""
    today = today or timezone.localdate()
    expired = []
    for referral in Referral.objects.filter(status__in=OPEN, answer_due__lt=today).order_by("id"):
        with transaction.atomic():
            referral = Referral.objects.select_for_update().get(pk=referral.pk)
            if referral.status not in OPEN:
                continue
            _move(
                referral,
                actor=None,
                membership=None,
                to_status=Status.EXPIRED,
                comment=_("No answer by %(date)s") % {"date": referral.answer_due},
            )
            message = _("A referral from %(from)s to %(to)s expired without an answer") % {
                "from": referral.from_hub,
                "to": referral.to_hub,
            }
            notify_hub(referral.from_hub, message=message, url=_url(referral))
            notify_hub(referral.to_hub, message=message, url=_url(referral))
            expired.append(referral)
    return expired
