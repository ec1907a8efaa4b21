"""Code lists: institution-defined values with stable codes, editable in the admin.

The national standard for 重層 records is still being written and cities differ, so these are
data (seeded by migration), not hard-coded choices. States the software depends on (roles,
stages, statuses) are TextChoices on their models instead.
"""

from django.conf import settings
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
    HOUSEHOLD_TYPE = "household_type", _("Household type (世帯類型)")
    COMPLEX_NEED = "complex_need", _("Complex need (複合課題)")


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


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only.")

    def delete(self):
        raise PermissionError("The access log is append-only.")


class AccessLog(models.Model):
    """Append-only record of every view, search, change and export of personal data."""

    class Action(models.TextChoices):
        VIEW = "view", _("View (閲覧)")
        SEARCH = "search", _("Search (検索)")
        CREATE = "create", _("Create (作成)")
        UPDATE = "update", _("Update (更新)")
        EXPORT = "export", _("Export (出力)")

    at = models.DateTimeField(_("when"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150)
    hub = models.ForeignKey(
        "hubs.Hub", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("hub")
    )
    role = models.CharField(_("role"), max_length=16, blank=True)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=40, blank=True)
    object_id = models.CharField(_("record id"), max_length=40, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    path = models.CharField(_("page"), max_length=300, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["hub", "-at"], name="accesslog_hub_at"),
            models.Index(fields=["object_type", "object_id"], name="accesslog_object"),
            models.Index(fields=["user", "-at"], name="accesslog_user_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notification (the bell): a new referral, an answer, something overdue."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    hub = models.ForeignKey(
        "hubs.Hub",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for the hub"),
    )
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
        ]

    def __str__(self):
        return self.message
