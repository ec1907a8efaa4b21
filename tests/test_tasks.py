"""The hub's task lists: outreach attempts due, plan actions, plans due for review."""

import pytest
from django.urls import reverse

from cases.models import SupportPlan
from hubs.models import Role
from takatsuki_welfare.models import AccessLog

from .factories import CaseFactory, PlanFactory, UserFactory
from .test_dashboard import DAY, TODAY, attempt, plan_with_action

pytestmark = pytest.mark.django_db

OUTREACH = reverse("cases:tasks_outreach")
ACTIONS = reverse("cases:tasks_actions")
REVIEWS = reverse("cases:tasks_reviews")
ALL = (OUTREACH, ACTIONS, REVIEWS)


def rows(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    return list(response.context["object_list"])


def review_plan(hub, review_on, **fields):
    return PlanFactory(
        case=CaseFactory(household__registered_hub=hub, **fields),
        status=SupportPlan.Status.ENDORSED,
        review_on=review_on,
    )


# Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ALL)
def test_it_sends_anonymous_users_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", ALL)
def test_volunteers_and_users_acting_nowhere_get_404(client_as, volunteer, url):
    assert client_as(volunteer).get(url).status_code == 404
    assert client_as(UserFactory()).get(url).status_code == 404


@pytest.mark.parametrize("url", ALL)
def test_it_answers_only_get(client_as, staff, url):
    assert client_as(staff).post(url).status_code == 405


def test_another_hubs_staff_see_none_of_my_hubs_tasks(
    client_as, hub, other_hub, staff, make_member
):
    case = CaseFactory(household__registered_hub=hub, hubs=[other_hub])
    attempt(case, hub, staff)
    plan_with_action(case, hub, due_on=TODAY - DAY)
    case.plans.update(review_on=TODAY)
    outsider = make_member(Role.STAFF, other_hub)
    for url in ALL:
        assert rows(client_as(outsider), url, {"show": "all"}) == []
    for url in ALL:
        assert len(rows(client_as(staff), url, {"show": "all"})) == 1


@pytest.mark.parametrize("url", ALL)
def test_it_logs_a_search(client_as, staff, url):
    client_as(staff).get(url, {"show": "all"})
    assert AccessLog.objects.filter(user=staff, action="search", path__startswith=url).count() == 1


# Contents ----------------------------------------------------------------------------------


def test_outreach_shows_due_attempts_or_all_scheduled(client_as, hub, staff):
    first = attempt(CaseFactory(household__registered_hub=hub), hub, staff, next_on=TODAY - DAY)
    today = attempt(CaseFactory(household__registered_hub=hub), hub, staff, next_on=TODAY)
    later = attempt(CaseFactory(household__registered_hub=hub), hub, staff, next_on=TODAY + DAY)
    client = client_as(staff)
    assert rows(client, OUTREACH) == [first, today]
    assert rows(client, OUTREACH, {"show": "all"}) == [first, today, later]
    assert rows(client, OUTREACH, {"show": "nonsense"}) == [first, today]


def test_actions_list_open_actions_of_endorsed_plans_overdue_first(client_as, hub, staff):
    undated = plan_with_action(CaseFactory(household__registered_hub=hub), hub, due_on=None)
    upcoming = plan_with_action(CaseFactory(household__registered_hub=hub), hub, due_on=TODAY)
    overdue = plan_with_action(
        CaseFactory(household__registered_hub=hub), hub, due_on=TODAY - 3 * DAY
    )
    plan_with_action(
        CaseFactory(household__registered_hub=hub), hub, due_on=TODAY - DAY, done_on=TODAY
    )
    plan_with_action(
        CaseFactory(household__registered_hub=hub),
        hub,
        status=SupportPlan.Status.DISCUSSING,
        due_on=TODAY - DAY,
    )
    client = client_as(staff)
    assert rows(client, ACTIONS) == [overdue, upcoming, undated]
    assert rows(client, ACTIONS, {"show": "overdue"}) == [overdue]
    html = client.get(ACTIONS).content.decode()
    assert reverse("cases:plan_detail", args=[overdue.goal.plan_id]) in html


def test_reviews_list_due_plans_or_all_with_a_review_date(client_as, hub, staff):
    late = review_plan(hub, TODAY - 5 * DAY)
    due = review_plan(hub, TODAY)
    later = review_plan(hub, TODAY + 30 * DAY)
    client = client_as(staff)
    assert rows(client, REVIEWS) == [late, due]
    assert rows(client, REVIEWS, {"show": "all"}) == [late, due, later]


def test_the_lists_escape_names(client_as, hub, staff):
    case = CaseFactory(household__registered_hub=hub)
    person = case.primary_person
    person.family_name = "<script>alert(1)</script>"
    person.save()
    attempt(case, hub, staff)
    plan_with_action(case, hub, due_on=TODAY)
    case.plans.update(review_on=TODAY)
    for url in ALL:
        html = client_as(staff).get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert(1)</script>" not in html


def test_the_lists_are_paginated(client_as, hub, staff):
    for _ in range(51):
        attempt(CaseFactory(household__registered_hub=hub), hub, staff)
    client = client_as(staff)
    assert len(rows(client, OUTREACH)) == 50
    assert len(rows(client, OUTREACH, {"page": 2})) == 1


# Queries -----------------------------------------------------------------------------------


def _fill(n, hub, worker):
    for _ in range(n):
        case = CaseFactory(household__registered_hub=hub)
        attempt(case, hub, worker)
        plan_with_action(case, hub, due_on=TODAY - DAY)
        case.plans.update(review_on=TODAY - DAY)


@pytest.mark.parametrize("url", ALL)
def test_the_lists_run_a_constant_number_of_queries(client_as, hub, staff, count_queries, url):
    client = client_as(staff)
    _fill(1, hub, staff)
    client.get(url)
    one = count_queries(lambda: client.get(url))
    _fill(19, hub, staff)
    assert len(rows(client, url)) == 20
    assert count_queries(lambda: client.get(url)) == one
