"""Browser journeys of issue 3: intake → case, and a corner volunteer's hand-over."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, Intake, Person

pytestmark = pytest.mark.django_db(transaction=True)


def submit(page):
    page.locator("main form[method=post] button[type=submit]:not([name])").last.click()


def test_staff_record_an_intake_that_opens_a_new_case(demo_city, sign_in, live_server):
    page = sign_in("desk_staff")
    page.goto(f"{live_server.url}/intakes/new/")
    page.locator("input[name=subject][value=new]").check()
    page.locator("input[name=family_name]").fill("田中")
    page.locator("input[name=given_name]").fill("一郎")
    page.locator("input[name=family_name_kana]").fill("たなか")
    page.locator("input[name=given_name_kana]").fill("いちろう")
    page.locator("input[name=birth_date]").fill("S45.3.2")
    page.locator("input[name=household_choice][value=new]").check()
    page.locator("input[name=town]").fill("桃園町")
    page.locator("input[name=address_rest]").fill("2番1号")
    page.get_by_label("収入・生活費", exact=True).check()
    page.get_by_label("債務", exact=True).check()
    page.locator("input[name=main_concern]").nth(2).check()  # 収入・生活費 is the third row
    page.locator("textarea[name=narrative]").fill("失職して家賃が払えない。借入が複数ある。")
    page.locator("input[name=outcome][value=new_case]").check()
    submit(page)

    expect(page).to_have_url(re.compile(r"/cases/\d{4}-\d{6}/$"))
    case = Case.objects.get(persons__family_name="田中", persons__given_name="一郎")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    expect(page.locator("main")).to_contain_text("田中 一郎")
    assert case.lead_hub.code == "desk"
    intake = Intake.objects.get(case=case)
    assert intake.concern_items.get(is_main=True).concern.label == "収入・生活費"
    assert Person.objects.get(family_name="田中", given_name="一郎").birth_date.isoformat() == (
        "1970-03-02"
    )


def test_search_as_you_type_finds_a_known_person_in_katakana(demo_city, sign_in, live_server):
    page = sign_in("houkatsu_staff")
    page.goto(f"{live_server.url}/intakes/new/")
    page.locator("input[name=q]").fill("オオノ")  # the demo 8050 household, stored in katakana
    results = page.locator("#person-results")
    expect(results).to_contain_text("大野", timeout=5000)
    expect(results.locator("input[name=person]").first).to_be_visible()


def test_a_volunteer_hands_over_and_sees_only_received_then_connected(
    demo_city, sign_in, live_server, browser
):
    page = sign_in("volunteer")
    page.goto(f"{live_server.url}/intakes/corner/new/")
    page.locator("input[name=consulter_name]").fill("隣に住む者")
    page.locator("input[name=subject_description]").fill("一人暮らしの高齢女性（鈴木さん）")
    page.get_by_label("地域との関係", exact=True).check()
    page.locator("textarea[name=narrative]").fill("最近姿を見ない。郵便物がたまっている。")
    page.locator("input[name=contact_hint]").fill("自治会長経由で連絡可")
    submit(page)
    expect(page).to_have_url(re.compile(r"/intakes/mine/$"))
    intake = Intake.objects.get(subject_description="一人暮らしの高齢女性（鈴木さん）")
    assert intake.handed_to.code == "desk" and intake.outcome == Intake.Outcome.PENDING
    row = page.locator("tr", has_text="一人暮らしの高齢女性（鈴木さん）")
    expect(row).to_contain_text("受付待ち")

    staff_context = browser.new_context(locale="ja-JP")
    staff = staff_context.new_page()
    staff.goto(f"{live_server.url}/accounts/login/")
    staff.locator("input[name=username]").fill("desk_staff")
    staff.locator("input[name=password]").fill("tsunagu-demo-2026")
    staff.locator(".login button[type=submit]").click()
    staff.goto(f"{live_server.url}/intakes/incoming/")
    incoming = staff.locator("tr", has_text="一人暮らしの高齢女性（鈴木さん）")
    incoming.locator("form[action$='/take-up/'] button").click()

    page.reload()
    expect(page.locator("tr", has_text="一人暮らしの高齢女性（鈴木さん）")).to_contain_text(
        "受け止めました"
    )

    case = Case.objects.filter(lead_hub__code="desk").order_by("id").first()
    staff.goto(f"{live_server.url}/intakes/{intake.pk}/connect/")
    staff.locator("input[name=q]").fill(case.primary_person.family_name)
    staff.locator("input[name=q]").press("Enter")
    staff.locator("input[name=action][value=link]").check()
    staff.locator("input[name=subject][value=existing]").check()
    staff.locator(f"input[name=person][value='{case.primary_person.pk}']").check()
    staff.locator(f"input[name=case][value='{case.pk}']").first.check()
    staff.locator("main form[method=post] button[type=submit]:not([name])").last.click()
    staff_context.close()

    page.reload()
    row = page.locator("tr", has_text="一人暮らしの高齢女性（鈴木さん）")
    expect(row).to_contain_text("つながりました")
    expect(page.locator("main")).not_to_contain_text(case.number)
    expect(page.locator("main")).not_to_contain_text(case.primary_person.family_name)
