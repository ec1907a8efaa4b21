"""Household (世帯) pages: members, complex-needs flags, the cases the user may see, and
only a signal for the cases they may not see."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from takatsuki_welfare.audit import Action, log_access
from takatsuki_welfare.concurrency import EditConflict

from .. import services_household
from ..forms.household import HouseholdFlagEndForm, HouseholdFlagForm, HouseholdForm
from ..models import Case, Household, HouseholdFlag, Person


def _household(request, pk):
    households = Household.objects.visible_to(request.user).select_related(
        "area", "housing", "household_type"
    )
    return get_object_or_404(households, pk=pk)


def _hidden_fields(household, visible_cases):
    """Field labels of the household's open cases the user may not see, and whether any has
    no field. Only this leaves the view: never a number, hub or content of those cases."""
    hidden = (
        Case.objects.open()
        .filter(household=household)
        .exclude(pk__in=[case.pk for case in visible_cases])
        .prefetch_related("fields")
    )
    labels, without_field = {}, False
    for case in hidden:
        fields = list(case.fields.all())
        without_field = without_field or not fields
        for field in fields:
            labels[field.pk] = (field.order, str(field))
    return [label for _order, label in sorted(labels.values())], without_field


def household_detail(request, pk):
    household = _household(request, pk)
    members = list(
        household.members.select_related("relationship").order_by(
            F("relationship__order").asc(nulls_last=True), "birth_date", "id"
        )
    )
    flags = list(
        household.flags.select_related("kind", "judged_by")
        .prefetch_related(Prefetch("persons", queryset=Person.objects.order_by("id")))
        .order_by(F("ended_on").desc(nulls_first=True), "kind__order", "id")
    )
    cases = list(
        Case.objects.visible_to(request.user)
        .filter(household=household)
        .select_related("lead_hub")
        .prefetch_related("fields")
    )
    hidden_fields, hidden_without_field = _hidden_fields(household, cases)
    log_access(request, Action.VIEW, household)
    return render(
        request,
        "cases/household_detail.html",
        {
            "household": household,
            "members": members,
            "flags": flags,
            "cases": cases,
            "hidden_fields": hidden_fields,
            "hidden_without_field": hidden_without_field,
        },
    )


@require_http_methods(["GET", "POST"])
def household_edit(request, pk):
    household = _household(request, pk)
    form = HouseholdForm(request.POST or None, instance=household)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services_household.household_update(
                actor=request.user,
                household=household,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except EditConflict:
            form.add_error(None, EditConflict.message)
            status = 409
        else:
            log_access(request, Action.UPDATE, household)
            messages.success(request, _("The household was saved."))
            return redirect("cases:household_detail", pk=household.pk)
    return render(
        request, "cases/household_edit.html", {"household": household, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
def household_flag_add(request, pk):
    household = _household(request, pk)
    form = HouseholdFlagForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            flag = services_household.household_flag_add(
                actor=request.user, household=household, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            log_access(request, Action.CREATE, flag, detail=f"household {household.number}")
            messages.success(request, _("The complex-needs flag was added."))
            return redirect("cases:household_detail", pk=household.pk)
    return render(request, "cases/household_flag_add.html", {"household": household, "form": form})


@require_http_methods(["GET", "POST"])
def household_flag_end(request, pk, flag_pk):
    """A flag is ended with a date, never deleted (GET shows the form, POST ends it)."""
    household = _household(request, pk)
    flag = get_object_or_404(
        HouseholdFlag.objects.select_related("kind", "judged_by"), pk=flag_pk, household=household
    )
    form = HouseholdFlagEndForm(request.POST or None, flag=flag)
    if request.method == "POST" and form.is_valid():
        try:
            flag = services_household.household_flag_end(
                actor=request.user, flag=flag, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            log_access(request, Action.UPDATE, flag, detail=f"household {household.number}")
            messages.success(request, _("The flag was marked as no longer applying."))
            return redirect("cases:household_detail", pk=household.pk)
    return render(
        request,
        "cases/household_flag_end.html",
        {"household": household, "flag": flag, "form": form},
    )
