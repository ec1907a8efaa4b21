"""manage.py generate_city: counts, consistency, search keys, numbering, refusals, seeds.

One city at scale 0.01 (about 50,000 rows, a few seconds on SQLite; the ``city`` fixture in
conftest.py) is generated once for the class and rolled back at the end.
"""

import datetime
import hashlib
import io

import jaconv
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef
from django.utils import timezone

from bench.generator import CityGenerator, targets
from cases import services
from cases.models import (
    AccompanimentRecord,
    AgendaItem,
    Case,
    CaseHub,
    CasePerson,
    Conference,
    Household,
    Intake,
    OutreachAttempt,
    Person,
    SupportPlan,
)
from hubs.models import Hub, Membership
from referrals.models import Referral, ReferralEvent, Status
from takatsuki_welfare.japanese import search_key

SCALE = 0.01
NETWORK = "hubs/networks/takatsuki.csv"


class TestGeneratedCity:
    """Checks on one generated city (scale 0.01, seed 11)."""

    def test_it_creates_the_expected_counts(self, city, db):
        expected = targets(SCALE)
        assert Household.objects.count() == expected["households"]
        assert Case.objects.count() == expected["cases"]
        assert AccompanimentRecord.objects.count() == expected["records"]
        assert Conference.objects.count() == expected["conferences"]
        around = {
            Person: 2.2 * expected["households"],
            Intake: expected["intakes"],
            Referral: expected["referrals"],
            OutreachAttempt: expected["outreach"],
            SupportPlan: expected["plans"],
        }
        for model, count in around.items():
            assert abs(model.objects.count() - count) <= 0.15 * count, model.__name__
        assert ReferralEvent.objects.count() > 2 * Referral.objects.count()
        assert "Generated" in city

    def test_it_skews_records_and_cases(self, city, db):
        per_case = Case.objects.annotate(n=Count("records")).order_by("-n")
        assert per_case[0].n >= 200
        per_household = Household.objects.annotate(n=Count("cases")).order_by("-n")
        assert per_household[0].n >= 4
        years = sorted(Case.objects.values_list("opened_on__year", flat=True))
        last_year = datetime.date.today().year - 1
        assert years.count(last_year) > years.count(last_year - 7)

    def test_every_case_has_its_primary_person_in_its_household(self, city, db):
        primary_here = CasePerson.objects.filter(
            case=OuterRef("pk"), is_primary=True, person__household=OuterRef("household")
        )
        assert not Case.objects.exclude(Exists(primary_here)).exists()

    def test_lead_hubs_are_real_casework_hubs(self, city, db):
        lead_hubs = Hub.objects.filter(pk__in=Case.objects.values("lead_hub"))
        assert lead_hubs.exists()
        assert not lead_hubs.filter(kind__code="community").exists()
        assert not Case.objects.exclude(lead_hub__in=Hub.objects.filter(active=True)).exists()

    def test_referrals_have_their_events(self, city, db):
        first_events = ReferralEvent.objects.filter(referral=OuterRef("pk"), to_status=Status.SENT)
        assert not Referral.objects.exclude(Exists(first_events)).exists()
        moved = Referral.objects.exclude(status=Status.SENT).annotate(n=Count("events"))
        assert not moved.filter(n__lt=2).exists()
        assert not Referral.objects.filter(from_hub=F("to_hub")).exists()

    def test_records_are_written_at_the_case_hubs(self, city, db):
        at_a_case_hub = CaseHub.objects.filter(case=OuterRef("case"), hub=OuterRef("acting_hub"))
        strays = AccompanimentRecord.objects.exclude(acting_hub=F("case__lead_hub")).exclude(
            Exists(at_a_case_hub)
        )
        assert not strays.exists()
        member_there = Membership.objects.filter(
            user=OuterRef("author"), hub=OuterRef("acting_hub")
        )
        assert not AccompanimentRecord.objects.exclude(Exists(member_there)).exists()

    def test_derived_fields_match_the_models_rules(self, city, db):
        for case in Case.objects.order_by("?")[:200]:
            assert case.contact_due_on == case.compute_contact_due()
        for person in Person.objects.order_by("?")[:200]:
            keys = person.search_keys()
            assert (person.name_key, person.kana_key, person.phone_key) == (
                keys["name_key"],
                keys["kana_key"],
                keys["phone_key"],
            )

    def test_nothing_happened_in_the_future(self, city, db):
        now = timezone.now()
        assert not AccompanimentRecord.objects.filter(created_at__gt=now).exists()
        assert not AccompanimentRecord.objects.filter(cancelled_at__gt=now).exists()
        assert not Intake.objects.filter(received_at__gt=now).exists()
        assert not Intake.objects.filter(taken_up_at__gt=now).exists()
        assert not ReferralEvent.objects.filter(at__gt=now).exists()
        assert not Conference.objects.filter(updated_at__gt=now).exists()
        assert not Case.objects.filter(opened_on__gt=now.date()).exists()

    def test_agenda_cases_were_open_on_the_meeting_day(self, city, db):
        for item in AgendaItem.objects.select_related("conference", "case")[:300]:
            day = item.conference.starts_at.date()
            assert item.case.opened_on <= day + datetime.timedelta(days=1)
            assert item.case.closed_on is None or day <= item.case.closed_on + datetime.timedelta(1)

    def test_person_search_finds_generated_people(self, city, db):
        person = (
            Person.objects.filter(family_name__regex=r"^[^ぁ-んァ-ン]{2}$")
            .exclude(kana_key="")
            .first()
        )
        assert person is not None
        assert person in Person.objects.search(person.family_name)
        reading = jaconv.hira2kata(person.kana_key[:2])
        assert person in Person.objects.search(reading)
        variant = (
            Person.objects.filter(family_name__contains="髙").first()
            or Person.objects.filter(family_name__regex="[﨑邊邉齋澤濱嶋廣櫻]").first()
        )
        assert variant is not None
        plain = search_key(variant.family_name)
        assert plain != variant.family_name
        assert variant in Person.objects.search(plain)

    def test_numbering_continues_after_the_generated_cases(self, city, db):
        membership = (
            Membership.objects.filter(user__username__startswith="city-", role="staff")
            .annotate(n=Count("user__memberships"))
            .filter(n=1)
            .select_related("user", "hub")
            .first()
        )
        household = Household.objects.filter(registered_hub=membership.hub).first() or (
            Household.objects.first()
        )
        person = household.members.first()
        existing = set(Case.objects.values_list("number", flat=True))
        case = services.case_open(
            actor=membership.user, household=household, persons=[person], primary=person
        )
        assert case.number not in existing
        year = case.opened_on.year
        generated = [n for n in existing if n.startswith(f"{year}-")]
        assert int(case.number.split("-")[1]) == len(generated) + 1
        new_household = services.household_create(actor=membership.user, town="芥川町1丁目")
        assert (
            not Household.objects.filter(number=new_household.number)
            .exclude(pk=new_household.pk)
            .exists()
        )

    def test_it_refuses_a_second_run(self, city, db):
        with pytest.raises(CommandError, match="already holds"):
            call_command("generate_city", scale=0.001, stdout=io.StringIO())


def test_it_refuses_without_a_network(db):
    with pytest.raises(CommandError, match="No hubs"):
        call_command("generate_city", scale=0.001, stdout=io.StringIO())


def _fingerprint():
    digest = hashlib.sha256()
    for rows in (
        Person.objects.order_by("id").values_list("family_name", "given_name", "kana_key"),
        Case.objects.order_by("id").values_list("number", "stage", "opened_on", "lead_hub__code"),
        AccompanimentRecord.objects.order_by("id").values_list("case__number", "content"),
        Referral.objects.order_by("id").values_list("status", "to_hub__code", "sent_at"),
    ):
        for row in rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _generate(seed):
    sid = transaction.savepoint()
    try:
        CityGenerator(scale=0.002, seed=seed, today=datetime.date(2026, 4, 1)).run()
        return _fingerprint()
    finally:
        transaction.savepoint_rollback(sid)


def test_it_is_deterministic_with_a_seed(db):
    call_command("load_network", NETWORK, stdout=io.StringIO())
    first = _generate(5)
    assert _generate(5) == first
    assert _generate(6) != first
