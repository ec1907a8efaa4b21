"""Search keys for Japanese names (japanese.py) and 和暦 birth dates (wareki.py)."""

import datetime

import pytest

from takatsuki_welfare.japanese import VARIANT_KANJI, kana_only, phone_key, search_key
from takatsuki_welfare.wareki import format_both, format_wareki, parse_birth_date

D = datetime.date
TODAY = D(2025, 6, 1)


def same_key(*texts):
    return len({search_key(t) for t in texts}) == 1


# search_key


def test_hiragana_and_katakana_share_a_key():
    assert search_key("ヤマダ タロウ") == search_key("やまだ たろう") == "やまだたろう"


def test_half_width_katakana_is_folded():
    assert search_key("ｶﾀｶﾅ") == search_key("カタカナ") == "かたかな"
    assert search_key("ｶﾞｷﾞﾊﾟ") == "がぎぱ"


def test_full_width_latin_and_digits_are_folded_and_lowercased():
    assert search_key("ＡＢＣ１２３") == search_key("abc123") == "abc123"
    assert search_key("Smith") == search_key("SMITH") == "smith"


@pytest.mark.parametrize(
    "text", ["山田 太郎", "山田\u3000太郎", "山田太郎", " 山田\t太郎\n", "山田　 太郎"]
)
def test_spaces_including_ideographic_space_are_ignored(text):
    assert search_key(text) == "山田太郎"


def test_parts_are_joined_and_none_or_empty_parts_skipped():
    assert search_key("田中", None, "", "太郎") == search_key("田中太郎")
    assert search_key() == search_key(None) == ""


def test_a_family_name_key_is_a_prefix_of_the_full_name_key():
    assert search_key("田中", "太郎").startswith(search_key("田中"))
    assert search_key("髙橋", "花子").startswith(search_key("高橋"))


@pytest.mark.parametrize(
    ("variants", "key"),
    [
        (["ヴァイオリン", "バイオリン", "ｳﾞｧｲｵﾘﾝ"], "ばいおりん"),
        (["ヴィ", "ビ"], "び"),
        (["ヴ", "ブ", "ゔ"], "ぶ"),
        (["ヴェ", "ベ"], "べ"),
        (["ヴォ", "ボ"], "ぼ"),
        (["ゔぁ", "ば"], "ば"),
        (["ヷヸヹヺ", "バビベボ"], "ばびべぼ"),
    ],
)
def test_vu_variants_share_a_key(variants, key):
    assert {search_key(v) for v in variants} == {key}


@pytest.mark.parametrize("text", ["オーノ", "オオノ", "おおの", "ｵｰﾉ", "オ－ノ", "オ-ノ", "オ―ノ"])
def test_long_vowel_marks_fold_to_the_vowel(text):
    assert search_key(text) == "おおの"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("センター", "せんたあ"),
        ("ティー", "てぃい"),
        ("ジュース", "じゅうす"),
        ("ケーキ", "けえき"),
        ("ルー", "るう"),
        ("オーー", "おおお"),
        ("ー", ""),
        ("ンー", "ん"),
        ("A-1", "a1"),
        ("1‐2−3–4—5", "12345"),
    ],
)
def test_long_vowel_rule(text, key):
    assert search_key(text) == key


def test_a_long_vowel_query_is_found_in_a_stored_key():
    assert search_key("ｾﾝﾀｰ") in search_key("地域包括支援センター")


@pytest.mark.parametrize(
    "names",
    [
        ["髙橋", "高橋"],
        ["山﨑", "山崎", "山嵜"],
        ["齋藤", "斎藤", "斉藤", "齊藤"],
        ["渡邊", "渡邉", "渡辺"],
        ["澤田", "沢田"],
        ["濱田", "浜田", "濵田"],
        ["廣瀬", "広瀬"],
        ["櫻井", "桜井"],
        ["德永", "徳永"],
        ["眞鍋", "真鍋"],
        ["國分", "国分"],
        ["大藏", "大蔵"],
        ["惠子", "恵子"],
        ["冨田", "富田"],
        ["瀧本", "滝本"],
        ["嶋田", "島田", "嶌田"],
        ["淵上", "渕上"],
        ["槇原", "槙原"],
        ["大\ufa10", "大塚"],
        ["曻", "昇"],
        ["栁田", "柳田"],
        ["\uf9dc", "隆"],
        ["\ufa4f介", "祐介"],
        ["𠮷田", "吉田"],
        ["關口", "関口"],
        ["北條", "北条"],
        ["龜井", "亀井"],
        ["黑田", "黒田"],
        ["壽", "寿"],
        ["榮", "栄"],
        ["實", "実"],
        ["彌生", "弥生"],
    ],
)
def test_variant_kanji_share_a_key(names):
    assert same_key(*names)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [(v, c) for c, variants in VARIANT_KANJI.items() for v in variants],
)
def test_every_listed_variant_folds_to_its_canonical_form(variant, canonical):
    assert search_key(variant) == canonical


