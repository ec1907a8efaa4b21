"""The case timeline (経過一覧): every kind of event of a case in one list, newest first.

Keyset pagination over several tables: each source is queried for the rows older than the
cursor, ordered newest first and limited to one page plus one; the rows are merged in Python
and cut to a page. No OFFSET and no COUNT, so a long case costs the same on every page.

Entries sort by (moment, rank of the source, id), descending; the cursor is that key of the
last entry shown. Date-only events (outreach attempts, plan endorsements) sit at the start of
their day in the local time zone.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals.models import ReferralEvent

from .models import (
    IntakeConcern,
    Person,
    StageChange,
)

PAGE_SIZE = 50

TYPES = [
    ("record", _("Records")),
    ("intake", _("Intakes")),
    ("referral", _("Referrals")),
    ("stage", _("Stage changes")),
    ("plan", _("Support plans")),
    ("outreach", _("Outreach attempts")),
]
TYPE_NAMES = [name for name, _label in TYPES]


def _records(scope):
    return (
        scope.records()
        .select_related("contact_type", "author", "acting_hub", "cancelled_by")
        .prefetch_related(
            Prefetch("met_persons", queryset=Person.objects.order_by("birth_date", "id"))
        )
    )


def _intakes(scope):
    return (
        scope.intakes()
        .select_related("hub", "channel", "route", "recorded_by")
        .prefetch_related(
            Prefetch("concern_items", queryset=IntakeConcern.objects.select_related("concern"))
        )
    )


def _referral_events(scope):
    return ReferralEvent.objects.filter(referral__in=scope.referrals()).select_related(
        "referral__from_hub", "referral__to_hub", "actor", "acting_hub"
    )


def _stage_changes(scope):
    return StageChange.objects.filter(case=scope.case).select_related("changed_by", "acting_hub")


def _plans(scope):
    return scope.plans().select_related("created_by", "endorsed_by_user", "case__lead_hub")


def _endorsed_plans(scope):
    return _plans(scope).filter(endorsed_on__isnull=False)


def _outreach(scope):
    return scope.outreach().select_related("person", "recorded_by", "acting_hub")


@dataclass(frozen=True)
class Source:
    kind: str  # what the entry is (a plan gives two kinds: drafted and endorsed)
    type: str  # what the type filter calls it
    field: str  # the column that dates the entry
    hub_field: str  # the column the hub filter matches
    rows: Any  # (user, case) -> queryset
    date_only: bool = False

    @property
    def rank(self):
        return SOURCE_RANK[self.kind]

    def moment(self, obj):
        value = getattr(obj, self.field)
        if self.date_only:
            return _start_of_day(value)
        return value

    def hub(self, obj):
        target = obj
        for part in self.hub_field.split("__"):
            target = getattr(target, part)
        return target

    def older_than(self, cursor):
        """Rows whose key (moment, rank, id) is below the cursor's, as a filter."""
        if self.rank < cursor.rank:
            same_moment = Q()
        elif self.rank == cursor.rank:
            same_moment = Q(pk__lt=cursor.pk)
        else:
            same_moment = None
        if not self.date_only:
            before = Q(**{f"{self.field}__lt": cursor.at})
            if same_moment is None:
                return before
            return before | (Q(**{self.field: cursor.at}) & same_moment)
        day = timezone.localdate(cursor.at)
        if cursor.at != _start_of_day(day):
            return Q(**{f"{self.field}__lte": day})
        before = Q(**{f"{self.field}__lt": day})
        if same_moment is None:
            return before
        return before | (Q(**{self.field: day}) & same_moment)

    def page(self, scope, *, cursor=None, hub=None, limit=PAGE_SIZE):
        rows = self.rows(scope)
        if hub is not None:
            rows = rows.filter(**{f"{self.hub_field}_id": hub.pk})
        if cursor is not None:
            rows = rows.filter(self.older_than(cursor))
        rows = rows.order_by(f"-{self.field}", "-pk")[:limit]
        return [Entry(source=self, obj=obj, at=self.moment(obj)) for obj in rows]


# Sources in rank order: at the same moment, a later source is listed first (newest first).
SOURCES = [
    Source("intake", "intake", "received_at", "hub", _intakes),
    Source("stage", "stage", "changed_at", "acting_hub", _stage_changes),
    Source("referral", "referral", "at", "acting_hub", _referral_events),
    Source("plan_created", "plan", "created_at", "case__lead_hub", _plans),
    Source("plan_endorsed", "plan", "endorsed_on", "case__lead_hub", _endorsed_plans, True),
    Source("outreach", "outreach", "attempted_on", "acting_hub", _outreach, True),
    Source("record", "record", "occurred_at", "acting_hub", _records),
]
SOURCE_RANK = {source.kind: rank for rank, source in enumerate(SOURCES)}


def _start_of_day(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Cursor:
    at: datetime.datetime
    kind: str
    pk: int

    SEPARATOR = "~"

    @property
    def rank(self):
        return SOURCE_RANK[self.kind]

    def encode(self):
        return self.SEPARATOR.join([self.at.isoformat(), self.kind, str(self.pk)])

    @classmethod
    def decode(cls, text):
        """The cursor in an "older" link, or None when it is missing or malformed."""
        try:
            at, kind, pk = (text or "").split(cls.SEPARATOR)
            moment = datetime.datetime.fromisoformat(at)
            pk = int(pk)
        except ValueError:
            return None
        if kind not in SOURCE_RANK or timezone.is_naive(moment):
            return None
        return cls(moment, kind, pk)


@dataclass(frozen=True)
class Entry:
    source: Source
    obj: Any
    at: datetime.datetime

    @property
    def kind(self):
        return self.source.kind

    @property
    def type(self):
        return self.source.type

    @property
    def date_only(self):
        return self.source.date_only

    @property
    def hub(self):
        return self.source.hub(self.obj)

    @property
    def key(self):
        return (self.at, self.source.rank, self.obj.pk)

    @property
    def cursor(self):
        return Cursor(self.at, self.kind, self.obj.pk)


@dataclass(frozen=True)
class TimelinePage:
    entries: list
    older: Cursor | None  # where the next page starts; None on the last page


def timeline_page(scope, *, types=None, hub=None, cursor=None, page_size=PAGE_SIZE):
    """One page of ``scope.case``'s timeline as ``scope.user`` may see it (an access.CaseScope:
    visibility per source)."""
    wanted = set(types or TYPE_NAMES)
    entries = []
    for source in SOURCES:
        if source.type in wanted:
            entries += source.page(scope, cursor=cursor, hub=hub, limit=page_size + 1)
    entries.sort(key=lambda entry: entry.key, reverse=True)
    if len(entries) > page_size:
        entries = entries[:page_size]
        return TimelinePage(entries, entries[-1].cursor)
    return TimelinePage(entries, None)
