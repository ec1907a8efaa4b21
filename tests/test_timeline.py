"""The case timeline (経過一覧): all kinds merged in order, filters, keyset pages, visibility."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import timeline
from cases.models import OutreachAttempt, StageChange, SupportPlan
from hubs.models import Role
from referrals.models import ReferralEvent, Status
from takatsuki_welfare.access import CaseScope
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import (
    CaseFactory,
    HubFactory,
    IntakeFactory,
    PlanFactory,
    RecordFactory,
    ReferralFactory,
    code,
)

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2026, 4, 1, 9, 0))


def at(hours):
    return START + datetime.timedelta(hours=hours)


@pytest.fixture
def case(hub, staff):
    return CaseFactory(household__registered_hub=hub, main_worker=staff)


def url(case, query=""):
    return reverse("cases:case_timeline", args=[case.number]) + query


class Events:
    """Builders for every kind of timeline entry, each at a given moment."""

    def __init__(self, case, user):
        self.case, self.user, self.hub = case, user, case.lead_hub
        self.plans = 0

    def record(self, moment, **fields):
        fields.setdefault("author", self.user)
        return RecordFactory(case=self.case, occurred_at=moment, **fields)

    def intake(self, moment, **fields):
        fields.setdefault("hub", self.hub)
        return IntakeFactory(
            case=self.case, household=self.case.household, received_at=moment, **fields
        )

    def referral_event(self, moment, referral=None, **fields):
        referral = referral or ReferralFactory(case=self.case, sender=self.user)
        return ReferralEvent.objects.create(
            referral=referral,
            actor=self.user,
            acting_hub=fields.pop("acting_hub", self.hub),
            at=moment,
            to_status=Status.SENT,
            **fields,
        )

    def stage(self, moment, **fields):
        return StageChange.objects.create(
            case=self.case,
            to_stage="support",
            changed_by=self.user,
            acting_hub=fields.pop("acting_hub", self.hub),
            changed_at=moment,
            reason="支援開始",
            **fields,
        )

    def plan(self, moment, endorsed_on=None):
        self.plans += 1
        status = SupportPlan.Status.ENDORSED if endorsed_on else SupportPlan.Status.ENDED
        plan = PlanFactory(
            case=self.case,
            number=self.plans,
            created_by=self.user,
            status=status,
            endorsed_on=endorsed_on,
        )
        SupportPlan.objects.filter(pk=plan.pk).update(created_at=moment)
        return plan

    def outreach(self, day, **fields):
        return OutreachAttempt.objects.create(
            case=self.case,
            person=self.case.primary_person,
            attempted_on=day,
            method=OutreachAttempt.Method.VISIT,
            result=OutreachAttempt.Result.ABSENT,
            recorded_by=self.user,
            acting_hub=fields.pop("acting_hub", self.hub),
            note=fields.pop("note", "不在。手紙を残した。"),
        )

    def one_of_each(self, offset=0):
        self.intake(at(offset + 1))
        self.stage(at(offset + 2))
        self.referral_event(at(offset + 3))
        self.plan(at(offset + 4), endorsed_on=(START + datetime.timedelta(days=2)).date())
        self.outreach((START + datetime.timedelta(days=1)).date())
        self.record(at(offset + 5))


def kinds(response):
    return [entry.kind for entry in response.context["entries"]]


def test_it_merges_every_kind_newest_first(client_as, staff, case):
    events = Events(case, staff)
    events.one_of_each()
    response = client_as(staff).get(url(case))
    assert response.status_code == 200
    # Date-only entries (endorsement, outreach) sit at the start of their day.
    assert kinds(response) == [
        "plan_endorsed", "outreach", "record", "plan_created", "referral", "stage", "intake",
    ]  # fmt: skip
    moments = [entry.at for entry in response.context["entries"]]
    assert moments == sorted(moments, reverse=True)


def test_it_shows_cancelled_records_struck_through(client_as, staff, case):
    Events(case, staff).record(
        at(1), content="誤った記録", cancelled_at=at(2), cancelled_by=staff, cancel_reason="誤入力"
    )
    html = client_as(staff).get(url(case)).content.decode()
    item = re.search(r'<li class="([^"]*)" data-kind="record"', html)
    assert "struck" in item.group(1).split()
    assert "誤った記録" in html and "誤入力" in html


def test_it_filters_by_type(client_as, staff, case):
    Events(case, staff).one_of_each()
    client = client_as(staff)
    assert kinds(client.get(url(case, "?type=record"))) == ["record"]
    assert kinds(client.get(url(case, "?type=plan&type=stage"))) == [
        "plan_endorsed", "plan_created", "stage",
    ]  # fmt: skip


def test_it_filters_by_hub(client_as, staff, make_member, case):
    partner = HubFactory(name="地域包括支援センター")
    case.participating_hubs.add(partner)
    events = Events(case, staff)
    events.one_of_each()
    partner_user = make_member(Role.CSW, partner)
    events.record(at(10), author=partner_user, acting_hub=partner, content="包括からの訪問")
    events.outreach(START.date(), acting_hub=partner, note="包括のアウトリーチ")
    client = client_as(staff)
    response = client.get(url(case, f"?hub={partner.pk}"))
    assert kinds(response) == ["record", "outreach"]
    assert partner in response.context["form"].fields["hub"].queryset
    lead = client.get(url(case, f"?hub={case.lead_hub_id}"))
    assert "包括からの訪問" not in lead.content.decode()
    assert len(kinds(lead)) == 7


def test_an_unknown_filter_or_cursor_shows_everything(client_as, staff, case):
    Events(case, staff).one_of_each()
    client = client_as(staff)
    for query in ["?hub=999999", "?type=nonsense", "?before=garbage", "?before=2026-01-01~x~1"]:
        response = client.get(url(case, query))
        assert response.status_code == 200, query
        assert len(kinds(response)) == 7, query


def _walk(user, case, page_size, **filters):
    keys, cursor, pages = [], None, 0
    while True:
        page = timeline.timeline_page(
            CaseScope.get(user, pk=case.pk), cursor=cursor, page_size=page_size, **filters
        )
        keys += [(entry.kind, entry.obj.pk) for entry in page.entries]
        pages += 1
        if page.older is None:
            return keys, pages
        cursor = page.older


@pytest.mark.parametrize("page_size", [1, 2, 3, 5, 8])
def test_keyset_pages_have_no_duplicates_or_gaps(staff, case, page_size):
    events = Events(case, staff)
    same_moment = at(30)
    midnight = timezone.make_aware(datetime.datetime(2026, 4, 3))
    for i in range(3):
        events.one_of_each(offset=i * 10)
        events.record(same_moment)  # ties within one kind are ordered by id
        events.stage(same_moment)  # ties across kinds by kind
        events.record(midnight)  # a timed entry at the same moment as date-only ones
        events.outreach(midnight.date())
    everything = timeline.timeline_page(CaseScope.get(staff, pk=case.pk), page_size=1000).entries
    expected = [(entry.kind, entry.obj.pk) for entry in everything]
    assert len(expected) == len(set(expected)) == 3 * 11
    keys, pages = _walk(staff, case, page_size)
    assert keys == expected
    assert pages == -(-len(expected) // page_size)


def test_keyset_pages_follow_the_filters(staff, case):
    events = Events(case, staff)
    for i in range(4):
        events.one_of_each(offset=i * 10)
    types = ["record", "outreach"]
    keys, _pages = _walk(staff, case, 3, types=types)
    everything = timeline.timeline_page(
        CaseScope.get(staff, pk=case.pk), page_size=1000, types=types
    ).entries
    assert keys == [(entry.kind, entry.obj.pk) for entry in everything]
    assert sorted(kind for kind, _pk in keys) == ["outreach"] * 4 + ["record"] * 4


def test_the_older_link_walks_the_pages(client_as, staff, case, monkeypatch):
    monkeypatch.setattr("cases.views.record.PAGE_SIZE", 3)
    events = Events(case, staff)
    for i in range(3):
        events.one_of_each(offset=i * 10)
    client = client_as(staff)
    seen, next_url = [], url(case, "?type=record&type=intake&type=stage")
    while next_url:
        response = client.get(next_url)
        seen += [(e.kind, e.obj.pk) for e in response.context["entries"]]
        older = response.context["older_url"]
        next_url = url(case, unescape(older)) if older else None
    assert len(seen) == len(set(seen)) == 9
    assert {kind for kind, _pk in seen} == {"record", "intake", "stage"}


def test_it_escapes_script_in_every_text(client_as, staff, case):
    events = Events(case, staff)
    events.record(at(1), content="<script>alert('record')</script>")
    events.outreach(START.date(), note="<script>alert('outreach')</script>")
    html = client_as(staff).get(url(case)).content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;record&#x27;)&lt;/script&gt;" in html


def test_it_logs_the_search_with_the_case_number(client_as, staff, case):
    client_as(staff).get(url(case, "?type=record"))
    entry = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert case.number in entry.detail and "type=record" in entry.detail


def test_it_prints_as_the_keika_ichiran(client_as, staff, case):
    Events(case, staff).one_of_each()
    client = client_as(staff)
    screen = client.get(url(case)).content.decode()
    assert "print=1" in screen
    response = client.get(url(case, "?print=1"))
    assert response.status_code == 200
    assert response.templates[0].name == "cases/timeline_print.html"
    html = response.content.decode()
    assert case.number in html
    assert timezone.localdate().strftime("%Y年%-m月%-d日") in html
    assert 'method="get" class="filters"' not in html
    assert len(kinds(response)) == 7


def test_its_query_count_does_not_grow_with_entries(client_as, staff, case, count_queries):
    client = client_as(staff)
    events = Events(case, staff)
    events.one_of_each()
    one = count_queries(lambda: client.get(url(case)))
    for i in range(19):
        events.one_of_each(offset=(i + 1) * 10)
    response = client.get(url(case))
    assert len(response.context["entries"]) == timeline.PAGE_SIZE
    assert response.context["older_url"]
    assert count_queries(lambda: client.get(url(case))) == one


def test_it_shows_contact_types_by_their_label(client_as, staff, case):
    Events(case, staff).record(at(1), contact_type=code(CodeList.CONTACT_TYPE, "accompany"))
    assert "同行支援" in client_as(staff).get(url(case)).content.decode()
