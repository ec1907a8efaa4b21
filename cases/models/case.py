import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub
from takatsuki_welfare import access
from takatsuki_welfare.models import Code, CodeList

from .household import Household
from .person import Person


class Stage(models.TextChoices):
    """Where a case stands. 終結 is reached only through a manager-approved closure."""

    INTAKE = "intake", _("Intake (受付)")
    ASSESSMENT = "assessment", _("Assessment (アセスメント)")
    PLANNING = "planning", _("Planning (プラン)")
    SUPPORT = "support", _("In support (支援中)")
    MONITORING = "monitoring", _("Monitoring (モニタリング)")
    WATCHING = "watching", _("Watching (見守り)")
    SUSPENDED = "suspended", _("Suspended (中断)")
    CLOSED = "closed", _("Closed (終結)")


OPEN_STAGES = [s for s in Stage.values if s != Stage.CLOSED]

# Default follow-up interval (days without contact before a case counts as 連絡途絶) by stage.
# A case keeps its own interval once a worker changes it.
FOLLOW_UP_DAYS_BY_STAGE = {
    Stage.INTAKE: 7,
    Stage.ASSESSMENT: 14,
    Stage.PLANNING: 14,
    Stage.SUPPORT: 30,
    Stage.MONITORING: 60,
    Stage.WATCHING: 90,
    Stage.SUSPENDED: 90,
    Stage.CLOSED: 30,
}


class NumberSequence(models.Model):
    """Per-year counters for readable numbers (2026-000123); locked while incremented."""

    kind = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="numbersequence_kind_year")
        ]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last}"

    @classmethod
    def next(cls, kind, year):
        """Call inside a transaction: the row stays locked until it commits."""
        cls.objects.get_or_create(kind=kind, year=year)
        sequence = cls.objects.select_for_update().get(kind=kind, year=year)
        sequence.last += 1
        sequence.save(update_fields=["last"])
        return sequence.last


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user, *, listing=False):
        return access.cases_visible_to(user, self, listing=listing)

    def open(self):
        return self.exclude(stage=Stage.CLOSED)

    def contact_overdue(self, today=None):
        """連絡途絶: open cases whose last contact (or opening) is older than their interval."""
        return self.open().filter(contact_due_on__lt=today or timezone.localdate())

    def without_contact_for(self, days, today=None):
        """Open cases with no recorded contact for more than ``days`` days (or never)."""
        cutoff = (today or timezone.localdate()) - datetime.timedelta(days=days)
        return self.open().filter(Q(last_contact_on__lt=cutoff) | Q(last_contact_on__isnull=True))

    def for_list(self):
        return self.select_related("household__area", "lead_hub", "main_worker").prefetch_related(
            models.Prefetch(
                "case_persons",
                queryset=CasePerson.objects.filter(is_primary=True).select_related("person"),
                to_attr="primary_links",
            ),
            "fields",
        )