def test_canonical_forms_are_stable():
    canonical = "".join(VARIANT_KANJI)
    assert search_key(canonical) == canonical


def test_ideographic_variation_selectors_are_dropped():
    assert search_key("葛\U000e0100城") == search_key("葛城")
    assert search_key("辺\U000e0101") == search_key("邊") == "辺"


def test_search_key_is_idempotent():
    text = "ｻｲﾄｳ 齋藤 ヴィオラ・センター　ＡＢＣ"
    assert search_key(search_key(text)) == search_key(text)


# phone_key


@pytest.mark.parametrize(
    "text", ["072-674-7171", "０７２－６７４－７１７１", "(072) 674 7171", "TEL:072.674.7171"]
)
def test_phone_key_keeps_only_digits(text):
    assert phone_key(text) == "0726747171"


def test_phone_key_of_nothing_is_empty():
    assert phone_key(None) == phone_key("") == phone_key("なし") == ""


# kana_only


@pytest.mark.parametrize(
    "text",
    ["やまだ", "ヤマダ", "ｻﾄｳ", "さとう たろう", "サトー", "ｻﾄｰ", "ジョン・スミス", "　ヴ　"],
)
def test_kana_only_accepts_readings(text):
    assert kana_only(text)


@pytest.mark.parametrize("text", ["山田", "やまだ太郎", "yamada", "やまだ1", "", "  ", None])
def test_kana_only_rejects_everything_else(text):
    assert not kana_only(text)


# parse_birth_date: accepted formats


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昭和45年3月2日", D(1970, 3, 2)),
        ("昭和４５年３月２日", D(1970, 3, 2)),
        ("昭和 45年 3月 2日", D(1970, 3, 2)),
        ("S45.3.2", D(1970, 3, 2)),
        ("s45.3.2", D(1970, 3, 2)),
        ("Ｓ４５．３．２", D(1970, 3, 2)),
        ("S45/3/2", D(1970, 3, 2)),
        ("S45-3-2", D(1970, 3, 2)),
        ("S45.03.02", D(1970, 3, 2)),
        ("昭45.3.2", D(1970, 3, 2)),
        ("昭和45/3/2", D(1970, 3, 2)),
        ("R2/1/5", D(2020, 1, 5)),
        ("H1.1.8", D(1989, 1, 8)),
        ("令和元年5月1日", D(2019, 5, 1)),
        ("令和1年5月1日", D(2019, 5, 1)),
        ("平成元年1月8日", D(1989, 1, 8)),
        ("大正15年12月24日", D(1926, 12, 24)),
        ("T15.12.24", D(1926, 12, 24)),
        ("大15.12.24", D(1926, 12, 24)),
        ("M45.7.29", D(1912, 7, 29)),
        ("明45.7.29", D(1912, 7, 29)),
        ("明治元年10月23日", D(1868, 10, 23)),
        ("平3.4.5", D(1991, 4, 5)),
        ("令6.1.1", D(2024, 1, 1)),
        ("㍼45年3月2日", D(1970, 3, 2)),
        ("1970-03-02", D(1970, 3, 2)),
        ("1970/3/2", D(1970, 3, 2)),
        ("1970.3.2", D(1970, 3, 2)),
        ("1970年3月2日", D(1970, 3, 2)),
        ("１９７０年３月２日", D(1970, 3, 2)),
        ("西暦1970年3月2日", D(1970, 3, 2)),
        ("19700302", D(1970, 3, 2)),
        (" 1970-03-02 ", D(1970, 3, 2)),
        ("1868-10-23", D(1868, 10, 23)),
    ],
)
def test_parse_birth_date(text, expected):
    assert parse_birth_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("S64.1.7", D(1989, 1, 7)),
        ("H1.1.8", D(1989, 1, 8)),
        ("H31.4.30", D(2019, 4, 30)),
        ("R1.5.1", D(2019, 5, 1)),
        ("S1.12.25", D(1926, 12, 25)),
        ("T1.7.30", D(1912, 7, 30)),
    ],
)
def test_parse_birth_date_at_era_boundaries(text, expected):
    assert parse_birth_date(text, today=TODAY) == expected


def test_today_is_accepted():
    assert parse_birth_date("2025-06-01", today=TODAY) == TODAY


def test_today_defaults_to_the_current_date():
    assert parse_birth_date("1970-03-02") == D(1970, 3, 2)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValueError, match="未来の日付は入力できません。"):
        parse_birth_date(tomorrow.isoformat())


# parse_birth_date: errors


