"""Intake screens: staff intake, corner intake, the volunteer's list, incoming intakes and the
hub's intake list, connecting an intake to a case, and the person search used by them."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from takatsuki_welfare.audit import Action, log_access
from takatsuki_welfare.japanese import search_key
from takatsuki_welfare.models import Code, CodeList
from takatsuki_welfare.wareki import parse_birth_date

from .. import services
from ..forms.intake import ConnectForm, CornerIntakeForm, IntakeFilter, IntakeForm
from ..models import Case, Consent, Household, Intake, IntakeConcern, Person
from .common import casework_membership as _casework

SEARCH_LIMIT = 20
LIST_PAGE_SIZE = 30
RECENTLY_TAKEN_UP = datetime.timedelta(days=30)


def _volunteer(request):
    membership = request.membership
    if membership is None or not membership.is_volunteer:
        raise PermissionDenied(_("This page is for corner volunteers."))
    return membership


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _page(request, queryset, size=LIST_PAGE_SIZE):
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    return {
        "page_obj": page,
        "paginator": page.paginator,
        "is_paginated": page.has_other_pages(),
        "object_list": page.object_list,
    }


# Person search --------------------------------------------------------------------------------


def _birth_date_in(query):
    """(date, hint): the query read as a birth date, or why it cannot be one.

    Names have no digits, so a query with digits is a date being typed.
    """
    if not any(c.isdigit() for c in query):
        return None, ""
    try:
        return parse_birth_date(query), ""
    except ValueError as exc:
        return None, str(exc)


def _open_cases(user):
    """The open cases the user may see of each person's household (to link an intake)."""
    cases = Case.objects.visible_to(user).open().order_by("-opened_on", "-id")
    return Prefetch("household__cases", queryset=cases, to_attr="open_cases")


def _with_cases(queryset, user):
    """Persons with their household and its open cases the user may see."""
    return queryset.select_related("household").prefetch_related(_open_cases(user))


def person_results(request, query, *, include=None, cases=True):
    """Context for _person_search_results.html: visible persons matching the query.

    ``include``: persons to list first whatever the query (the one already chosen, or those
    named on an intake being connected). ``cases``: with their households' open cases.
    """
    user = request.user
    query = (query or "").strip()
    found, hint, more = [], "", False
    if query:
        birth_date, hint = _birth_date_in(query)
        if birth_date is not None:
            persons = Person.objects.search(birth_date=birth_date)
        elif not hint and len(search_key(query)) >= 2:
            persons = Person.objects.search(query)
        else:
            persons = None
            hint = hint or _("Type at least two characters of the name, or a date of birth.")
        if persons is not None:
            found = persons.first_visible(user, SEARCH_LIMIT + 1)
            more = len(found) > SEARCH_LIMIT
            found = found[:SEARCH_LIMIT]
            if cases:
                prefetch_related_objects(found, _open_cases(user))
            log_access(request, Action.SEARCH, detail=query)
    first = []
    if include is not None:
        first = list(_with_cases(include, user).order_by("kana_key", "id"))
    shown = {p.pk for p in first}
    results = first + [p for p in found if p.pk not in shown]
    households = set()
    for person in results:
        # A household's cases are offered once, under the first of its members listed.
        household = person.household
        person.case_choices = []
        if household is not None and household.pk not in households:
            households.add(household.pk)
            person.case_choices = getattr(household, "open_cases", [])
    return {"q": query, "persons": results, "hint": hint, "more": more}


