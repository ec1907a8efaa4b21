"""Writes on households, their complex-needs flags and a person's sensitive details.

Keyword-only, in a transaction, with the acting user (``actor``), as in services.py. Views load
the objects through ``visible_to`` first; these functions check the rules that hold anyway.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from takatsuki_welfare.concurrency import save_versioned

from .models import HouseholdFlag, PersonDetails
from .services import _membership


@transaction.atomic
def household_update(*, actor, household, expected_version, **fields):
    _membership(actor)
    for name, value in fields.items():
        setattr(household, name, value)
    household.updated_at = timezone.now()
    save_versioned(household, expected_version=expected_version, fields=[*fields, "updated_at"])
    return household


@transaction.atomic
def household_flag_add(*, actor, household, kind, persons=(), judged_on, basis):
    """Flag a complex need (8050, ダブルケア …); the actor is recorded as the one who judged."""
    _membership(actor)
    if judged_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if not basis.strip():
        raise ValidationError(_("Please write the basis for this judgement."))
    if any(person.household_id != household.pk for person in persons):
        raise ValidationError(_("Only members of this household can be named in its flags."))
    flag = HouseholdFlag.objects.create(
        household=household, kind=kind, judged_on=judged_on, judged_by=actor, basis=basis
    )
    flag.persons.set(persons)
    return flag


@transaction.atomic
def household_flag_end(*, actor, flag, ended_on):
    """A flag that no longer applies keeps its history: it gets an end date, never deleted."""
    _membership(actor)
    flag = HouseholdFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.ended_on is not None:
        raise ValidationError(_("This flag has already ended."))
    if ended_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if ended_on < flag.judged_on:
        raise ValidationError(_("The end date cannot be before the date of the judgement."))
    flag.ended_on = ended_on
    flag.save(update_fields=["ended_on"])
    return flag


@transaction.atomic
def person_details_update(*, actor, person, expected_version, **fields):
    """Update the sensitive details (created empty on first use for persons without them)."""
    _membership(actor)
    details, _created = PersonDetails.objects.get_or_create(person=person)
    for name, value in fields.items():
        setattr(details, name, value)
    details.updated_at = timezone.now()
    save_versioned(details, expected_version=expected_version, fields=[*fields, "updated_at"])
    return details
