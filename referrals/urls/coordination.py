from django.urls import path

from referrals import coordination

urlpatterns = [
    path("coordination/", coordination.coordination, name="coordination"),
]
