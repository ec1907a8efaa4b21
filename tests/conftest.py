import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from hubs.models import Role

from .factories import HubFactory, MembershipFactory


@pytest.fixture(autouse=True)
def japanese_by_default(settings):
    """Each test starts (and leaves) with the default language, as a new request would."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hub(db):
    return HubFactory(
        name="福祉相談支援課", kana="ふくしそうだんしえんか", fields=["elderly", "poverty"]
    )


@pytest.fixture
def other_hub(db):
    return HubFactory(
        name="障がい者基幹相談支援センター", kana="しょうがいしゃきかん", fields=["disability"]
    )


@pytest.fixture
def make_member(db):
    """make_member(role, hub) -> a user acting with that role at that hub."""

    def make(role=Role.STAFF, hub=None, **user_fields):
        kwargs = {"role": role}
        if hub is not None:
            kwargs["hub"] = hub
        for key, value in user_fields.items():
            kwargs[f"user__{key}"] = value
        return MembershipFactory(**kwargs).user

    return make


@pytest.fixture
def staff(make_member, hub):
    return make_member(Role.STAFF, hub)


@pytest.fixture
def volunteer(make_member, db):
    return make_member(Role.VOLUNTEER, HubFactory(name="福祉のまちかど相談（芥川）"))


@pytest.fixture
def client_as(client):
    """client_as(user) -> the test client signed in as user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def count_queries(db):
    """count_queries(fn) -> how many SQL queries fn() ran (for constant-count assertions)."""

    def count(fn):
        with CaptureQueriesContext(connection) as captured:
            fn()
        return len(captured.captured_queries)

    return count


@pytest.fixture
def takatsuki(db):
    """The sample Takatsuki network, loaded as `make run` loads it."""
    call_command("load_network", "hubs/networks/takatsuki.csv", stdout=io.StringIO())


@pytest.fixture(scope="class")
def city(django_db_setup, django_db_blocker):
    """A synthetic city at scale 0.01 (generate_city, seed 11; about 50,000 rows), generated
    once for the test class inside a transaction rolled back at the end. Returns the output."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_network", "hubs/networks/takatsuki.csv", stdout=io.StringIO())
            out = io.StringIO()
            call_command("generate_city", scale=0.01, seed=11, stdout=out, stderr=io.StringIO())
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
