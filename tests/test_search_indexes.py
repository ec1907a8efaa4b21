"""Person search on indexed keys: the same results everywhere, and on PostgreSQL the bigram and
prefix indexes really in use (docs/search.md)."""

import pytest
from django.db import connection

from cases.models import Person
from takatsuki_welfare.search import bigrams, contains_anywhere

from .factories import PersonFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the bigram function and the GIN/text_pattern_ops indexes exist only on PostgreSQL",
)


def named(family, given, family_kana, given_kana):
    return PersonFactory(
        family_name=family,
        given_name=given,
        family_name_kana=family_kana,
        given_name_kana=given_kana,
    )


def test_bigrams_are_the_overlapping_pairs_of_characters():
    assert bigrams("髙橋太郎") == ["髙橋", "橋太", "太郎"]
    assert bigrams("林") == bigrams("") == []


def test_two_characters_match_anywhere_in_the_name_or_reading():
    tanaka = named("田中", "実", "たなか", "みのる")
    nakata = named("中田", "花子", "なかた", "はなこ")
    assert set(Person.objects.search("田中")) == {tanaka}
    assert set(Person.objects.search("中実")) == {tanaka}
    assert set(Person.objects.search("なか")) == {tanaka, nakata}
    assert set(Person.objects.search("ナカタ")) == {nakata}
    assert set(Person.objects.search("髙橋")) == set()


def test_variant_kanji_find_the_canonical_name_through_the_index_key():
    takahashi = named("髙橋", "一郎", "たかはし", "いちろう")
    assert list(Person.objects.search("高橋")) == [takahashi]
    assert list(Person.objects.search("髙橋一郎")) == [takahashi]


def test_one_character_matches_the_start_of_the_name_or_reading_only():
    hayashi = named("林", "太郎", "はやし", "たろう")
    kobayashi = named("小林", "花子", "こばやし", "はなこ")
    assert list(Person.objects.search("林")) == [hayashi]
    assert list(Person.objects.search("ハ")) == [hayashi]
    assert list(Person.objects.search("小")) == [kobayashi]


def test_like_wildcards_in_the_query_are_literal():
    named("田中", "実", "たなか", "みのる")
    assert not Person.objects.search("田_").exists()
    assert not Person.objects.search("%実").exists()


def test_contains_anywhere_without_bigrams_is_a_plain_contains():
    tanaka = named("田中", "実", "たなか", "みのる")
    assert list(Person.objects.filter(contains_anywhere("実", "name_key", "kana_key"))) == [tanaka]


def test_one_of_is_in():
    tanaka, nakata = named("田中", "", "たなか", ""), named("中田", "", "なかた", "")
    named("林", "", "", "")
    ids = [nakata.pk, tanaka.pk, 0]
    assert set(Person.objects.filter(pk__one_of=ids)) == {tanaka, nakata}
    assert set(Person.objects.exclude(pk__one_of=ids)) == set(Person.objects.exclude(pk__in=ids))
    sql, params = Person.objects.filter(pk__one_of=ids).query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s)" in sql and list(params) == [ids]  # one array, however many ids
    else:
        assert list(params) == ids


# PostgreSQL: the guard that the indexes are filled and chosen -----------------------------------

FAMILIES = [
    ("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"),
    ("伊藤", "いとう"), ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"),
    ("小林", "こばやし"), ("加藤", "かとう"), ("吉田", "よしだ"), ("山田", "やまだ"),
    ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと"), ("井上", "いのうえ"),
    ("木村", "きむら"), ("林", "はやし"), ("斉藤", "さいとう"), ("清水", "しみず"),
]  # fmt: skip
GIVEN = [
    ("太郎", "たろう"), ("花子", "はなこ"), ("健一", "けんいち"), ("洋子", "ようこ"),
    ("誠", "まこと"), ("由美子", "ゆみこ"), ("翔太", "しょうた"), ("さくら", "さくら"),
]  # fmt: skip
COMPOSED_HEADS = "北南東西今古新大浅深宮寺桑梅柿栗菅荒若白"
COMPOSED_TAILS = "沢岡森谷川野原島田村"


