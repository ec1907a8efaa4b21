"""URLs of the cases app, one module per screen group (intake, case, household/person)."""

from . import case, conference, household, intake, meeting, record, review, support, tasks

app_name = "cases"
urlpatterns = [
    *intake.urlpatterns,
    *case.urlpatterns,
    *household.urlpatterns,
    *tasks.urlpatterns,
    *support.urlpatterns,
    *record.urlpatterns,
    *conference.urlpatterns,
    *meeting.urlpatterns,
    *review.urlpatterns,
]
