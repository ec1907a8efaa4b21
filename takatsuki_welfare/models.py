"""Code lists: institution-defined values with stable codes, editable in the admin.

The national standard for 重層 records is still being written and cities differ, so these are
data (seeded by migration), not hard-coded choices. States the software depends on (roles,
stages, statuses) are TextChoices on their models instead.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class CodeList(models.TextChoices):
    FIELD = "field", _("Field (分野)")
    PROJECT = "project", _("Project (事業)")
    HUB_KIND = "hub_kind", _("Hub kind (拠点の型)")
    ROUTE = "route", _("Consultation route (相談経路)")
    CHANNEL = "channel", _("Consultation channel (相談方法)")
    CONCERN = "concern", _("Concern (相談内容)")
    CONTACT_TYPE = "contact_type", _("Contact type (対応方法)")
    RELATIONSHIP = "relationship", _("Relationship (続柄)")
    CLOSURE_REASON = "closure_reason", _("Closure reason (終結理由)")
    HOUSING = "housing", _("Housing (住居)")


class CodeQuerySet(models.QuerySet):
    def of(self, code_list: str):
        return self.filter(code_list=code_list, active=True)


class Code(models.Model):
    code_list = models.CharField(_("code list"), max_length=32, choices=CodeList.choices)
    code = models.SlugField(_("code"), max_length=40, help_text=_("Stable; never reused."))
    label = models.CharField(_("label (Japanese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = CodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        ordering = ["code_list", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["code_list", "code"], name="code_unique_in_list")
        ]

    def __str__(self):
        if self.label_en and (get_language() or "").startswith("en"):
            return self.label_en
        return self.label
