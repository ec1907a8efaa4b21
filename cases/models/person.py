from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub
from takatsuki_welfare import access
from takatsuki_welfare.japanese import phone_key, search_key
from takatsuki_welfare.models import Code, CodeList
from takatsuki_welfare.search import BigramsCover, OneOf, contains_anywhere

from .household import Household

SEARCH_WINDOW = 600
"""How many matches of a search, in reading order, are checked against the access policy at once
(docs/search.md: large enough that a hub seeing 5 % of the city finds a page in the first)."""


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user, *, few=False):
        return access.persons_visible_to(user, self, few=few)

    def first_visible(self, user, n, *, window=None):
        """The first ``n`` of these persons the user may see, by reading, with their households.

        The list ``self.visible_to(user).select_related("household").order_by("kana_key",
        "id")[:n]``, found from the ids of the first two windows of these persons by reading
        (from the search indexes; never shown): the policy is checked on the first window, then
        if need be on the second, and only past both, if fewer than ``n`` were visible, on every
        remaining match. At most four queries whatever the number of matches. In one query the
        planner, underestimating the matches of most kana queries, checks the policy on every
        match before sorting (docs/search.md). ``self`` is the unfiltered search.
        """
        window = window or SEARCH_WINDOW
        ordering = ("kana_key", "id")
        ids = list(self.order_by(*ordering).values_list("pk", flat=True)[: 2 * window])
        visible = type(self)(self.model, using=self.db).visible_to(user, few=True)
        found = []
        for chunk in (ids[:window], ids[window:]):
            if chunk and len(found) < n:
                among = visible.filter(pk__one_of=chunk).select_related("household")
                found += among.order_by(*ordering)[: n - len(found)]
        if len(found) == n or len(ids) < 2 * window:
            return found
        rest = self.visible_to(user).exclude(pk__one_of=ids).select_related("household")
        return found + list(rest.order_by(*ordering)[: n - len(found)])

    def search(self, text="", *, birth_date=None):
        """Any part of the name in kanji or kana (variants folded, see japanese), or birth date.

        Two or more characters match anywhere in the name or its reading, through the bigram
        index. One character matches the start only (林 finds 林, not 小林; た finds readings
        beginning with た), through the prefix index: anywhere would match a large part of the
        city and no index can serve it. See docs/search.md.
        """
        condition = Q()
        key = search_key(text)
        if len(key) >= 2:
            condition = contains_anywhere(key, "name_key", "kana_key")
        elif key:
            condition = Q(name_key__startswith=key) | Q(kana_key__startswith=key)
        if birth_date is not None:
            condition |= Q(birth_date=birth_date)
        return self.filter(condition) if condition else self.none()


class Person(models.Model):
    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")
        OTHER = "other", _("Other")
        NOT_ANSWERED = "not_answered", _("Not answered")

    family_name = models.CharField(_("family name"), max_length=50)
    given_name = models.CharField(_("given name"), max_length=50, blank=True)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=100, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices, default=Sex.NOT_ANSWERED)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    phone2 = models.CharField(_("other phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    relationship = models.ForeignKey(
        Code,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"code_list": CodeList.RELATIONSHIP},
        verbose_name=_("relationship (続柄)"),
    )
    co_resident = models.BooleanField(_("lives in the household"), default=True)
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
    name_key = models.CharField(max_length=200, editable=False, default="")
    kana_key = models.CharField(max_length=250, editable=False, default="")
    phone_key = models.CharField(max_length=40, editable=False, default="")

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["kana_key", "id"]
        # Prefix search and equality on the keys, in any locale. No plain btree on kana_key:
        # the planner would walk it in ORDER BY kana_key order, filtering, for a rare name.
        # The bigram GIN indexes for partial matches are PostgreSQL-only expression indexes,
        # created by migration 0007 (not here, so that SQLite and makemigrations ignore them).
        indexes = [
            models.Index(
                fields=["name_key"], name="person_name_key_prefix", opclasses=["text_pattern_ops"]
            ),
            models.Index(
                fields=["kana_key"], name="person_kana_key_prefix", opclasses=["text_pattern_ops"]
            ),
            models.Index(fields=["phone_key"], name="person_phone_key"),
            models.Index(fields=["birth_date"], name="person_birth_date"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        for name, value in self.search_keys().items():
            setattr(self, name, value)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *self.search_keys()}
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        return f"{self.family_name} {self.given_name}".strip()

    @property
    def full_name_kana(self):
        return f"{self.family_name_kana} {self.given_name_kana}".strip()

    def age_on(self, date):
        if self.birth_date is None:
            return None
        before_birthday = (date.month, date.day) < (self.birth_date.month, self.birth_date.day)
        return date.year - self.birth_date.year - before_birthday

    @property
    def age(self):
        return self.age_on(timezone.localdate())

    def search_keys(self):
        phones = [phone_key(p) for p in (self.phone, self.phone2) if p]
        return {
            "name_key": search_key(self.family_name, self.given_name),
            "kana_key": search_key(self.family_name_kana, self.given_name_kana),
            "phone_key": "|".join(phones),
        }


for _key in ("name_key", "kana_key"):
    Person._meta.get_field(_key).register_lookup(BigramsCover)
Person._meta.get_field("id").register_lookup(OneOf)


class PersonDetails(models.Model):
    """Sensitive details (要配慮個人情報), kept apart from the person so access can narrow."""

    class Certificate(models.TextChoices):
        NONE = "", _("None / unknown")
        PHYSICAL = "physical", _("Physical disability (身体)")
        INTELLECTUAL = "intellectual", _("Intellectual disability (療育)")
        MENTAL = "mental", _("Mental disability (精神)")
        SEVERAL = "several", _("Several")

    class CareLevel(models.TextChoices):
        NONE = "", _("Not certified / unknown")
        SUPPORT_1 = "support1", "要支援1"
        SUPPORT_2 = "support2", "要支援2"
        CARE_1 = "care1", "要介護1"
        CARE_2 = "care2", "要介護2"
        CARE_3 = "care3", "要介護3"
        CARE_4 = "care4", "要介護4"
        CARE_5 = "care5", "要介護5"

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="details", verbose_name=_("person")
    )
    disability_certificate = models.CharField(
        _("disability certificate (障害者手帳)"),
        max_length=16,
        choices=Certificate.choices,
        blank=True,
    )
    certificate_grade = models.CharField(_("certificate grade"), max_length=30, blank=True)
    care_level = models.CharField(
        _("care level (要介護認定)"), max_length=16, choices=CareLevel.choices, blank=True
    )
    employment = models.CharField(_("employment (仕事)"), max_length=200, blank=True)
    health_insurance = models.CharField(
        _("health insurance (健康保険)"), max_length=100, blank=True
    )
    pension = models.CharField(_("pension (年金)"), max_length=100, blank=True)
    health_notes = models.TextField(_("health notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("sensitive details")
        verbose_name_plural = _("sensitive details")

    def __str__(self):
        return str(self.person)