class Case(models.Model):
    """A cross-field case on a household: its people, fields, hubs and stage."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="cases", verbose_name=_("household")
    )
    persons = models.ManyToManyField(
        Person, through="CasePerson", related_name="cases", verbose_name=_("persons concerned")
    )
    fields = models.ManyToManyField(
        Code,
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": CodeList.FIELD},
        verbose_name=_("fields"),
    )
    concerns = models.ManyToManyField(
        Code,
        blank=True,
        related_name="cases_with_concern",
        limit_choices_to={"code_list": CodeList.CONCERN},
        verbose_name=_("concerns"),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.INTAKE)
    lead_hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="led_cases", verbose_name=_("lead hub (主担当)")
    )
    main_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("main worker"),
    )
    participating_hubs = models.ManyToManyField(
        Hub,
        through="CaseHub",
        related_name="participating_cases",
        verbose_name=_("participating hubs"),
    )
    projects = models.ManyToManyField(
        Code,
        blank=True,
        related_name="cases_in_project",
        limit_choices_to={"code_list": CodeList.PROJECT},
        verbose_name=_("projects involved"),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("follow-up interval (days)"),
        default=30,
        help_text=_("The case is flagged when there is no contact for longer than this."),
    )
    multi_agency = models.BooleanField(_("multi-agency coordination (多機関協働)"), default=False)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": CodeList.CLOSURE_REASON},
        verbose_name=_("closure reason"),
    )
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    contact_due_on = models.DateField(
        _("next contact due"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Last contact (or opening) plus the follow-up interval; kept by the system."),
    )
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["lead_hub", "stage", "-opened_on"], name="case_lead_stage"),
            models.Index(fields=["stage", "-opened_on"], name="case_stage_opened"),
            # The case list's default order: walked until a page of visible cases is found.
            models.Index(fields=["-opened_on", "-id"], name="case_opened"),
            models.Index(
                fields=["-opened_on", "-id"],
                condition=Q(multi_agency=True),
                name="case_multiagency",
            ),
            models.Index(fields=["last_contact_on"], name="case_last_contact"),
            models.Index(
                fields=["main_worker", "contact_due_on"],
                condition=~Q(stage="closed"),
                name="case_worker_contact_due",
            ),
            models.Index(
                fields=["lead_hub", "contact_due_on"],
                condition=~Q(stage="closed"),
                name="case_hub_contact_due",
            ),
        ]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        self.contact_due_on = self.compute_contact_due()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "contact_due_on"}
        super().save(*args, **kwargs)

    def derived_values(self):
        """Columns kept by the system, refreshed on every write (see save_versioned)."""
        return {"contact_due_on": self.compute_contact_due()}

    def compute_contact_due(self):
        start = self.last_contact_on or self.opened_on
        if start is None:
            return None
        return start + datetime.timedelta(days=self.follow_up_days)

    @property
    def is_closed(self):
        return self.stage == Stage.CLOSED

    @property
    def primary_person(self):
        links = getattr(self, "primary_links", None)
        if links is None:
            links = [cp for cp in self.case_persons.all() if cp.is_primary]
        return links[0].person if links else None

    @property
    def days_since_contact(self):
        if self.last_contact_on is None:
            return None
        return (timezone.localdate() - self.last_contact_on).days

    @property
    def contact_overdue(self):
        """連絡途絶: no contact for longer than the follow-up interval."""
        if self.is_closed:
            return False
        due = self.contact_due_on or self.compute_contact_due()
        return due is not None and due < timezone.localdate()

    def allowed_next_stages(self):
        """Stages a worker may move to directly (closing goes through a closure request)."""
        if self.is_closed:
            return [s for s in OPEN_STAGES if s != Stage.INTAKE]
        return [s for s in OPEN_STAGES if s != self.stage]


class Engagement(models.TextChoices):
    """How far a person not yet engaged has come (アウトリーチ)."""

    NOT_CONTACTED = "not_contacted", _("Not contacted (未接触)")
    CONTACTED = "contacted", _("Contacted (接触)")
    RELATIONSHIP = "relationship", _("Building a relationship (関係形成)")
    CONNECTED = "connected", _("Connected to support (支援につながった)")
    WATCHING = "watching", _("Watching (見守り)")


class CasePerson(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="case_persons", verbose_name=_("case")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="case_links", verbose_name=_("person")
    )
    is_primary = models.BooleanField(_("primary person (本人)"), default=False)
    engagement = models.CharField(
        _("engagement (アウトリーチ)"),
        max_length=16,
        choices=Engagement.choices,
        blank=True,
        help_text=_("Set for people reached through outreach."),
    )

    class Meta:
        verbose_name = _("person concerned")
        verbose_name_plural = _("persons concerned")
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="caseperson_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(is_primary=True), name="caseperson_one_primary"
            ),
        ]

    def __str__(self):
        return f"{self.case} / {self.person}"


class CaseHub(models.Model):
    """A hub taking part in a case (through an accepted referral, a plan role, a meeting …)."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="hub_links", verbose_name=_("case")
    )
    hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="case_links", verbose_name=_("hub")
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("participating hub")
        verbose_name_plural = _("participating hubs")
        constraints = [models.UniqueConstraint(fields=["case", "hub"], name="casehub_unique")]
        indexes = [models.Index(fields=["hub", "case"], name="casehub_hub_case")]

    def __str__(self):
        return f"{self.case} / {self.hub}"


class StageChange(models.Model):
    """Append-only history of a case's stage: who, when, why."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("case")
    )
    from_stage = models.CharField(_("from"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=16, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    acting_hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("hub")
    )
    changed_at = models.DateTimeField(_("when"), default=timezone.now)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.case}: {self.from_stage} → {self.to_stage}"


class ClosureRequest(models.Model):
    """Closing a case needs a manager: staff request with a reason, a manager decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="closure_requests", verbose_name=_("case")
    )
    closure_reason = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"code_list": CodeList.CLOSURE_REASON},
        verbose_name=_("closure reason (終結理由)"),
    )
    note = models.TextField(_("why the case can close"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("manager's comment"), blank=True)

    class Meta:
        verbose_name = _("closure request")
        verbose_name_plural = _("closure requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="closurerequest_one_pending"
            )
        ]

    def __str__(self):
        return f"{self.case}: {self.get_status_display()}"
