"""会議: 支援会議, 重層的支援会議 and case meetings — agenda, minutes, decisions, action items.

A 支援会議 (社会福祉法106条の6) may discuss a case without the person's consent; in return its
existence and minutes are seen only by the hubs that attended and the convening hub's manager
(see ``takatsuki_welfare.access``). A 重層的支援会議 discusses a case only with a valid consent
whose scope covers every attending hub.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub

from .case import Case
from .consent import Consent
from .plan import SupportPlan


class LegalType(models.TextChoices):
    """The legal meeting types of DOMAIN.md; each city's meeting names map to one of them."""

    SUPPORT_MEETING = "support_meeting", _("支援会議 (社会福祉法106条の6)")
    MULTI_LAYERED = "multi_layered", _("重層的支援会議")
    SELF_RELIANCE = "self_reliance", _("生活困窮 支援調整会議")
    COMMUNITY_CARE = "community_care", _("地域ケア会議")
    CHILD_PROTECTION = "child_protection", _("要保護児童対策地域協議会")
    OTHER = "other", _("Other (その他)")


class Convener(models.TextChoices):
    CITY = "city", _("The city (市)")
    OPERATOR = "operator", _("The multi-agency operator (多機関協働事業者)")


class MeetingType(models.Model):
    """A meeting as the city names it (data): Takatsuki's 多機関協働推進会議 is a 重層的支援会議."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    legal_type = models.CharField(_("legal type"), max_length=20, choices=LegalType.choices)
    convened_by = models.CharField(_("convened by"), max_length=12, choices=Convener.choices)
    default_hubs = models.ManyToManyField(
        Hub, blank=True, related_name="+", verbose_name=_("default members")
    )
    active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("meeting type")
        verbose_name_plural = _("meeting types")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    @property
    def is_support_meeting(self):
        return self.legal_type == LegalType.SUPPORT_MEETING

    @property
    def needs_consent(self):
        return self.legal_type == LegalType.MULTI_LAYERED


class ConferenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        from takatsuki_welfare.access import conferences_visible_to

        return conferences_visible_to(user, self)

    def awaiting_approval(self):
        return self.filter(status=Conference.Status.SUBMITTED)


class Conference(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned (予定)")
        HELD = "held", _("Held (開催済)")
        DRAFTING = "drafting", _("Minutes being written (記録作成中)")
        SUBMITTED = "submitted", _("Awaiting approval (承認待ち)")
        APPROVED = "approved", _("Approved (承認済)")
        CANCELLED = "cancelled", _("Cancelled (中止)")

    meeting_type = models.ForeignKey(
        MeetingType, on_delete=models.PROTECT, related_name="+", verbose_name=_("meeting type")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("date and time"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    convening_hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="convened_conferences",
        verbose_name=_("convening hub"),
    )  # fmt: skip
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("chair"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    notes = models.TextField(_("general notes"), blank=True)
    minutes_revision = models.PositiveSmallIntegerField(_("minutes revision"), default=1)
    return_comment = models.TextField(_("returned with"), blank=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("planned by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ConferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("conference (会議)")
        verbose_name_plural = _("conferences (会議)")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["convening_hub", "-starts_at"], name="conference_hub_starts"),
            models.Index(fields=["status", "convening_hub"], name="conference_status_hub"),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{local:%Y-%m-%d} {self.title or self.meeting_type}"

    @property
    def is_support_meeting(self):
        return self.meeting_type.is_support_meeting

    @property
    def minutes_editable(self):
        """Minutes are written once the meeting is held, until they are submitted."""
        return self.status in (self.Status.HELD, self.Status.DRAFTING)

    @property
    def plan_editable(self):
        """Agenda and attendees change until the meeting is held."""
        return self.status == self.Status.PLANNED


class ConferenceHub(models.Model):
    """A hub invited to a conference; ``present`` is recorded once the meeting is held."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="hub_links",
        verbose_name=_("conference"),
    )  # fmt: skip
    hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="conference_links", verbose_name=_("hub")
    )
    present = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("attending hub")
        verbose_name_plural = _("attending hubs")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "hub"], name="conferencehub_unique")
        ]
        indexes = [models.Index(fields=["hub", "conference"], name="conferencehub_hub")]

    def __str__(self):
        return f"{self.conference} / {self.hub}"


