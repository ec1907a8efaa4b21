from django.urls import path

from ..views import case

urlpatterns = [
    path("cases/", case.case_list, name="case_list"),
    path("cases/<str:number>/", case.case_detail, name="case_detail"),
    path("cases/<str:number>/edit/", case.case_edit, name="case_edit"),
    path("cases/<str:number>/stage/", case.case_stage, name="case_stage"),
    path("cases/<str:number>/closure/", case.case_closure_request, name="case_closure_request"),
    path("closures/", case.closure_queue, name="closure_queue"),
    path("closures/<int:pk>/decide/", case.closure_decide, name="closure_decide"),
]
