"""Names with readings for the synthetic city.

Faker's ja_JP person provider keeps kanji and reading together only in its ``*_pairs`` data:
``last_name()`` and ``last_kana_name()`` draw independently (松本 with コバヤシ), so the
generator takes the pairs. Faker has 50 family names; a city of 350,000 needs a longer tail,
so common family names are added here, and rarer ones are composed from parts (plausible, not
authoritative, readings: this is synthetic data). Given names follow the generation: Faker's
list is of people born from the 1970s on.
"""

import bisect
import itertools

import jaconv
from faker.providers.person.ja_JP import Provider as FakerPerson

from takatsuki_welfare.japanese import VARIANT_KANJI

MORE_FAMILY_NAMES = """
青木 アオキ 藤井 フジイ 西村 ニシムラ 福田 フクダ 太田 オオタ 三浦 ミウラ 藤原 フジワラ
岡本 オカモト 松田 マツダ 中川 ナカガワ 中野 ナカノ 原田 ハラダ 小野 オノ 田村 タムラ
竹内 タケウチ 金子 カネコ 和田 ワダ 中山 ナカヤマ 石田 イシダ 上田 ウエダ 森田 モリタ
原 ハラ 柴田 シバタ 酒井 サカイ 工藤 クドウ 横山 ヨコヤマ 宮崎 ミヤザキ 宮本 ミヤモト
内田 ウチダ 高木 タカギ 安藤 アンドウ 谷口 タニグチ 大野 オオノ 丸山 マルヤマ 今井 イマイ
高田 タカダ 藤本 フジモト 武田 タケダ 村田 ムラタ 上野 ウエノ 杉山 スギヤマ 増田 マスダ
平野 ヒラノ 大塚 オオツカ 千葉 チバ 久保 クボ 松井 マツイ 小島 コジマ 岩崎 イワサキ
桜井 サクライ 野口 ノグチ 松尾 マツオ 野村 ノムラ 木下 キノシタ 菊地 キクチ 佐野 サノ
大西 オオニシ 杉本 スギモト 新井 アライ 浜田 ハマダ 菅原 スガワラ 市川 イチカワ 水野 ミズノ
小松 コマツ 島田 シマダ 古川 フルカワ 小山 コヤマ 高野 タカノ 西田 ニシダ 菊池 キクチ
山内 ヤマウチ 西川 ニシカワ 五十嵐 イガラシ 北村 キタムラ 安田 ヤスダ 中田 ナカタ 川口 カワグチ
平田 ヒラタ 川崎 カワサキ 飯田 イイダ 吉川 ヨシカワ 本田 ホンダ 久保田 クボタ 沢田 サワダ
辻 ツジ 関 セキ 吉村 ヨシムラ 渡部 ワタナベ 岩田 イワタ 中西 ナカニシ 服部 ハットリ
樋口 ヒグチ 福島 フクシマ 川上 カワカミ 永井 ナガイ 松岡 マツオカ 田口 タグチ 山中 ヤマナカ
森本 モリモト 土屋 ツチヤ 矢野 ヤノ 広瀬 ヒロセ 秋山 アキヤマ 石原 イシハラ 松下 マツシタ
大橋 オオハシ 松浦 マツウラ 吉岡 ヨシオカ 小池 コイケ 馬場 ババ 浅野 アサノ 荒木 アラキ
大久保 オオクボ 野田 ノダ 小沢 オザワ 田辺 タナベ 川村 カワムラ 星野 ホシノ 黒田 クロダ
堀 ホリ 尾崎 オザキ 望月 モチヅキ 永田 ナガタ 熊谷 クマガイ 内藤 ナイトウ 松村 マツムラ
西山 ニシヤマ 大谷 オオタニ 平井 ヒライ 大島 オオシマ 岩本 イワモト 片山 カタヤマ 本間 ホンマ
早川 ハヤカワ 横田 ヨコタ 岡崎 オカザキ 荒井 アライ 大石 オオイシ 鎌田 カマタ 成田 ナリタ
宮田 ミヤタ 小田 オダ 石橋 イシバシ 篠原 シノハラ 須藤 スドウ 河野 コウノ 大沢 オオサワ
小西 コニシ 南 ミナミ 高山 タカヤマ 栗原 クリハラ 伊東 イトウ 松原 マツバラ 三宅 ミヤケ
福井 フクイ 大森 オオモリ 奥村 オクムラ 岡 オカ 内山 ウチヤマ 片岡 カタオカ 関口 セキグチ
吉野 ヨシノ 徳永 トクナガ 国分 コクブン 富田 トミタ 滝本 タキモト 黒川 クロカワ 真鍋 マナベ
寺田 テラダ
"""

