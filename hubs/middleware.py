from django.shortcuts import redirect
from django.urls import reverse

from . import acting

# Pages a user with several memberships may reach before picking one.
_BEFORE_PICKING = ("/hubs/acting/", "/accounts/", "/i18n/", "/admin/", "/static/")


class ActingMembershipMiddleware:
    """Attach the acting membership to the request and user; ask to pick one if needed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.all_memberships = []
        if request.user.is_authenticated:
            membership = acting.resolve(request)
            request.membership = membership
            request.user.acting_membership = membership
            if (
                membership is None
                and not request.path.startswith(_BEFORE_PICKING)
                and request.all_memberships
            ):
                return redirect(f"{reverse('hubs:acting')}?next={request.get_full_path()}")
        return self.get_response(request)
