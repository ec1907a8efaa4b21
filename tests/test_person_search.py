"""Finding known persons: kana and kanji, variants, 和暦 birth dates, scoped to what one may see."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Person
from cases.models import person as person_module
from hubs.models import Role
from takatsuki_welfare.models import AccessLog

from .factories import CaseFactory, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

URL = reverse("cases:person_search")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def signed_in(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def household(hub):
    return HouseholdFactory(registered_hub=hub, town="富田町", address_rest="2丁目5番8号")


def person(household, family, given, family_kana, given_kana, born=None):
    return PersonFactory(
        household=household,
        family_name=family,
        given_name=given,
        family_name_kana=family_kana,
        given_name_kana=given_kana,
        birth_date=born,
    )


def found(client, q):
    return client.get(URL, {"q": q}, **HTMX).context["persons"]


def test_katakana_and_half_width_queries_find_the_hiragana_reading(signed_in, household):
    yamada = person(household, "山田", "花子", "やまだ", "はなこ")
    assert found(signed_in, "ヤマダ") == [yamada]
    assert found(signed_in, "ﾔﾏﾀﾞ ﾊﾅｺ") == [yamada]
    assert found(signed_in, "まだ　は") == [yamada]  # any part, 全角スペース ignored


def test_variant_kanji_and_two_character_family_names_are_found(signed_in, household):
    takahashi = person(household, "高橋", "一郎", "たかはし", "いちろう")
    tanaka = person(household, "田中", "実", "たなか", "みのる")
    assert found(signed_in, "髙橋") == [takahashi]
    assert found(signed_in, "田中") == [tanaka]
    assert found(signed_in, "中実") == [tanaka]


@pytest.mark.parametrize("typed", ["S45.3.2", "昭和45年3月2日", "1970-03-02", "１９７０/3/2"])
def test_a_birth_date_in_either_calendar_finds_the_person(signed_in, household, typed):
    born = person(household, "佐藤", "一", "さとう", "はじめ", datetime.date(1970, 3, 2))
    person(household, "佐藤", "二郎", "さとう", "じろう", datetime.date(1971, 3, 2))
    assert found(signed_in, typed) == [born]


def test_an_impossible_date_gives_a_hint_instead_of_results(signed_in, household):
    person(household, "佐藤", "一", "さとう", "はじめ", datetime.date(1970, 3, 2))
    response = signed_in.get(URL, {"q": "昭和65年1月1日"}, **HTMX)
    assert response.context["persons"] == [] and response.context["hint"]


def test_one_character_returns_nothing_but_a_hint(signed_in, household):
    person(household, "林", "太郎", "はやし", "たろう")
    response = signed_in.get(URL, {"q": "林"}, **HTMX)
    assert response.context["persons"] == [] and response.context["hint"]


def test_it_finds_only_persons_the_user_may_see(signed_in, household, other_hub):
    mine = person(household, "中村", "一", "なかむら", "はじめ")
    PersonFactory(
        household__registered_hub=other_hub, family_name="中村", family_name_kana="なかむら"
    )
    shared = CaseFactory(household__registered_hub=other_hub, hubs=[household.registered_hub])
    shared_person = shared.primary_person
    shared_person.family_name, shared_person.family_name_kana = "中村", "なかむら"
    shared_person.save()
    assert set(found(signed_in, "なかむら")) == {mine, shared_person}


def test_htmx_gets_radio_buttons_and_the_page_gets_links(signed_in, household):
    yamada = person(household, "山田", "花子", "やまだ", "はなこ", datetime.date(1970, 3, 2))
    CaseFactory(household=household, primary=yamada, number="2026-000777")
    partial = signed_in.get(URL, {"q": "やまだ"}, **HTMX)
    html = partial.content.decode()
    assert "<html" not in html
    assert f'name="person" value="{yamada.pk}"' in html
    assert "2026-000777" in html and 'name="case"' in html
    assert "富田町2丁目5番8号" in html and "1970年3月2日（昭和45年）" in html
    assert "HX-Request" in partial["Vary"]

    page = signed_in.get(URL, {"q": "やまだ"})
    html = page.content.decode()
    assert "<html" in html and reverse("cases:person_detail", args=[yamada.pk]) in html
    assert 'name="person"' not in html
    assert "HX-Request" in page["Vary"]


def test_each_search_is_logged_with_its_query(signed_in, household, staff):
    person(household, "山田", "花子", "やまだ", "はなこ")
    signed_in.get(URL, {"q": "ヤマダ"}, **HTMX)
    entry = AccessLog.objects.get(user=staff, action=AccessLog.Action.SEARCH)
    assert entry.detail == "ヤマダ" and entry.role == Role.STAFF


def test_script_in_names_is_escaped(signed_in, household):
    person(household, "<script>alert(1)</script>", "", "やまだ", "")
    html = signed_in.get(URL, {"q": "やまだ"}, **HTMX).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html


def test_results_are_limited_and_ordered(signed_in, household):
    people = [person(household, "山田", f"{n}", "やまだ", f"た{n:02d}") for n in range(25)]
    response = signed_in.get(URL, {"q": "やまだ"}, **HTMX)
    assert response.context["persons"] == people[:20] and response.context["more"]


def test_the_search_runs_a_constant_number_of_queries(signed_in, household, count_queries):
    signed_in.get(URL, {"q": "やまだ"}, **HTMX)
    person(household, "山田", "0", "やまだ", "た00")
    one = count_queries(lambda: signed_in.get(URL, {"q": "やまだ"}, **HTMX))
    for n in range(1, 20):
        other = HouseholdFactory(registered_hub=household.registered_hub)
        CaseFactory(household=other, primary=person(other, "山田", f"{n}", "やまだ", f"た{n:02d}"))
    assert len(found(signed_in, "やまだ")) == 20
    assert count_queries(lambda: signed_in.get(URL, {"q": "やまだ"}, **HTMX)) == one


# The policy checked on the first matches by reading (Person.objects.first_visible) -------------


@pytest.fixture
def interleaved(household, other_hub):
    """やまだ persons by reading: 4 hidden, 3 visible, 5 hidden, 4 visible, 3 hidden."""
    hidden = HouseholdFactory(registered_hub=other_hub)
    visible = []
    for n, seen in enumerate("h" * 4 + "v" * 3 + "h" * 5 + "v" * 4 + "h" * 3):
        made = person(household if seen == "v" else hidden, "山田", f"{n}", "やまだ", f"た{n:02d}")
        if seen == "v":
            visible.append(made)
    return visible


@pytest.mark.parametrize("window", [1, 2, 3, 5, 8, 600])
@pytest.mark.parametrize("n", [1, 3, 7, 8])
def test_the_first_visible_are_those_of_one_query_whatever_the_window(
    interleaved, staff, window, n
):
    """Windows small enough to need the second window, the rest past both, or neither."""
    one_query = Person.objects.visible_to(staff).search("やまだ").order_by("kana_key", "id")
    found = Person.objects.search("やまだ").first_visible(staff, n, window=window)
    assert found == list(one_query[:n]) == interleaved[:n]
    assert all("household" in person._state.fields_cache for person in found)


def test_nothing_found_and_nothing_visible(interleaved, staff, other_hub):
    assert Person.objects.search("すずき").first_visible(staff, 21) == []
    elsewhere = HouseholdFactory(registered_hub=other_hub)
    person(elsewhere, "鈴木", "一", "すずき", "はじめ")
    assert Person.objects.search("すずき").first_visible(staff, 21, window=1) == []


def test_the_page_and_more_are_exact_past_hidden_matches(
    signed_in, household, other_hub, monkeypatch
):
    """Windows of 4, visible persons after and among hidden ones: exactly those, by reading,
    then the first 20 and more once 26 are visible."""
    monkeypatch.setattr(person_module, "SEARCH_WINDOW", 4)
    hidden = HouseholdFactory(registered_hub=other_hub)
    visible = []
    for n in range(30):
        seen = n >= 6 and n % 3
        made = person(household if seen else hidden, "山田", f"{n}", "やまだ", f"た{n:02d}")
        if seen:
            visible.append(made)
    response = signed_in.get(URL, {"q": "やまだ"}, **HTMX)
    assert len(visible) == 16 and response.context["persons"] == visible
    assert not response.context["more"]
    for n in range(30, 40):
        visible.append(person(household, "山田", f"{n}", "やまだ", f"た{n:02d}"))
    response = signed_in.get(URL, {"q": "やまだ"}, **HTMX)
    assert response.context["persons"] == visible[:20] and response.context["more"]


def test_past_the_windows_the_queries_stay_constant(
    signed_in, household, other_hub, count_queries, monkeypatch
):
    monkeypatch.setattr(person_module, "SEARCH_WINDOW", 2)
    hidden = HouseholdFactory(registered_hub=other_hub)
    for n in range(5):
        person(hidden, "山田", f"{n}", "やまだ", f"あ{n:02d}")
    person(household, "山田", "見", "やまだ", "み")
    few = count_queries(lambda: signed_in.get(URL, {"q": "やまだ"}, **HTMX))
    for n in range(5, 40):
        person(hidden, "山田", f"{n}", "やまだ", f"あ{n:02d}")
    assert len(found(signed_in, "やまだ")) == 1
    assert count_queries(lambda: signed_in.get(URL, {"q": "やまだ"}, **HTMX)) == few


def test_the_search_page_links_persons_without_their_cases(signed_in, household, count_queries):
    yamada = person(household, "山田", "花子", "やまだ", "はなこ")
    CaseFactory(household=household, primary=yamada)
    radios = count_queries(lambda: signed_in.get(URL, {"q": "やまだ"}, **HTMX))
    links = count_queries(lambda: signed_in.get(URL, {"q": "やまだ", "links": "1"}, **HTMX))
    assert links == radios - 1


def test_corner_volunteers_and_signed_out_users_cannot_search(client, volunteer):
    client.force_login(volunteer)
    assert client.get(URL, {"q": "やまだ"}).status_code == 404
    client.logout()
    assert client.get(URL, {"q": "やまだ"}).status_code == 302