# Parts for rarer two-character family names: (kanji, reading); the reading of a compound is
# the two readings joined (rendaku only for the usual 田/ダ after a vowel-final first part).
FIRST_PARTS = [
    ("上", "カミ"),
    ("下", "シモ"),
    ("北", "キタ"),
    ("南", "ミナミ"),
    ("東", "ヒガシ"),
    ("西", "ニシ"),
    ("大", "オオ"),
    ("小", "コ"),
    ("高", "タカ"),
    ("中", "ナカ"),
    ("山", "ヤマ"),
    ("川", "カワ"),
    ("石", "イシ"),
    ("松", "マツ"),
    ("竹", "タケ"),
    ("梅", "ウメ"),
    ("桜", "サクラ"),
    ("藤", "フジ"),
    ("岡", "オカ"),
    ("森", "モリ"),
    ("吉", "ヨシ"),
    ("池", "イケ"),
    ("浜", "ハマ"),
    ("島", "シマ"),
    ("黒", "クロ"),
    ("白", "シラ"),
    ("柳", "ヤナギ"),
    ("関", "セキ"),
    ("滝", "タキ"),
    ("富", "トミ"),
    ("宮", "ミヤ"),
    ("沢", "サワ"),
    ("広", "ヒロ"),
    ("今", "イマ"),
    ("古", "フル"),
    ("新", "ニイ"),
    ("長", "ナガ"),
    ("清", "キヨ"),
    ("寺", "テラ"),
    ("芦", "アシ"),
]
SECOND_PARTS = [
    ("田", "タ"),
    ("本", "モト"),
    ("村", "ムラ"),
    ("川", "カワ"),
    ("山", "ヤマ"),
    ("野", "ノ"),
    ("井", "イ"),
    ("原", "ハラ"),
    ("沢", "サワ"),
    ("崎", "サキ"),
    ("口", "グチ"),
    ("島", "シマ"),
    ("谷", "タニ"),
    ("木", "キ"),
    ("部", "ベ"),
    ("尾", "オ"),
    ("辺", "ベ"),
    ("内", "ウチ"),
    ("岡", "オカ"),
    ("浦", "ウラ"),
    ("橋", "ハシ"),
    ("瀬", "セ"),
    ("江", "エ"),
    ("林", "バヤシ"),
]

OLDER_MALE = """
清 キヨシ 勇 イサム 実 ミノル 博 ヒロシ 茂 シゲル 進 ススム 弘 ヒロシ
和夫 カズオ 正夫 マサオ 三郎 サブロウ 武 タケシ 隆 タカシ 昭 アキラ 修 オサム
勝 マサル 豊 ユタカ 稔 ミノル 幸雄 ユキオ 義雄 ヨシオ 健一 ケンイチ 正 タダシ
繁 シゲル 敏夫 トシオ 忠 タダシ 秀夫 ヒデオ
"""
OLDER_FEMALE = """
幸子 サチコ 和子 カズコ 節子 セツコ 洋子 ヨウコ 恵子 ケイコ 京子 キョウコ 久子 ヒサコ
美智子 ミチコ 信子 ノブコ 文子 フミコ 智子 トモコ 裕子 ユウコ 悦子 エツコ 順子 ジュンコ
千代子 チヨコ 静子 シズコ 貞子 サダコ 弘子 ヒロコ 敏子 トシコ 光子 ミツコ 富子 トミコ
"""
YOUNGER_MALE = """
陽翔 ハルト 蓮 レン 湊 ミナト 大翔 ヒロト 悠真 ユウマ 樹 イツキ 朝陽 アサヒ
奏太 ソウタ 颯真 ソウマ 悠人 ユウト 陸 リク 律 リツ 蒼 アオイ 結翔 ユイト
大和 ヤマト
"""
YOUNGER_FEMALE = """
陽葵 ヒマリ 結菜 ユイナ 芽依 メイ 凛 リン 葵 アオイ 紬 ツムギ 澪 ミオ
結愛 ユア 心陽 コハル 莉子 リコ 美桜 ミオ 咲良 サクラ 杏 アン 花 ハナ
楓 カエデ
"""