@require_GET
def person_search(request):
    """Search-as-you-type (htmx: the results partial) and a plain search page otherwise."""
    _casework(request)
    htmx = _is_htmx(request)
    links = not htmx or bool(request.GET.get("links"))
    # Links to the persons need no cases; radio buttons in an intake form offer them.
    context = person_results(request, request.GET.get("q", ""), cases=not links)
    context["links"] = links
    template = "_person_search_results.html" if htmx else "intake_person_search.html"
    response = render(request, f"cases/{template}", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _subject_context(request, form, *, include=None):
    """Search results and choices to render inside a SubjectForm."""
    selected = form["person"].value()
    if str(selected).isdigit():
        chosen = form.fields["person"].queryset.filter(pk=selected).values("pk")
        condition = Q(pk__in=chosen)
        if include is not None:
            condition |= Q(pk__in=include.values("pk"))
        include = Person.objects.filter(condition)
    context = person_results(request, form["q"].value(), include=include)
    context["selected_person"] = str(selected or "")
    context["selected_case"] = str(form["case"].value() or "")
    return context


def _initial_from(data, form_class):
    """What the user typed, as initial values (to show it again without validating it)."""
    initial = {}
    for name, field in form_class.base_fields.items():
        if name not in data:
            continue
        multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        initial[name] = data.getlist(name) if multiple else data.get(name)
    return initial


def _pending_duplicates(request, form):
    """Possible duplicates of a new person the user has not yet ruled out (None if none)."""
    if not form.creates_person or form.cleaned_data.get("confirm_new"):
        return None
    return services.find_duplicates(actor=request.user, **form.duplicate_query()) or None


def _save_subject(actor, form):
    """The person and household concerned, creating a new person (and household) if asked."""
    if not form.identified:
        return None, None, []
    if not form.creates_person:
        return form.subject_person, form.subject_household, []
    created = []
    household = form.subject_household
    if household is None:
        household = services.household_create(actor=actor, **form.new_household_data())
        created.append(household)
    person = services.person_create(actor=actor, household=household, **form.new_person_data())
    created.append(person)
    return person, household, created


def _after_intake(intake):
    if intake.case_id is not None:
        return redirect(reverse("cases:case_detail", kwargs={"number": intake.case.number}))
    return redirect("cases:intake_detail", pk=intake.pk)


def _log_created(request, created):
    for obj in created:
        log_access(request, Action.CREATE, obj)


# Staff intake ---------------------------------------------------------------------------------


@transaction.atomic
def _record_intake(request, form):
    actor, hub = request.user, request.membership.hub
    data = form.cleaned_data
    outcome = data["outcome"]
    person, household, created = _save_subject(actor, form)
    handed_to = data["handed_to"] if outcome == Intake.Outcome.HANDED_OVER else None
    case = data["case"] if outcome == Intake.Outcome.LINKED else None
    consent = None
    if data["consent_status"] == Intake.ConsentStatus.GIVEN:
        consent = services.consent_record(
            actor=actor,
            person=person,
            kind=Consent.Kind.SHARE_WITH_AGENCIES,
            hubs=[h for h in (hub, handed_to) if h is not None],
            obtained_on=timezone.localdate(),
            method=data["consent_method"],
        )
        created.append(consent)
    open_case = None
    if outcome == Intake.Outcome.NEW_CASE:
        open_case = {
            "household": household,
            "persons": [person],
            "primary": person,
            "fields": data["fields"],
            "concerns": data["concerns"],
            "multi_agency": data["multi_agency"],
        }
    intake = services.intake_record(
        actor=actor,
        persons=[person] if person is not None else [],
        household=household or (case.household if case is not None else None),
        concerns=data["concerns"],
        main_concern=form.main_concern,
        fields=data["fields"],
        outcome=outcome,
        case=case,
        handed_to=handed_to,
        open_case=open_case,
        received_at=data["received_at"],
        channel=data["channel"],
        route=data["route"],
        consulter_name=data["consulter_name"],
        consulter_phone=data["consulter_phone"],
        consulter_relationship=data["consulter_relationship"],
        subject_description=data["subject_description"],
        urgency=data["urgency"],
        narrative=data["narrative"],
        consent_status=data["consent_status"],
        consent=consent,
    )
    if outcome == Intake.Outcome.NEW_CASE:
        created.append(intake.case)
    return intake, created


@require_http_methods(["GET", "POST"])
def intake_create(request):
    """相談受付: record a consultation, find or register the person, and decide its outcome."""
    membership = _casework(request)
    kwargs = {"user": request.user, "hub": membership.hub}
    duplicates = None
    if request.method == "POST" and "find" in request.POST:
        form = IntakeForm(initial=_initial_from(request.POST, IntakeForm), **kwargs)
    elif request.method == "POST":
        form = IntakeForm(request.POST, **kwargs)
        if form.is_valid():
            duplicates = _pending_duplicates(request, form)
            if duplicates is None:
                try:
                    intake, created = _record_intake(request, form)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    _log_created(request, created)
                    log_access(request, Action.CREATE, intake)
                    if intake.outcome == Intake.Outcome.NEW_CASE:
                        messages.success(
                            request,
                            _("The intake was recorded and case %(number)s was opened.")
                            % {"number": intake.case.number},
                        )
                    else:
                        messages.success(request, _("The intake was recorded."))
                    return _after_intake(intake)
    else:
        form = IntakeForm(**kwargs)
    context = {"form": form, "duplicates": duplicates, "hub": membership.hub}
    return render(request, "cases/intake_form.html", {**context, **_subject_context(request, form)})


# Corner volunteers ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def corner_intake_create(request):
    """A corner volunteer hands a worry heard in the neighbourhood to a hub."""
    _volunteer(request)
    form = CornerIntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        intake = services.intake_record(
            actor=request.user,
            handed_to=data["handed_to"],
            concerns=data["concerns"],
            main_concern=form.main_concern,
            route=Code.objects.of(CodeList.ROUTE).filter(code="corner").first(),
            consulter_name=data["consulter_name"],
            subject_description=data["subject_description"],
            narrative=data["narrative"],
            contact_hint=data["contact_hint"],
            consent_status=data["consent_status"],
        )
        log_access(request, Action.CREATE, intake)
        messages.success(
            request,
            _("Thank you. It was handed to %(hub)s.") % {"hub": data["handed_to"].name},
        )
        return redirect("cases:my_intakes")
    return render(request, "cases/intake_corner_form.html", {"form": form})


@require_GET
def my_intakes(request):
    """A volunteer's own hand-overs with only whether each was received and connected."""
    _volunteer(request)
    intakes = (
        Intake.objects.visible_to(request.user)
        .filter(recorded_by=request.user)
        .select_related("handed_to")
        .order_by("-received_at", "-id")
    )
    context = _page(request, intakes, size=20)
    # Only what the volunteer wrote and the status: nothing the receiving hub added.
    context["rows"] = [
        {
            "received_at": intake.received_at,
            "about": intake.subject_description,
            "handed_to": intake.handed_to.name if intake.handed_to else "",
            "status": intake.volunteer_status,
            "state": "connected"
            if intake.case_id
            else "received"
            if intake.taken_up_at
            else "waiting",
        }
        for intake in context["object_list"]
    ]
    log_access(request, Action.SEARCH, detail="my intakes")
    return render(request, "cases/intake_mine.html", context)


# Incoming intakes, take-up and connecting -----------------------------------------------------


def _for_list(queryset):
    concerns = IntakeConcern.objects.select_related("concern")
    return queryset.select_related("hub", "handed_to", "recorded_by").prefetch_related(
        "persons", Prefetch("concern_items", queryset=concerns)
    )


@require_GET
def incoming(request):
    """Intakes handed to the acting hub, waiting or taken up and not yet connected."""
    hub = _casework(request).hub
    visible = Intake.objects.visible_to(request.user)
    since = timezone.now() - RECENTLY_TAKEN_UP
    intakes = visible.incoming_for(hub) | visible.filter(
        handed_to=hub, case__isnull=True, taken_up_at__gte=since
    )
    urgency_rank = models.Case(
        models.When(urgency=Intake.Urgency.SAME_DAY, then=0),
        models.When(urgency=Intake.Urgency.NORMAL, then=1),
        default=2,
        output_field=models.IntegerField(),
    )
    intakes = _for_list(intakes.annotate(urgency_rank=urgency_rank)).order_by(
        "urgency_rank", models.F("taken_up_at").asc(nulls_first=True), "received_at", "id"
    )
    context = _page(request, intakes)
    log_access(request, Action.SEARCH, detail="incoming")
    return render(request, "cases/intake_incoming.html", context)


@require_POST
def intake_take_up(request, pk):
    """受け止めました: the receiving hub acknowledges an incoming intake."""
    hub = _casework(request).hub
    intake = get_object_or_404(Intake.objects.visible_to(request.user).filter(handed_to=hub), pk=pk)
    services.intake_take_up(actor=request.user, intake=intake)
    log_access(request, Action.UPDATE, intake)
    messages.success(request, _("The intake was taken up. Next, connect it to a case."))
    return redirect("cases:incoming")


def _connectable(user, hub):
    """Intakes the hub may connect: handed to it, or received there and not handed on."""
    return (
        Intake.objects.visible_to(user)
        .filter(case__isnull=True)
        .filter(Q(handed_to=hub) | Q(hub=hub, handed_to__isnull=True))
    )


@transaction.atomic
def _connect(request, form, intake):
    data = form.cleaned_data
    if data["action"] == ConnectForm.LINK:
        return services.intake_connect(actor=request.user, intake=intake, case=data["case"]), []
    person, household, created = _save_subject(request.user, form)
    intake = services.intake_connect(
        actor=request.user,
        intake=intake,
        open_case=form.open_case_data(household=household, person=person),
    )
    return intake, [*created, intake.case]


@require_http_methods(["GET", "POST"])
def intake_connect(request, pk):
    """つながりました: link an intake to a case the user sees, or open a new case from it."""
    hub = _casework(request).hub
    intake = get_object_or_404(
        _connectable(request.user, hub).select_related("hub", "handed_to"), pk=pk
    )
    handed_persons = intake.persons.all()
    kwargs = {"user": request.user, "intake": intake}
    duplicates = None
    if request.method == "POST" and "find" in request.POST:
        form = ConnectForm(initial=_initial_from(request.POST, ConnectForm), **kwargs)
    elif request.method == "POST":
        form = ConnectForm(request.POST, **kwargs)
        if form.is_valid():
            duplicates = _pending_duplicates(request, form)
            if duplicates is None:
                try:
                    intake, created = _connect(request, form, intake)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    _log_created(request, created)
                    log_access(request, Action.UPDATE, intake)
                    messages.success(
                        request,
                        _("The intake was connected to case %(number)s.")
                        % {"number": intake.case.number},
                    )
                    return _after_intake(intake)
    else:
        first = handed_persons.first()
        form = ConnectForm(
            initial={
                "subject": ConnectForm.EXISTING if first else ConnectForm.NEW,
                "person": first.pk if first else None,
                "concerns": [item.concern_id for item in intake.concern_items.all()],
                "fields": [code.pk for code in intake.fields.all()],
            },
            **kwargs,
        )
    context = {"form": form, "intake": intake, "duplicates": duplicates}
    context.update(_subject_context(request, form, include=handed_persons))
    return render(request, "cases/intake_connect.html", context)


# The hub's intakes ----------------------------------------------------------------------------


@require_GET
def intake_list(request):
    _casework(request)
    visible_cases = Case.objects.visible_to(request.user).filter(pk=OuterRef("case_id"))
    intakes = _for_list(
        Intake.objects.visible_to(request.user)
        .select_related("case")
        .annotate(case_visible=Exists(visible_cases))
    ).order_by("-received_at", "-id")
    intake_filter = IntakeFilter(request.GET or None, queryset=intakes)
    context = _page(request, intake_filter.qs)
    context["filter"] = intake_filter
    params = request.GET.copy()
    params.pop("page", None)
    log_access(request, Action.SEARCH, detail=params.urlencode())
    return render(request, "cases/intake_list.html", context)


@require_GET
def intake_detail(request, pk):
    hub = _casework(request).hub
    user = request.user
    concerns = IntakeConcern.objects.select_related("concern")
    intake = get_object_or_404(
        Intake.objects.visible_to(user)
        .select_related(
            "hub",
            "recorded_by",
            "channel",
            "route",
            "household",
            "consent",
            "case",
            "handed_to",
            "taken_up_by",
        )
        .prefetch_related(
            "persons", "fields", "consent__hubs", Prefetch("concern_items", queryset=concerns)
        ),
        pk=pk,
    )
    persons = list(intake.persons.all())
    visible_persons = set(
        Person.objects.visible_to(user)
        .filter(pk__in=[p.pk for p in persons])
        .values_list("pk", flat=True)
    )
    for person in persons:
        person.may_see = person.pk in visible_persons
    context = {
        "intake": intake,
        "persons": persons,
        "household_visible": intake.household_id is not None
        and Household.objects.visible_to(user).filter(pk=intake.household_id).exists(),
        "case_visible": intake.case_id is not None
        and Case.objects.visible_to(user).filter(pk=intake.case_id).exists(),
        "consent_visible": intake.consent_id is not None
        and intake.consent.person_id in visible_persons,
        "can_take_up": intake.handed_to_id == hub.pk and intake.taken_up_at is None,
        "can_connect": _connectable(user, hub).filter(pk=intake.pk).exists(),
        "can_refer": intake.case_id is None,
    }
    log_access(request, Action.VIEW, intake)
    return render(request, "cases/intake_detail.html", context)
