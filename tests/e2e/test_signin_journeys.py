import re

import pytest
from playwright.sync_api import expect

from hubs.demo import DEMO_USERS

pytestmark = pytest.mark.django_db(transaction=True)

ROLE_LABELS = {
    "volunteer": "まちかど相談員",
    "staff": "相談員",
    "csw": "コミュニティソーシャルワーカー",
    "coordinator": "多機関協働コーディネーター",
    "manager": "課長・センター長",
}
HUB_NAMES = {
    "desk": "福祉相談支援課",
    "houkatsu-01": "地域包括支援センター",
    "shakyo": "高槻市社会福祉協議会",
    "disability-core": "障がい者基幹相談支援センター",
    "corner-01": "福祉のまちかど相談（芥川）",
}
SINGLE = [(u, m[0]) for u, _f, _g, m in DEMO_USERS if len(m) == 1]


@pytest.mark.parametrize(("username", "membership"), SINGLE, ids=[u for u, _ in SINGLE])
def test_each_demo_role_signs_in_and_sees_hub_role_and_navigation(
    demo_city, sign_in, username, membership
):
    hub_code, role = membership
    page = sign_in(username)
    expect(page.get_by_test_id("acting-hub")).to_contain_text(HUB_NAMES[hub_code])
    expect(page.get_by_test_id("acting-role")).to_contain_text(ROLE_LABELS[role])
    nav = page.get_by_role("navigation", name="メインメニュー")
    expect(nav.get_by_role("link", name="ホーム")).to_be_visible()
    expect(nav.get_by_role("link", name="拠点一覧")).to_be_visible()
    members_link = nav.get_by_role("link", name="自拠点の職員")
    if role == "volunteer":
        expect(members_link).to_have_count(0)
    else:
        expect(members_link).to_be_visible()


def test_a_corner_volunteer_cannot_reach_the_hub_member_list(demo_city, sign_in, live_server):
    page = sign_in("volunteer")
    response = page.goto(f"{live_server.url}/hubs/corner-01/members/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("現在の役割では")


def test_a_dual_role_user_picks_then_switches_in_one_action(demo_city, sign_in):
    page = sign_in("dual_role")
    expect(page.get_by_role("heading", level=1)).to_contain_text("拠点と役割")
    page.get_by_role("button", name=re.compile("高槻市社会福祉協議会")).click()
    expect(page.get_by_test_id("acting-hub")).to_have_text("高槻市社会福祉協議会")
    page.get_by_label("拠点・役割を切り替える").select_option(label="福祉相談支援課 / 相談員")
    expect(page.get_by_test_id("acting-hub")).to_have_text("福祉相談支援課")
    expect(page.get_by_test_id("acting-role")).to_have_text("相談員")


def test_wrong_password_shows_a_japanese_message_and_keeps_the_user_name(demo_city, sign_in):
    page = sign_in("desk_staff", password="wrong-password")
    expect(page.get_by_role("alert")).to_contain_text(
        "ユーザー名またはパスワードが正しくありません"
    )
    expect(page.get_by_label("ユーザー名")).to_have_value("desk_staff")


def test_the_language_switch_shows_english(demo_city, sign_in):
    page = sign_in("desk_staff")
    page.get_by_label("言語").select_option("en")
    expect(page.get_by_role("link", name="Hub directory")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_layout_works_on_a_tablet(demo_city, sign_in, page):
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in("csw")
    page.get_by_role("link", name="拠点一覧", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("拠点一覧")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768, f"horizontal scrolling at 768px ({width}px)"
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="本文へ移動")).to_be_focused()
