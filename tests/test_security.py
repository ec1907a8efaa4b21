import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_authenticated_pages_are_never_cached(client, staff):
    client.force_login(staff)
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_content_security_policy_allows_only_this_server(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy


def test_pages_have_no_inline_script_and_no_external_assets(client, staff):
    client.force_login(staff)
    page = client.get("/").content.decode()
    assert "<script>" not in page and "onclick=" not in page
    for marker in ("http://", "https://", "//fonts.", "cdn"):
        assert f'src="{marker}' not in page and f'href="{marker}' not in page


def test_frames_and_sniffing_are_denied(client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_deploy_check_is_clean_with_production_settings():
    env = {"PATH": "/usr/bin:/bin", "ENV_FILE": ".ci/production-check.env"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr + result.stdout


def test_a_missing_secret_key_stops_start_up_naming_it():
    result = _manage("check", env={"PATH": "/usr/bin:/bin", "ENV_FILE": "/nonexistent"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_wsgi_application_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "import takatsuki_welfare.wsgi"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "ENV_FILE": "/nonexistent"},
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_makemigrations_check_runs_with_no_environment_at_all():
    result = _manage(
        "makemigrations",
        "--check",
        "--dry-run",
        env={"PATH": "/usr/bin:/bin", "ENV_FILE": "/nonexistent"},
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_a_malformed_variable_stops_start_up_naming_it():
    env = {"PATH": "/usr/bin:/bin", "ENV_FILE": "/nonexistent", "DEBUG": "true"}
    result = _manage("check", env={**env, "SESSION_IDLE_TIMEOUT_MINUTES": "half an hour"})
    assert result.returncode != 0
    assert "SESSION_IDLE_TIMEOUT_MINUTES" in result.stderr
    result = _manage("check", env={**env, "DATABASE_URL": "nosuchdb://x"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
