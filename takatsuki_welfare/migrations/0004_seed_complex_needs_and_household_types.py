"""Seed the complex-needs flags and household types (DOMAIN.md)."""

from django.db import migrations

CODE_LISTS = {
    "complex_need": [
        ("8050", "8050問題", "8050 problem"),
        ("double_care", "ダブルケア", "Double care"),
        ("young_carer", "ヤングケアラー", "Young carer"),
        ("hikikomori", "ひきこもり", "Social withdrawal (hikikomori)"),
        ("isolation", "社会的孤立", "Social isolation"),
        ("self_neglect", "セルフネグレクト・ごみ屋敷", "Self-neglect / hoarding"),
        ("elder_elder_care", "老老介護", "Elderly caring for elderly"),
        ("disabled_child_aged_parent", "障害のある子と高齢の親", "Disabled child and aged parent"),
        ("dv_abuse", "DV・虐待", "Domestic violence / abuse"),
        ("multiple_debt", "多重債務", "Multiple debts"),
        ("language", "外国籍・言語支援", "Foreign nationality / language support"),
        ("other", "その他", "Other"),
    ],
    "household_type": [
        ("single", "単身", "Single"),
        ("couple", "夫婦のみ", "Couple only"),
        ("parents_children", "親と子", "Parents and children"),
        ("single_parent", "ひとり親と子", "Single parent and children"),
        ("three_generations", "三世代", "Three generations"),
        ("siblings", "兄弟姉妹のみ", "Siblings only"),
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
    dependencies = [("core", "0003_alter_code_code_list_accesslog")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
