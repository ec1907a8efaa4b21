from django.utils.functional import SimpleLazyObject

from .models import OPEN, Referral


def referral_counts(request):
    """Open referrals waiting at the acting hub, for the navigation (counted only if shown)."""
    membership = getattr(request, "membership", None)
    if membership is None or membership.is_volunteer:
        return {}
    return {
        "referral_inbox_count": SimpleLazyObject(
            lambda: Referral.objects.filter(to_hub=membership.hub, status__in=OPEN).count()
        )
    }
