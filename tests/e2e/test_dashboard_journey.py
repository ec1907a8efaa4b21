"""Browser journey on a tablet (768×1024): a CSW clears a 連絡途絶 case from the dashboard."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import AccompanimentRecord, Case

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "家庭訪問。本人と玄関先で10分ほど話せた。次回は来週火曜に訪問予定。"


def test_a_csw_records_a_home_visit_and_the_case_leaves_the_no_contact_list(
    demo_city, sign_in, live_server, page
):
    page.set_viewport_size({"width": 768, "height": 1024})
    # Three weeks past its interval: last seen long ago, by the CSW as main worker.
    case = Case.objects.open().filter(main_worker__username="csw").order_by("id").first()
    case.last_contact_on = timezone.localdate() - datetime.timedelta(days=case.follow_up_days + 21)
    case.save(update_fields=["last_contact_on"])

    sign_in("csw")
    expect(page).to_have_url(f"{live_server.url}/")
    tile = page.locator("[data-tile=contact_mine]")
    row = tile.locator("li", has_text=case.number)
    expect(row).to_be_visible()
    before = int(tile.locator(".tile-count a").inner_text().split()[0])

    # From the tile, one tap to the quick entry with the case chosen.
    row.get_by_role("link", name="記録", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/records/quick/\?case={case.number}$"))
    expect(page.locator(f"input[name=case][value='{case.number}']")).to_be_checked()
    page.get_by_label("家庭訪問").check()
    expect(page.locator("input[name=occurred_at]")).not_to_have_value("")
    page.locator("textarea[name=content]").fill(TEXT)
    save = page.locator("form.quick-form button[type=submit]")
    box = save.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 768  # a large target, on screen
    save.click()
    expect(page.locator(".message--success")).to_contain_text(case.number)

    record = AccompanimentRecord.objects.get(content=TEXT)
    assert (record.case_id, record.contact_type.code) == (case.pk, "home_visit")
    case.refresh_from_db()
    assert case.last_contact_on == timezone.localdate()

    page.goto(f"{live_server.url}/")
    expect(tile.locator("li", has_text=case.number)).to_have_count(0)
    if before > 1:
        expect(tile.locator(".tile-count a")).to_contain_text(str(before - 1))
    else:
        expect(tile.locator("li")).to_have_count(0)
