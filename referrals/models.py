"""Referrals (つなぎ) between hubs: a closed loop in which nobody is dropped.

Statuses follow the HL7 Gravity referral task: sent → acknowledged → accepted → in progress →
completed; or declined / withdrawn / expired, after which the sender must re-route or keep
the case (next_step). Transitions live in referrals/services.py.
"""

import functools
import operator

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub
from takatsuki_welfare import access


class Kind(models.TextChoices):
    INFORMATION = "information", _("Information (情報提供)")
    ACCOMPANY = "accompany", _("Accompanied visit (同行)")
    SUPPORT = "support", _("Request for support (支援依頼)")
    HANDOVER = "handover", _("Handover: the lead moves (引継ぎ)")
    MULTI_AGENCY = "multiagency", _("Request to multi-agency coordination (多機関協働への依頼)")
    OUTREACH = "outreach", _("Request for outreach (アウトリーチ依頼)")
    PARTICIPATION = "participation", _("Request for participation support (参加支援依頼)")
    SUPPORT_MEETING = "support_meeting", _("Proposal to a support meeting (支援会議への付議)")


class Status(models.TextChoices):
    SENT = "sent", _("Sent (送付済)")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged (受付済)")
    ACCEPTED = "accepted", _("Accepted (受諾)")
    IN_PROGRESS = "in_progress", _("In progress (対応中)")
    COMPLETED = "completed", _("Completed (完了)")
    DECLINED = "declined", _("Declined (辞退)")
    WITHDRAWN = "withdrawn", _("Withdrawn (取下げ)")
    EXPIRED = "expired", _("Expired: no answer in time (期限切れ)")


OPEN = [Status.SENT, Status.ACKNOWLEDGED]  # waiting for the receiver's answer
ACTIVE = [Status.ACCEPTED, Status.IN_PROGRESS]
NEEDS_NEXT_STEP = [Status.DECLINED, Status.EXPIRED]
AWAITING_NEXT_STEP = Q(status__in=NEEDS_NEXT_STEP, next_step="")


class Basis(models.TextChoices):
    CONSENT = "consent", _("The person's consent (本人同意)")
    SUPPORT_MEETING = "support_meeting", _("Support meeting (支援会議, 社会福祉法106条の6)")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent: answer today (至急)")
    NORMAL = "normal", _("Normal (通常)")


class DeclineReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope (対象外)")
    CAPACITY = "capacity", _("No capacity (定員・体制)")
    PERSON_REFUSED = "person_refused", _("The person refused (本人拒否)")
    OTHER = "other", _("Other (その他)")


class DeclinedBy(models.TextChoices):
    HUB = "hub", _("The receiving hub")
    PERSON = "person", _("The person")


class Outcome(models.TextChoices):
    CONNECTED = "connected", _("Connected (つながった)")
    NOT_CONNECTED = "not_connected", _("Not connected (つながらなかった)")


# A referral is live while it waits or runs, or once it connected the person; it failed
# otherwise. The coordination view lists open cases whose every referral failed.
LIVE = Q(status__in=[*OPEN, *ACTIVE]) | Q(status=Status.COMPLETED, outcome=Outcome.CONNECTED)
FAILING = Q(status__in=[Status.DECLINED, Status.EXPIRED, Status.WITHDRAWN]) | (
    Q(status=Status.COMPLETED) & ~Q(outcome=Outcome.CONNECTED)
)


class NextStep(models.TextChoices):
    REROUTE = "reroute", _("Re-routed to another hub")
    KEEP = "keep", _("Kept by the sending hub")


def overdue_condition(today):
    """Waiting for an answer past a due date, or expired without the sender's next step."""
    return (
        Q(status=Status.SENT, acknowledge_due__lt=today)
        | Q(status__in=OPEN, answer_due__lt=today)
        | Q(status=Status.EXPIRED, next_step="")
    )


def urgency_rank():
    """0 for an urgent referral, 1 otherwise (also indexed: referral_active_to / _from)."""
    return models.Case(
        models.When(urgency=Urgency.URGENT, then=0), default=1, output_field=models.IntegerField()
    )


def _display(field_name, choices):
    """get_<field>_display from a dict built once: Django's rebuilds (and hashes) the choices on
    every call, which the referral lists do for each row."""
    labels = dict(choices.choices)

    def display(self):
        value = getattr(self, field_name)
        return str(labels.get(value, value))

    display.__name__ = f"get_{field_name}_display"
    return display


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        return access.referrals_visible_to(user, self)

    def for_list(self):
        return self.select_related(
            "case__household", "intake", "person", "from_hub", "to_hub", "sender"
        )

    def ranked(self, today=None):
        """overdue_rank (1 if overdue or expired without a next step) and urgency_rank (0 if
        urgent): the inbox lists overdue first, then urgent."""
        overdue = overdue_condition(today or timezone.localdate())
        return self.annotate(
            overdue_rank=models.Case(
                models.When(overdue, then=1), default=0, output_field=models.IntegerField()
            ),
            urgency_rank=urgency_rank(),
        )

    def first_ids(self, lists, limit):
        """{key: ids of the first ``limit`` rows of each list}, in one query, for short lists
        given as (key, condition, ordering); a row may be on several lists."""
        rows = self.filter(functools.reduce(operator.or_, (c for _key, c, _order in lists)))
        wanted = Q()
        for i, (_key, condition, ordering) in enumerate(lists):
            on_list = models.Case(
                models.When(condition, then=True), default=False, output_field=models.BooleanField()
            )
            rows = rows.annotate(**{f"on_{i}": on_list}).annotate(
                **{f"at_{i}": Window(RowNumber(), partition_by=F(f"on_{i}"), order_by=ordering)}
            )
            wanted |= Q(**{f"on_{i}": True, f"at_{i}__lte": limit})
        places = [f"{name}_{i}" for i in range(len(lists)) for name in ("on", "at")]
        first = {key: [] for key, _condition, _order in lists}
        for pk, *row in rows.filter(wanted).values_list("pk", *places):
            for (key, _condition, _order), on, at in zip(lists, row[::2], row[1::2], strict=True):
                if on and at <= limit:
                    first[key].append((at, pk))
        return {key: [pk for _at, pk in sorted(found)] for key, found in first.items()}

    def incoming_to(self, hub):
        return self.filter(to_hub=hub)

    def outgoing_from(self, hub):
        return self.filter(from_hub=hub)

    def overdue(self, today=None):
        """Waiting for an answer past a due date, or expired without the sender's next step."""
        return self.filter(overdue_condition(today or timezone.localdate()))

    def awaiting_next_step(self):
        return self.filter(AWAITING_NEXT_STEP)


