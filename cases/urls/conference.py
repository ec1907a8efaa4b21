"""URLs of the conference screens: list, calendar, planning and the overview of a meeting."""

from django.urls import path

from ..views import conference

urlpatterns = [
    path("conferences/", conference.conference_list, name="conference_list"),
    path("conferences/calendar/", conference.conference_calendar, name="conference_calendar"),
    path("conferences/new/", conference.conference_create, name="conference_create"),
    path("conferences/<int:pk>/", conference.conference_detail, name="conference_detail"),
    path("conferences/<int:pk>/edit/", conference.conference_edit, name="conference_edit"),
    path(
        "conferences/<int:pk>/cases/",
        conference.conference_case_search,
        name="conference_case_search",
    ),
    path(
        "conferences/<int:pk>/agenda/add/",
        conference.conference_agenda_add,
        name="conference_agenda_add",
    ),
    path(
        "conferences/agenda/<int:pk>/remove/",
        conference.conference_agenda_remove,
        name="conference_agenda_remove",
    ),
    path(
        "conferences/agenda/<int:pk>/move/",
        conference.conference_agenda_move,
        name="conference_agenda_move",
    ),
    path(
        "conferences/<int:pk>/attendees/add/",
        conference.conference_attendee_add,
        name="conference_attendee_add",
    ),
    path("conferences/<int:pk>/cancel/", conference.conference_cancel, name="conference_cancel"),
]
