from django.urls import path

from ..views import intake

urlpatterns = [
    path("intakes/", intake.intake_list, name="intake_list"),
    path("intakes/new/", intake.intake_create, name="intake_create"),
    path("intakes/corner/new/", intake.corner_intake_create, name="corner_intake_create"),
    path("intakes/mine/", intake.my_intakes, name="my_intakes"),
    path("intakes/incoming/", intake.incoming, name="incoming"),
    path("intakes/<int:pk>/", intake.intake_detail, name="intake_detail"),
    path("intakes/<int:pk>/take-up/", intake.intake_take_up, name="intake_take_up"),
    path("intakes/<int:pk>/connect/", intake.intake_connect, name="intake_connect"),
    path("persons/search/", intake.person_search, name="person_search"),
]
