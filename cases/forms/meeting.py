"""Forms of the meeting screen: attendance, the minutes of one agenda case, action items, and
the approval steps of the minutes (会議録)."""

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub

from ..models import Decision, SupportPlan
from .household import DateInput
from .plan import HubChoiceField


class VersionForm(forms.Form):
    """The version of the conference the user saw: a stale page is refused, not applied."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AttendanceForm(VersionForm):
    """Who came: invited hubs and attendees, and at a 支援会議 who acknowledged confidentiality.

    The template draws one row per hub and attendee; ``checked`` tells which boxes to tick.
    """

    present_hubs = forms.ModelMultipleChoiceField(
        queryset=Hub.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    present_attendees = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    acknowledged = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present_hubs"].queryset = Hub.objects.filter(
            conference_links__conference=conference
        )
        for name in ("present_attendees", "acknowledged"):
            self.fields[name].queryset = conference.attendees.all()
        if not conference.is_support_meeting:
            del self.fields["acknowledged"]

    def checked(self, name, default):
        """The ticked values of a list (as strings): what was typed, else ``default``."""
        if self.is_bound:
            return set(self.data.getlist(name))
        return {str(value) for value in default}


class MinutesItemForm(forms.Form):
    """The minutes of one agenda case (agenda_item_record)."""

    summary = forms.CharField(
        label=_("Discussion summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    decisions = forms.MultipleChoiceField(
        label=_("Decisions"),
        choices=Decision.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    endorse_plan = forms.ModelChoiceField(
        label=_("Plan version endorsed"),
        queryset=SupportPlan.objects.none(),
        required=False,
        help_text=_("Endorsing decides the plan (支援決定): that version becomes read-only."),
    )
    next_review_on = forms.DateField(label=_("Next review date"), required=False, widget=DateInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, item, plans=None, **kwargs):
        """``plans``: this case's plans under discussion that the user sees; None when the
        meeting does not decide plans (only a 重層的支援会議 does)."""
        kwargs.setdefault(
            "initial",
            {
                "summary": item.summary,
                "decisions": item.decisions,
                "next_review_on": item.next_review_on,
                "version": item.version,
            },
        )
        super().__init__(*args, **kwargs)
        if plans is None:
            del self.fields["endorse_plan"]
        else:
            field = self.fields["endorse_plan"]
            field.queryset = plans
            field.empty_label = _("No plan endorsed at this meeting")
            field.label_from_instance = lambda plan: (
                _("Version %(number)s (%(status)s)")
                % {
                    "number": plan.number,
                    "status": plan.get_status_display(),
                }
            )

    def service_fields(self):
        data = self.cleaned_data
        return {
            "expected_version": data["version"],
            "summary": data["summary"],
            "decisions": data["decisions"],
            "next_review_on": data["next_review_on"],
            "endorse_plan": data.get("endorse_plan"),
        }


def owner_hub_choices(attending):
    """Active hubs, the ones attending the meeting first."""
    return (
        Hub.objects.active()
        .annotate(
            attending_first=Case(
                When(pk__in=attending.values("pk"), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("attending_first", "order", "kana", "id")
    )


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("What is to be done"), widget=forms.Textarea(attrs={"rows": 2}))
    owner_hub = HubChoiceField(label=_("Owner hub"), queryset=Hub.objects.none())
    owner_person = forms.CharField(label=_("Person in charge"), max_length=100, required=False)
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput)

    def __init__(self, *args, attending, **kwargs):
        kwargs.setdefault("prefix", "action")
        super().__init__(*args, **kwargs)
        self.fields["owner_hub"].queryset = owner_hub_choices(attending)


class ReturnForm(VersionForm):
    comment = forms.CharField(
        label=_("What needs changing"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CorrectForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 3})
    )
