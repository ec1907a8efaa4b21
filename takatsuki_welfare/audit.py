"""Writing the access log (閲覧・検索・作成・更新・出力 of personal data)."""

from .access import acting_membership
from .models import AccessLog

Action = AccessLog.Action


def client_ip(request):
    # Behind the city's reverse proxy, REMOTE_ADDR is set by the WSGI server from the proxy's
    # trusted header (gunicorn --forwarded-allow-ips); never trust a client-sent header here.
    return request.META.get("REMOTE_ADDR") or None


def log_access(request, action, obj=None, *, detail=""):
    """Append one entry for the signed-in user acting at their hub."""
    user = request.user
    membership = acting_membership(user)
    entry = AccessLog(
        user=user if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
        hub=membership.hub if membership else None,
        role=membership.role if membership else "",
        action=action,
        path=request.get_full_path()[:300],
        detail=str(detail)[:300],
        ip=client_ip(request),
    )
    if obj is not None:
        entry.object_type = obj._meta.model_name
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save()
    return entry
