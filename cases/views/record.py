"""Accompaniment records (支援経過記録): the full form on a case, the record with its edit
history, edit, 取消, the tablet quick entry, and the case timeline (経過一覧)."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hubs.models import Hub
from takatsuki_welfare.access import CaseScope
from takatsuki_welfare.audit import Action, log_access
from takatsuki_welfare.concurrency import EditConflict

from .. import services_support
from ..forms.record import CancelForm, QuickRecordForm, RecordForm, TimelineFilterForm
from ..models import (
    AccompanimentRecord,
    Case,
    CaseHub,
    CasePerson,
    Person,
    RecordRevision,
)
from ..timeline import PAGE_SIZE, TYPE_NAMES, TYPES, Cursor, timeline_page
from .common import casework_membership as _casework

QUICK_CASE_LIMIT = 60
PRINT_PAGE_SIZE = 500
DRAFT_SAVED = "record_draft_saved"  # session: the draft key to clear on the next page


def _visible_case(request, number, queryset=None):
    queryset = Case.objects.all() if queryset is None else queryset
    return get_object_or_404(queryset.visible_to(request.user), number=number)


def _visible_record(request, pk, queryset=None):
    queryset = AccompanimentRecord.objects.all() if queryset is None else queryset
    return get_object_or_404(queryset.visible_to(request.user), pk=pk)


def _may_change(membership, record):
    """The hub that wrote a record, and the case's lead hub, may correct or cancel it."""
    return membership.hub_id in (record.acting_hub_id, record.case.lead_hub_id)


def _require_may_change(membership, record):
    if not _may_change(membership, record):
        raise PermissionDenied(
            _("Only the hub that wrote this record, or the lead hub, can change it.")
        )


# Drafts kept in the browser (static/js/draft.js) ---------------------------------------------


def _draft_key(request, *parts):
    return ":".join(["tsunagu-draft", str(request.user.pk), *parts])


def _draft_saved(request, key):
    """Tell the next page to clear the browser's copy of the form: it is saved now."""
    request.session[DRAFT_SAVED] = key


def _draft_to_clear(request):
    return request.session.pop(DRAFT_SAVED, None)


