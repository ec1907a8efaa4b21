"""Seed the code lists from DOMAIN.md. Codes are stable; administrators may relabel or add."""

from django.db import migrations

CODE_LISTS = {
    "field": [
        ("elderly", "高齢", "Elderly"),
        ("disability", "障がい", "Disability"),
        ("children", "子ども・子育て", "Children and child-rearing"),
        ("poverty", "生活困窮", "Living hardship"),
        ("cross", "その他（分野横断）", "Other (cross-field)"),
    ],
    "project": [
        ("comprehensive", "包括的相談支援", "Comprehensive consultation"),
        ("participation", "参加支援", "Participation support"),
        ("community", "地域づくり", "Community building"),
        ("outreach", "アウトリーチ等", "Outreach"),
        ("multiagency", "多機関協働", "Multi-agency collaboration"),
    ],
    "hub_kind": [
        ("integrated", "一部統合型", "Partly integrated"),
        ("basic", "基本型", "Basic (single field)"),
        ("community", "地域型", "Community (resident-run)"),
        ("other", "その他", "Other"),
    ],
    "route": [
        ("self", "本人", "The person"),
        ("family", "家族・親族", "Family or relatives"),
        ("neighbour", "知人・近隣住民", "Acquaintance or neighbour"),
        ("minsei", "民生委員・児童委員", "Welfare commissioner"),
        ("corner", "地区福祉委員・福祉のまちかど相談", "District welfare volunteer / corner"),
        ("jichikai", "自治会等", "Residents' association"),
        ("csw", "社協（CSW等）", "Social Welfare Council (CSW)"),
        ("houkatsu", "地域包括支援センター", "Community general support centre"),
        ("disability_office", "障害者相談支援事業所", "Disability consultation office"),
        ("childcare", "子育て支援機関", "Child-rearing support agency"),
        ("jiritsu", "自立相談支援機関", "Self-reliance support agency"),
        ("welfare_office", "福祉事務所（生活保護）", "Welfare office (public assistance)"),
        ("city_office", "市役所他部署（税・水道・住宅等）", "Other city departments"),
        ("medical", "医療機関", "Medical institution"),
        ("school", "学校・教育委員会", "School / board of education"),
        ("hellowork", "ハローワーク", "Hello Work"),
        ("police", "警察", "Police"),
        ("lifeline", "ライフライン事業者", "Utility company"),
        ("other", "その他", "Other"),
    ],
    "channel": [
        ("visit_desk", "来所", "Came to the desk"),
        ("phone", "電話", "Phone"),
        ("outreach", "訪問（アウトリーチ）", "Home visit (outreach)"),
        ("mail_web", "メール・Webフォーム", "E-mail / web form"),
        ("letter", "文書", "Letter"),
        ("community_place", "地域活動の場", "At a community activity"),
        ("other", "その他", "Other"),
    ],
    "concern": [
        ("health", "病気や健康、障害", "Illness, health, disability"),
        ("housing", "住まい", "Housing"),
        ("income", "収入・生活費", "Income and living costs"),
        ("rent_loan", "家賃やローンの支払い", "Rent or loan payments"),
        ("tax_utilities", "税金や公共料金等の支払い", "Tax and utility payments"),
        ("debt", "債務", "Debt"),
        ("job_search", "仕事探し・就職", "Job search"),
        ("work_trouble", "仕事上の不安やトラブル", "Trouble at work"),
        ("community_relations", "地域との関係", "Relations with the community"),
        ("family_relations", "家族との関係", "Family relations"),
        ("childrearing", "子育て", "Child-rearing"),
        ("care", "介護", "Care"),
        ("withdrawal", "ひきこもり・不登校", "Social withdrawal / school refusal"),
        ("dv_abuse", "DV・虐待", "Domestic violence / abuse"),
        ("food", "食べるものがない", "No food"),
        ("other", "その他", "Other"),
    ],
    "contact_type": [
        ("interview", "面談（来所）", "Interview at the desk"),
        ("home_visit", "家庭訪問", "Home visit"),
        ("accompany", "同行支援", "Accompanied visit"),
        ("phone", "電話", "Phone"),
        ("mail_sns", "メール・SNS", "E-mail / SNS"),
        ("liaison", "関係機関連絡調整", "Liaison with agencies"),
        ("meeting", "会議", "Meeting"),
        ("watch", "見守り・地域での接触", "Watching / contact in the community"),
        ("no_contact", "不在・接触不能", "Absent / could not make contact"),
    ],
    "relationship": [
        ("self", "本人", "The person"),
        ("spouse", "配偶者", "Spouse"),
        ("child", "子", "Child"),
        ("parent", "親", "Parent"),
        ("sibling", "兄弟姉妹", "Sibling"),
        ("grandparent", "祖父母", "Grandparent"),
        ("grandchild", "孫", "Grandchild"),
        ("other_relative", "その他親族", "Other relative"),
        ("cohabitant", "同居人", "Cohabitant"),
    ],
    "closure_reason": [
        ("goal_achieved", "目標達成", "Goal achieved"),
        ("handed_to_lead", "主担当機関へ引継ぎ", "Handed to the lead agency"),
        ("other_system", "他制度・他機関へ移行", "Moved to another system or agency"),
        ("own_wish", "本人の意思", "The person's wish"),
        ("unreachable", "連絡不能", "Unreachable"),
        ("moved_out", "転出", "Moved out of the city"),
        ("death", "死亡", "Death"),
        ("institution", "施設入所・入院", "Entered a facility or hospital"),
        ("other", "その他", "Other"),
    ],
    "housing": [
        ("owned", "持家", "Owned"),
        ("rented", "借家", "Rented"),
        ("public", "公営住宅", "Public housing"),
        ("company", "会社寮・借上げ住宅", "Company housing"),
        ("homeless", "野宿", "Sleeping rough"),
        ("other", "その他", "Other"),
    ],
}


def seed(apps, schema_editor):
    Code = apps.get_model("core", "Code")
    for code_list, rows in CODE_LISTS.items():
        for order, (code, label, label_en) in enumerate(rows, start=1):
            Code.objects.update_or_create(
                code_list=code_list,
                code=code,
                defaults={"label": label, "label_en": label_en, "order": order},
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
