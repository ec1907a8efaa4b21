"""Writes for the daily work: accompaniment records, outreach attempts, support plans.

Keyword-only, ``actor=``, each in a transaction. Views check visibility before calling.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hubs.models import Role
from takatsuki_welfare.access import acting_membership
from takatsuki_welfare.concurrency import EditConflict, save_versioned
from takatsuki_welfare.notify import notify_users

from .models import (
    AccompanimentRecord,
    Case,
    CasePerson,
    OutreachAttempt,
    PlanAction,
    PlanGoal,
    RecordRevision,
    SupportPlan,
)

RECORD_FIELDS = [
    "occurred_at", "contact_type", "place", "met_others", "content", "state", "state_note",
    "next_action", "next_action_on", "sensitive",
]  # fmt: skip


def _membership(actor):
    membership = acting_membership(actor)
    if membership is None or membership.role == Role.VOLUNTEER:
        raise PermissionDenied(_("Your role may not do this."))
    return membership


# Last contact ------------------------------------------------------------------------------


def refresh_last_contact(case):
    """Recompute the case's last contact from its records, intakes and successful outreach.

    Called after every change that can move it (a new, edited or cancelled record; an
    attempt that met the person). 不在・接触不能 and cancelled records do not count; a
    consultation received for the case (相談受付) does, so cancelling the only record falls
    back to the intake rather than to "never contacted".
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    record_at = case.records.contacts().aggregate(last=Max("occurred_at"))["last"]
    intake_at = case.intakes.aggregate(last=Max("received_at"))["last"]
    met_day = case.outreach_attempts.filter(result=OutreachAttempt.Result.MET).aggregate(
        last=Max("attempted_on")
    )["last"]
    days = [timezone.localdate(at) for at in (record_at, intake_at) if at]
    days += [met_day] if met_day else []
    case.last_contact_on = max(days) if days else None
    case.save(update_fields=["last_contact_on"])
    return case


# Records -----------------------------------------------------------------------------------


@transaction.atomic
def record_create(*, actor, case, met_persons=(), **fields):
    membership = _membership(actor)
    record = AccompanimentRecord.objects.create(
        case=case, author=actor, acting_hub=membership.hub, **fields
    )
    record.met_persons.set(met_persons)
    refresh_last_contact(case)
    return record


def _snapshot(record):
    data = {name: getattr(record, name) for name in RECORD_FIELDS}
    data["occurred_at"] = record.occurred_at.isoformat()
    data["contact_type"] = str(record.contact_type)
    data["next_action_on"] = record.next_action_on.isoformat() if record.next_action_on else None
    data["met_persons"] = [str(p) for p in record.met_persons.all()]
    return data


@transaction.atomic
def record_update(*, actor, record, expected_version, met_persons=None, **fields):
    """Edit a record, keeping what it said before as a revision."""
    _membership(actor)
    if record.is_cancelled:
        raise ValidationError(_("A cancelled record cannot be edited."))
    before = _snapshot(AccompanimentRecord.objects.get(pk=record.pk))
    for name, value in fields.items():
        setattr(record, name, value)
    save_versioned(record, expected_version=expected_version, fields=[*fields, "updated_at"])
    if met_persons is not None:
        record.met_persons.set(met_persons)
    RecordRevision.objects.create(record=record, edited_by=actor, before=before)
    refresh_last_contact(record.case)
    return record


@transaction.atomic
def record_cancel(*, actor, record, reason, expected_version):
    """取消: the record stays, struck through, with who cancelled it and why."""
    _membership(actor)
    if record.is_cancelled:
        raise ValidationError(_("This record is already cancelled."))
    if not reason.strip():
        raise ValidationError({"cancel_reason": _("Please write why the record is cancelled.")})
    record.cancelled_at, record.cancelled_by, record.cancel_reason = timezone.now(), actor, reason
    save_versioned(
        record,
        expected_version=expected_version,
        fields=["cancelled_at", "cancelled_by", "cancel_reason", "updated_at"],
    )
    refresh_last_contact(record.case)
    return record


# Outreach ----------------------------------------------------------------------------------


