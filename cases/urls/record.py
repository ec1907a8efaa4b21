from django.urls import path

from ..views import record

urlpatterns = [
    path("cases/<str:number>/records/new/", record.record_create, name="record_create"),
    path("cases/<str:number>/timeline/", record.case_timeline, name="case_timeline"),
    path("records/quick/", record.record_quick, name="record_quick"),
    path("records/<int:pk>/", record.record_detail, name="record_detail"),
    path("records/<int:pk>/edit/", record.record_edit, name="record_edit"),
    path("records/<int:pk>/cancel/", record.record_cancel, name="record_cancel"),
]
