"""Writes with side effects: intake, households and persons, cases, stages, closure, consent.

Every function is keyword-only, takes the acting user (``actor``) and runs in a transaction.
Views check visibility (visible_to) before calling; these functions check the role rules.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hubs.models import Role
from takatsuki_welfare.access import acting_membership
from takatsuki_welfare.concurrency import save_versioned
from takatsuki_welfare.japanese import phone_key, search_key

from .models import (
    FOLLOW_UP_DAYS_BY_STAGE,
    Case,
    CaseHub,
    CasePerson,
    ClosureRequest,
    Consent,
    Household,
    Intake,
    IntakeConcern,
    NumberSequence,
    Person,
    PersonDetails,
    Stage,
    StageChange,
)


def _membership(actor, *, casework=True):
    membership = acting_membership(actor)
    if membership is None or (casework and membership.role == Role.VOLUNTEER):
        raise PermissionDenied(_("Your role may not do this."))
    return membership


def _number(kind, prefix=""):
    year = timezone.localdate().year
    return f"{prefix}{year}-{NumberSequence.next(kind, year):06d}"


# Households and persons ------------------------------------------------------------------


@transaction.atomic
def household_create(*, actor, **fields):
    membership = _membership(actor)
    return Household.objects.create(
        number=_number("household", "H"),
        registered_hub=membership.hub,
        registered_by=actor,
        **fields,
    )


@transaction.atomic
def person_create(*, actor, household=None, details=None, **fields):
    membership = _membership(actor)
    person = Person.objects.create(
        household=household, registered_hub=membership.hub, registered_by=actor, **fields
    )
    PersonDetails.objects.create(person=person, **(details or {}))
    return person


@transaction.atomic
def person_update(*, actor, person, expected_version, **fields):
    _membership(actor)
    for name, value in fields.items():
        setattr(person, name, value)
    save_versioned(person, expected_version=expected_version, fields=[*fields, "updated_at"])
    return person


@dataclass
class Duplicates:
    """Possible duplicates of a person about to be created.

    ``visible`` are shown in full; ``hidden`` counts matches the user may not see (registered
    at another hub), shown only as a signal so that the hubs can talk to each other.
    """

    visible: list = field(default_factory=list)
    hidden: int = 0

    def __bool__(self):
        return bool(self.visible or self.hidden)


def find_duplicates(*, actor, family_name="", given_name="", family_name_kana="",
                    given_name_kana="", birth_date=None, phone="", address=""):  # fmt: skip
    """Same normalised kana + birth date; same name + address; same phone."""
    conditions = Q(pk__in=[])
    kana = search_key(family_name_kana, given_name_kana)
    name = search_key(family_name, given_name)
    if kana and birth_date:
        conditions |= Q(kana_key=kana, birth_date=birth_date)
    if name and birth_date:
        conditions |= Q(name_key=name, birth_date=birth_date)
    address_key = search_key(address)
    if name and address_key:
        conditions |= Q(name_key=name, household__address_key=address_key)
    phone_digits = phone_key(phone)
    if len(phone_digits) >= 8:
        conditions |= Q(phone_key__contains=phone_digits)
    matches = Person.objects.filter(conditions)
    visible = list(
        matches.visible_to(actor).select_related("household").order_by("kana_key", "id")[:20]
    )
    hidden = matches.exclude(pk__in=[p.pk for p in visible]).count() if len(visible) < 20 else 0
    return Duplicates(visible=visible, hidden=hidden)


# Cases -------------------------------------------------------------------------------------


@transaction.atomic
def case_open(*, actor, household, persons, primary, fields=(), concerns=(), projects=(),
              multi_agency=False, main_worker=None, reason=""):  # fmt: skip
    """Open a case led by the actor's hub, stage 受付, with its first history entry."""
    membership = _membership(actor)
    if primary not in persons:
        persons = [primary, *persons]
    case = Case.objects.create(
        number=_number("case"),
        household=household,
        lead_hub=membership.hub,
        main_worker=main_worker or actor,
        multi_agency=multi_agency,
        follow_up_days=FOLLOW_UP_DAYS_BY_STAGE[Stage.INTAKE],
    )
    CasePerson.objects.bulk_create(
        [CasePerson(case=case, person=p, is_primary=p == primary) for p in dict.fromkeys(persons)]
    )
    case.fields.set(fields)
    case.concerns.set(concerns)
    case.projects.set(projects)
    StageChange.objects.create(
        case=case,
        from_stage="",
        to_stage=Stage.INTAKE,
        changed_by=actor,
        acting_hub=membership.hub,
        reason=reason or _("Case opened"),
    )
    return case


