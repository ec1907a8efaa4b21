"""URLs of the cases app, one module per screen group (intake, case, household/person)."""

from . import case, household, intake

app_name = "cases"
urlpatterns = [*intake.urlpatterns, *case.urlpatterns, *household.urlpatterns]
