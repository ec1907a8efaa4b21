"""Forms of conference planning: the meeting itself, agenda cases, attendees, cancelling."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub, Membership, Role
from takatsuki_welfare.templatetags.tsunagu import display_name

from ..models import MeetingType
from .household import DateInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{display_name(obj.user)}（{obj.hub.name}）"


def _members(hubs):
    """Active case workers of these hubs (corner volunteers do not attend case meetings)."""
    return (
        Membership.objects.active()
        .filter(hub__in=hubs)
        .exclude(role=Role.VOLUNTEER)
        .select_related("user", "hub")
        .order_by("hub__order", "hub__kana", "user__last_name", "user__first_name", "id")
    )


class ConferenceForm(forms.Form):
    """Plan (or re-plan) a meeting. ``convening_hub`` is the acting hub when planning."""

    meeting_type = forms.ModelChoiceField(label=_("Meeting type"), queryset=MeetingType.objects)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput, required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online = forms.BooleanField(label=_("Online"), required=False)
    chair = UserChoiceField(label=_("Chair"), queryset=None, required=False)
    hubs = forms.ModelMultipleChoiceField(
        label=_("Invited hubs"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Your hub is always invited."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, convening_hub, conference=None, **kwargs):
        super().__init__(*args, **kwargs)
        in_use = Q(active=True)
        if conference is not None:
            in_use |= Q(pk=conference.meeting_type_id)
            self.fields["version"].required = True
        else:
            del self.fields["version"]
        self.fields["meeting_type"].queryset = MeetingType.objects.filter(in_use)
        chairs = _members([convening_hub]).values("user_id")
        self.fields["chair"].queryset = (
            get_user_model()
            .objects.filter(pk__in=chairs)
            .order_by("last_name", "first_name", "username")
        )
        hubs = (
            Hub.objects.active()
            .exclude(pk=convening_hub.pk)
            .select_related("kind")
            .order_by("kind__order", "kind_id", "order", "kana", "id")
        )
        self.fields["hubs"].queryset = hubs
        self._hub_kinds = {hub.pk: hub.kind for hub in hubs}

    @classmethod
    def initial_for(cls, conference):
        local = timezone.localtime(conference.starts_at)
        ends = timezone.localtime(conference.ends_at) if conference.ends_at else None
        return {
            "meeting_type": conference.meeting_type_id,
            "title": conference.title,
            "date": local.date(),
            "start_time": local.time().replace(second=0, microsecond=0),
            "end_time": ends.time().replace(second=0, microsecond=0) if ends else None,
            "place": conference.place,
            "online": conference.online,
            "chair": conference.chair_id,
            "hubs": [
                link.hub_id
                for link in conference.hub_links.all()
                if link.hub_id != conference.convening_hub_id
            ],
            "version": conference.version,
        }

    def hub_groups(self):
        """The hub checkboxes grouped by the kind of hub, in directory order."""
        groups = {}
        for box in self["hubs"]:
            kind = self._hub_kinds.get(int(str(box.data["value"])))
            groups.setdefault(kind, []).append(box)
        return list(groups.items())

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start:
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(day, start))
            data["ends_at"] = None
            if end:
                if end <= start:
                    self.add_error("end_time", _("The end time must be after the start time."))
                else:
                    data["ends_at"] = timezone.make_aware(datetime.datetime.combine(day, end))
        return data

    def service_fields(self):
        data = self.cleaned_data
        return {
            "meeting_type": data["meeting_type"],
            "title": data["title"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "place": data["place"],
            "online": data["online"],
            "chair": data["chair"],
            "hubs": list(data["hubs"]),
        }


class AgendaAddForm(forms.Form):
    case = forms.CharField(label=_("Case number"), max_length=20)
    planned_minutes = forms.IntegerField(
        label=_("Planned minutes"), min_value=1, max_value=600, required=False
    )

    def clean_case(self):
        return self.cleaned_data["case"].strip()


class AttendeeForm(forms.Form):
    """A member of an invited hub, or someone named (e.g. a 民生委員) with their affiliation."""

    member = MembershipChoiceField(
        label=_("Member of an invited hub"), queryset=None, required=False
    )
    name = forms.CharField(label=_("Or: name"), max_length=100, required=False)
    affiliation = forms.CharField(label=_("Affiliation and title"), max_length=100, required=False)

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        invited = Hub.objects.filter(conference_links__conference=conference)
        self.fields["member"].queryset = _members(invited)

    def clean(self):
        data = super().clean()
        if not data.get("member") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Choose a member or write the attendee's name."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 4})
    )
