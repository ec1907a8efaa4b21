"""Deployment configuration: database connections, the replica, sessions, and gunicorn.

Each test loads a fresh copy of the settings module (or gunicorn.conf.py) with its own
environment; the running test settings are not touched.
"""

import importlib.util
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parent.parent
PRIMARY = "postgres://tsunagu:pw@db1:5432/tsunagu"
REPLICA = "postgres://tsunagu:pw@db2:5432/tsunagu"
VARIABLES = (
    "DEBUG",
    "DATABASE_URL",
    "REPLICA_DATABASE_URL",
    "CONN_MAX_AGE",
    "CONN_HEALTH_CHECKS",
    "DATABASE_POOL",
    "DATABASE_POOL_MAX_SIZE",
    "TEST_DATABASE_NAME",
    "CACHE_URL",
    "SESSION_ENGINE",
)
GUNICORN_VARIABLES = (
    "GUNICORN_BIND",
    "GUNICORN_WORKERS",
    "GUNICORN_ACCESS_LOG",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER",
    "GUNICORN_CONTROL_SOCKET",
)


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def settings_with(monkeypatch):
    """settings_with(**variables) -> a settings module loaded with only those variables set."""

    def load(**variables):
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("ENV_FILE", os.devnull)
        monkeypatch.setenv("SECRET_KEY", "config-test-key-" + "x" * 40)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return _load(ROOT / "takatsuki_welfare" / "settings.py", "settings_under_test")

    return load


@pytest.fixture
def gunicorn_with(monkeypatch):
    def load(**variables):
        for name in GUNICORN_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("ENV_FILE", os.devnull)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return _load(ROOT / "gunicorn.conf.py", "gunicorn_conf_under_test")

    return load


def test_production_keeps_connections_open_and_checks_them(settings_with):
    config = settings_with(DATABASE_URL=PRIMARY).DATABASES["default"]

    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


def test_development_closes_connections_and_the_environment_wins(settings_with):
    assert settings_with(DEBUG="true").DATABASES["default"]["CONN_MAX_AGE"] == 0
    assert settings_with(CONN_MAX_AGE="0").DATABASES["default"]["CONN_MAX_AGE"] == 0
    unchecked = settings_with(CONN_HEALTH_CHECKS="false").DATABASES["default"]
    assert unchecked["CONN_HEALTH_CHECKS"] is False


def test_without_a_replica_there_is_one_database_and_the_router(settings_with):
    settings = settings_with(DATABASE_URL=PRIMARY)

    assert set(settings.DATABASES) == {"default"}
    assert settings.DATABASE_ROUTERS == ["takatsuki_welfare.db_router.ReplicaRouter"]


def test_a_replica_gets_the_same_connection_settings_and_mirrors_default_in_tests(
    settings_with,
):
    databases = settings_with(DATABASE_URL=PRIMARY, REPLICA_DATABASE_URL=REPLICA).DATABASES

    assert databases["replica"]["HOST"] == "db2"
    assert databases["replica"]["CONN_MAX_AGE"] == 60
    assert databases["replica"]["CONN_HEALTH_CHECKS"] is True
    assert databases["replica"]["TEST"] == {"MIRROR": "default"}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"REPLICA_DATABASE_URL": "sqlite:///copy.sqlite3"}, "same kind of database"),
        ({"REPLICA_DATABASE_URL": "nosuchdb://x"}, "REPLICA_DATABASE_URL is malformed"),
        ({"DATABASE_POOL": "true", "CONN_MAX_AGE": "60"}, "CONN_MAX_AGE=0"),
        ({"DATABASE_POOL": "true", "DATABASE_URL": "sqlite:///x.sqlite3"}, "needs PostgreSQL"),
        ({"SESSION_ENGINE": "file"}, "SESSION_ENGINE is malformed"),
        ({"SESSION_ENGINE": "cache"}, "shared by all workers"),
        ({"SESSION_ENGINE": "cache", "CACHE_URL": "dummycache://"}, "shared by all workers"),
    ],
)
def test_a_configuration_that_cannot_work_stops_start_up(settings_with, variables, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        settings_with(**{"DATABASE_URL": PRIMARY, **variables})


def test_the_pool_replaces_persistent_connections(settings_with):
    databases = settings_with(
        DATABASE_URL=PRIMARY, REPLICA_DATABASE_URL=REPLICA, DATABASE_POOL="true"
    ).DATABASES

    for alias in ("default", "replica"):
        assert databases[alias]["CONN_MAX_AGE"] == 0
        assert databases[alias]["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4}


def test_sessions_live_in_the_database_by_default(settings_with):
    assert settings_with().SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_sessions_can_live_in_redis(settings_with):
    settings = settings_with(SESSION_ENGINE="cache", CACHE_URL="redis://127.0.0.1:6379/1")

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.django_db
def test_a_signed_in_session_round_trips_through_redis(settings, client):
    """With SESSION_ENGINE=cache on Redis (on every machine, CI's too) sign-in state and the
    acting hub survive between requests without touching django_session."""
    from django.contrib.sessions.models import Session
    from django.core.cache import caches

    from .factories import MembershipFactory

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": "tsunagu-test",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    caches.close_all()
    membership = MembershipFactory()
    client.force_login(membership.user)
    response = client.get("/")
    assert response.status_code == 200
    assert membership.hub.name in response.content.decode()
    assert not Session.objects.exists()
    assert caches["default"].get(f"django.contrib.sessions.cache{client.session.session_key}")
    caches["default"].delete_many([f"django.contrib.sessions.cache{client.session.session_key}"])


def test_gunicorn_runs_stateless_sync_workers_with_production_defaults(gunicorn_with):
    conf = gunicorn_with(GUNICORN_WORKERS="")  # empty, as copied from .env.example

    assert conf.wsgi_app == "takatsuki_welfare.wsgi:application"
    assert conf.worker_class == "sync"
    assert conf.workers == 2 * conf._cores() + 1
    assert conf.preload_app is True
    assert (conf.max_requests, conf.max_requests_jitter) == (1000, 100)
    assert conf.accesslog is None
    assert conf.bind == ["127.0.0.1:8000"]
    assert conf.control_socket_disable is True


def test_gunicorn_takes_workers_bind_and_access_log_from_the_environment(gunicorn_with):
    conf = gunicorn_with(
        GUNICORN_WORKERS="3", GUNICORN_BIND="0.0.0.0:8000", GUNICORN_ACCESS_LOG="-"
    )

    assert conf.workers == 3
    assert conf.bind == ["0.0.0.0:8000"]
    assert conf.accesslog == "-"


def test_settings_load_without_a_secret_key_so_makemigrations_runs(settings_with):
    assert settings_with(SECRET_KEY="").SECRET_KEY == ""


def test_a_missing_secret_key_stops_the_server_and_fails_the_deploy_check(monkeypatch):
    """Django's own settings object refuses to hand out an empty key; the check says why."""
    monkeypatch.setattr(sys, "argv", ["manage.py", "check"])
    from django.conf import LazySettings

    from takatsuki_welfare import checks

    empty = LazySettings()
    empty.configure(SECRET_KEY="")
    monkeypatch.setattr(checks, "settings", empty)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required when DEBUG is off"):
        checks.require_secret_key()
    assert [error.id for error in checks.secret_key_check(None)] == ["core.E001"]
    monkeypatch.setattr(checks, "settings", SimpleNamespace(SECRET_KEY="a-key-" + "x" * 40))
    assert checks.secret_key_check(None) == []
