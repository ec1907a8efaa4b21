from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView
from django_filters.views import FilterView

from . import acting
from .filters import HubFilter
from .models import Hub, Membership


class HubListView(FilterView):
    """The network directory (拠点一覧): every signed-in user may browse it."""

    filterset_class = HubFilter
    template_name = "hubs/hub_list.html"
    paginate_by = 50
    queryset = Hub.objects.select_related("kind").prefetch_related("fields", "projects", "areas")


class HubDetailView(DetailView):
    template_name = "hubs/hub_detail.html"
    slug_field = "code"
    slug_url_kwarg = "code"
    queryset = Hub.objects.select_related("kind").prefetch_related(
        "fields", "projects", "areas__part_of"
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        context["may_see_members"] = membership is not None and membership.may_see_members
        return context


def _members_of(hub):
    return (
        Membership.objects.active()
        .filter(hub=hub)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name", "user__username")
    )


def hub_members(request, code):
    """Who works at a hub and in which role. Corner volunteers may not see staff lists."""
    membership = request.membership
    if membership is None or not membership.may_see_members:
        raise PermissionDenied(_("Your role may not see hub member lists."))
    hub = get_object_or_404(Hub, code=code)
    return render(request, "hubs/hub_members.html", {"hub": hub, "members": _members_of(hub)})


@require_http_methods(["GET", "POST"])
def choose_acting(request):
    """Pick the hub and role to act as (users with several memberships)."""
    memberships = acting.memberships_of(request.user).select_related("hub__kind")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method == "POST":
        membership = memberships.filter(pk=request.POST.get("membership")).first()
        if membership is None:
            messages.error(request, _("Please choose one of your hubs and roles."))
        else:
            acting.choose(request, membership)
            messages.success(
                request,
                _("You are now acting as %(role)s at %(hub)s.")
                % {"role": membership.get_role_display(), "hub": membership.hub},
            )
            return redirect(next_url or "home")
    return render(
        request,
        "hubs/choose_acting.html",
        {"memberships": memberships, "next": next_url},
    )
