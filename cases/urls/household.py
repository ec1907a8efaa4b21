from django.urls import path

from ..views import household, person

urlpatterns = [
    path("households/<int:pk>/", household.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", household.household_edit, name="household_edit"),
    path("households/<int:pk>/flags/add/", household.household_flag_add, name="household_flag_add"),
    path(
        "households/<int:pk>/flags/<int:flag_pk>/end/",
        household.household_flag_end,
        name="household_flag_end",
    ),
    path("persons/<int:pk>/", person.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", person.person_edit, name="person_edit"),
    path("persons/<int:pk>/details/", person.person_details, name="person_details"),
    path("persons/<int:pk>/details/edit/", person.person_details_edit, name="person_details_edit"),
    path("persons/<int:pk>/consents/add/", person.consent_add, name="consent_add"),
    path("consents/<int:pk>/withdraw/", person.consent_withdraw, name="consent_withdraw"),
]
