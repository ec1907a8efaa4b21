"""Outreach (アウトリーチ): attempts are all kept, failed ones included; engagement stages move;
only a met attempt counts as a contact."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CasePerson, Engagement, OutreachAttempt
from cases.services_support import outreach_record
from hubs.models import Role
from takatsuki_welfare.models import AccessLog

from .factories import CaseFactory, HubFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

Result = OutreachAttempt.Result
Method = OutreachAttempt.Method


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - datetime.timedelta(days=n)


@pytest.fixture
def csw(make_member, hub):
    return make_member(Role.CSW, hub)


@pytest.fixture
def case(hub):
    return CaseFactory(household__registered_hub=hub, follow_up_days=30)


@pytest.fixture
def son(case):
    """The withdrawn son of the 8050 household: a person of the case, not yet engaged."""
    person = PersonFactory(household=case.household, given_name="一郎")
    CasePerson.objects.create(case=case, person=person)
    return person


def list_url(case):
    return reverse("cases:outreach_list", args=[case.number])


def create_url(case):
    return reverse("cases:outreach_create", args=[case.number])


def post_attempt(client, case, person, **overrides):
    data = {
        "person": person.pk,
        "attempted_on": today().isoformat(),
        "method": Method.VISIT,
        "result": Result.ABSENT,
        "note": "",
        "next_attempt_on": "",
        "engagement": "",
    }
    data.update(overrides)
    return client.post(create_url(case), data)


def record(case, person, user, *, on, result=Result.ABSENT, engagement=""):
    return outreach_record(
        actor=user, case=case, person=person, attempted_on=on, method=Method.VISIT,
        result=result, engagement=engagement,
    )  # fmt: skip


# Recording ---------------------------------------------------------------------------------


def test_it_records_a_failed_attempt_and_logs_it(client_as, csw, case, son, hub):
    response = post_attempt(
        client_as(csw), case, son, result=Result.ABSENT, note="インターホンに応答なし。手紙を投函。"
    )
    assert response.status_code == 302
    assert response["Location"] == list_url(case)
    attempt = OutreachAttempt.objects.get()
    assert (attempt.person, attempt.result, attempt.recorded_by, attempt.acting_hub) == (
        son, Result.ABSENT, csw, hub,
    )  # fmt: skip
    entry = AccessLog.objects.get(action=AccessLog.Action.CREATE)
    assert (entry.object_type, entry.object_id) == ("outreachattempt", str(attempt.pk))


def test_it_offers_the_case_persons_with_their_current_stage(client_as, csw, case, son):
    CasePerson.objects.filter(case=case, person=son).update(engagement=Engagement.CONTACTED)
    outsider = PersonFactory(household=case.household)
    form = client_as(csw).get(create_url(case)).context["form"]
    choices = {value.value: label for value, label in form.fields["person"].choices if value}
    assert set(choices) == {case.primary_person.pk, son.pk}
    assert outsider.pk not in choices
    assert str(Engagement.CONTACTED.label) in choices[son.pk]
    assert form["attempted_on"].value() == today()


def test_it_refuses_a_person_outside_the_case(client_as, csw, case):
    outsider = PersonFactory(household=case.household)
    response = post_attempt(client_as(csw), case, outsider)
    assert response.status_code == 200
    assert "person" in response.context["form"].errors
    assert not OutreachAttempt.objects.exists()


def test_it_refuses_a_date_in_the_future_and_keeps_the_input(client_as, csw, case, son):
    tomorrow = today() + datetime.timedelta(days=1)
    response = post_attempt(
        client_as(csw), case, son, attempted_on=tomorrow.isoformat(), note="次は夕方に訪問"
    )
    assert response.status_code == 200
    assert "attempted_on" in response.context["form"].errors
    assert "次は夕方に訪問" in response.content.decode()
    assert not OutreachAttempt.objects.exists()


def test_it_refuses_a_next_attempt_before_the_attempt(client_as, csw, case, son):
    response = post_attempt(client_as(csw), case, son, next_attempt_on=days_ago(1).isoformat())
    assert "next_attempt_on" in response.context["form"].errors
    assert not OutreachAttempt.objects.exists()


def test_it_moves_the_engagement_stage_only_when_given(client_as, csw, case, son):
    client = client_as(csw)
    post_attempt(client, case, son, result=Result.MET, engagement=Engagement.CONTACTED)
    link = CasePerson.objects.get(case=case, person=son)
    assert link.engagement == Engagement.CONTACTED
    post_attempt(client, case, son, result=Result.REFUSED)
    link.refresh_from_db()
    assert link.engagement == Engagement.CONTACTED
    post_attempt(client, case, son, result=Result.MET, engagement=Engagement.RELATIONSHIP)
    link.refresh_from_db()
    assert link.engagement == Engagement.RELATIONSHIP
    assert list(
        OutreachAttempt.objects.order_by("id").values_list("engagement_after", flat=True)
    ) == [Engagement.CONTACTED, "", Engagement.RELATIONSHIP]


def test_a_met_attempt_is_a_contact_and_an_absent_one_is_not(client_as, csw, case, son):
    client = client_as(csw)
    post_attempt(client, case, son, attempted_on=days_ago(2).isoformat(), result=Result.ABSENT)
    case.refresh_from_db()
    assert case.last_contact_on is None
    post_attempt(client, case, son, attempted_on=days_ago(1).isoformat(), result=Result.MET)
    case.refresh_from_db()
    assert case.last_contact_on == days_ago(1)
    post_attempt(client, case, son, attempted_on=today().isoformat(), result=Result.ABSENT)
    case.refresh_from_db()
    assert case.last_contact_on == days_ago(1)


# History -----------------------------------------------------------------------------------


def test_it_lists_every_attempt_newest_first_failed_ones_included(client_as, csw, case, son):
    old = record(case, son, csw, on=days_ago(30), result=Result.ABSENT)
    refused = record(case, son, csw, on=days_ago(10), result=Result.REFUSED)
    letter = record(case, son, csw, on=days_ago(10), result=Result.LETTER_LEFT)
    met = record(case, son, csw, on=days_ago(3), result=Result.MET)
    response = client_as(csw).get(list_url(case))
    assert list(response.context["attempts"]) == [met, letter, refused, old]
    html = response.content.decode()
    for label in ("不在", "拒否", "手紙投函", "会えた"):
        assert label in html, label


def test_it_shows_how_long_since_the_first_attempt_and_counts_by_result(client_as, csw, case, son):
    record(case, son, csw, on=days_ago(30), result=Result.ABSENT)
    record(case, son, csw, on=days_ago(20), result=Result.ABSENT)
    record(case, son, csw, on=days_ago(3), result=Result.MET)
    context = client_as(csw).get(list_url(case)).context
    assert context["first_attempt_on"] == days_ago(30)
    assert context["days_since_first"] == 30
    assert context["attempt_count"] == 3
    assert [(str(label), n) for label, n in context["by_result"]] == [
        (str(Result.MET.label), 1),
        (str(Result.ABSENT.label), 2),
    ]


def test_it_never_deletes_attempts(client_as, csw, case, son):
    attempt = record(case, son, csw, on=days_ago(1))
    client = client_as(csw)
    assert client.delete(list_url(case)).status_code == 405
    assert client.post(list_url(case)).status_code == 405
    assert OutreachAttempt.objects.filter(pk=attempt.pk).exists()


def test_it_logs_the_list_as_a_search(client_as, csw, case):
    client_as(csw).get(list_url(case))
    entry = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert case.number in entry.detail


def test_the_case_page_shows_the_outreach_history_and_stages(client_as, csw, case, son):
    record(case, son, csw, on=days_ago(45), result=Result.ABSENT)
    record(case, son, csw, on=days_ago(2), result=Result.MET, engagement=Engagement.CONTACTED)
    response = client_as(csw).get(reverse("cases:case_detail", args=[case.number]))
    assert response.context["days_since_first"] == 45
    assert len(response.context["recent_attempts"]) == 2
    html = response.content.decode()
    assert son.full_name in html
    assert str(Engagement.CONTACTED.label) in html
    assert list_url(case) in html and create_url(case) in html


def test_it_escapes_script_in_the_note(client_as, csw, case, son):
    outreach_record(
        actor=csw, case=case, person=son, method=Method.LETTER, result=Result.LETTER_LEFT,
        note="<script>alert(1)</script>",
    )  # fmt: skip
    html = client_as(csw).get(list_url(case)).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_its_query_count_does_not_grow_with_attempts(client_as, csw, hub, count_queries):
    small = CaseFactory(household__registered_hub=hub)
    large = CaseFactory(household__registered_hub=hub)
    record(small, small.primary_person, csw, on=days_ago(1))
    for n in range(20):
        person = PersonFactory(household=large.household)
        CasePerson.objects.create(case=large, person=person)
        record(large, person, MembershipFactory(hub=hub, role=Role.CSW).user, on=days_ago(n))
    client = client_as(csw)
    client.get(list_url(small))
    assert count_queries(lambda: client.get(list_url(small))) == count_queries(
        lambda: client.get(list_url(large))
    )


def test_the_case_page_query_count_does_not_grow_with_attempts(client_as, csw, hub, count_queries):
    small = CaseFactory(household__registered_hub=hub)
    large = CaseFactory(household__registered_hub=hub)
    record(small, small.primary_person, csw, on=days_ago(1))
    for n in range(20):
        record(large, large.primary_person, csw, on=days_ago(n), result=list(Result)[n % 5])
    client = client_as(csw)
    url = reverse("cases:case_detail", args=[small.number])
    client.get(url)
    one = count_queries(lambda: client.get(url))
    twenty = count_queries(lambda: client.get(reverse("cases:case_detail", args=[large.number])))
    assert one == twenty


# Who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STAFF, Role.CSW, Role.MANAGER])
def test_it_is_not_found_for_an_unrelated_hub(client_as, make_member, other_hub, case, son, role):
    client = client_as(make_member(role, other_hub))
    assert client.get(list_url(case)).status_code == 404
    assert client.get(create_url(case)).status_code == 404
    assert post_attempt(client, case, son).status_code == 404
    assert not OutreachAttempt.objects.exists()


def test_it_is_not_found_for_volunteers(client_as, make_member, hub, case, son):
    client = client_as(make_member(Role.VOLUNTEER, hub))
    assert client.get(list_url(case)).status_code == 404
    assert client.get(create_url(case)).status_code == 404
    assert post_attempt(client, case, son).status_code == 404
    assert not OutreachAttempt.objects.exists()


def test_a_participating_hub_may_record_attempts(client_as, make_member, other_hub, case, son):
    case.hub_links.create(hub=other_hub)
    client = client_as(make_member(Role.CSW, other_hub))
    assert post_attempt(client, case, son).status_code == 302
    assert OutreachAttempt.objects.get().acting_hub == other_hub


def test_it_sends_anonymous_users_to_sign_in(client, case):
    for url in (list_url(case), create_url(case)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_it_is_not_found_for_a_coordinator_of_a_case_without_coordination(
    client_as, make_member, case
):
    coordinator = make_member(Role.COORDINATOR, HubFactory())
    assert client_as(coordinator).get(list_url(case)).status_code == 404