@transaction.atomic
def outreach_record(*, actor, case, person, engagement="", **fields):
    membership = _membership(actor)
    if not case.case_persons.filter(person=person).exists():
        raise ValidationError({"person": _("Choose a person of this case.")})
    attempt = OutreachAttempt.objects.create(
        case=case, person=person, recorded_by=actor, acting_hub=membership.hub,
        engagement_after=engagement, **fields,
    )  # fmt: skip
    if engagement:
        CasePerson.objects.filter(case=case, person=person).update(engagement=engagement)
    elif not case.case_persons.get(person=person).engagement:
        CasePerson.objects.filter(case=case, person=person).update(engagement="not_contacted")
    if attempt.result == OutreachAttempt.Result.MET:
        refresh_last_contact(case)
    return attempt


# Support plans -----------------------------------------------------------------------------


def _check_editable(plan):
    if not plan.is_editable:
        raise ValidationError(
            _("An endorsed plan cannot be changed: start a new version of it instead.")
        )


@transaction.atomic
def plan_create(*, actor, case, **fields):
    """Start the first plan of a case, or a new version after the current one."""
    _membership(actor)
    if case.plans.filter(status__in=[SupportPlan.Status.DRAFT, SupportPlan.Status.DISCUSSING]):
        raise ValidationError(_("This case already has a plan in draft; continue that one."))
    latest = case.plans.order_by("-number").first()
    plan = SupportPlan.objects.create(
        case=case,
        number=(latest.number + 1) if latest else 1,
        previous=latest,
        created_by=actor,
        **fields,
    )
    return plan


@transaction.atomic
def plan_new_version(*, actor, plan):
    """Copy an endorsed (or evaluated) plan into a new draft with its goals and actions."""
    _membership(actor)
    if plan.is_editable:
        raise ValidationError(_("This version is still a draft: edit it directly."))
    if hasattr(plan, "next_version"):
        raise ValidationError(_("A newer version of this plan exists already."))
    copy_fields = [
        "wishes", "issues", "long_term_goal", "uses_participation", "uses_outreach",
        "review_on", "consent",
    ]  # fmt: skip
    new = plan_create(
        actor=actor, case=plan.case, **{name: getattr(plan, name) for name in copy_fields}
    )
    for goal in plan.goals.prefetch_related("actions"):
        new_goal = PlanGoal.objects.create(
            plan=new, term=goal.term, text=goal.text, order=goal.order
        )
        PlanAction.objects.bulk_create(
            [
                PlanAction(
                    goal=new_goal,
                    text=a.text,
                    hub=a.hub,
                    person_in_charge=a.person_in_charge,
                    frequency=a.frequency,
                    due_on=a.due_on,
                    done_on=a.done_on,
                    order=a.order,
                )
                for a in goal.actions.all()
            ]
        )
    return new


@transaction.atomic
def plan_update(*, actor, plan, expected_version, **fields):
    _membership(actor)
    _check_editable(plan)
    for name, value in fields.items():
        setattr(plan, name, value)
    save_versioned(plan, expected_version=expected_version, fields=[*fields, "updated_at"])
    return plan


def _locked_plan(plan, expected_version):
    current = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    if expected_version is not None and current.version != expected_version:
        raise EditConflict(EditConflict.message)
    return current


def _set_status(plan, status, fields=()):
    plan.status = status
    plan.version += 1
    plan.save(update_fields=["status", "version", "updated_at", *fields])
    return plan


@transaction.atomic
def plan_submit(*, actor, plan, expected_version=None):
    """案 → 協議中: put the draft forward for discussion."""
    _membership(actor)
    plan = _locked_plan(plan, expected_version)
    if plan.status != SupportPlan.Status.DRAFT:
        raise ValidationError(_("Only a draft can be put forward for discussion."))
    if not plan.goals.exists():
        raise ValidationError(_("Add at least one goal before putting the plan forward."))
    plan.return_comment = ""
    return _set_status(plan, SupportPlan.Status.DISCUSSING, ["return_comment"])


