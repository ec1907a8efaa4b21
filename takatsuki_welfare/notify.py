"""In-app notifications, and e-mail through Django's backend when NOTIFY_BY_EMAIL is on."""

from django.conf import settings
from django.core.mail import send_mail

from hubs.models import Membership, Role

from .models import Notification


def notify_users(users, *, message, url="", hub=None):
    users = list(dict.fromkeys(users))
    Notification.objects.bulk_create(
        [Notification(recipient=u, hub=hub, message=message[:300], url=url) for u in users]
    )
    if settings.NOTIFY_BY_EMAIL:
        recipients = [u.email for u in users if u.email]
        if recipients:
            # The message never carries personal data: only that something needs attention.
            send_mail(
                subject=f"[Tsunagu] {message[:80]}",
                message=f"{message}\n\n{settings.SITE_URL}{url}",
                from_email=None,
                recipient_list=recipients,
                fail_silently=True,
            )


def notify_hub(hub, *, message, url="", exclude=None):
    """Everyone doing casework at the hub (staff, CSWs, coordinators, managers)."""
    members = (
        Membership.objects.active()
        .filter(hub=hub)
        .exclude(role=Role.VOLUNTEER)
        .select_related("user")
    )
    notify_users([m.user for m in members if m.user != exclude], message=message, url=url, hub=hub)
