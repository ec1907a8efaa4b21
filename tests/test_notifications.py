import datetime

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from hubs.models import Role
from referrals.models import Basis, Kind
from referrals.services import referral_send
from takatsuki_welfare.models import Notification
from takatsuki_welfare.notify import notify_hub, notify_users

from .factories import CaseFactory, HubFactory, PersonFactory, UserFactory

LIST_URL = reverse("notifications:list")
READ_ALL_URL = reverse("notifications:read_all")


def read_url(notification):
    return reverse("notifications:read", args=[notification.pk])


def notify(user, message="新しいつなぎがあります", url="/referrals/1/", **fields):
    return Notification.objects.create(recipient=user, message=message, url=url, **fields)


def in_english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# The bell ----------------------------------------------------------------------------------


def test_it_shows_the_unread_count_on_the_bell(client_as, staff):
    for _ in range(3):
        notify(staff)
    notify(staff, read_at=timezone.now())
    notify(UserFactory())

    response = in_english(client_as(staff)).get("/")

    assert response.context["unread_notification_count"] == 3
    html = response.content.decode()
    assert f'href="{LIST_URL}" aria-label="Notifications (3 unread)"' in html
    assert '<span class="badge badge--danger">3</span>' in html


def test_it_shows_the_bell_without_a_count_when_all_is_read(client_as, staff):
    notify(staff, read_at=timezone.now())

    html = client_as(staff).get("/").content.decode()

    assert f'href="{LIST_URL}"' in html
    assert "badge--danger" not in html


# The list ----------------------------------------------------------------------------------


