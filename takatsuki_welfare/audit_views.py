"""The access log for managers: their hub's entries only, newest first, read-only."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from hubs.models import Role

from .audit import Action, log_access
from .audit_filters import AccessLogFilter, record_type_choices
from .models import AccessLog

PAGE_SIZE = 50
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


def _cursor(entry):
    return f"{(entry.at - _EPOCH) // _MICROSECOND}-{entry.pk}"


def _parse_cursor(text):
    """``<microseconds since epoch>-<id>`` of the last entry shown, or None if malformed."""
    try:
        micros, pk = (int(part) for part in text.split("-"))
    except (AttributeError, ValueError):
        return None
    return _EPOCH + micros * _MICROSECOND, pk


def access_log(request):
    """Keyset pagination on (at, id): the log grows fast, so no counting and no offsets."""
    membership = request.membership
    if membership is None or not membership.is_manager:
        raise PermissionDenied(_("Only a hub's manager may review its access log."))
    entries = AccessLog.objects.filter(hub=membership.hub)
    params = request.GET.copy()
    cursor = _parse_cursor(params.pop("before", [""])[0])
    filterset = AccessLogFilter(params or None, queryset=entries, hub=membership.hub)
    entries = filterset.qs.select_related("user").order_by("-at", "-id")
    if cursor is not None:
        at, pk = cursor
        entries = entries.filter(Q(at__lt=at) | Q(at=at, id__lt=pk))
    page = list(entries[: PAGE_SIZE + 1])
    older = _cursor(page[PAGE_SIZE - 1]) if len(page) > PAGE_SIZE else None
    page = page[:PAGE_SIZE]
    roles, types = dict(Role.choices), dict(record_type_choices())
    for entry in page:
        entry.role_label = roles.get(entry.role, entry.role)
        entry.type_label = types.get(entry.object_type, entry.object_type)
    log_access(request, Action.SEARCH, detail=params.urlencode() or "access log")
    return render(
        request,
        "audit/access_log.html",
        {
            "filter": filterset,
            "entries": page,
            "older": older,
            "filter_query": params.urlencode(),
            "is_first_page": cursor is None,
        },
    )