@transaction.atomic
def case_update(*, actor, case, expected_version, **fields):
    _membership(actor)
    m2m = {name: fields.pop(name) for name in ("fields", "concerns", "projects") if name in fields}
    for name, value in fields.items():
        setattr(case, name, value)
    save_versioned(case, expected_version=expected_version, fields=[*fields, "updated_at"])
    for name, values in m2m.items():
        getattr(case, name).set(values)
    return case


@transaction.atomic
def case_change_stage(*, actor, case, to_stage, reason, expected_version):
    """Move a case to another open stage (or reopen a closed one); closing needs approval."""
    membership = _membership(actor)
    if to_stage == Stage.CLOSED:
        raise ValidationError(_("A case is closed through a closure request to a manager."))
    if to_stage not in case.allowed_next_stages():
        raise ValidationError(_("The case cannot move to this stage from where it is now."))
    if not reason.strip():
        raise ValidationError(_("Please write why the stage changes."))
    from_stage = case.stage
    case.stage = to_stage
    fields = ["stage", "updated_at"]
    if case.follow_up_days == FOLLOW_UP_DAYS_BY_STAGE[from_stage]:
        # Still on the stage's default interval: follow the new stage's default.
        case.follow_up_days = FOLLOW_UP_DAYS_BY_STAGE[to_stage]
        fields.append("follow_up_days")
    if from_stage == Stage.CLOSED:
        case.closed_on = None
        case.closure_reason = None
        fields += ["closed_on", "closure_reason"]
    save_versioned(case, expected_version=expected_version, fields=fields)
    return StageChange.objects.create(
        case=case,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_by=actor,
        acting_hub=membership.hub,
        reason=reason,
    )


@transaction.atomic
def case_add_hub(*, case, hub, reason=""):
    if hub.pk == case.lead_hub_id:
        return None
    link, _created = CaseHub.objects.get_or_create(case=case, hub=hub, defaults={"reason": reason})
    return link


@transaction.atomic
def closure_request(*, actor, case, closure_reason, note):
    _membership(actor)
    if case.is_closed:
        raise ValidationError(_("The case is already closed."))
    if case.closure_requests.filter(status=ClosureRequest.Status.PENDING).exists():
        raise ValidationError(_("A closure request for this case is already awaiting approval."))
    return ClosureRequest.objects.create(
        case=case, closure_reason=closure_reason, note=note, requested_by=actor
    )


def _check_manager_of_lead_hub(actor, case):
    membership = _membership(actor)
    if membership.role != Role.MANAGER or membership.hub_id != case.lead_hub_id:
        raise PermissionDenied(_("Only a manager of the lead hub can decide on closing the case."))
    return membership


@transaction.atomic
def closure_approve(*, actor, request, comment=""):
    request = ClosureRequest.objects.select_for_update().get(pk=request.pk)
    case = request.case
    membership = _check_manager_of_lead_hub(actor, case)
    if request.status != ClosureRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    request.status = ClosureRequest.Status.APPROVED
    request.decided_by, request.decided_at, request.comment = actor, timezone.now(), comment
    request.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    from_stage = case.stage
    case.stage = Stage.CLOSED
    case.closed_on = timezone.localdate()
    case.closure_reason = request.closure_reason
    save_versioned(
        case,
        expected_version=case.version,
        fields=["stage", "closed_on", "closure_reason", "updated_at"],
    )
    StageChange.objects.create(
        case=case,
        from_stage=from_stage,
        to_stage=Stage.CLOSED,
        changed_by=actor,
        acting_hub=membership.hub,
        reason=f"{request.closure_reason}: {request.note}",
    )
    return request