def test_it_redirects_a_signed_out_user_to_sign_in(client):
    for url in (LIST_URL, READ_ALL_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_it_lists_only_the_users_own_notifications_newest_first(client_as, staff):
    older = notify(staff, message="古いお知らせ")
    newer = notify(staff, message="新しいお知らせ")
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    notify(UserFactory(), message="他の人へのお知らせ")

    response = client_as(staff).get(LIST_URL)

    assert [n.pk for n in response.context["notifications"]] == [newer.pk, older.pk]
    assert "他の人へのお知らせ" not in response.content.decode()


def test_it_marks_unread_ones_with_text_not_only_style(client_as, staff):
    notify(staff, message="未読のお知らせ")
    notify(staff, message="既読のお知らせ", read_at=timezone.now())

    html = in_english(client_as(staff)).get(LIST_URL).content.decode()

    assert '<span class="badge badge--info">Unread</span> <strong>未読のお知らせ</strong>' in html
    assert html.count(">Unread</span>") == 1
    assert "<strong>既読のお知らせ</strong>" not in html


def test_it_paginates(client_as, staff):
    for i in range(30):
        notify(staff, message=f"お知らせ{i}")
    client = client_as(staff)

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert len(first.context["notifications"]) == 25
    assert len(second.context["notifications"]) == 5
    assert client.get(LIST_URL, {"page": "x"}).status_code == 200


def test_it_lets_a_corner_volunteer_see_their_own_notifications(client_as, volunteer):
    notify(volunteer, message="受け止めました", url="")
    assert client_as(volunteer).get(LIST_URL).status_code == 200


def test_it_escapes_messages(client_as, staff):
    notify(staff, message="<script>alert(1)</script>")

    html = client_as(staff).get(LIST_URL).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_it_runs_the_same_number_of_queries_for_1_and_20_rows(client_as, count_queries, staff):
    client = client_as(staff)
    notify(staff, hub=HubFactory())
    one = count_queries(lambda: client.get(LIST_URL))
    for _ in range(19):
        notify(staff, hub=HubFactory())
    assert count_queries(lambda: client.get(LIST_URL)) == one


# Marking read ------------------------------------------------------------------------------


def test_it_marks_one_read_and_follows_its_link(client_as, staff):
    notification = notify(staff, url="/referrals/7/")

    response = client_as(staff).post(read_url(notification))

    assert response.status_code == 302
    assert response["Location"] == "/referrals/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_keeps_the_first_read_time(client_as, staff):
    first_read = timezone.now() - datetime.timedelta(days=1)
    notification = notify(staff, read_at=first_read)

    client_as(staff).post(read_url(notification))

    notification.refresh_from_db()
    assert notification.read_at == first_read


@pytest.mark.parametrize(
    "url", ["", "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_it_returns_to_the_list_unless_the_link_is_a_local_path(client_as, staff, url):
    notification = notify(staff, url=url)

    response = client_as(staff).post(read_url(notification))

    assert response["Location"] == LIST_URL
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_does_not_link_to_another_site_in_the_list(client_as, staff):
    notify(staff, url="https://evil.example/", read_at=timezone.now())

    assert "evil.example" not in client_as(staff).get(LIST_URL).content.decode()


def test_it_hides_other_users_notifications(client_as, staff):
    someone_elses = notify(UserFactory())

    response = client_as(staff).post(read_url(someone_elses))

    assert response.status_code == 404
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None


def test_it_marks_only_by_post(client_as, staff):
    notification = notify(staff)
    client = client_as(staff)

    assert client.get(read_url(notification)).status_code == 405
    assert client.get(READ_ALL_URL).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_it_marks_all_of_the_users_own_read(client_as, staff):
    mine = [notify(staff) for _ in range(3)]
    someone_elses = notify(UserFactory())

    response = client_as(staff).post(READ_ALL_URL)

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine]).unread().exists()
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None


# E-mail ------------------------------------------------------------------------------------


@pytest.fixture
def desk_and_centre(make_member, hub):
    centre = HubFactory(name="地域包括支援センター（芥川）")
    sender = make_member(Role.STAFF, hub, email="desk@example.jp")
    receivers = [
        make_member(Role.STAFF, centre, email="staff@example.jp"),
        make_member(Role.MANAGER, centre, email="manager@example.jp"),
        make_member(Role.STAFF, centre, email=""),
    ]
    make_member(Role.VOLUNTEER, centre, email="volunteer@example.jp")
    return sender, centre, receivers


def _send(sender, hub, centre):
    person = PersonFactory(family_name="大野", given_name="ハル")
    return referral_send(
        actor=sender,
        case=CaseFactory(lead_hub=hub, primary=person),
        to_hub=centre,
        kind=Kind.SUPPORT,
        reason="大野ハルさんの介護について",
        basis=Basis.SUPPORT_MEETING,
        meeting_reference="2026-11-20 支援会議",
    )


def test_it_notifies_the_receiving_hub_without_personal_data(desk_and_centre, hub):
    sender, centre, receivers = desk_and_centre

    referral = _send(sender, hub, centre)

    notifications = Notification.objects.filter(hub=centre)
    assert {n.recipient for n in notifications} == set(receivers)
    for notification in notifications:
        assert hub.name in notification.message
        assert "大野" not in notification.message
        assert notification.url == reverse("referrals:detail", args=[referral.pk])


def test_it_sends_no_email_by_default(desk_and_centre, hub, mailoutbox):
    sender, centre, _receivers = desk_and_centre
    _send(sender, hub, centre)
    assert mailoutbox == []


def test_it_emails_through_djangos_backend_when_switched_on(
    desk_and_centre, hub, settings, mailoutbox
):
    settings.NOTIFY_BY_EMAIL = True
    settings.SITE_URL = "https://tsunagu.example.jp"
    sender, centre, _receivers = desk_and_centre

    referral = _send(sender, hub, centre)

    (mail,) = mailoutbox
    assert sorted(mail.to) == ["manager@example.jp", "staff@example.jp"]
    assert hub.name in mail.subject
    detail = reverse("referrals:detail", args=[referral.pk])
    assert f"https://tsunagu.example.jp{detail}" in mail.body
    assert "大野" not in mail.subject + mail.body


def test_it_sends_no_email_to_users_without_an_address(db, settings, mailoutbox):
    settings.NOTIFY_BY_EMAIL = True

    notify_users([UserFactory(email="")], message="お知らせ")

    assert mailoutbox == []
    assert Notification.objects.count() == 1


def test_it_notifies_each_member_once(make_member, hub, settings, mailoutbox):
    settings.NOTIFY_BY_EMAIL = True
    user = make_member(Role.STAFF, hub, email="both@example.jp")
    make_member(Role.MANAGER, hub, username=user.username)

    notify_hub(hub, message="お知らせ")

    assert Notification.objects.filter(recipient=user).count() == 1
    assert mailoutbox[0].to == ["both@example.jp"]
