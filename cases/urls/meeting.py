"""URLs of the meeting screens: attendance, one agenda case at a time, action items, and the
minutes (会議録) with their approval, revisions and print."""

from django.urls import path

from ..views import meeting

urlpatterns = [
    path(
        "conferences/<int:pk>/attendance/",
        meeting.meeting_attendance,
        name="meeting_attendance",
    ),
    path("conferences/agenda/<int:pk>/", meeting.meeting_item, name="meeting_item"),
    path(
        "conferences/agenda/<int:pk>/actions/add/",
        meeting.meeting_action_add,
        name="meeting_action_add",
    ),
    path("meeting-actions/<int:pk>/done/", meeting.action_item_done, name="action_item_done"),
    path("conferences/<int:pk>/minutes/", meeting.minutes, name="minutes"),
    path("conferences/<int:pk>/minutes/print/", meeting.minutes_print, name="minutes_print"),
    path("conferences/<int:pk>/minutes/submit/", meeting.minutes_submit, name="minutes_submit"),
    path("conferences/<int:pk>/minutes/approve/", meeting.minutes_approve, name="minutes_approve"),
    path("conferences/<int:pk>/minutes/return/", meeting.minutes_return, name="minutes_return"),
    path("conferences/<int:pk>/minutes/correct/", meeting.minutes_correct, name="minutes_correct"),
    path(
        "conferences/<int:pk>/minutes/r<int:number>/",
        meeting.minutes_version,
        name="minutes_version",
    ),
]
