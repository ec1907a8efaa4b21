"""The referral screens: sending, the referral page and its transitions, the hub inbox."""

from django.urls import path

from .. import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/case/<str:number>/", views.send_from_case, name="send_from_case"),
    path("new/intake/<int:pk>/", views.send_from_intake, name="send_from_intake"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    *(
        path(f"<int:pk>/{name}/", views.referral_step, {"name": name}, name=name)
        for name in views.STEPS
    ),
]
