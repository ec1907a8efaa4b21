"""The bell's pages: a user's own notifications, newest first, and marking them read."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .models import Notification

PAGE_SIZE = 25


def _safe_local_path(url):
    """Only a path on this site: a stored link must never send the user elsewhere."""
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


@require_safe
def notification_list(request):
    notifications = request.user.notifications.select_related("hub").order_by("-created_at", "-id")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    for notification in page:
        notification.has_link = _safe_local_path(notification.url)
    return render(
        request,
        "notifications/list.html",
        {
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "notifications": page.object_list,
        },
    )


@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if _safe_local_path(notification.url):
        return redirect(notification.url)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request):
    count = request.user.notifications.unread().update(read_at=timezone.now())
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")
