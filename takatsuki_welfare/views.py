from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .audit import log_access
from .dashboard import work_lists
from .models import AccessLog


def home(request):
    """The start page: who you act as, and what needs doing at your hub."""
    membership = request.membership
    lists = work_lists(request.user, membership)
    if lists:
        log_access(request, AccessLog.Action.SEARCH, detail="home work lists")
    return render(request, "home.html", {"membership": membership, **lists})


@login_not_required
@never_cache
def healthz(request):
    """Liveness for the load balancer: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