class Attendee(models.Model):
    """A person at the meeting: a user of a hub, or someone named (e.g. a 民生委員)."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="attendees",
        verbose_name=_("conference"),
    )  # fmt: skip
    hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("hub"),
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("user"),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=100, blank=True)
    affiliation = models.CharField(_("affiliation and title"), max_length=100, blank=True)
    present = models.BooleanField(_("attended"), null=True, blank=True)
    confidentiality_acknowledged_at = models.DateTimeField(
        _("confidentiality acknowledged at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="attendee_user_or_name"
            )
        ]

    def __str__(self):
        if self.user_id:
            full = self.user.get_full_name()
            return full or self.user.get_username()
        return self.name


class Decision(models.TextChoices):
    SHARE = "share", _("Information sharing (情報共有)")
    PLAN = "plan", _("Plan reviewed and decided (プランの適切性協議・決定)")
    SUPPORT = "support", _("Support decided (支援決定)")
    ROLES = "roles", _("Roles divided (役割分担)")
    EVALUATION = "evaluation", _("Progress and results evaluated (経過・成果の評価)")
    CLOSURE = "closure", _("Closure judged (終結判断)")
    SUSPEND = "suspend", _("Suspended (中断)")
    RESOURCES = "resources", _("Community resources surveyed or developed (社会資源の把握・開発)")


class AgendaItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        from takatsuki_welfare.access import agenda_items_visible_to

        return agenda_items_visible_to(user, self)


class AgendaItem(models.Model):
    """One case on a conference's agenda, and what the meeting said and decided about it."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="agenda_items",
        verbose_name=_("conference"),
    )  # fmt: skip
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("case")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    planned_minutes = models.PositiveSmallIntegerField(_("planned minutes"), null=True, blank=True)
    consents = models.ManyToManyField(
        Consent, blank=True, related_name="+", verbose_name=_("consents relied on")
    )
    summary = models.TextField(_("discussion summary"), blank=True)
    decisions = models.JSONField(_("decisions"), default=list, blank=True)
    endorsed_plan = models.ForeignKey(
        SupportPlan, on_delete=models.PROTECT, null=True, blank=True,
        related_name="endorsing_items", verbose_name=_("plan version endorsed"),
    )  # fmt: skip
    next_review_on = models.DateField(_("next review date"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda case")
        verbose_name_plural = _("agenda cases")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "case"], name="agendaitem_unique")
        ]
        indexes = [models.Index(fields=["case", "conference"], name="agendaitem_case")]

    def __str__(self):
        return f"{self.conference} / {self.case}"

    def get_decisions_display(self):
        labels = dict(Decision.choices)
        return [labels[code] for code in self.decisions if code in labels]


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(agenda_item__in=AgendaItem.objects.visible_to(user))

    def open(self):
        return self.filter(done_on__isnull=True).exclude(
            agenda_item__conference__status=Conference.Status.CANCELLED
        )

    def overdue(self, today):
        return self.open().filter(due_on__lt=today)


class ActionItem(models.Model):
    """A task the meeting gave a hub: it shows on the owner hub's dashboard until done."""

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="action_items",
        verbose_name=_("agenda case"),
    )  # fmt: skip
    text = models.TextField(_("what"))
    owner_hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="conference_actions",
        verbose_name=_("owner hub"),
    )  # fmt: skip
    owner_person = models.CharField(_("person in charge"), max_length=100, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("done by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner_hub", "done_on", "due_on"], name="actionitem_hub")]

    def __str__(self):
        return self.text[:50]


class MinutesVersion(models.Model):
    """Approved minutes as they were approved: read-only. A correction adds the next one."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="minutes_versions",
        verbose_name=_("conference"),
    )  # fmt: skip
    number = models.PositiveSmallIntegerField(_("revision"))
    content = models.JSONField(_("minutes as approved"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("approved by"),
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved at"), default=timezone.now)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    correction_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("correction requested by"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("approved minutes")
        verbose_name_plural = _("approved minutes")
        ordering = ["conference", "number"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "number"], name="minutesversion_unique")
        ]

    def __str__(self):
        return f"{self.conference} r{self.number}"
