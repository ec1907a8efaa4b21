"""The acting hub's task lists: outreach attempts due, plan actions, plans due for review, and
the tasks meetings gave the hub.

The dashboard's tiles link here; both read the same querysets (takatsuki_welfare.dashboard).
"""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from takatsuki_welfare import dashboard
from takatsuki_welfare.audit import Action, log_access

from .case import CappedPaginator
from .common import casework_membership

PAGE_SIZE = 50


def _casework_hub(request):
    """Corner volunteers (and users acting nowhere) have no task lists."""
    return casework_membership(request).hub


def _show(request, choices):
    """Which view of the list: the first choice unless another known one is asked for."""
    value = request.GET.get("show")
    return value if value in choices else choices[0]


def _render(request, template, queryset, show, name, title):
    paginator = CappedPaginator(queryset, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    log_access(request, Action.SEARCH, detail=f"tasks {name} show={show}")
    return render(
        request,
        template,
        {
            "title": title,
            "hub": request.membership.hub,
            "show": show,
            "today": timezone.localdate(),
            "paginator": paginator,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "object_list": page.object_list,
        },
    )


@require_GET
def tasks_outreach(request):
    """Outreach attempts of the hub whose next attempt is due (or, with show=all, scheduled)."""
    hub = _casework_hub(request)
    show = _show(request, ("due", "all"))
    if show == "due":
        attempts = dashboard.outreach_due(request.user, hub, timezone.localdate())
    else:
        attempts = dashboard.outreach_scheduled(request.user, hub)
    return _render(
        request, "cases/tasks_outreach.html", attempts, show, "outreach", _("Outreach attempts due")
    )


@require_GET
def tasks_actions(request):
    """Open actions of endorsed plans the hub is responsible for, overdue first."""
    hub = _casework_hub(request)
    show = _show(request, ("open", "overdue"))
    if show == "overdue":
        actions = dashboard.plan_actions_overdue(request.user, hub, timezone.localdate())
    else:
        actions = dashboard.plan_actions_open(request.user, hub)
    return _render(
        request, "cases/tasks_actions.html", actions, show, "actions", _("Plan actions of your hub")
    )


@require_GET
def tasks_reviews(request):
    """Endorsed plans of cases the hub leads, due for review (or, with show=all, all dated)."""
    hub = _casework_hub(request)
    show = _show(request, ("due", "all"))
    if show == "due":
        plans = dashboard.plans_due_for_review(request.user, hub, timezone.localdate())
    else:
        plans = dashboard.plans_with_review(request.user, hub)
    return _render(
        request, "cases/tasks_reviews.html", plans, show, "reviews", _("Plans due for review")
    )


@require_GET
def tasks_meeting_actions(request):
    """Open tasks meetings gave the hub (会議で決まった対応), overdue first."""
    hub = _casework_hub(request)
    show = _show(request, ("open", "overdue"))
    if show == "overdue":
        items = dashboard.meeting_actions_overdue(request.user, hub, timezone.localdate())
    else:
        items = dashboard.meeting_actions_open(request.user, hub)
    return _render(
        request,
        "cases/tasks_meeting_actions.html",
        items,
        show,
        "meeting_actions",
        _("Tasks from meetings"),
    )
