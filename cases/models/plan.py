"""支援プラン: the multi-agency support plan, in versions. Endorsed versions are read-only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub

from .case import Case
from .consent import Consent


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user))


class SupportPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (案)")
        DISCUSSING = "discussing", _("Under discussion (協議中)")
        ENDORSED = "endorsed", _("Endorsed (決定)")
        EVALUATED = "evaluated", _("Evaluated (評価済)")
        ENDED = "ended", _("Ended (終了)")

    class Evaluation(models.TextChoices):
        ACHIEVED = "achieved", _("Goals achieved (目標達成)")
        PARTLY = "partly", _("Partly achieved (一部達成)")
        NOT_ACHIEVED = "not_achieved", _("Not achieved (未達成)")
        CONTINUE = "continue", _("Continue (継続)")
        CLOSE = "close", _("Close the case (終結)")
        SUSPEND = "suspend", _("Suspend (中断)")

    class EndorsedBy(models.TextChoices):
        MANAGER = "manager", _("A manager")
        CONFERENCE = "conference", _("A 重層的支援会議")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="plans", verbose_name=_("case")
    )
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    wishes = models.TextField(_("the person's and household's wishes (本人・世帯の意向)"))
    issues = models.TextField(_("issues and their background"), blank=True)
    long_term_goal = models.TextField(_("long-term goal"), blank=True)
    uses_participation = models.BooleanField(
        _("uses participation support (参加支援)"), default=False
    )
    uses_outreach = models.BooleanField(_("uses outreach (アウトリーチ)"), default=False)
    review_on = models.DateField(_("review (monitoring) date"), null=True, blank=True)
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent"),
    )
    endorsed_on = models.DateField(_("endorsed on (支援決定)"), null=True, blank=True)
    endorsed_by = models.CharField(
        _("endorsed by"), max_length=12, choices=EndorsedBy.choices, blank=True
    )
    endorsed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("endorsing manager"),
    )
    evaluation = models.CharField(
        _("evaluation"), max_length=12, choices=Evaluation.choices, blank=True
    )
    evaluation_note = models.TextField(_("evaluation note"), blank=True)
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    return_comment = models.TextField(_("returned with"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("support plan (支援プラン)")
        verbose_name_plural = _("support plans (支援プラン)")
        ordering = ["case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="supportplan_case_number"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["draft", "discussing"]),
                name="supportplan_one_open_draft",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "review_on"], name="supportplan_review"),
        ]

    def __str__(self):
        return f"{self.case} v{self.number}"

    @property
    def is_editable(self):
        """Only drafts and plans under discussion change; an endorsed plan is a record."""
        return self.status in (self.Status.DRAFT, self.Status.DISCUSSING)


class PlanGoal(models.Model):
    class Term(models.TextChoices):
        LONG = "long", _("Long term")
        SHORT = "short", _("Short term")

    plan = models.ForeignKey(
        SupportPlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan")
    )
    term = models.CharField(_("term"), max_length=8, choices=Term.choices, default=Term.SHORT)
    text = models.TextField(_("goal"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["order", "id"]

    def __str__(self):
        return self.text[:50]


class PlanActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_on__isnull=True)

    def in_force(self):
        """Actions of endorsed plans (the plan the hubs agreed to carry out)."""
        return self.filter(goal__plan__status=SupportPlan.Status.ENDORSED)

    def overdue(self, today):
        return self.open().in_force().filter(due_on__lt=today)


class PlanAction(models.Model):
    goal = models.ForeignKey(
        PlanGoal, on_delete=models.CASCADE, related_name="actions", verbose_name=_("goal")
    )
    text = models.TextField(_("action"))
    hub = models.ForeignKey(
        Hub,
        on_delete=models.PROTECT,
        related_name="plan_actions",
        verbose_name=_("responsible hub"),
    )
    person_in_charge = models.CharField(_("person in charge"), max_length=100, blank=True)
    frequency = models.CharField(_("frequency"), max_length=100, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = PlanActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["hub", "due_on"], name="planaction_hub_due")]

    def __str__(self):
        return self.text[:50]
