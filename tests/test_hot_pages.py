"""The benchmark's pages on a generated city: each answers and runs a fixed number of queries.

The pages, users and rows are the ones bench/run picks (bench/bench_targets.py), here on a
city at scale 0.01. bench/run reports the counts at scale 1 (README, "Performance and
scale"), a hundred times the data, and they are the same, except where what the chosen rows
have differs rather than how many there are: the dashboards run up to 8 more there (a tile with
nothing to show skips fetching its rows, and the small city leaves some tiles empty), and the
meeting screen one fewer (its case there has no plan goals to prefetch, but one more hub
query). The per-row guarantees (1 row vs many) are tested page by page in the feature modules.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import bench_targets

# Queries per request; the session, user, acting membership, the access log and the
# navigation's counts are part of every signed-in page.
QUERIES = {
    "case_list": 18,
    "case_list_deep": 18,
    "case_detail": 35,
    "case_timeline": 20,
    "household": 16,
    "search_kanji": 10,
    "search_kana": 10,
    "inbox": 14,
    "coordination": 14,
    "dashboard_staff": 23,
    "dashboard_manager": 30,
    "meeting_item": 30,
    "intake_post": 18,
}


@pytest.fixture(scope="class")
def targets(city, django_db_blocker):
    with django_db_blocker.unblock():
        found = {t.name: t for t in bench_targets.build_targets(lambda message: None, pool=1)}
    return found


class TestHotPages:
    def test_every_page_of_the_benchmark_is_covered(self, targets, db):
        pages = {name for name, target in targets.items() if target.kind != "ceiling"}
        assert pages == set(QUERIES)

    @pytest.mark.parametrize("name", sorted(QUERIES))
    def test_the_page_runs_a_fixed_number_of_queries(self, targets, name, db):
        target = targets[name]
        bench_targets._request(target)  # caches warmed, as for a user's second request
        with CaptureQueriesContext(connection) as queries:
            response = bench_targets._request(target)
        assert response.status_code == target.expect, target.path
        assert len(queries) == QUERIES[name], "\n".join(q["sql"][:120] for q in queries)
