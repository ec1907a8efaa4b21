"""Normalisation of Japanese text for search keys.

A search key folds what a person typing a name cannot be expected to get exactly right:

* full/half width and compatibility characters (NFKC: ｶﾀｶﾅ, ＡＢＣ, １２３, 塚 U+FA10, 隆 U+F9DC,
  祐 U+FA4F, ㍻ …); ideographic variation selectors (IVS) are removed;
* katakana vs hiragana (folded to hiragana), and case;
* spaces, including 全角スペース;
* ヴ-type kana: ヴァ/ヴィ/ヴ/ヴェ/ヴォ/ヴュ → ば/び/ぶ/べ/ぼ/びゅ (and ヷヸヹヺ → ばびべぼ);
* long vowels: ー and dash-like characters (ｰ － - ‐ − – — ―) after a kana become that kana's
  vowel, so オーノ, オオノ and おおの share the key おおの; elsewhere they are dropped. The
  おう/おお ambiguity (サトウ vs サトー) is not folded;
* variant kanji in names (VARIANT_KANJI): 髙橋 → 高橋, 渡邊 → 渡辺, 齋藤 → 斉藤 …

Keys are stored on the row and indexed, so a search is a prefix/contains match on the key.
The same function must build both the stored key and the query key.
"""

import unicodedata

import jaconv

VARIANT_KANJI: dict[str, str] = {
    "高": "髙",
    "崎": "﨑嵜",
    "斉": "齋齊斎",
    "辺": "邊邉",
    "沢": "澤",
    "浜": "濱濵",
    "広": "廣",
    "桜": "櫻",
    "徳": "德",
    "真": "眞",
    "国": "國",
    "蔵": "藏",
    "恵": "惠",
    "富": "冨",
    "滝": "瀧",
    "島": "嶋嶌",
    "渕": "淵",
    "槙": "槇",
    "昇": "曻",
    "柳": "栁",
    "吉": "𠮷",
    "関": "關",
    "条": "條",
    "亀": "龜",
    "黒": "黑",
    "寿": "壽",
    "栄": "榮",
    "実": "實",
    "弥": "彌",
}
"""Canonical kanji -> its variants as they occur in names, applied after NFKC.

NFKC already folds most CJK compatibility ideographs (塚 U+FA10 → 塚, 隆 U+F9DC → 隆,
祐 U+FA4F → 祐), but not the twelve that are unified ideographs, such as 﨑 U+FA11, which
is therefore listed here.
"""

_DASHES = "ー-‐‑‒–—―−⁃"
_LONG_VOWEL = "ー"
_VARIATION_SELECTORS = [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]

_TABLE = str.maketrans(
    {
        **{variant: canonical for canonical, vs in VARIANT_KANJI.items() for variant in vs},
        **dict.fromkeys(_DASHES, _LONG_VOWEL),
        **dict.fromkeys(" \u3000\t\r\n", None),
        **dict.fromkeys(_VARIATION_SELECTORS, None),
        "ゔ": "ぶ",
        "ヷ": "ば",
        "ヸ": "び",
        "ヹ": "べ",
        "ヺ": "ぼ",
    }
)
_VU_PAIRS = (("ゔぁ", "ば"), ("ゔぃ", "び"), ("ゔぇ", "べ"), ("ゔぉ", "ぼ"), ("ゔゅ", "びゅ"))

_VOWEL_OF = {
    kana: vowel
    for vowel, row in (
        ("あ", "あかさたなはまやらわがざだばぱぁゃゎゕ"),
        ("い", "いきしちにひみりゐぎじぢびぴぃ"),
        ("う", "うくすつぬふむゆるぐずづぶぷぅゅ"),
        ("え", "えけせてねへめれゑげぜでべぺぇゖ"),
        ("お", "おこそとのほもよろをごぞどぼぽぉょ"),
    )
    for kana in row
}

_KANA = frozenset(
    chr(c) for c in (*range(0x3041, 0x30A0), *range(0x30A1, 0x3100), *range(0x31F0, 0x3200))
)
_WHITESPACE = str.maketrans("", "", " \u3000\t\r\n")


def _fold_long_vowels(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch != _LONG_VOWEL:
            out.append(ch)
        elif out and (vowel := _VOWEL_OF.get(out[-1])):
            out.append(vowel)
    return "".join(out)


def search_key(*parts: str | None) -> str:
    """Concatenate the non-empty parts and normalise them into a search key."""
    text = "".join(p for p in parts if p)
    text = jaconv.kata2hira(unicodedata.normalize("NFKC", text)).lower()
    if "ゔ" in text:
        for vu, plain in _VU_PAIRS:
            text = text.replace(vu, plain)
    text = text.translate(_TABLE)
    if _LONG_VOWEL in text:
        text = _fold_long_vowels(text)
    return text


def phone_key(text: str | None) -> str:
    """Digits only (after NFKC), for finding duplicates by phone number."""
    return "".join(c for c in unicodedata.normalize("NFKC", text or "") if "0" <= c <= "9")


def kana_only(text: str | None) -> bool:
    """Whether the text, after NFKC and removing spaces, is non-empty and all kana.

    Kana are hiragana, katakana (with ー, ・ and the iteration marks) and small katakana.
    """
    text = unicodedata.normalize("NFKC", text or "").translate(_WHITESPACE)
    return bool(text) and all(c in _KANA for c in text)
