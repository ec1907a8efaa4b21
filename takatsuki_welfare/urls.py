from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import views
from .forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("hubs/", include("hubs.urls")),
    path("", include("cases.urls")),
    path("audit/", include("takatsuki_welfare.audit_urls")),
    path("referrals/", include("referrals.urls")),
    path("notifications/", include("takatsuki_welfare.notification_urls")),
    path("admin/", admin.site.urls),
]
if settings.BENCH_ENDPOINTS:
    urlpatterns.append(path("bench/", include("takatsuki_welfare.bench_views")))