@transaction.atomic
def closure_return(*, actor, request, comment):
    request = ClosureRequest.objects.select_for_update().get(pk=request.pk)
    _check_manager_of_lead_hub(actor, request.case)
    if request.status != ClosureRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if not comment.strip():
        raise ValidationError(_("Please write why the request is returned."))
    request.status = ClosureRequest.Status.RETURNED
    request.decided_by, request.decided_at, request.comment = actor, timezone.now(), comment
    request.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    return request


# Intake ------------------------------------------------------------------------------------


@transaction.atomic
def intake_record(*, actor, persons=(), household=None, concerns=(), main_concern=None,
                  fields=(), outcome=Intake.Outcome.INFO_ONLY, case=None, handed_to=None,
                  open_case=None, **data):  # fmt: skip
    """Record a consultation and carry out its outcome.

    ``open_case``: keyword arguments for case_open when the outcome is a new case.
    A corner volunteer's intake is always handed to a hub (outcome: awaiting that hub).
    """
    membership = _membership(actor, casework=False)
    if membership.role == Role.VOLUNTEER:
        if handed_to is None:
            raise ValidationError(_("Choose the hub to hand this to."))
        outcome, case, data["from_corner"] = Intake.Outcome.PENDING, None, True
    intake = Intake.objects.create(
        hub=membership.hub,
        recorded_by=actor,
        household=household,
        outcome=outcome,
        handed_to=handed_to
        if outcome in (Intake.Outcome.HANDED_OVER, Intake.Outcome.PENDING)
        else None,
        **data,
    )
    intake.persons.set(persons)
    intake.fields.set(fields)
    IntakeConcern.objects.bulk_create(
        [IntakeConcern(intake=intake, concern=c, is_main=c == main_concern) for c in concerns]
    )
    if outcome == Intake.Outcome.NEW_CASE:
        case = case_open(actor=actor, **(open_case or {}))
    if outcome in (Intake.Outcome.NEW_CASE, Intake.Outcome.LINKED):
        if case is None:
            raise ValidationError(_("Choose the case to link this intake to."))
        intake.case = case
        intake.taken_up_at, intake.taken_up_by = timezone.now(), actor
        intake.save(update_fields=["case", "taken_up_at", "taken_up_by"])
    return intake


@transaction.atomic
def intake_take_up(*, actor, intake):
    """The receiving hub acknowledges an incoming intake (受け止めました)."""
    membership = _membership(actor)
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    if intake.handed_to_id != membership.hub_id:
        raise PermissionDenied(_("This intake was handed to another hub."))
    if intake.taken_up_at is None:
        intake.taken_up_at, intake.taken_up_by = timezone.now(), actor
        intake.save(update_fields=["taken_up_at", "taken_up_by"])
    return intake


@transaction.atomic
def intake_connect(*, actor, intake, case=None, open_case=None):
    """Link an intake to a case the user sees, or open a new one from it (つながりました)."""
    intake = intake_take_up(actor=actor, intake=intake) if intake.handed_to_id else intake
    if case is None:
        case = case_open(actor=actor, **(open_case or {}))
        intake.outcome = Intake.Outcome.NEW_CASE
    else:
        intake.outcome = Intake.Outcome.LINKED
    intake.case = case
    if intake.taken_up_at is None:
        intake.taken_up_at, intake.taken_up_by = timezone.now(), actor
    intake.save(update_fields=["case", "outcome", "taken_up_at", "taken_up_by"])
    for person in case.persons.all():
        intake.persons.add(person)
    if intake.household_id is None:
        intake.household = case.household
        intake.save(update_fields=["household"])
    return intake


# Consent -----------------------------------------------------------------------------------


@transaction.atomic
def consent_record(*, actor, person, kind, hubs, obtained_on, method, note=""):
    _membership(actor)
    consent = Consent.objects.create(
        person=person, kind=kind, obtained_on=obtained_on, method=method, note=note,
        recorded_by=actor,
    )  # fmt: skip
    consent.hubs.set(hubs)
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent, withdrawn_on, note=""):
    _membership(actor)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent has already been withdrawn."))
    consent.withdrawn_on, consent.withdrawal_note = withdrawn_on, note
    consent.save(update_fields=["withdrawn_on", "withdrawal_note"])
    return consent
