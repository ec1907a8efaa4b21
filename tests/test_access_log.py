"""The access log: append-only, and a manager reviews their own hub's entries."""

import datetime
from unittest import mock

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    Case,
    ClosureRequest,
    Consent,
    Household,
    Intake,
    Person,
    StageChange,
)
from hubs.models import Role
from takatsuki_welfare.models import AccessLog

from .factories import HouseholdFactory, UserFactory

pytestmark = pytest.mark.django_db

LOG_URL = reverse("audit:log")


@pytest.fixture
def manager(make_member, hub):
    return make_member(Role.MANAGER, hub, last_name="管理", first_name="花子")


def entry(hub, user, action=AccessLog.Action.VIEW, at=None, **fields):
    values = {
        "user": user,
        "username": user.username,
        "hub": hub,
        "role": Role.STAFF,
        "action": action,
        "path": "/persons/1/",
        "ip": "10.0.0.1",
        **fields,
    }
    if at is None:
        return AccessLog.objects.create(**values)
    with mock.patch("django.utils.timezone.now", return_value=at):
        return AccessLog.objects.create(**values)


def shown(response):
    return [e.pk for e in response.context["entries"]]


def test_a_manager_sees_only_their_hubs_entries_newest_first(
    client_as, manager, staff, hub, other_hub
):
    older = entry(hub, staff, object_type="person", object_id="1", object_repr="山田 太郎")
    newer = entry(hub, staff, action=AccessLog.Action.UPDATE)
    entry(other_hub, UserFactory())
    response = client_as(manager).get(LOG_URL)
    assert response.status_code == 200
    assert shown(response) == [newer.pk, older.pk]
    page = response.content.decode()
    assert "山田 太郎" in page and "10.0.0.1" in page and "/persons/1/" in page
    assert staff.last_name in page


@pytest.mark.parametrize("role", [Role.STAFF, Role.CSW, Role.COORDINATOR, Role.VOLUNTEER])
def test_other_roles_are_refused(client_as, make_member, hub, role):
    user = make_member(role, hub)
    assert client_as(user).get(LOG_URL).status_code == 403
    assert not AccessLog.objects.filter(action=AccessLog.Action.SEARCH).exists()


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(LOG_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_viewing_the_log_is_logged(client_as, manager, hub):
    client_as(manager).get(LOG_URL, {"action": "update"})
    logged = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert (logged.user, logged.hub, logged.role) == (manager, hub, Role.MANAGER)
    assert logged.detail == "action=update"


def test_it_filters_by_user_action_and_record(client_as, manager, staff, make_member, hub):
    colleague = make_member(Role.CSW, hub)
    viewed = entry(hub, staff, object_type="person", object_id="7", object_repr="高橋 健一")
    updated = entry(hub, colleague, action=AccessLog.Action.UPDATE, object_type="household",
                    object_id="3", object_repr="H2026-000003 芥川町1丁目")  # fmt: skip
    client = client_as(manager)
    assert shown(client.get(LOG_URL, {"user": colleague.pk})) == [updated.pk]
    assert shown(client.get(LOG_URL, {"action": "view"})) == [viewed.pk]
    assert shown(client.get(LOG_URL, {"object_type": "person", "object_id": "7"})) == [viewed.pk]
    assert shown(client.get(LOG_URL, {"record": "芥川町"})) == [updated.pk]


def test_the_user_filter_offers_only_members_of_the_hub(
    client_as, manager, staff, make_member, other_hub
):
    outsider = make_member(Role.STAFF, other_hub)
    response = client_as(manager).get(LOG_URL)
    offered = set(response.context["filter"].form.fields["user"].queryset)
    assert offered == {manager, staff}
    assert client_as(manager).get(LOG_URL, {"user": outsider.pk}).context["filter"].errors


def test_it_filters_by_date(client_as, manager, staff, hub):
    tz = timezone.get_current_timezone()
    april = entry(hub, staff, at=datetime.datetime(2020, 4, 1, 0, 30, tzinfo=tz))
    may = entry(hub, staff, at=datetime.datetime(2020, 5, 31, 23, 30, tzinfo=tz))
    client = client_as(manager)
    assert shown(client.get(LOG_URL, {"date_from": "2020-05-01"}))[-1] == may.pk
    assert shown(client.get(LOG_URL, {"date_to": "2020-04-01"})) == [april.pk]
    assert shown(client.get(LOG_URL, {"date_from": "2020-04-02", "date_to": "2020-05-31"})) == [
        may.pk
    ]


def test_bad_filter_input_is_not_an_error_page(client_as, manager, staff, hub):
    entry(hub, staff)
    response = client_as(manager).get(LOG_URL, {"date_from": "昨日", "before": "nonsense"})
    assert response.status_code == 200
    assert "date_from" in response.context["filter"].errors


def test_it_pages_through_a_long_log_by_cursor(client_as, manager, staff, hub):
    created = [entry(hub, staff) for _ in range(55)]
    client = client_as(manager)
    first = client.get(LOG_URL)
    assert shown(first) == [e.pk for e in reversed(created)][:50]
    second = client.get(LOG_URL, {"before": first.context["older"]})
    assert shown(second) == [e.pk for e in reversed(created)][50:]
    assert second.context["older"] is None


def test_its_query_count_does_not_grow_with_entries(client_as, manager, staff, hub, count_queries):
    client = client_as(manager)
    entry(hub, staff)
    client.get(LOG_URL)
    one = count_queries(lambda: client.get(LOG_URL))
    for _ in range(20):
        entry(hub, staff)
    assert count_queries(lambda: client.get(LOG_URL)) == one


def test_it_escapes_recorded_text(client_as, manager, staff, hub):
    entry(hub, staff, object_repr="<script>alert(1)</script>")
    page = client_as(manager).get(LOG_URL).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# Append-only ---------------------------------------------------------------------------------


def test_entries_cannot_be_changed_or_deleted(hub, staff):
    logged = entry(hub, staff)
    logged.detail = "tampered"
    with pytest.raises(PermissionError):
        logged.save()
    with pytest.raises(PermissionError):
        logged.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=logged.pk).update(detail="tampered")
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=logged.pk).delete()
    logged.refresh_from_db()
    assert logged.detail == ""


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_the_admin_can_read_but_not_add_change_or_delete(client, superuser, hub, staff):
    logged = entry(hub, staff)
    model_admin = admin.site._registry[AccessLog]
    request = RequestFactory().get("/")
    request.user = superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, logged)
    assert not model_admin.has_delete_permission(request, logged)
    client.force_login(superuser)
    assert client.get(reverse("admin:core_accesslog_changelist")).status_code == 200
    assert client.get(reverse("admin:core_accesslog_add")).status_code == 403
    delete = reverse("admin:core_accesslog_delete", args=[logged.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:core_accesslog_change", args=[logged.pk])
    assert client.post(change, {"detail": "tampered"}).status_code == 403
    assert AccessLog.objects.filter(pk=logged.pk, detail="").exists()


def test_case_content_is_not_in_the_admin(client, superuser):
    """The system administrator has no case role: no case data and no change history there."""
    from auditlog.models import LogEntry

    for model in (Case, Intake, Household, Person, Consent, StageChange, ClosureRequest, LogEntry):
        assert not admin.site.is_registered(model), model
    household = HouseholdFactory()
    client.force_login(superuser)
    assert client.get(f"/admin/cases/household/{household.pk}/change/").status_code == 404