class Referral(models.Model):
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("case"),
    )
    intake = models.ForeignKey(
        "cases.Intake",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("intake"),
    )
    person = models.ForeignKey(
        "cases.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("person referred"),
    )
    from_hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="referrals_sent", verbose_name=_("from hub")
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sender"),
    )
    to_hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="referrals_received", verbose_name=_("to hub")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    request = models.TextField(_("what is asked"), blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    basis = models.CharField(_("basis for sharing"), max_length=16, choices=Basis.choices)
    consent = models.ForeignKey(
        "cases.Consent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("consent"),
    )
    meeting_reference = models.CharField(
        _("support meeting (date and name)"), max_length=200, blank=True
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    acknowledge_due = models.DateField(_("acknowledge by"))
    answer_due = models.DateField(_("answer by"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SENT
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=16, choices=DeclineReason.choices, blank=True
    )
    declined_by = models.CharField(
        _("declined by"), max_length=8, choices=DeclinedBy.choices, blank=True
    )
    decline_note = models.TextField(_("note on declining"), blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawing"), blank=True)
    next_step = models.CharField(_("next step"), max_length=8, choices=NextStep.choices, blank=True)
    next_step_note = models.TextField(_("note on the next step"), blank=True)
    rerouted_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rerouted_to",
        verbose_name=_("re-routed from"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ReferralQuerySet.as_manager()

    get_kind_display = _display("kind", Kind)
    get_urgency_display = _display("urgency", Urgency)
    get_status_display = _display("status", Status)
    get_outcome_display = _display("outcome", Outcome)
    get_decline_reason_display = _display("decline_reason", DeclineReason)
    get_declined_by_display = _display("declined_by", DeclinedBy)

    class Meta:
        verbose_name = _("referral (つなぎ)")
        verbose_name_plural = _("referrals (つなぎ)")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(intake__isnull=False),
                name="referral_has_case_or_intake",
            ),
            models.CheckConstraint(
                condition=~Q(from_hub=models.F("to_hub")), name="referral_to_another_hub"
            ),
        ]
        indexes = [
            models.Index(fields=["to_hub", "status", "answer_due"], name="referral_inbox"),
            models.Index(fields=["from_hub", "status", "answer_due"], name="referral_outbox"),
            models.Index(fields=["status", "answer_due"], name="referral_status_due"),
            models.Index(fields=["case", "sent_at"], name="referral_case_chain"),
            # The inbox's accepted / in-progress group, first rows in order on either side.
            *(
                models.Index(
                    F(side),
                    urgency_rank(),
                    F("answer_due"),
                    F("sent_at"),
                    F("id"),
                    condition=Q(status__in=ACTIVE),
                    name=f"referral_active_{name}",
                )
                for side, name in (("to_hub", "to"), ("from_hub", "from"))
            ),
            # Whether a case has a live / a failed referral (coordination: failing cases).
            models.Index(fields=["case"], condition=LIVE, name="referral_case_live"),
            models.Index(fields=["case"], condition=FAILING, name="referral_case_failed"),
            # Declined or expired, waiting for the sender's next step: few, looked up often.
            models.Index(
                fields=["from_hub", "answer_due", "sent_at"],
                condition=AWAITING_NEXT_STEP,
                name="referral_awaiting_next_step",
            ),
        ]

    def __str__(self):
        return f"{self.from_hub} → {self.to_hub} ({self.get_kind_display()})"

    @property
    def is_open(self):
        return self.status in OPEN

    @property
    def needs_next_step(self):
        return self.status in NEEDS_NEXT_STEP and not self.next_step

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        if self.status == Status.SENT and self.acknowledge_due < today:
            return True
        return self.status in OPEN and self.answer_due < today


class ReferralEvent(models.Model):
    """Append-only history of a referral: who (at which hub) moved it from what to what, and why."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events", verbose_name=_("referral")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    acting_hub = models.ForeignKey(
        Hub,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hub"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        ordering = ["at", "id"]
        indexes = [
            # The inbox's recently closed group walks the recent events newest first.
            models.Index(fields=["at", "referral"], name="referralevent_at"),
        ]

    def __str__(self):
        return f"{self.referral}: {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Referral events are append-only.")
        super().save(*args, **kwargs)
