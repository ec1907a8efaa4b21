import ast
import gettext
import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_japanese_is_the_default(client, staff):
    client.force_login(staff)
    response = client.get("/")
    assert response["Content-Language"] == "ja"
    assert "ホーム" in response.content.decode()


def test_an_english_browser_still_gets_japanese_until_the_user_switches(client, staff):
    client.force_login(staff)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "ja"


def test_the_language_switch_shows_english(client, staff):
    client.force_login(staff)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Home" in page and "Consultation staff" in page


def test_the_language_switch_works_before_signing_in(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/accounts/login/"}, follow=True
    )
    assert "Sign in" in response.content.decode()


PO = Path("locale/ja/LC_MESSAGES/django.po")
MO = PO.with_suffix(".mo")


def _po_entries():
    """(msgctxt, msgid, msgstr, fuzzy) for each singular entry of the .po file."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if "msgid_plural" in block or block.startswith("#~"):
            continue
        fuzzy = "#, fuzzy" in block
        parts = re.split(r"^(msgctxt|msgid|msgstr) ", block, flags=re.M)
        fields = dict(zip(parts[1::2], parts[2::2], strict=True))
        if "msgid" not in fields:
            continue

        def text(chunk):
            return "".join(ast.literal_eval(line) for line in chunk.strip().splitlines())

        context = text(fields["msgctxt"]) if "msgctxt" in fields else None
        entries.append((context, text(fields["msgid"]), text(fields["msgstr"]), fuzzy))
    return entries


def test_every_string_has_a_japanese_translation_and_the_mo_file_is_current():
    entries = [e for e in _po_entries() if e[1]]
    assert len(entries) > 100
    missing = [msgid for _, msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert missing == [], "untranslated or fuzzy: run `make messages` and translate"
    catalog = gettext.GNUTranslations(MO.open("rb"))

    def translated(context, msgid):
        return catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)

    stale = [msgid for ctx, msgid, msgstr, _ in entries if translated(ctx, msgid) != msgstr]
    assert stale == [], "locale/ja .mo is older than the .po: run `make messages`"
