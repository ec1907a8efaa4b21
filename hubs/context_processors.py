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
