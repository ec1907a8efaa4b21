def acting_membership(request):
    """The acting membership and the others the user could switch to, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "acting": membership,
        "other_memberships": [
            m
            for m in getattr(request, "all_memberships", [])
            if membership is None or m.pk != membership.pk
        ],
    }


def unread_notifications(request):
    """Unread notifications of the signed-in user, for the bell (counted only if shown)."""
    from django.utils.functional import SimpleLazyObject

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notification_count": SimpleLazyObject(lambda: user.notifications.unread().count())
    }
