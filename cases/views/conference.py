"""Conference (会議) planning: the list and the month calendar, planning and editing a meeting,
its overview page with the agenda (and the consent gate as cases are added), attendees, and
cancelling.

Conferences, agenda items and cases are loaded through ``visible_to``: a 支援会議 stays with
the hubs invited to it (and the convening hub's manager). services_conference decides who may
plan; these views translate its refusals into messages and form errors.
"""

import calendar
import datetime
import re
import unicodedata

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_filters.views import FilterView

from takatsuki_welfare.audit import Action, log_access
from takatsuki_welfare.concurrency import EditConflict
from takatsuki_welfare.japanese import search_key

from .. import services_conference
from ..filters import CaseFilter, ConferenceFilter
from ..forms.conference import AgendaAddForm, AttendeeForm, CancelForm, ConferenceForm
from ..models import AgendaItem, Case, CasePerson, Conference, MeetingType
from .case import CappedPaginator
from .common import casework_membership as _casework

Status = Conference.Status
SEARCH_LIMIT = 20
MONTH = re.compile(r"(\d{4})-(\d{1,2})")
STATUS_BADGES = {
    Status.PLANNED: "info",
    Status.HELD: "warning",
    Status.DRAFTING: "warning",
    Status.SUBMITTED: "warning",
    Status.APPROVED: "success",
    Status.CANCELLED: "muted",
}


def visible_conference(request, pk):
    """A conference the acting user sees (the access policy), else 404."""
    _casework(request)
    conferences = Conference.objects.visible_to(request.user).select_related(
        "meeting_type", "convening_hub", "chair"
    )
    return get_object_or_404(conferences, pk=pk)


def _item(request, pk):
    """An agenda item of a conference the user sees (whoever sees a case sees its items at a
    consent meeting, but changing an agenda is for those who see the meeting)."""
    _casework(request)
    items = (
        AgendaItem.objects.visible_to(request.user)
        .filter(conference__in=Conference.objects.visible_to(request.user))
        .select_related("conference__meeting_type", "conference__convening_hub", "case")
    )
    return get_object_or_404(items, pk=pk)


def _is_convener(membership):
    return membership.role in services_conference.CONVENING_ROLES


def _may_plan(membership, conference):
    """Coordinators and managers of the convening hub change a meeting until it is held."""
    return (
        conference.plan_editable
        and _is_convener(membership)
        and membership.hub_id == conference.convening_hub_id
    )


def _refuse_planning(request, conference):
    if conference.plan_editable:
        messages.error(
            request, _("Only coordinators and managers of the convening hub change this meeting.")
        )
    else:
        messages.error(request, _("This meeting is no longer planned: its plan does not change."))
    return _to_detail(conference)


def _to_detail(conference):
    return redirect("cases:conference_detail", pk=conference.pk)


def _error_text(exc):
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _local_start(conferences):
    """Each conference's start in local time, for the 和暦 date filters."""
    for conference in conferences:
        conference.local_start = timezone.localtime(conference.starts_at)
        conference.badge = STATUS_BADGES.get(conference.status, "muted")
    return conferences


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


# List and calendar -------------------------------------------------------------------------