@transaction.atomic
def plan_endorse(*, actor, plan, expected_version=None, by=SupportPlan.EndorsedBy.MANAGER,
                 endorsed_on=None):  # fmt: skip
    """協議中 → 決定. Until conferences exist, a manager of the lead hub endorses."""
    membership = _membership(actor)
    plan = _locked_plan(plan, expected_version)
    if by == SupportPlan.EndorsedBy.MANAGER and (
        membership.role != Role.MANAGER or membership.hub_id != plan.case.lead_hub_id
    ):
        raise PermissionDenied(_("Only a manager of the lead hub can endorse the plan."))
    if plan.status != SupportPlan.Status.DISCUSSING:
        raise ValidationError(_("Only a plan under discussion can be endorsed."))
    previous = plan.previous
    plan.endorsed_on = endorsed_on or timezone.localdate()
    plan.endorsed_by, plan.endorsed_by_user = by, actor
    _set_status(
        plan, SupportPlan.Status.ENDORSED, ["endorsed_on", "endorsed_by", "endorsed_by_user"]
    )
    if previous is not None and previous.status == SupportPlan.Status.ENDORSED:
        _set_status(previous, SupportPlan.Status.ENDED)  # the new version replaces it
    return plan


@transaction.atomic
def plan_return(*, actor, plan, comment, expected_version=None):
    """協議中 → 案: the lead hub's manager sends the plan back to its drafter with a comment,
    kept on the plan until it is put forward again."""
    membership = _membership(actor)
    plan = _locked_plan(plan, expected_version)
    if membership.role != Role.MANAGER or membership.hub_id != plan.case.lead_hub_id:
        raise PermissionDenied(_("Only a manager of the lead hub can return the plan."))
    if plan.status != SupportPlan.Status.DISCUSSING:
        raise ValidationError(_("Only a plan under discussion can be returned."))
    if not comment.strip():
        raise ValidationError({"comment": _("Please write what needs changing.")})
    plan.return_comment = comment.strip()
    _set_status(plan, SupportPlan.Status.DRAFT, ["return_comment"])
    notify_users(
        [plan.created_by],
        message=_("Support plan returned: %s") % plan,
        url=reverse("cases:plan_detail", args=[plan.pk]),
        hub=membership.hub,
    )
    return plan


@transaction.atomic
def plan_evaluate(*, actor, plan, evaluation, note="", expected_version=None):
    """決定 → 評価済 with the evaluation of the goals (monitoring)."""
    _membership(actor)
    plan = _locked_plan(plan, expected_version)
    if plan.status != SupportPlan.Status.ENDORSED:
        raise ValidationError(_("Only an endorsed plan can be evaluated."))
    if evaluation not in SupportPlan.Evaluation.values:
        raise ValidationError({"evaluation": _("Choose the evaluation.")})
    plan.evaluation, plan.evaluation_note = evaluation, note
    plan.evaluated_on = timezone.localdate()
    return _set_status(
        plan, SupportPlan.Status.EVALUATED, ["evaluation", "evaluation_note", "evaluated_on"]
    )


@transaction.atomic
def plan_end(*, actor, plan, expected_version=None):
    _membership(actor)
    plan = _locked_plan(plan, expected_version)
    if plan.status not in (SupportPlan.Status.ENDORSED, SupportPlan.Status.EVALUATED):
        raise ValidationError(_("Only an endorsed or evaluated plan can end."))
    return _set_status(plan, SupportPlan.Status.ENDED)


@transaction.atomic
def plan_goal_save(*, actor, plan, goal=None, **fields):
    _membership(actor)
    _check_editable(plan)
    if goal is None:
        return PlanGoal.objects.create(plan=plan, **fields)
    for name, value in fields.items():
        setattr(goal, name, value)
    goal.save()
    return goal


@transaction.atomic
def plan_action_save(*, actor, goal, action=None, **fields):
    _membership(actor)
    _check_editable(goal.plan)
    if action is None:
        return PlanAction.objects.create(goal=goal, **fields)
    for name, value in fields.items():
        setattr(action, name, value)
    action.save()
    return action


@transaction.atomic
def plan_action_done(*, actor, action, done_on=None):
    """Mark an agreed action done (allowed on an endorsed plan: it is being carried out)."""
    membership = _membership(actor)
    if (
        action.hub_id != membership.hub_id
        and action.goal.plan.case.lead_hub_id != membership.hub_id
    ):
        raise PermissionDenied(_("Only the responsible hub or the lead hub can mark this done."))
    action.done_on = done_on or timezone.localdate()
    action.save(update_fields=["done_on"])
    return action
