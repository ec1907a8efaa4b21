from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .audit import log_access
from .dashboard import dashboard
from .models import AccessLog


def home(request):
    """The start page: a dashboard of what needs doing, by role; volunteers get their own."""
    membership = request.membership
    context = dashboard(request.user, membership)
    if "tiles" in context:
        log_access(request, AccessLog.Action.SEARCH, detail="dashboard")
    return render(request, "home.html", {"membership": membership, **context})


@login_not_required
@never_cache
def healthz(request):
    """Liveness for the load balancer: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