class ConferenceListView(FilterView):
    filterset_class = ConferenceFilter
    template_name = "cases/conference_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator

    def get_queryset(self):
        return (
            Conference.objects.visible_to(self.request.user)
            .select_related("meeting_type", "convening_hub")
            .annotate(agenda_count=Count("agenda_items"))
        )

    def paginate_queryset(self, queryset, page_size):
        """A page number out of range or unreadable shows the nearest page, not a 404."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get(self, request, *args, **kwargs):
        _casework(request)
        response = super().get(request, *args, **kwargs)
        log_access(request, Action.SEARCH, detail=f"conferences {request.GET.urlencode()}")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _local_start(context["object_list"])
        current = self.filterset.form.data.get("show")
        tabs = []
        for value, label in ConferenceFilter.TABS:
            params = self.request.GET.copy()
            params.pop("page", None)
            params["show"] = value
            tabs.append(
                {"url": f"?{params.urlencode()}", "label": label, "current": value == current}
            )
        context["tabs"] = tabs
        context["may_convene"] = _is_convener(self.request.membership)
        return context


conference_list = ConferenceListView.as_view()


def _month(value):
    """The first day of the month asked for (YYYY-MM); anything else is this month."""
    match = MONTH.fullmatch(value or "")
    if match:
        year, month = (int(part) for part in match.groups())
        if 1900 <= year <= 2999 and 1 <= month <= 12:
            return datetime.date(year, month, 1)
    return timezone.localdate().replace(day=1)


def _midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@require_GET
def conference_calendar(request):
    """A month on a Japanese calendar grid (日〜土) with the meetings the user may see."""
    _casework(request)
    first = _month(request.GET.get("month"))
    weeks = calendar.Calendar(firstweekday=calendar.SUNDAY).monthdatescalendar(
        first.year, first.month
    )
    start, end = weeks[0][0], weeks[-1][-1] + datetime.timedelta(days=1)
    conferences = _local_start(
        Conference.objects.visible_to(request.user)
        .filter(starts_at__gte=_midnight(start), starts_at__lt=_midnight(end))
        .select_related("meeting_type")
        .order_by("starts_at", "id")
    )
    by_day = {}
    for conference in conferences:
        by_day.setdefault(conference.local_start.date(), []).append(conference)
    today = timezone.localdate()
    grid = [
        [
            {
                "date": day,
                "in_month": day.month == first.month,
                "is_today": day == today,
                "conferences": by_day.get(day, []),
            }
            for day in week
        ]
        for week in weeks
    ]
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=31)).replace(day=1)
    log_access(request, Action.SEARCH, detail=f"conference calendar {first:%Y-%m}")
    return render(
        request,
        "cases/conference_calendar.html",
        {
            "month": first,
            "weeks": grid,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "this_month": f"{today:%Y-%m}",
            "may_convene": _is_convener(request.membership),
        },
    )


# Plan and edit -----------------------------------------------------------------------------


def _form_context(form):
    """The meeting types' default hubs, for the script that ticks them when a type is chosen."""
    types = MeetingType.objects.filter(
        pk__in=form.fields["meeting_type"].queryset.values("pk")
    ).prefetch_related("default_hubs")
    return {
        "form": form,
        "default_hubs": {str(t.pk): [h.pk for h in t.default_hubs.all()] for t in types},
    }


@require_http_methods(["GET", "POST"])
def conference_create(request):
    membership = _casework(request)
    if not _is_convener(membership):
        messages.error(request, _("Only coordinators and managers plan meetings."))
        return redirect("cases:conference_list")
    initial = {}
    chosen = MeetingType.objects.filter(active=True, code=request.GET.get("type", "")).first()
    if chosen is not None:
        initial = {"meeting_type": chosen.pk, "hubs": list(chosen.default_hubs.all())}
    form = ConferenceForm(
        request.POST if request.method == "POST" else None,
        convening_hub=membership.hub,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            conference = services_conference.conference_plan(
                actor=request.user, **form.service_fields()
            )
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            log_access(request, Action.CREATE, conference, detail="conference planned")
            messages.success(request, _("The meeting was planned. Add the cases to discuss."))
            return _to_detail(conference)
    return render(
        request, "cases/conference_form.html", {"conference": None, **_form_context(form)}
    )


@require_http_methods(["GET", "POST"])
def conference_edit(request, pk):
    conference = visible_conference(request, pk)
    if not _may_plan(request.membership, conference):
        return _refuse_planning(request, conference)
    status = 200
    if request.method == "POST":
        form = ConferenceForm(
            request.POST, convening_hub=conference.convening_hub, conference=conference
        )
        if form.is_valid():
            try:
                services_conference.conference_update(
                    actor=request.user,
                    conference=conference,
                    expected_version=form.cleaned_data["version"],
                    **form.service_fields(),
                )
            except EditConflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, _error_text(exc))
            else:
                log_access(request, Action.UPDATE, conference, detail="conference edited")
                messages.success(request, _("The meeting was saved."))
                return _to_detail(conference)
    else:
        form = ConferenceForm(
            convening_hub=conference.convening_hub,
            conference=conference,
            initial=ConferenceForm.initial_for(conference),
        )
    return render(
        request,
        "cases/conference_form.html",
        {"conference": conference, **_form_context(form)},
        status=status,
    )


