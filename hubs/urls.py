from django.urls import path

from . import views

app_name = "hubs"
urlpatterns = [
    path("", views.HubListView.as_view(), name="list"),
    path("acting/", views.choose_acting, name="acting"),
    path("<slug:code>/", views.HubDetailView.as_view(), name="detail"),
    path("<slug:code>/members/", views.hub_members, name="members"),
]
