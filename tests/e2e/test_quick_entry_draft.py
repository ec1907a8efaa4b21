"""Browser journey: a record typed on the tablet survives the end of the session."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from cases.models import AccompanimentRecord, Case
from hubs.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "家庭訪問。母は穏やか。長男が初めて玄関まで出てきて、少し話ができた。"


def test_a_record_typed_before_the_session_ended_is_offered_again(demo_city, sign_in,
                                                                  live_server, page):  # fmt: skip
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in("houkatsu_staff")
    case = Case.objects.open().filter(main_worker__username="houkatsu_staff").first()
    quick = f"{live_server.url}/records/quick/"
    page.goto(quick)
    card = page.locator(f"input[name=case][value='{case.number}']")
    card.check()
    content = page.locator("textarea[name=content]")
    content.fill(TEXT)

    # The session ends while the worker is still typing (idle timeout): the cookie is gone.
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.locator("form.quick-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/records/quick/$"))
    assert not AccompanimentRecord.objects.filter(content=TEXT).exists()

    page.locator("input[name=username]").fill("houkatsu_staff")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(quick)
    expect(content).to_have_value("")
    expect(page.locator("[data-draft-bar]")).to_be_visible()
    page.locator("[data-draft-restore]").click()
    expect(content).to_have_value(TEXT)
    expect(card).to_be_checked()
    expect(page.locator("[data-draft-bar]")).to_be_hidden()

    page.locator("form.quick-form button[type=submit]").click()
    expect(page).to_have_url(quick)
    expect(page.locator(".message--success")).to_contain_text(case.number)
    record = AccompanimentRecord.objects.get(content=TEXT)
    assert (record.case, record.author.username) == (case, "houkatsu_staff")
    assert record.contact_type.code == "home_visit"

    # Saved: the browser forgot its copy, so nothing is offered again.
    page.reload()
    expect(page.locator("[data-draft-bar]")).to_be_hidden()
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tsunagu-draft:'))")
    assert kept == []