def _pairs(text):
    words = text.split()
    return list(zip(words[::2], words[1::2], strict=True))


def _faker_pairs(pairs):
    return [(kanji, kana) for kanji, kana, _romaji in pairs]


class Names:
    """Draws (kanji, katakana) pairs with realistic frequencies from a random.Random."""

    def __init__(self, rng):
        self.rng = rng
        weighted = [
            ((k, kana), float(w)) for (k, kana, _r), w in FakerPerson.last_name_pairs.items()
        ]
        known = {k for (k, _kana), _w in weighted}
        more = [(k, kana) for k, kana in _pairs(MORE_FAMILY_NAMES) if k not in known]
        lowest = min(w for _p, w in weighted)
        for rank, pair in enumerate(more):
            weighted.append((pair, lowest * (1.0 - 0.8 * rank / len(more))))
        self.family = [p for p, _w in weighted]
        self.family_cum = list(itertools.accumulate(w for _p, w in weighted))
        self.rare = [
            (a + b, ka + ("ダ" if b == "田" and ka[-1] in "アイウエオ" else kb))
            for (a, ka), (b, kb) in itertools.product(FIRST_PARTS, SECOND_PARTS)
            if a != b
        ]
        self.female = _faker_pairs(FakerPerson.first_name_female_pairs)
        self.male = _faker_pairs(FakerPerson.first_name_male_pairs)
        self.older = {"female": _pairs(OLDER_FEMALE), "male": _pairs(OLDER_MALE)}
        self.younger = {"female": _pairs(YOUNGER_FEMALE), "male": _pairs(YOUNGER_MALE)}

    def family_name(self):
        """A family name; about one in five from the composed long tail."""
        rng = self.rng
        if rng.random() < 0.2:
            return rng.choice(self.rare)
        x = rng.random() * self.family_cum[-1]
        return self.family[bisect.bisect_right(self.family_cum, x)]

    def given_name(self, sex, birth_year):
        rng = self.rng
        sex = "female" if sex == "female" else "male"
        if birth_year < 1965 and rng.random() < 0.75:
            return rng.choice(self.older[sex])
        if birth_year >= 2005 and rng.random() < 0.6:
            return rng.choice(self.younger[sex])
        return rng.choice(self.female if sex == "female" else self.male)

    def variant(self, kanji):
        """The name with its variant kanji (髙橋, 山﨑, 渡邊 …) where it has any."""
        out = []
        for ch in kanji:
            variants = VARIANT_KANJI.get(ch)
            out.append(self.rng.choice(variants) if variants else ch)
        return "".join(out)

    def has_variant(self, kanji):
        return any(ch in VARIANT_KANJI for ch in kanji)

    def written_kana(self, family, given):
        """The reading as a worker typed it: mostly katakana, often hiragana, rarely 半角 or
        with a long-vowel mark (サトー); sometimes not recorded at all."""
        x = self.rng.random()
        if x < 0.04:
            return "", ""
        if x < 0.29:
            return jaconv.kata2hira(family), jaconv.kata2hira(given)
        if x < 0.32:
            return tuple(
                jaconv.z2h(k, kana=True, ascii=False, digit=False) for k in (family, given)
            )
        if x < 0.33 and family.endswith("ウ") and len(family) > 2:
            return family[:-1] + "ー", given
        return family, given
