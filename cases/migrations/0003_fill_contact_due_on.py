"""Fill the new contact_due_on column: last contact (or opening) plus the follow-up interval."""

import datetime

from django.db import migrations


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.only("pk", "last_contact_on", "opened_on", "follow_up_days").iterator():
        start = case.last_contact_on or case.opened_on
        due = start + datetime.timedelta(days=case.follow_up_days) if start else None
        Case.objects.filter(pk=case.pk).update(contact_due_on=due)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_accompanimentrecord_outreachattempt_planaction_and_more")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