def _generate_persons(template, count):
    """``count`` persons by SQL, keys as Person.search_keys() computes them: 20 common family
    names for 60 % and 200 composed ones (北沢, 今岡 …) for the rest, then ANALYZE."""
    families = FAMILIES + [
        (head + tail, f"x{h}y{t}")
        for h, head in enumerate(COMPOSED_HEADS)
        for t, tail in enumerate(COMPOSED_TAILS)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH fam AS (SELECT row_number() OVER () - 1 AS n, f, k
                         FROM unnest(%s::text[], %s::text[]) AS t(f, k)),
                 giv AS (SELECT row_number() OVER () - 1 AS n, g, k
                         FROM unnest(%s::text[], %s::text[]) AS t(g, k))
            INSERT INTO cases_person (family_name, given_name, family_name_kana,
                given_name_kana, sex, phone, phone2, email, co_resident, registered_hub_id,
                registered_by_id, created_at, updated_at, version, name_key, kana_key, phone_key)
            SELECT fam.f, giv.g, fam.k, giv.k, 'not_answered', '', '', '', true, %s, %s, now(),
                   now(), 1, fam.f || giv.g, fam.k || giv.k, ''
            FROM generate_series(0, %s - 1) AS i
            JOIN fam ON fam.n = CASE WHEN i %% 5 < 3 THEN i / 5 %% 20 ELSE 20 + i / 5 %% 200 END
            JOIN giv ON giv.n = i %% 8
            """,
            [
                [f for f, _ in families],
                [k for _, k in families],
                [g for g, _ in GIVEN],
                [k for _, k in GIVEN],
                template.registered_hub_id,
                template.registered_by_id,
                count,
            ],
        )
        cursor.execute("ANALYZE cases_person")


def _plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def city():
    """6,000 generated persons with realistic statistics (no planner settings changed)."""
    _generate_persons(PersonFactory(), 6000)


@postgresql_only
def test_the_bigram_function_cuts_japanese_text_in_any_collation():
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT tsunagu_bigrams(%s), tsunagu_bigrams(%s COLLATE "C"), tsunagu_bigrams(%s),'
            " tsunagu_bigrams(''), tsunagu_bigrams('林')",
            ["髙橋太郎", "髙橋太郎", "ﾀｶﾊｼ𠮷田"],
        )
        assert cursor.fetchone() == (
            ["髙橋", "橋太", "太郎"],
            ["髙橋", "橋太", "太郎"],
            bigrams("ﾀｶﾊｼ𠮷田"),
            [],
            [],
        )


@postgresql_only
def test_pg_trgm_is_not_needed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (0,)
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'cases_person' AND indexdef ~ 'gin'"
        )
        definitions = sorted(row[0] for row in cursor.fetchall())
    assert len(definitions) == 2
    assert all("tsunagu_bigrams" in d and "trgm" not in d for d in definitions)


@postgresql_only
def test_the_bigram_indexes_are_filled():
    named("髙橋", "太郎", "タカハシ", "")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsunagu_bigrams(name_key), tsunagu_bigrams(kana_key) FROM cases_person"
        )
        assert cursor.fetchone() == (["高橋", "橋太", "太郎"], ["たか", "かは", "はし"])


@postgresql_only
@pytest.mark.parametrize(
    ("query", "index", "expected"),
    [
        ("北沢", "person_name_key_bigrams", 12),  # a two-character kanji family name
        ("渡邊", "person_name_key_bigrams", 180),  # its variant kanji, folded to 渡辺
        ("菅島翔太", "person_name_key_bigrams", 6),
        ("タカハ", "person_kana_key_bigrams", 180),  # a kana prefix, typed in katakana
        ("林", "person_name_key_prefix", 180),  # one character: the start of the name
        ("は", "person_kana_key_prefix", 180),
    ],
)
def test_searches_use_the_indexes_and_find_the_rows(city, query, index, expected):
    """Fails if an index is unused (a Seq Scan) or empty (the index finds nothing)."""
    found = Person.objects.search(query)
    plan = _plan(found.order_by("kana_key", "id")[:21])
    assert index in plan and "Seq Scan on cases_person" not in plan, plan
    assert found.count() == expected
