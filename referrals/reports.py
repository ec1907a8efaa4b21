"""Referral figures for reports: per period (dates in the city's time zone) and optionally a hub."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from takatsuki_welfare.db_router import reporting

from .business_days import median_business_days
from .models import ACTIVE, DeclineReason, Kind, Referral, Status

ACCEPTED = [*ACTIVE, Status.COMPLETED]  # a completed referral was accepted first


def _period(start, end):
    """Referrals sent from the start of ``start`` to the end of ``end``, local time."""
    zone = timezone.get_default_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return Referral.objects.filter(sent_at__gte=since, sent_at__lt=until)


def _by(queryset, field, values):
    counts = dict(queryset.order_by().values_list(field).annotate(n=Count("id")))
    return {value: counts.get(value, 0) for value in values}


def _rate(part, whole):
    return part / whole if whole else None


def _median(queryset, field):
    zone = timezone.get_default_timezone()
    pairs = queryset.filter(**{f"{field}__isnull": False}).values_list("sent_at", field)
    return median_business_days(
        (sent.astimezone(zone).date(), done.astimezone(zone).date()) for sent, done in pairs
    )


@reporting()
def referral_figures(*, start, end, hub=None):
    """Counts and medians for referrals sent between two dates (inclusive), read from the
    report replica when one is configured.

    With a hub: "sent" are the referrals it sent, "received" those sent to it, and the other
    figures cover both. Rates are over the answered referrals (accepted + declined); referrals
    still open, withdrawn or expired are counted apart. Medians are business days from sending
    to acknowledging and to answering (accepting or declining).
    """
    referrals = _period(start, end)
    sent, received = referrals, referrals
    if hub is not None:
        sent, received = referrals.filter(from_hub=hub), referrals.filter(to_hub=hub)
        referrals = referrals.filter(Q(from_hub=hub) | Q(to_hub=hub))
    totals = referrals.order_by().aggregate(
        total=Count("id"),
        accepted=Count("id", filter=Q(status__in=ACCEPTED)),
        declined=Count("id", filter=Q(status=Status.DECLINED)),
        open=Count("id", filter=Q(status__in=[Status.SENT, Status.ACKNOWLEDGED])),
        withdrawn=Count("id", filter=Q(status=Status.WITHDRAWN)),
        expired=Count("id", filter=Q(status=Status.EXPIRED)),
    )
    answered = totals["accepted"] + totals["declined"]
    return {
        "start": start,
        "end": end,
        "hub": hub,
        "sent_by_kind": _by(sent, "kind", Kind.values),
        "received_by_kind": _by(received, "kind", Kind.values),
        **totals,
        "answered": answered,
        "acceptance_rate": _rate(totals["accepted"], answered),
        "decline_rate": _rate(totals["declined"], answered),
        "decline_reasons": _by(
            referrals.filter(status=Status.DECLINED), "decline_reason", DeclineReason.values
        ),
        "median_days_to_acknowledge": _median(referrals, "acknowledged_at"),
        "median_days_to_answer": _median(referrals, "answered_at"),
    }
