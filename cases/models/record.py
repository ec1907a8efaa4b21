"""支援経過記録 (accompaniment records) and アウトリーチ (outreach attempts)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub
from takatsuki_welfare import access
from takatsuki_welfare.models import Code, CodeList

from .case import Case, Engagement
from .person import Person

NO_CONTACT_CODE = "no_contact"  # 不在・接触不能: an attempt, not a contact


class RecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        return access.records_visible_to(user, self)

    def current(self):
        return self.filter(cancelled_at__isnull=True)

    def contacts(self):
        """Records that count as a contact (not cancelled, not 不在・接触不能)."""
        return self.current().exclude(contact_type__code=NO_CONTACT_CODE)


class AccompanimentRecord(models.Model):
    class State(models.IntegerChoices):
        MUCH_BETTER = 5, _("Much better")
        BETTER = 4, _("Better")
        SAME = 3, _("No change")
        WORSE = 2, _("Worse")
        MUCH_WORSE = 1, _("Much worse")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="records", verbose_name=_("case")
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    acting_hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="+", verbose_name=_("author's hub")
    )
    contact_type = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"code_list": CodeList.CONTACT_TYPE},
        verbose_name=_("contact type (対応方法)"),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    met_persons = models.ManyToManyField(
        Person, blank=True, related_name="+", verbose_name=_("people met (household)")
    )
    met_others = models.CharField(_("others met"), max_length=300, blank=True)
    content = models.TextField(_("what happened"))
    state = models.PositiveSmallIntegerField(
        _("the person's state"), choices=State.choices, null=True, blank=True
    )
    state_note = models.CharField(_("state, in words"), max_length=300, blank=True)
    next_action = models.CharField(_("next action"), max_length=300, blank=True)
    next_action_on = models.DateField(_("next action date"), null=True, blank=True)
    sensitive = models.BooleanField(
        _("sensitive (only the lead hub and the author's hub see it)"), default=False
    )
    cancelled_at = models.DateTimeField(_("cancelled at (取消)"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("accompaniment record (支援経過記録)")
        verbose_name_plural = _("accompaniment records (支援経過記録)")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-occurred_at", "-id"], name="record_case_timeline"),
            models.Index(fields=["author", "-occurred_at"], name="record_author"),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d} {self.contact_type}"

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    @property
    def counts_as_contact(self):
        return not self.is_cancelled and self.contact_type.code != NO_CONTACT_CODE


class RecordRevision(models.Model):
    """The text of a record before an edit: kept and shown, so nothing written is lost."""

    record = models.ForeignKey(
        AccompanimentRecord,
        on_delete=models.CASCADE,
        related_name="revisions",
        verbose_name=_("record"),
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("edited by"),
    )
    edited_at = models.DateTimeField(_("edited at"), default=timezone.now)
    before = models.JSONField(_("before the edit"))

    class Meta:
        verbose_name = _("record revision")
        verbose_name_plural = _("record revisions")
        ordering = ["-edited_at", "-id"]

    def __str__(self):
        return f"{self.record} @ {self.edited_at:%Y-%m-%d %H:%M}"


class OutreachQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user))


class OutreachAttempt(models.Model):
    """One attempt to reach a person; failed attempts count as much as successful ones."""

    class Method(models.TextChoices):
        VISIT = "visit", _("Visit (訪問)")
        LETTER = "letter", _("Letter (手紙)")
        PHONE = "phone", _("Phone (電話)")
        COMMUNITY = "community", _("Through community watch (地域の見守り経由)")
        RELATED_PERSON = "related", _("Through a related person (関係者経由)")

    class Result(models.TextChoices):
        MET = "met", _("Met (会えた)")
        ABSENT = "absent", _("Not at home (不在)")
        REFUSED = "refused", _("Refused (拒否)")
        LETTER_LEFT = "letter_left", _("Letter delivered (手紙投函)")
        INFORMATION = "information", _("Information from others (関係者から情報)")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="outreach_attempts", verbose_name=_("case")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="outreach_attempts", verbose_name=_("person")
    )
    attempted_on = models.DateField(_("date"), default=timezone.localdate)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)
    next_attempt_on = models.DateField(_("next attempt"), null=True, blank=True)
    engagement_after = models.CharField(
        _("engagement after this attempt"), max_length=16, choices=Engagement.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    acting_hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="+", verbose_name=_("hub")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OutreachQuerySet.as_manager()

    class Meta:
        verbose_name = _("outreach attempt")
        verbose_name_plural = _("outreach attempts")
        ordering = ["-attempted_on", "-id"]
        indexes = [
            models.Index(fields=["case", "-attempted_on"], name="outreach_case"),
            models.Index(fields=["acting_hub", "next_attempt_on"], name="outreach_hub_next"),
        ]

    def __str__(self):
        return f"{self.attempted_on} {self.get_method_display()}: {self.get_result_display()}"
