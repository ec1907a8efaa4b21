"""Forms of the intake screens: staff intake, corner intake, connecting an intake, the list filter.

A staff intake (and opening a case from an incoming intake) names its person in one of three
ways: a person found with the search box, a new person (checked for duplicates by the view
before anything is saved), or nobody yet (a free-text description).
"""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from hubs.models import Hub
from takatsuki_welfare.forms import BirthDateField
from takatsuki_welfare.japanese import kana_only
from takatsuki_welfare.models import Code, CodeList

from ..models import Case, Consent, Intake, Person

CORNER_HUB_KIND = "community"
DESK_HUB_CODE = "desk"


def handover_hubs(*, exclude=None):
    """Hubs an intake can be handed to: active, and staffed (not a neighbourhood corner)."""
    hubs = Hub.objects.active().exclude(kind__code=CORNER_HUB_KIND)
    return hubs.exclude(pk=exclude.pk) if exclude is not None else hubs


def _codes(code_list):
    return Code.objects.of(code_list)


def _checkboxes(code_list, label, **kwargs):
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=_codes(code_list),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        **kwargs,
    )


def _now():
    return timezone.localtime().replace(second=0, microsecond=0)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class SearchInput(forms.TextInput):
    input_type = "search"


class SubjectForm(forms.Form):
    """Who the consultation is about: a known person, a new person (and household), or nobody yet.

    The person radio buttons and the case radio buttons are rendered by the search results
    partial (_person_search_results.html), inside this form.
    """

    EXISTING, NEW, UNIDENTIFIED = "existing", "new", "unidentified"
    SAME_HOUSEHOLD, NEW_HOUSEHOLD = "same", "new"
    subject_choices = [
        (EXISTING, _("A registered person (choose from the search results)")),
        (NEW, _("Register a new person")),
        (UNIDENTIFIED, _("Not identified yet")),
    ]

    q = forms.CharField(
        label=_("Search registered persons"),
        required=False,
        max_length=100,
        widget=SearchInput,
        help_text=_("Name in kanji or kana (any part), or date of birth such as S45.3.2."),
    )
    subject = forms.ChoiceField(label=_("The person concerned"), widget=forms.RadioSelect)
    person = forms.ModelChoiceField(
        label=_("Registered person"), queryset=Person.objects.none(), required=False
    )
    same_person = forms.ModelChoiceField(
        label=_("This is the same person"), queryset=Person.objects.none(), required=False
    )
    confirm_new = forms.BooleanField(
        label=_("This is a different person: register a new person"), required=False
    )
    family_name = forms.CharField(label=_("Family name"), max_length=50, required=False)
    given_name = forms.CharField(label=_("Given name"), max_length=50, required=False)
    family_name_kana = forms.CharField(
        label=_("Family name (kana)"), max_length=100, required=False
    )
    given_name_kana = forms.CharField(label=_("Given name (kana)"), max_length=100, required=False)
    birth_date = BirthDateField(label=_("Date of birth"), required=False)
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=Person.Sex.choices,
        initial=Person.Sex.NOT_ANSWERED,
        required=False,
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    relationship = forms.ModelChoiceField(
        label=_("Relationship (続柄)"),
        queryset=_codes(CodeList.RELATIONSHIP),
        required=False,
        empty_label=_("Unknown"),
    )
    household_choice = forms.ChoiceField(
        label=_("Household"),
        choices=[
            (NEW_HOUSEHOLD, _("A new household")),
            (SAME_HOUSEHOLD, _("The household of the person chosen in the search results")),
        ],
        initial=NEW_HOUSEHOLD,
        required=False,
        widget=forms.RadioSelect,
    )
    postal_code = forms.CharField(
        label=_("Postal code (〒)"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    town = forms.CharField(label=_("Town (町名)"), max_length=100, required=False)
    address_rest = forms.CharField(label=_("Rest of the address"), max_length=200, required=False)
    household_phone = forms.CharField(
        label=_("Household phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    new_person_fields = (
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "birth_date",
        "sex",
        "phone",
        "relationship",
    )

    def __init__(self, *args, user, persons=None, allow_unidentified=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        visible = persons if persons is not None else Person.objects.visible_to(user)
        self.fields["person"].queryset = visible.select_related("household")
        self.fields["same_person"].queryset = Person.objects.visible_to(user)
        choices = self.subject_choices
        if not allow_unidentified:
            choices = [c for c in choices if c[0] != self.UNIDENTIFIED]
        self.fields["subject"].choices = choices
        self.fields["subject"].initial = self.EXISTING
        self.fields["q"].widget.attrs.update(
            {
                "autocomplete": "off",
                "hx-get": reverse("cases:person_search"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#person-results",
                "hx-sync": "this:replace",
            }
        )
        self.subject_person = None
        self.subject_household = None

    def _clean_kana(self, name):
        value = self.cleaned_data[name].strip()
        if value and not kana_only(value):
            raise forms.ValidationError(
                _("Please write the reading in kana (hiragana or katakana)."), code="kana"
            )
        return value

    def clean_sex(self):
        return self.cleaned_data["sex"] or Person.Sex.NOT_ANSWERED

    def clean_family_name_kana(self):
        return self._clean_kana("family_name_kana")

    def clean_given_name_kana(self):
        return self._clean_kana("given_name_kana")

    @property
    def creates_person(self):
        return self.cleaned_data.get("subject") == self.NEW and self.subject_person is None

    @property
    def identified(self):
        return self.cleaned_data.get("subject") in (self.EXISTING, self.NEW)

    def clean_subject_fields(self):
        """Resolve the person and household concerned (call from clean())."""
        data = self.cleaned_data
        same = data.get("same_person")
        if same is not None:
            data["subject"] = self.EXISTING
            data["person"] = same
        subject = data.get("subject")
        person = data.get("person")
        if subject == self.EXISTING:
            if person is None:
                self.add_error("person", _("Choose the person from the search results."))
            else:
                self.subject_person, self.subject_household = person, person.household
        elif subject == self.NEW:
            if not data.get("family_name", "").strip() and "family_name" not in self.errors:
                self.add_error("family_name", _("Please write at least the family name."))
            if data.get("household_choice") == self.SAME_HOUSEHOLD:
                if person is None or person.household is None:
                    self.add_error(
                        "household_choice",
                        _("Choose, in the search results, a person of the household to join."),
                    )
                else:
                    self.subject_household = person.household

    def require_household(self):
        """A case is opened on a household: the person concerned must have one."""
        if self.subject_person is not None and self.subject_household is None:
            self.add_error(
                "person", _("This person is not registered in a household, which a case needs.")
            )

    def new_person_data(self):
        return {name: self.cleaned_data[name] for name in self.new_person_fields}

    def new_household_data(self):
        data = self.cleaned_data
        return {
            "postal_code": data["postal_code"],
            "town": data["town"],
            "address_rest": data["address_rest"],
            "phone": data["household_phone"],
        }

    def duplicate_query(self):
        """Arguments for services.find_duplicates about the new person."""
        data = self.cleaned_data
        if self.subject_household is not None:
            address = self.subject_household.address
        else:
            address = f"{data['town']}{data['address_rest']}"
        return {
            "family_name": data["family_name"],
            "given_name": data["given_name"],
            "family_name_kana": data["family_name_kana"],
            "given_name_kana": data["given_name_kana"],
            "birth_date": data["birth_date"],
            "phone": data["phone"],
            "address": address,
        }


def clean_concerns(form, *, require_main):
    """Return the main concern (主訴): a ticked concern; the only one when just one is ticked."""
    concerns = list(form.cleaned_data.get("concerns") or [])
    main = form.cleaned_data.get("main_concern")
    if main is None and len(concerns) == 1:
        return concerns[0]
    if main is not None and main not in concerns:
        form.add_error(
            "main_concern", _("The main concern must be one of the concerns ticked above.")
        )
    elif main is None and require_main and len(concerns) > 1:
        form.add_error("main_concern", _("Choose which of the ticked concerns is the main one."))
    return main


class ConcernRowsMixin:
    def concern_rows(self):
        """Pairs of (concern checkbox, main-concern radio) for one table row per concern."""
        mains = {str(radio.data["value"]): radio for radio in self["main_concern"]}
        return [(box, mains.get(str(box.data["value"]))) for box in self["concerns"]]


class IntakeForm(ConcernRowsMixin, SubjectForm):
    """The staff intake (相談受付): one page, filled while listening."""

    outcome_choices = [
        (Intake.Outcome.INFO_ONLY, Intake.Outcome.INFO_ONLY.label),
        (Intake.Outcome.LINKED, Intake.Outcome.LINKED.label),
        (Intake.Outcome.NEW_CASE, Intake.Outcome.NEW_CASE.label),
        (Intake.Outcome.HANDED_OVER, Intake.Outcome.HANDED_OVER.label),
    ]

    received_at = forms.DateTimeField(
        label=_("Received at (date and time)"), widget=DateTimeLocalInput, initial=_now
    )
    channel = forms.ModelChoiceField(
        label=_("Channel (相談方法)"),
        queryset=_codes(CodeList.CHANNEL),
        required=False,
        empty_label=_("Choose"),
    )
    route = forms.ModelChoiceField(
        label=_("Route (相談経路)"),
        queryset=_codes(CodeList.ROUTE),
        required=False,
        empty_label=_("Choose"),
    )
    consulter_name = forms.CharField(
        label=_("Consulting person's name"),
        max_length=100,
        required=False,
        help_text=_("When someone other than the person concerned consults."),
    )
    consulter_phone = forms.CharField(
        label=_("Consulting person's phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    consulter_relationship = forms.CharField(
        label=_("Relationship to the person concerned"), max_length=100, required=False
    )
    subject_description = forms.CharField(
        label=_("About whom"),
        max_length=300,
        required=False,
        help_text=_("For a person not identified yet, e.g. 'the son (about 50) of Mrs A'."),
    )
    concerns = _checkboxes(CodeList.CONCERN, _("Concerns"))
    main_concern = forms.ModelChoiceField(
        label=_("Main concern (主訴)"),
        queryset=_codes(CodeList.CONCERN),
        required=False,
        widget=forms.RadioSelect,
    )
    fields = _checkboxes(CodeList.FIELD, _("Fields"))
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Intake.Urgency.choices,
        initial=Intake.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    narrative = forms.CharField(
        label=_("What was said"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    consent_status = forms.ChoiceField(
        label=_("Consent at intake"),
        choices=Intake.ConsentStatus.choices,
        initial=Intake.ConsentStatus.UNKNOWN,
        widget=forms.RadioSelect,
    )
    consent_method = forms.ChoiceField(
        label=_("How consent was given"),
        choices=Consent.Method.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Recorded as consent to share with the agencies concerned: this hub and the hub "
            "the intake is handed to."
        ),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect)
    case = forms.ModelChoiceField(
        label=_("Case to link to"), queryset=Case.objects.none(), required=False
    )
    multi_agency = forms.BooleanField(
        label=_("Needs multi-agency coordination (多機関協働)"), required=False
    )
    handed_to = forms.ModelChoiceField(
        label=_("Hand to hub"), queryset=Hub.objects.none(), required=False, empty_label=_("Choose")
    )

    def __init__(self, *args, user, hub, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.hub = hub
        self.fields["outcome"].choices = self.outcome_choices
        self.fields["outcome"].initial = Intake.Outcome.INFO_ONLY
        self.fields["case"].queryset = Case.objects.visible_to(user).open()
        self.fields["handed_to"].queryset = handover_hubs(exclude=hub)

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        if received_at > timezone.now() + datetime.timedelta(minutes=5):
            raise forms.ValidationError(_("The date and time cannot be in the future."))
        return received_at

    def clean(self):
        data = super().clean()
        self.clean_subject_fields()
        subject = data.get("subject")
        if subject == self.UNIDENTIFIED and not data.get("subject_description", "").strip():
            self.add_error(
                "subject_description", _("Please describe whom the consultation is about.")
            )
        self.main_concern = clean_concerns(self, require_main=True)
        if data.get("consent_status") == Intake.ConsentStatus.GIVEN:
            if not data.get("consent_method"):
                self.add_error("consent_method", _("Please record how consent was given."))
            if subject == self.UNIDENTIFIED:
                self.add_error(
                    "consent_status",
                    _("Consent can only be recorded for an identified person."),
                )
        self._clean_outcome(data)
        return data

    def _clean_outcome(self, data):
        outcome = data.get("outcome")
        if outcome == Intake.Outcome.NEW_CASE:
            if data.get("subject") == self.UNIDENTIFIED:
                self.add_error("outcome", _("A case can only be opened for an identified person."))
            self.require_household()
        if outcome == Intake.Outcome.HANDED_OVER and data.get("handed_to") is None:
            self.add_error("handed_to", _("Choose the hub to hand this to."))
        if outcome == Intake.Outcome.LINKED:
            case = data.get("case")
            if case is None:
                if "case" not in self.errors:
                    self.add_error(
                        "case", _("Choose the case, shown under the person in the search results.")
                    )
            elif self.identified and not self._case_fits(case):
                self.add_error("case", _("This case is not about the person's household."))

    def _case_fits(self, case):
        if self.subject_household is not None and case.household_id == self.subject_household.pk:
            return True
        person = self.subject_person
        return person is not None and case.persons.filter(pk=person.pk).exists()


class CornerIntakeForm(forms.Form):
    """A corner volunteer's hand-over: deliberately small."""

    consulter_name = forms.CharField(
        label=_("Who is worried"),
        max_length=100,
        required=False,
        help_text=_("The name of the person who talked to you, if they gave it."),
    )
    subject_description = forms.CharField(
        label=_("About whom"),
        max_length=300,
        help_text=_("E.g. 'the elderly man living alone at the end of the street'."),
    )
    concerns = _checkboxes(CodeList.CONCERN, _("What they are worried about"))
    narrative = forms.CharField(
        label=_("What you heard"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    contact_hint = forms.CharField(
        label=_("How to reach them"),
        max_length=300,
        required=False,
        help_text=_("A phone number, or who knows them."),
    )
    consent_status = forms.ChoiceField(
        label=_("Did they agree that a hub contacts them?"),
        choices=Intake.ConsentStatus.choices,
        initial=Intake.ConsentStatus.UNKNOWN,
        widget=forms.RadioSelect,
    )
    handed_to = forms.ModelChoiceField(
        label=_("Hand to hub"), queryset=Hub.objects.none(), empty_label=_("Choose")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hubs = handover_hubs()
        self.fields["handed_to"].queryset = hubs
        desk = hubs.filter(code=DESK_HUB_CODE).first()
        if desk is not None:
            self.fields["handed_to"].initial = desk.pk

    def clean_subject_description(self):
        text = self.cleaned_data["subject_description"].strip()
        if not text:
            raise forms.ValidationError(_("Please write whom you are worried about."))
        return text

    @property
    def main_concern(self):
        concerns = list(self.cleaned_data.get("concerns") or [])
        return concerns[0] if len(concerns) == 1 else None


class ConnectForm(SubjectForm):
    """Connect an intake: link it to a case the user sees, or open a new case from it."""

    LINK, OPEN = "link", "open"

    action = forms.ChoiceField(
        label=_("Connect to"),
        choices=[
            (LINK, _("An existing case (choose it under the person in the search results)")),
            (OPEN, _("A new case")),
        ],
        initial=OPEN,
        widget=forms.RadioSelect,
    )
    case = forms.ModelChoiceField(
        label=_("Case to link to"), queryset=Case.objects.none(), required=False
    )
    concerns = _checkboxes(CodeList.CONCERN, _("Concerns"))
    fields = _checkboxes(CodeList.FIELD, _("Fields"))
    multi_agency = forms.BooleanField(
        label=_("Needs multi-agency coordination (多機関協働)"), required=False
    )

    def __init__(self, *args, user, intake, **kwargs):
        # The persons named on the intake were handed over with it: they may be chosen even
        # when registered at another hub (the new case then makes them visible here).
        handed = intake.persons.values("pk")
        persons = Person.objects.filter(
            Q(pk__in=Person.objects.visible_to(user).values("pk")) | Q(pk__in=handed)
        )
        super().__init__(*args, user=user, persons=persons, allow_unidentified=False, **kwargs)
        self.intake = intake
        self.fields["case"].queryset = Case.objects.visible_to(user).open()
        self.fields["subject"].required = False

    def clean(self):
        data = super().clean()
        if data.get("action") == self.LINK:
            if data.get("case") is None and "case" not in self.errors:
                self.add_error(
                    "case", _("Choose the case, shown under the person in the search results.")
                )
            return data
        if not data.get("subject"):
            self.add_error("subject", _("Choose a registered person or register a new one."))
        self.clean_subject_fields()
        self.require_household()
        return data

    def open_case_data(self, *, household, person):
        data = self.cleaned_data
        return {
            "household": household,
            "persons": [person],
            "primary": person,
            "fields": data["fields"],
            "concerns": data["concerns"],
            "multi_agency": data["multi_agency"],
        }


class IntakeFilter(django_filters.FilterSet):
    received = django_filters.DateFromToRangeFilter(
        label=_("Received between"),
        field_name="received_at__date",
        widget=DateRangeWidget(attrs={"type": "date"}),
    )
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"), choices=Intake.Outcome.choices, empty_label=_("All")
    )
    urgency = django_filters.ChoiceFilter(
        label=_("Urgency"), choices=Intake.Urgency.choices, empty_label=_("All")
    )
    channel = django_filters.ModelChoiceFilter(
        label=_("Channel"), queryset=_codes(CodeList.CHANNEL), empty_label=_("All")
    )
    route = django_filters.ModelChoiceFilter(
        label=_("Route"), queryset=_codes(CodeList.ROUTE), empty_label=_("All")
    )

    class Meta:
        model = Intake
        fields = ["received", "outcome", "urgency", "channel", "route"]
