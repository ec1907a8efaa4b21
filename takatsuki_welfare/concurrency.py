"""Optimistic locking: a ``version`` field and a conditional update.

Two people editing the same record: the second save finds the version changed and is refused
with a message; nothing is silently overwritten.
"""

from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EditConflict(Exception):
    message = _(
        "Someone else changed this record while you were editing it. Your changes were not "
        "saved: check the current content, then enter your changes again."
    )


def save_versioned(instance, *, expected_version, fields):
    """Write ``fields`` of instance only if the stored version is still expected_version."""
    model = type(instance)
    if "updated_at" in fields:
        instance.updated_at = timezone.now()  # auto_now does not apply to a queryset update
    values = {name: getattr(instance, name) for name in fields}
    if hasattr(instance, "search_keys"):
        values.update(instance.search_keys())
    if hasattr(instance, "derived_values"):
        values.update(instance.derived_values())
    # A queryset update bypasses django-auditlog's signals: keep the change history here.
    before = model.objects.filter(pk=instance.pk).first() if auditlog.contains(model) else None
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if updated != 1:
        raise EditConflict(EditConflict.message)
    instance.version = expected_version + 1
    if before is not None:
        names = {*fields, *(model._meta.get_field(name).attname for name in fields)}
        changes = model_instance_diff(before, instance, fields_to_check=names)
        if changes:
            LogEntry.objects.log_create(instance, action=LogEntry.Action.UPDATE, changes=changes)