def error_of(text):
    with pytest.raises(ValueError) as excinfo:
        parse_birth_date(text, today=TODAY)
    return str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("昭和45年2月30日", "昭和45年2月30日は存在しない日付です。"),
        ("S45.2.29", "昭和45年2月29日は存在しない日付です。"),
        ("令和元年4月31日", "令和元年4月31日は存在しない日付です。"),
        ("1970-02-30", "1970年2月30日は存在しない日付です。"),
        ("1970/13/1", "1970年13月1日は存在しない日付です。"),
        ("19700230", "1970年2月30日は存在しない日付です。"),
        ("1970-03-00", "1970年3月0日は存在しない日付です。"),
    ],
)
def test_impossible_dates(text, message):
    assert error_of(text) == message


def test_leap_day_is_accepted():
    assert parse_birth_date("S47.2.29", today=TODAY) == D(1972, 2, 29)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("昭和65年1月1日", "昭和は64年（1989年1月7日）までです。"),
        ("S64.1.8", "昭和は64年（1989年1月7日）までです。"),
        ("平成31年5月1日", "平成は31年（2019年4月30日）までです。"),
        ("H32.1.1", "平成は31年（2019年4月30日）までです。"),
        ("大正16年1月1日", "大正は15年（1926年12月24日）までです。"),
        ("T15.12.25", "大正は15年（1926年12月24日）までです。"),
        ("M45.7.30", "明治は45年（1912年7月29日）までです。"),
        ("M46.1.1", "明治は45年（1912年7月29日）までです。"),
    ],
)
def test_years_and_dates_after_the_era(text, message):
    assert error_of(text) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("平成1年1月7日", "平成は1989年1月8日からです。"),
        ("平成元年1月1日", "平成は1989年1月8日からです。"),
        ("令和元年4月30日", "令和は2019年5月1日からです。"),
        ("S1.12.24", "昭和は1926年12月25日からです。"),
        ("T1.7.29", "大正は1912年7月30日からです。"),
        ("明治元年10月22日", "明治は1868年10月23日からです。"),
    ],
)
def test_dates_before_the_era_starts(text, message):
    assert error_of(text) == message


def test_year_zero_of_an_era():
    assert error_of("昭和0年1月1日") == "昭和0年は存在しません。"


@pytest.mark.parametrize("text", ["2025-06-02", "R7.6.2", "令和8年1月1日", "20300101"])
def test_future_dates(text):
    assert error_of(text) == "未来の日付は入力できません。"


@pytest.mark.parametrize("text", ["1867-12-31", "1800/1/1", "18671231"])
def test_years_before_1868(text):
    assert error_of(text) == "1868年より前の日付は入力できません。"


def test_1868_before_meiji():
    assert error_of("1868-10-22") == "1868年10月23日（明治元年）より前の日付は入力できません。"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "あいうえお", "昭和", "X45.3.2", "S45", "S45.3", "70-03-02", "1970-3", "197003"],
)
def test_unreadable_text(text):
    assert error_of(text) == "生年月日を読み取れません。例: 昭和45年3月2日、S45.3.2、1970-03-02"


def test_none_is_unreadable():
    with pytest.raises(ValueError, match="生年月日を読み取れません。"):
        parse_birth_date(None, today=TODAY)


# format_wareki and format_both


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (D(1970, 3, 2), "昭和45年3月2日"),
        (D(2019, 5, 1), "令和元年5月1日"),
        (D(2020, 1, 5), "令和2年1月5日"),
        (D(1868, 10, 23), "明治元年10月23日"),
        (D(1912, 7, 29), "明治45年7月29日"),
        (D(1912, 7, 30), "大正元年7月30日"),
        (D(1926, 12, 24), "大正15年12月24日"),
        (D(1926, 12, 25), "昭和元年12月25日"),
        (D(1989, 1, 7), "昭和64年1月7日"),
        (D(1989, 1, 8), "平成元年1月8日"),
        (D(2019, 4, 30), "平成31年4月30日"),
        (datetime.datetime(1970, 3, 2, 9, 30), "昭和45年3月2日"),
    ],
)
def test_format_wareki(date, text):
    assert format_wareki(date) == text


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (D(1970, 3, 2), "1970年3月2日（昭和45年）"),
        (D(2019, 5, 1), "2019年5月1日（令和元年）"),
        (D(1989, 1, 7), "1989年1月7日（昭和64年）"),
        (D(1989, 1, 8), "1989年1月8日（平成元年）"),
    ],
)
def test_format_both(date, text):
    assert format_both(date) == text


def test_formatting_before_meiji_is_an_error():
    with pytest.raises(ValueError, match="明治より前"):
        format_wareki(D(1868, 10, 22))


@pytest.mark.parametrize("text", ["S45.3.2", "令和元年5月1日", "H31.4.30", "1989-01-07"])
def test_format_wareki_round_trips(text):
    date = parse_birth_date(text, today=TODAY)
    assert parse_birth_date(format_wareki(date), today=TODAY) == date
