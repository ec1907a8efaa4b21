"""The replica router: report figures read from the replica, case work never does.

The replica is configured here as Django's TEST MIRROR of the default database: the alias
``replica`` has its own connection to the same test database, as a streaming replica would be a
connection to a copy. Report tests commit their data (transaction=True), since a second
connection cannot see the default connection's open test transaction (and SQLite's shared
in-memory test database locks tables that transaction has written).
"""

import datetime
import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from referrals.models import Referral, Status
from referrals.reports import referral_figures
from takatsuki_welfare.db_router import REPLICA, ReplicaRouter, reporting

from .factories import CaseFactory, HubFactory, ReferralFactory

TOKYO = ZoneInfo("Asia/Tokyo")
MAY_1, MAY_31 = datetime.date(2026, 5, 1), datetime.date(2026, 5, 31)
BOTH = [DEFAULT_DB_ALIAS, REPLICA]
COMMITTED = pytest.mark.django_db(transaction=True, databases=BOTH)
SEED_MIGRATIONS = (
    "takatsuki_welfare.migrations.0002_seed_code_lists",
    "takatsuki_welfare.migrations.0004_seed_complex_needs_and_household_types",
    "cases.migrations.0005_seed_meeting_types",
)


def seed():
    for name in SEED_MIGRATIONS:
        importlib.import_module(name).seed(django_apps, None)


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker):
    """Add the ``replica`` alias as a test mirror of default, then take it away again.

    Module-scoped so that it exists before pytest-django checks the test's ``databases``.
    Committed tests end with a flush that empties the code lists migrations seed; they are put
    back here, after the last flush, so that a kept test database (--reuse-db) stays usable.
    """
    default = connections[DEFAULT_DB_ALIAS].settings_dict
    connections.settings[REPLICA] = {
        **default,
        "TEST": {**default["TEST"], "NAME": None, "MIRROR": DEFAULT_DB_ALIAS},
    }
    flushed = []
    yield connections[REPLICA], flushed
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]
    if flushed:
        with django_db_blocker.unblock():
            seed()


@pytest.fixture
def committed(replica):
    """A committed test starts from a database another one may have flushed: seed it."""
    connection, flushed = replica
    seed()
    flushed.append(True)
    return connection


def refer(**fields):
    from_hub = HubFactory()
    return ReferralFactory(
        case=CaseFactory(lead_hub=from_hub),
        from_hub=from_hub,
        sent_at=datetime.datetime(2026, 5, 12, 10, tzinfo=TOKYO),
        acknowledge_due=MAY_1,
        answer_due=MAY_31,
        **fields,
    )


@COMMITTED
def test_report_figures_are_read_from_the_replica(committed):
    refer(status=Status.SENT)
    refer(status=Status.ACCEPTED)

    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as copy,
    ):
        figures = referral_figures(start=MAY_1, end=MAY_31)

    assert figures["total"] == 2
    assert figures["accepted"] == 1
    assert len(copy) == 6  # every query of the report (see test_referral_reports)
    assert len(primary) == 0


@COMMITTED
def test_writes_in_a_reporting_block_go_to_the_primary(committed):
    referral = refer(status=Status.SENT)

    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as copy,
        reporting(),
    ):
        loaded = Referral.objects.get(pk=referral.pk)
        loaded_from = loaded._state.db
        loaded.status = Status.WITHDRAWN
        loaded.save(update_fields=["status"])

    assert loaded_from == REPLICA
    assert [q["sql"].split()[0] for q in copy] == ["SELECT"]
    assert any(q["sql"].startswith("UPDATE") for q in primary)
    assert Referral.objects.get(pk=referral.pk).status == Status.WITHDRAWN


@COMMITTED
def test_case_work_reads_and_writes_stay_on_the_primary(committed, client_as, staff, hub):
    with CaptureQueriesContext(connections[REPLICA]) as copy:
        case = CaseFactory(household__registered_hub=hub, fields=["elderly"])
        response = client_as(staff).get(reverse("cases:case_detail", args=[case.number]))
        listing = client_as(staff).get(reverse("cases:case_list"))

    assert response.status_code == 200
    assert listing.status_code == 200
    assert len(copy) == 0


def test_an_object_loaded_for_a_report_reads_its_relations_from_the_primary_later(replica):
    case = Case(pk=1)
    case._state.db = REPLICA  # as a report would have loaded it

    assert case.referrals.all().db == DEFAULT_DB_ALIAS
    with reporting():
        assert case.referrals.all().db == REPLICA


def test_without_a_replica_reporting_changes_nothing(monkeypatch):
    monkeypatch.delitem(connections.settings, REPLICA, raising=False)
    router = ReplicaRouter()

    with reporting():
        assert router.db_for_read(Referral) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Referral) == DEFAULT_DB_ALIAS


def test_reporting_works_as_a_decorator_and_nests(replica):
    router = ReplicaRouter()

    @reporting()
    def report():
        with reporting():
            pass
        return router.db_for_read(Referral)

    assert report() == REPLICA
    assert router.db_for_read(Referral) == DEFAULT_DB_ALIAS


def test_only_the_primary_is_migrated_and_rows_relate_across_both():
    router = ReplicaRouter()
    primary_row, replica_row = Referral(), Referral()
    replica_row._state.db = REPLICA
    primary_row._state.db = DEFAULT_DB_ALIAS

    assert router.allow_migrate(DEFAULT_DB_ALIAS, "referrals") is True
    assert router.allow_migrate(REPLICA, "referrals") is False
    assert router.allow_relation(primary_row, replica_row) is True