# Overview ----------------------------------------------------------------------------------


def _primary_persons(lookup="case_persons"):
    """The primary person of each case (Case.primary_person reads ``primary_links``)."""
    return Prefetch(
        lookup,
        queryset=CasePerson.objects.filter(is_primary=True).select_related("person"),
        to_attr="primary_links",
    )


def _consent_checks(conference, cases):
    """The consent gate as agenda_add runs it, for each case, against the attending hubs.

    Empty unless the meeting needs consent (a 重層的支援会議)."""
    if not conference.meeting_type.needs_consent or not cases:
        return {}
    hubs = list(services_conference.attending_hubs(conference))
    on_date = timezone.localdate(conference.starts_at)
    return services_conference.consent_checks(cases=cases, hubs=hubs, on_date=on_date)


def _render_detail(request, conference, *, agenda_form=None, attendee_form=None,
                   offer_support_meeting=False, status=200):  # fmt: skip
    user = request.user
    log_access(request, Action.VIEW, conference)
    items = list(
        AgendaItem.objects.visible_to(user)
        .filter(conference=conference)
        .select_related("case__lead_hub")
        .prefetch_related(_primary_persons("case__case_persons"))
        .order_by("order", "id")
    )
    visible_cases = set(
        Case.objects.visible_to(user)
        .filter(pk__in=[item.case_id for item in items])
        .values_list("pk", flat=True)
    )
    checks = _consent_checks(conference, [item.case for item in items])
    for item in items:
        item.case_visible = item.case_id in visible_cases
        item.consent = checks.get(item.case_id)
    may_plan = _may_plan(request.membership, conference)
    context = {
        "conference": conference,
        "local_start": timezone.localtime(conference.starts_at),
        "badge": STATUS_BADGES.get(conference.status, "muted"),
        "hub_links": conference.hub_links.select_related("hub").order_by("hub__order", "id"),
        "attendees": conference.attendees.select_related("user", "hub"),
        "items": items,
        "first_item": items[0] if items else None,
        "may_plan": may_plan,
        "at_convening_hub": request.membership.hub_id == conference.convening_hub_id,
        "offer_support_meeting": offer_support_meeting,
    }
    if may_plan:
        context["agenda_form"] = agenda_form or AgendaAddForm()
        context["attendee_form"] = attendee_form or AttendeeForm(conference=conference)
    return render(request, "cases/conference_detail.html", context, status=status)


@require_GET
def conference_detail(request, pk):
    return _render_detail(request, visible_conference(request, pk))


# Planning tools ----------------------------------------------------------------------------


