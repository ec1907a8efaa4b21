"""Seed the meeting types a city starts with (Takatsuki's names; editable in the admin)."""

from django.db import migrations

MEETING_TYPES = [
    # code, local name, legal type, convened by
    ("suishin", "多機関協働推進会議", "multi_layered", "operator"),
    ("shien", "支援会議", "support_meeting", "city"),
    ("chosei", "支援調整会議", "self_reliance", "city"),
    ("chiiki_care", "地域ケア会議（個別ケース検討）", "community_care", "city"),
    ("yotaikyo", "要保護児童対策地域協議会 個別ケース検討会議", "child_protection", "city"),
    ("case_meeting", "ケース会議", "other", "operator"),
]


def seed(apps, schema_editor):
    MeetingType = apps.get_model("cases", "MeetingType")
    for order, (code, name, legal_type, convened_by) in enumerate(MEETING_TYPES, start=1):
        MeetingType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "legal_type": legal_type,
                "convened_by": convened_by,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_conferences")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
