from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub
from takatsuki_welfare import access
from takatsuki_welfare.models import Code, CodeList

from .consent import Consent
from .household import Household
from .person import Person


class IntakeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return access.intakes_visible_to(user, self)

    def incoming_for(self, hub):
        """Handed to the hub and not yet taken up (受付待ち)."""
        return self.filter(handed_to=hub, taken_up_at__isnull=True)


class Intake(models.Model):
    """相談受付: one consultation as received. Never rejected, never deleted."""

    class Urgency(models.TextChoices):
        SAME_DAY = "same_day", _("Same day (即日)")
        NORMAL = "normal", _("Normal (通常)")
        LOW = "low", _("Low (低)")

    class ConsentStatus(models.TextChoices):
        GIVEN = "given", _("Consent given (同意あり)")
        REFUSED = "refused", _("No consent (同意なし)")
        UNKNOWN = "unknown", _("Not yet confirmed (未確認)")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Awaiting a hub (受付待ち)")
        INFO_ONLY = "info_only", _("Ended with consultation / information only")
        LINKED = "linked", _("Linked to an existing case")
        NEW_CASE = "new_case", _("Opened a new case")
        HANDED_OVER = "handed_over", _("Handed to another hub")

    hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="intakes", verbose_name=_("received at")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(_("received at (date and time)"), default=timezone.now)
    from_corner = models.BooleanField(_("recorded at a neighbourhood corner"), default=False)
    channel = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": CodeList.CHANNEL},
        verbose_name=_("channel (相談方法)"),
    )
    route = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": CodeList.ROUTE},
        verbose_name=_("route (相談経路)"),
    )
    consulter_name = models.CharField(_("consulting person"), max_length=100, blank=True)
    consulter_phone = models.CharField(_("consulting person's phone"), max_length=30, blank=True)
    consulter_relationship = models.CharField(
        _("relationship to the person concerned"), max_length=100, blank=True
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intakes",
        verbose_name=_("household"),
    )
    persons = models.ManyToManyField(
        Person, blank=True, related_name="intakes", verbose_name=_("persons concerned")
    )
    subject_description = models.CharField(
        _("about whom (when not yet identified)"), max_length=300, blank=True
    )
    contact_hint = models.CharField(_("how to reach them"), max_length=300, blank=True)
    fields = models.ManyToManyField(
        Code,
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": CodeList.FIELD},
        verbose_name=_("fields"),
    )
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    narrative = models.TextField(_("what was said"), blank=True)
    consent_status = models.CharField(
        _("consent at intake"),
        max_length=12,
        choices=ConsentStatus.choices,
        default=ConsentStatus.UNKNOWN,
    )
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intakes",
        verbose_name=_("consent record"),
    )
    outcome = models.CharField(
        _("outcome (screening)"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intakes",
        verbose_name=_("case"),
    )
    handed_to = models.ForeignKey(
        Hub,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_intakes",
        verbose_name=_("handed to"),
    )
    taken_up_at = models.DateTimeField(_("taken up at"), null=True, blank=True)
    taken_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken up by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = IntakeQuerySet.as_manager()

    class Meta:
        verbose_name = _("intake (相談受付)")
        verbose_name_plural = _("intakes (相談受付)")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["hub", "-received_at"], name="intake_hub_received"),
            models.Index(
                fields=["handed_to", "-received_at"],
                condition=Q(taken_up_at__isnull=True),
                name="intake_incoming",
            ),
            models.Index(fields=["recorded_by", "-received_at"], name="intake_recorded_by"),
        ]

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d} {self.hub}"

    @property
    def volunteer_status(self):
        """What a corner volunteer may know of their hand-over: received, and connected."""
        if self.case_id is not None:
            return _("Connected (つながりました)")
        if self.taken_up_at is not None:
            return _("Received (受け止めました)")
        return _("Waiting to be received")

    @property
    def main_concern(self):
        for item in self.concern_items.all():
            if item.is_main:
                return item.concern
        return None


class IntakeConcern(models.Model):
    intake = models.ForeignKey(
        Intake, on_delete=models.CASCADE, related_name="concern_items", verbose_name=_("intake")
    )
    concern = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"code_list": CodeList.CONCERN},
        verbose_name=_("concern"),
    )
    is_main = models.BooleanField(_("main concern (主訴)"), default=False)

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-is_main", "concern__order"]
        constraints = [
            models.UniqueConstraint(fields=["intake", "concern"], name="intakeconcern_unique"),
            models.UniqueConstraint(
                fields=["intake"], condition=Q(is_main=True), name="intakeconcern_one_main"
            ),
        ]

    def __str__(self):
        return str(self.concern)
