"""The support network as data: areas, hubs (拠点) and who works where in which role."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from takatsuki_welfare.japanese import search_key
from takatsuki_welfare.models import Code, CodeList


class Area(models.Model):
    """A geographical unit a hub serves: 地区, 日常生活圏域 or CSW area."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District (地区)")
        CARE_ZONE = "care_zone", _("Daily-life zone (日常生活圏域)")
        CSW_AREA = "csw_area", _("CSW area")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kana = models.CharField(_("kana reading"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    part_of = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="contains",
        verbose_name=_("part of"),
        help_text=_("Larger areas this one lies in (a district's zone and CSW area)."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["kind", "order", "code"]

    def __str__(self):
        return self.name


class HubQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def serving(self, area):
        """Hubs serving the area itself or a larger area it lies in."""
        area_ids = [area.pk, *area.part_of.values_list("pk", flat=True)]
        return self.filter(areas__in=area_ids).distinct()

    def matching(self, text):
        key = search_key(text)
        return self.filter(search_key__contains=key) if key else self


class Hub(models.Model):
    """A consultation hub (拠点): the desk, a single-field centre, a neighbourhood corner …"""

    class Operator(models.TextChoices):
        DIRECT = "direct", _("Run by the city (直営)")
        CONTRACTED = "contracted", _("Contracted (委託)")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kana = models.CharField(_("kana reading"), max_length=300, blank=True)
    kind = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"code_list": CodeList.HUB_KIND},
        verbose_name=_("kind (拠点の型)"),
    )
    fields = models.ManyToManyField(
        Code,
        blank=True,
        related_name="hubs_in_field",
        limit_choices_to={"code_list": CodeList.FIELD},
        verbose_name=_("fields covered"),
    )
    projects = models.ManyToManyField(
        Code,
        blank=True,
        related_name="hubs_in_project",
        limit_choices_to={"code_list": CodeList.PROJECT},
        verbose_name=_("projects carried"),
    )
    operator = models.CharField(
        _("operator"), max_length=16, choices=Operator.choices, default=Operator.DIRECT
    )
    operator_name = models.CharField(_("operator name"), max_length=150, blank=True)
    areas = models.ManyToManyField(
        Area, blank=True, related_name="hubs", verbose_name=_("areas served")
    )
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    hours = models.CharField(_("opening hours"), max_length=150, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    acknowledge_business_days = models.PositiveSmallIntegerField(
        _("referrals: acknowledge within (business days)"), default=2
    )
    answer_business_days = models.PositiveSmallIntegerField(
        _("referrals: answer within (business days)"), default=5
    )
    search_key = models.CharField(max_length=500, editable=False, db_index=True, default="")

    objects = HubQuerySet.as_manager()

    class Meta:
        verbose_name = _("hub (拠点)")
        verbose_name_plural = _("hubs (拠点)")
        ordering = ["order", "kana", "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = search_key(self.name) + "|" + search_key(self.kana)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "kana"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    """What a member may do at a hub (see DESIGN.md's access-policy table)."""

    VOLUNTEER = "volunteer", _("Corner volunteer (民生委員・ボランティア)")
    STAFF = "staff", _("Consultation staff (相談員)")
    CSW = "csw", _("Community social worker (CSW)")
    COORDINATOR = "coordinator", _("Multi-agency coordinator (多機関協働コーディネーター)")
    MANAGER = "manager", _("Manager (課長・センター長)")


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True, hub__active=True, user__is_active=True)


class Membership(models.Model):
    """A user working at a hub in a role; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("hub")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["hub__order", "hub__kana", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "hub", "role"], name="membership_unique_user_hub_role"
            )
        ]
        indexes = [
            models.Index(
                fields=["hub", "role"], condition=Q(active=True), name="membership_active_hub_role"
            )
        ]

    def __str__(self):
        return f"{self.hub} / {self.get_role_display()}"

    @property
    def is_volunteer(self):
        return self.role == Role.VOLUNTEER

    @property
    def is_manager(self):
        return self.role == Role.MANAGER

    @property
    def is_coordinator(self):
        return self.role == Role.COORDINATOR

    @property
    def does_casework(self):
        """Staff, CSWs, coordinators and managers work on cases; volunteers only record intakes."""
        return self.role != Role.VOLUNTEER

    @property
    def may_see_members(self):
        return self.role != Role.VOLUNTEER
