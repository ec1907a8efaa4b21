from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from hubs.models import Membership


def home(request):
    """The start page: who you act as, your hub, and where to go next."""
    membership = request.membership
    colleagues = None
    if membership is not None and membership.may_see_members:
        colleagues = (
            Membership.objects.active().filter(hub=membership.hub).values("role").distinct().count()
        )
    return render(request, "home.html", {"membership": membership, "colleague_roles": colleagues})


@login_not_required
@never_cache
def healthz(request):
    """Liveness for the load balancer: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
