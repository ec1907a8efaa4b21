"""Which membership (hub and role) the signed-in user is acting as.

The choice lives in the session. A user with one active membership acts as it without
asking; a user with several picks one after signing in and can switch at any time. The
access policy reads it from ``user.acting_membership``.
"""

from .models import Membership

SESSION_KEY = "acting_membership_id"


def memberships_of(user):
    return Membership.objects.active().filter(user=user).select_related("hub__kind")


def resolve(request):
    """Return the acting membership, or None when the user has none (or has not picked)."""
    user = request.user
    if not user.is_authenticated:
        return None
    chosen = request.session.get(SESSION_KEY)
    memberships = request.all_memberships = list(memberships_of(user))
    if chosen is not None:
        for membership in memberships:
            if membership.pk == chosen:
                return membership
        request.session.pop(SESSION_KEY, None)
    if len(memberships) == 1:
        request.session[SESSION_KEY] = memberships[0].pk
        return memberships[0]
    return None


def choose(request, membership):
    request.session[SESSION_KEY] = membership.pk
    request.user.acting_membership = membership