# Full form on a case -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def record_create(request, number):
    _casework(request)
    case = _visible_case(request, number, Case.objects.select_related("household", "lead_hub"))
    draft_key = _draft_key(request, "record", case.number)
    data = request.POST if request.method == "POST" else None
    form = RecordForm(data, case=case, user=request.user)
    if form.is_bound and form.is_valid():
        try:
            record = services_support.record_create(
                actor=request.user, case=case, **form.service_fields()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            log_access(request, Action.CREATE, record, detail=f"case {case.number}")
            messages.success(request, _("The record was saved."))
            _draft_saved(request, draft_key)
            return redirect("cases:case_timeline", number=case.number)
    return render(
        request,
        "cases/record_form.html",
        {"case": case, "form": form, "record": None, "draft_key": draft_key},
    )


# Detail, edit, 取消 ---------------------------------------------------------------------------

SNAPSHOT_FIELDS = [*services_support.RECORD_FIELDS, "met_persons"]


def _display(name, value):
    """A value of a revision snapshot (JSON) as the page shows it."""
    if value in (None, "", []):
        return ""
    if name == "occurred_at":
        return timezone.localtime(datetime.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    if name == "state":
        return AccompanimentRecord.State(value).label
    if name == "sensitive":
        return _("Yes") if value else _("No")
    if name == "met_persons":
        return "、".join(value)
    return value


def _history(record, revisions):
    """Each revision with every field as it was before the edit, and which fields it changed."""
    model = AccompanimentRecord._meta
    after = services_support._snapshot(record)
    history = []
    for revision in revisions:  # newest first
        before = revision.before
        rows = [
            {
                "name": name,
                "label": model.get_field(name).verbose_name,
                "value": _display(name, before.get(name)),
                "changed": before.get(name) != after.get(name),
            }
            for name in SNAPSHOT_FIELDS
        ]
        history.append({"revision": revision, "rows": rows})
        after = before
    return history


def _detail_queryset():
    return AccompanimentRecord.objects.select_related(
        "case__household", "case__lead_hub", "contact_type", "author", "acting_hub", "cancelled_by"
    ).prefetch_related(
        Prefetch(
            "met_persons",
            queryset=Person.objects.select_related("relationship").order_by("birth_date", "id"),
        ),
        Prefetch("revisions", queryset=RecordRevision.objects.select_related("edited_by")),
    )


@require_GET
def record_detail(request, pk):
    membership = _casework(request)
    record = _visible_record(request, pk, _detail_queryset())
    log_access(request, Action.VIEW, record, detail=f"case {record.case.number}")
    return render(
        request,
        "cases/record_detail.html",
        {
            "record": record,
            "case": record.case,
            "history": _history(record, record.revisions.all()),
            "may_change": _may_change(membership, record) and not record.is_cancelled,
            "draft_clear": _draft_to_clear(request),
        },
    )


@require_http_methods(["GET", "POST"])
def record_edit(request, pk):
    membership = _casework(request)
    record = _visible_record(
        request, pk, AccompanimentRecord.objects.select_related("case__household", "case__lead_hub")
    )
    _require_may_change(membership, record)
    if record.is_cancelled:
        messages.info(request, _("A cancelled record cannot be edited."))
        return redirect("cases:record_detail", pk=record.pk)
    case = record.case
    draft_key = _draft_key(request, "record-edit", str(record.pk))
    status = 200
    data = request.POST if request.method == "POST" else None
    form = RecordForm(data, instance=record, case=case, user=request.user)
    if form.is_bound and form.is_valid():
        try:
            services_support.record_update(
                actor=request.user,
                record=record,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except EditConflict as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            log_access(request, Action.UPDATE, record, detail="record edited")
            messages.success(request, _("The record was saved. What it said before is kept."))
            _draft_saved(request, draft_key)
            return redirect("cases:record_detail", pk=record.pk)
    return render(
        request,
        "cases/record_form.html",
        {"case": case, "form": form, "record": record, "draft_key": draft_key},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def record_cancel(request, pk):
    membership = _casework(request)
    record = _visible_record(
        request,
        pk,
        AccompanimentRecord.objects.select_related(
            "case__lead_hub", "contact_type", "author", "acting_hub"
        ),
    )
    _require_may_change(membership, record)
    if record.is_cancelled:
        messages.info(request, _("This record is already cancelled."))
        return redirect("cases:record_detail", pk=record.pk)
    status = 200
    if request.method == "POST":
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                services_support.record_cancel(
                    actor=request.user,
                    record=record,
                    reason=form.cleaned_data["cancel_reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except EditConflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                log_access(request, Action.UPDATE, record, detail="record cancelled (取消)")
                messages.success(request, _("The record was cancelled. It stays, struck through."))
                return redirect("cases:record_detail", pk=record.pk)
    else:
        form = CancelForm(initial={"version": record.version})
    return render(
        request,
        "cases/record_cancel.html",
        {"record": record, "case": record.case, "form": form},
        status=status,
    )


# Quick entry on a tablet ---------------------------------------------------------------------


def _quick_cards(request, membership, preselect=None):
    """My open cases, and the acting hub's cases past their follow-up interval (連絡途絶)."""
    condition = Q(main_worker=request.user) | Q(
        lead_hub_id=membership.hub_id, contact_due_on__lt=timezone.localdate()
    )
    if preselect:
        condition |= Q(number=preselect)
    cards = list(
        Case.objects.visible_to(request.user)
        .open()
        .filter(condition)
        .select_related("household")
        .prefetch_related(
            Prefetch(
                "case_persons",
                queryset=CasePerson.objects.filter(is_primary=True).select_related("person"),
                to_attr="primary_links",
            )
        )
        .order_by(F("contact_due_on").asc(nulls_last=True), "number")[: QUICK_CASE_LIMIT + 1]
    )
    return cards[:QUICK_CASE_LIMIT], len(cards) > QUICK_CASE_LIMIT


@require_http_methods(["GET", "POST"])
def record_quick(request):
    membership = _casework(request)
    preselect = request.GET.get("case", "").strip()[:20]
    draft_key = _draft_key(request, "quick")
    cases = Case.objects.visible_to(request.user).open()
    if request.method == "POST":
        form = QuickRecordForm(request.POST, cases=cases)
        if form.is_valid():
            data = form.cleaned_data
            case = data["case"]
            try:
                record = services_support.record_create(
                    actor=request.user,
                    case=case,
                    occurred_at=data["occurred_at"],
                    contact_type=data["contact_type"],
                    content=data["content"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                log_access(request, Action.CREATE, record, detail=f"quick entry, case {case}")
                messages.success(
                    request, _("Saved the record for case %(number)s.") % {"number": case.number}
                )
                _draft_saved(request, draft_key)
                return redirect("cases:record_quick")
    else:
        initial = {"case": preselect} if preselect else {}
        form = QuickRecordForm(initial=initial, cases=cases)
    cards, more = _quick_cards(request, membership, preselect)
    log_access(request, Action.SEARCH, detail="quick entry: my cases")
    return render(
        request,
        "cases/record_quick.html",
        {
            "form": form,
            "cards": cards,
            "more_cases": more,
            "selected": str(form["case"].value() or ""),
            "draft_key": draft_key,
            "draft_clear": _draft_to_clear(request),
        },
    )


# Timeline (経過一覧) --------------------------------------------------------------------------


def _timeline_hubs(scope):
    """Hubs that took part in the case (for the hub filter), in one query."""
    case = scope.case
    referrals = scope.referrals()
    records = scope.records()
    intakes = scope.intakes()
    attempts = scope.outreach()
    return Hub.objects.filter(
        Q(pk=case.lead_hub_id)
        | Q(pk__in=CaseHub.objects.filter(case=case).values("hub_id"))
        | Q(pk__in=records.values("acting_hub_id"))
        | Q(pk__in=intakes.values("hub_id"))
        | Q(pk__in=referrals.values("from_hub_id"))
        | Q(pk__in=referrals.values("to_hub_id"))
        | Q(pk__in=attempts.values("acting_hub_id"))
    ).order_by("kana", "id")


def _query(params, **changes):
    params = params.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value is not None:
            params[name] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@require_GET
def case_timeline(request, number):
    _casework(request)
    case = _visible_case(request, number, Case.objects.select_related("lead_hub", "household"))
    printing = request.GET.get("print") == "1"
    data = request.GET.copy()
    if not data.getlist("type"):
        data.setlist("type", TYPE_NAMES)  # everything, shown as all boxes ticked
    scope = CaseScope.of(request.user, case)
    form = TimelineFilterForm(data, types=TYPES, hubs=_timeline_hubs(scope))
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    types = filters.get("type") or TYPE_NAMES
    hub = filters.get("hub")
    page = timeline_page(
        scope,
        types=types,
        hub=hub,
        cursor=Cursor.decode(request.GET.get("before")),
        page_size=PRINT_PAGE_SIZE if printing else PAGE_SIZE,
    )
    log_access(
        request, Action.SEARCH, detail=f"timeline {case.number} {request.GET.urlencode()}".strip()
    )
    context = {
        "case": case,
        "form": form,
        "entries": page.entries,
        "older_url": _query(request.GET, before=page.older.encode()) if page.older else None,
        "newest_url": _query(request.GET, before=None) if "before" in request.GET else None,
        "print_url": _query(request.GET, before=None, print="1"),
        "screen_url": _query(request.GET, before=None, print=None),
        "hub_filter": hub,
        "printing": printing,
        "printed_on": timezone.localdate(),
        "draft_clear": _draft_to_clear(request),
    }
    template = "cases/timeline_print.html" if printing else "cases/timeline.html"
    return render(request, template, context)
