from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hubs.models import Area, Hub
from takatsuki_welfare import access
from takatsuki_welfare.japanese import search_key
from takatsuki_welfare.models import Code, CodeList


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user):
        return access.households_visible_to(user, self)


class Household(models.Model):
    """The actual living unit (世帯), not the resident register."""

    class PublicAssistance(models.TextChoices):
        NONE = "none", _("Not receiving")
        RECEIVING = "receiving", _("Receiving")
        APPLYING = "applying", _("Applying")
        UNKNOWN = "unknown", _("Unknown")

    number = models.CharField(_("household number"), max_length=20, unique=True)
    postal_code = models.CharField(_("postal code (〒)"), max_length=8, blank=True)
    town = models.CharField(_("town (町名)"), max_length=100, blank=True)
    address_rest = models.CharField(_("rest of the address"), max_length=200, blank=True)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Area.Kind.DISTRICT},
        verbose_name=_("district (地区)"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    housing = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": CodeList.HOUSING},
        verbose_name=_("housing"),
    )
    household_type = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": CodeList.HOUSEHOLD_TYPE},
        verbose_name=_("household type"),
    )
    public_assistance = models.CharField(
        _("public assistance (生活保護)"),
        max_length=12,
        choices=PublicAssistance.choices,
        default=PublicAssistance.UNKNOWN,
    )
    notes = models.TextField(_("notes"), blank=True)
    registered_hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered at")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    address_key = models.CharField(max_length=300, editable=False, default="", db_index=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household (世帯)")
        verbose_name_plural = _("households (世帯)")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.number} {self.address}".strip()

    def save(self, *args, **kwargs):
        for name, value in self.search_keys().items():
            setattr(self, name, value)
        super().save(*args, **kwargs)

    @property
    def address(self):
        return f"{self.town}{self.address_rest}"

    def search_keys(self):
        return {"address_key": search_key(self.town, self.address_rest)}


class HouseholdFlag(models.Model):
    """A complex-needs flag (8050, ダブルケア …) on a household, with who judged it and why."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="flags", verbose_name=_("household")
    )
    kind = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"code_list": CodeList.COMPLEX_NEED},
        verbose_name=_("complex need"),
    )
    persons = models.ManyToManyField(
        "cases.Person", blank=True, related_name="flags", verbose_name=_("persons involved")
    )
    judged_on = models.DateField(_("judged on (判断日)"))
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("judged by (判断者)"),
    )
    basis = models.CharField(_("basis (根拠)"), max_length=300)
    ended_on = models.DateField(_("no longer applies from"), null=True, blank=True)

    class Meta:
        verbose_name = _("complex-needs flag")
        verbose_name_plural = _("complex-needs flags")
        ordering = ["kind__order", "id"]
        indexes = [models.Index(fields=["kind", "ended_on"], name="householdflag_kind_ended")]

    def __str__(self):
        return str(self.kind)
