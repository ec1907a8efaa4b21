"""The benchmark's ceilings (takatsuki_welfare/bench_views.py): mounted only when asked for.

No test here runs wrk or gunicorn: bench/run is a manual tool, kept out of CI.
"""

import importlib

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse

import takatsuki_welfare.urls


def _reload_urls():
    importlib.reload(takatsuki_welfare.urls)
    clear_url_caches()


@pytest.fixture
def bench_on():
    with override_settings(BENCH_ENDPOINTS=True):
        _reload_urls()
        yield
    _reload_urls()


@pytest.mark.django_db
def test_the_bench_endpoints_are_absent_by_default(client):
    with pytest.raises(NoReverseMatch):
        reverse("bench:hello")
    assert client.get("/bench/hello/").status_code == 404
    assert client.get("/bench/case-table/").status_code == 404


def test_hello_world_answers_without_touching_the_database(bench_on, client):
    # No django_db mark: any query would fail the test.
    response = client.get(reverse("bench:hello"))
    assert response.status_code == 200
    assert response.content == b"Hello, world"


def test_the_table_renders_fifty_rows_with_the_case_list_templates_from_memory(bench_on, client):
    # No django_db mark here either: the table ceiling must not query the database.
    response = client.get(reverse("bench:case_table"))
    assert response.status_code == 200
    names = [template.name for template in response.templates]
    assert "cases/case_list.html" in names
    assert "base.html" in names
    assert "_pagination.html" in names
    body = response.content.decode()
    assert body.count('<a href="/cases/C2024-') == 50
    # Rendered as a signed-in staff member sees the page: the navigation and the filter form.
    assert 'href="/cases/"' in body
    assert 'name="lead_hub"' in body
    assert 'rel="next"' in body
