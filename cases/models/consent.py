from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub

from .person import Person


class ConsentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(person__in=Person.objects.visible_to(user))

    def valid_on(self, date=None):
        date = date or timezone.localdate()
        return self.filter(obtained_on__lte=date).filter(
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=date)
        )


class Consent(models.Model):
    """本人同意: consent to share the person's information, with its scope and how it was given."""

    class Kind(models.TextChoices):
        SHARE_WITH_AGENCIES = (
            "share",
            _("Sharing with the agencies concerned (関係機関との情報共有)"),
        )
        CONFERENCE = "conference", _("Discussion at a 重層的支援会議 (重層的支援会議への付議)")
        SPECIFIC_AGENCY = "specific", _("Provision to a specific agency (特定機関への提供)")
        PARTICIPATION_HOST = (
            "participation",
            _("Provision to a participation-support host (参加支援受入先への提供)"),
        )

    class Method(models.TextChoices):
        SIGNATURE = "signature", _("Signature (署名)")
        VERBAL = "verbal", _("Verbal (口頭)")
        PROXY = "proxy", _("By a representative (代理人)")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="consents", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    hubs = models.ManyToManyField(Hub, related_name="+", blank=True, verbose_name=_("scope (hubs)"))
    obtained_on = models.DateField(_("obtained on"))
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_note = models.CharField(_("withdrawal note"), max_length=300, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent (本人同意)")
        verbose_name_plural = _("consents (本人同意)")
        ordering = ["-obtained_on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.obtained_on:%Y-%m-%d})"

    def is_valid_on(self, date=None):
        date = date or timezone.localdate()
        return self.obtained_on <= date and (self.withdrawn_on is None or self.withdrawn_on > date)

    def covers(self, hub, date=None):
        """Valid on the date and its scope includes the hub."""
        return self.is_valid_on(date) and self.hubs.filter(pk=hub.pk).exists()
