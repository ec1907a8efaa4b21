"""Person pages: the person, their cases and consents; sensitive details on their own page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hubs.models import Hub
from takatsuki_welfare.audit import Action, log_access
from takatsuki_welfare.concurrency import EditConflict

from .. import services, services_household
from ..forms.person import ConsentForm, ConsentWithdrawForm, PersonDetailsForm, PersonForm
from ..models import Case, Consent, Person, PersonDetails

SENSITIVE = "sensitive details"


def _person(request, pk):
    persons = Person.objects.visible_to(request.user).select_related("household", "relationship")
    return get_object_or_404(persons, pk=pk)


def _details_of(person):
    """The stored sensitive details, or an empty unsaved record (version 1) if none yet."""
    return PersonDetails.objects.filter(person=person).first() or PersonDetails(person=person)


def person_detail(request, pk):
    person = _person(request, pk)
    cases = list(
        Case.objects.visible_to(request.user)
        .filter(case_persons__person=person)
        .select_related("lead_hub", "household")
        .prefetch_related("fields")
    )
    consents = list(
        person.consents.select_related("recorded_by").prefetch_related(
            Prefetch("hubs", queryset=Hub.objects.order_by("order", "kana", "id"))
        )
    )
    log_access(request, Action.VIEW, person)
    return render(
        request,
        "cases/person_detail.html",
        {"person": person, "cases": cases, "consents": consents},
    )


@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = _person(request, pk)
    form = PersonForm(request.POST or None, instance=person)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user,
                person=person,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except EditConflict:
            form.add_error(None, EditConflict.message)
            status = 409
        else:
            log_access(request, Action.UPDATE, person)
            messages.success(request, _("The person's record was saved."))
            return redirect("cases:person_detail", pk=person.pk)
    return render(
        request, "cases/person_edit.html", {"person": person, "form": form}, status=status
    )


def person_details(request, pk):
    """要配慮個人情報 are loaded only when the user opens them, and the opening is logged."""
    person = _person(request, pk)
    details = _details_of(person)
    log_access(request, Action.VIEW, person, detail=SENSITIVE)
    return render(request, "cases/person_details.html", {"person": person, "details": details})


@require_http_methods(["GET", "POST"])
def person_details_edit(request, pk):
    person = _person(request, pk)
    details = _details_of(person)
    form = PersonDetailsForm(request.POST or None, instance=details)
    status = 200
    if request.method == "GET":
        log_access(request, Action.VIEW, person, detail=SENSITIVE)
    elif form.is_valid():
        try:
            services_household.person_details_update(
                actor=request.user,
                person=person,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except EditConflict:
            form.add_error(None, EditConflict.message)
            status = 409
        else:
            log_access(request, Action.UPDATE, person, detail=SENSITIVE)
            messages.success(request, _("The sensitive details were saved."))
            return redirect("cases:person_details", pk=person.pk)
    return render(
        request,
        "cases/person_details_edit.html",
        {"person": person, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def consent_add(request, pk):
    person = _person(request, pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        consent = services.consent_record(actor=request.user, person=person, **form.cleaned_data)
        log_access(request, Action.CREATE, consent, detail=f"person #{person.pk}")
        messages.success(request, _("The consent was recorded."))
        return redirect("cases:person_detail", pk=person.pk)
    return render(request, "cases/consent_add.html", {"person": person, "form": form})


@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk):
    """Consent is withdrawn with a date and kept, never deleted."""
    consents = Consent.objects.visible_to(request.user).select_related("person", "recorded_by")
    consent = get_object_or_404(consents, pk=pk)
    form = ConsentWithdrawForm(request.POST or None, consent=consent)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.user,
                consent=consent,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            log_access(request, Action.UPDATE, consent, detail=f"person #{consent.person_id}")
            messages.success(request, _("The withdrawal of consent was recorded."))
            return redirect("cases:person_detail", pk=consent.person_id)
    return render(
        request,
        "cases/consent_withdraw.html",
        {"person": consent.person, "consent": consent, "form": form},
    )
