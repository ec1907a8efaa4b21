"""Helpers shared by the case screens."""

from django.http import Http404


def casework_membership(request):
    """The acting membership of a case worker; a corner volunteer (or nobody) gets a 404."""
    membership = request.membership
    if membership is None or not membership.does_casework:
        raise Http404
    return membership
