import time

import pytest
from django.urls import reverse

from hubs.acting import SESSION_KEY
from hubs.models import Role
from takatsuki_welfare.middleware import SIGNED_IN_AT

from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
WRONG = "ユーザー名またはパスワードが正しくありません"


def test_every_page_but_login_requires_sign_in(client, hub):
    for url in ["/", reverse("hubs:list"), reverse("hubs:detail", args=[hub.code])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?next=")
    assert client.get(LOGIN).status_code == 200


def test_the_login_page_is_japanese_by_default(client):
    response = client.get(LOGIN)
    assert response["Content-Language"] == "ja"
    assert '<html lang="ja">' in response.content.decode()
    assert "ログイン" in response.content.decode()


def test_it_signs_in_and_shows_hub_and_role(client, staff, hub):
    response = client.post(
        LOGIN, {"username": staff.username, "password": "correct-horse-battery"}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert hub.name in page
    assert "相談員" in page


def test_wrong_credentials_give_one_message_that_does_not_reveal_the_user(client, staff):
    wrong_password = client.post(LOGIN, {"username": staff.username, "password": "nope"})
    no_such_user = client.post(LOGIN, {"username": "nobody-here", "password": "nope"})
    assert WRONG in wrong_password.content.decode()
    assert WRONG in no_such_user.content.decode()
    assert wrong_password.context["form"].errors == no_such_user.context["form"].errors


def test_an_inactive_user_gets_the_same_message(client, staff):
    staff.is_active = False
    staff.save()
    response = client.post(LOGIN, {"username": staff.username, "password": "correct-horse-battery"})
    assert WRONG in response.content.decode()


def test_repeated_failures_lock_sign_in_with_the_cool_off_explained(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(LOGIN, {"username": staff.username, "password": "x"}).status_code == 200
    locked = client.post(LOGIN, {"username": staff.username, "password": "x"})
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "一時的にロック" in text
    assert "15分" in text
    # Even the right password is refused during the cool-off.
    again = client.post(LOGIN, {"username": staff.username, "password": "correct-horse-battery"})
    assert again.status_code == 429


def test_a_user_with_several_memberships_picks_one_and_switches_in_one_click(
    client, hub, other_hub
):
    user = UserFactory()
    first = MembershipFactory(user=user, hub=hub, role=Role.STAFF)
    second = MembershipFactory(user=user, hub=other_hub, role=Role.MANAGER)
    client.force_login(user)

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("hubs:acting"))

    picker = client.get(response["Location"])
    assert hub.name in picker.content.decode() and other_hub.name in picker.content.decode()

    client.post(reverse("hubs:acting"), {"membership": first.pk, "next": "/"})
    page = client.get("/").content.decode()
    assert client.session[SESSION_KEY] == first.pk
    assert 'data-testid="acting-hub">福祉相談支援課<' in page

    # The header offers the other membership; one POST switches.
    assert f'value="{second.pk}"' in page
    client.post(reverse("hubs:acting"), {"membership": second.pk, "next": "/"})
    page = client.get("/").content.decode()
    assert 'data-testid="acting-hub">障がい者基幹相談支援センター<' in page
    assert "課長・センター長" in page


def test_a_user_cannot_act_through_someone_elses_membership(client, staff, hub, other_hub):
    stranger = MembershipFactory(hub=other_hub, role=Role.MANAGER)
    client.force_login(staff)
    client.post(reverse("hubs:acting"), {"membership": stranger.pk, "next": "/"})
    assert client.session[SESSION_KEY] != stranger.pk
    assert "課長・センター長" not in client.get("/").content.decode()


def test_an_inactive_membership_is_not_used(client, hub):
    membership = MembershipFactory(hub=hub, role=Role.STAFF, active=False)
    client.force_login(membership.user)
    page = client.get("/").content.decode()
    assert "拠点の所属がない" in page


def test_next_is_not_an_open_redirect(client, hub, other_hub):
    user = UserFactory()
    first = MembershipFactory(user=user, hub=hub)
    MembershipFactory(user=user, hub=other_hub)
    client.force_login(user)
    response = client.post(
        reverse("hubs:acting"), {"membership": first.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_the_session_has_an_idle_timeout_and_an_absolute_cap(client, staff, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(staff)
    assert client.get("/").status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600 - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert client.get("/").status_code == 302  # signed out for good


def test_sign_out_is_a_post(client, staff):
    client.force_login(staff)
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