@require_GET
def conference_case_search(request, pk):
    """Visible open cases by number or name; each with its consent status at a consent meeting.

    htmx gets the results partial; without JS it is a page of its own."""
    conference = visible_conference(request, pk)
    query = unicodedata.normalize("NFKC", request.GET.get("q", "")).strip()
    results, hint, more = [], "", False
    if query and len(search_key(query)) < 2 and not query.isdigit():
        hint = _("Type at least two characters of the name, or part of the case number.")
    elif query:
        cases = CaseFilter(
            {"q": query},
            queryset=Case.objects.visible_to(request.user).open(),
            request=request,
        ).qs
        results = list(
            cases.select_related("lead_hub")
            .prefetch_related(_primary_persons())
            .order_by("-opened_on", "-id")[: SEARCH_LIMIT + 1]
        )
        more = len(results) > SEARCH_LIMIT
        results = results[:SEARCH_LIMIT]
        on_agenda = set(
            conference.agenda_items.filter(case__in=results).values_list("case_id", flat=True)
        )
        checks = _consent_checks(conference, results)
        for case in results:
            case.on_agenda = case.pk in on_agenda
            case.consent = checks.get(case.pk)
        log_access(request, Action.SEARCH, detail=f"conference {conference.pk} cases: {query}")
    context = {
        "conference": conference,
        "q": query,
        "results": results,
        "hint": hint,
        "more": more,
        "may_plan": _may_plan(request.membership, conference),
    }
    template = (
        "cases/conference_case_results.html"
        if _is_htmx(request)
        else "cases/conference_case_search.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def conference_agenda_add(request, pk):
    conference = visible_conference(request, pk)
    if not _may_plan(request.membership, conference):
        return _refuse_planning(request, conference)
    form = AgendaAddForm(request.POST)
    offer_support_meeting = False
    if form.is_valid():
        case = (
            Case.objects.visible_to(request.user)
            .open()
            .filter(number=form.cleaned_data["case"])
            .prefetch_related(_primary_persons())
            .first()
        )
        if case is None:
            form.add_error("case", _("No open case you can see has this number."))
        else:
            try:
                services_conference.agenda_add(
                    actor=request.user,
                    conference=conference,
                    case=case,
                    planned_minutes=form.cleaned_data["planned_minutes"],
                )
            except PermissionDenied as exc:
                messages.error(request, _error_text(exc))
                return _to_detail(conference)
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
                # Refused by the consent gate: a 支援会議 may discuss the case without consent.
                check = _consent_checks(conference, [case]).get(case.pk)
                offer_support_meeting = check is not None and not check.ok
            else:
                log_access(request, Action.UPDATE, conference, detail=f"agenda + {case.number}")
                messages.success(
                    request, _("%(number)s was added to the agenda.") % {"number": case.number}
                )
                return _to_detail(conference)
    return _render_detail(
        request, conference, agenda_form=form, offer_support_meeting=offer_support_meeting
    )


def _agenda_change(request, pk, change):
    item = _item(request, pk)
    conference = item.conference
    if not _may_plan(request.membership, conference):
        return _refuse_planning(request, conference)
    try:
        change(item)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        log_access(request, Action.UPDATE, conference, detail=f"agenda {item.case.number}")
    return _to_detail(conference)


@require_POST
def conference_agenda_remove(request, pk):
    def remove(item):
        services_conference.agenda_remove(actor=request.user, item=item)
        messages.success(
            request, _("%(number)s was taken off the agenda.") % {"number": item.case.number}
        )

    return _agenda_change(request, pk, remove)


@require_POST
def conference_agenda_move(request, pk):
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction"))

    def move(item):
        if offset is None:
            raise ValidationError(_("Choose up or down."))
        services_conference.agenda_move(actor=request.user, item=item, offset=offset)

    return _agenda_change(request, pk, move)


@require_POST
def conference_attendee_add(request, pk):
    conference = visible_conference(request, pk)
    if not _may_plan(request.membership, conference):
        return _refuse_planning(request, conference)
    form = AttendeeForm(request.POST, conference=conference)
    if form.is_valid():
        data = form.cleaned_data
        member = data["member"]
        try:
            attendee = services_conference.attendee_add(
                actor=request.user,
                conference=conference,
                user=member.user if member else None,
                hub=member.hub if member else None,
                name="" if member else data["name"],
                affiliation=data["affiliation"],
            )
        except PermissionDenied as exc:
            messages.error(request, _error_text(exc))
            return _to_detail(conference)
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            log_access(request, Action.UPDATE, conference, detail=f"attendee + {attendee}")
            messages.success(request, _("%(name)s was added.") % {"name": attendee})
            return _to_detail(conference)
    return _render_detail(request, conference, attendee_form=form)


@require_http_methods(["GET", "POST"])
def conference_cancel(request, pk):
    conference = visible_conference(request, pk)
    if not _may_plan(request.membership, conference):
        return _refuse_planning(request, conference)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_conference.conference_cancel(
                actor=request.user, conference=conference, reason=form.cleaned_data["reason"]
            )
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            log_access(request, Action.UPDATE, conference, detail="conference cancelled")
            messages.success(request, _("The meeting was cancelled."))
            return _to_detail(conference)
    return render(
        request,
        "cases/conference_cancel.html",
        {
            "conference": conference,
            "local_start": timezone.localtime(conference.starts_at),
            "form": form,
        },
    )
