from auditlog.models import LogEntry
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AccessLog, Code

admin.site.site_header = _("Tsunagu administration")
admin.site.site_title = _("Tsunagu administration")


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ["code_list", "code", "label", "label_en", "order", "active"]
    list_filter = ["code_list", "active"]
    list_editable = ["label", "label_en", "order", "active"]
    search_fields = ["code", "label", "label_en"]

    def get_readonly_fields(self, request, obj=None):
        # A code is referenced by stored records: it may be relabelled or retired, never recoded.
        return ["code_list", "code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Append-only: administrators may read the log, never add, change or delete entries."""

    list_display = ["at", "username", "hub", "role", "action", "object_type", "object_id",
                    "object_repr", "path", "ip"]  # fmt: skip
    list_filter = ["action", "role", "object_type", "hub"]
    search_fields = ["username", "object_id", "object_repr", "path", "ip"]
    list_select_related = ["hub"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# django-auditlog's change history holds case content (要配慮個人情報); the system administrator
# has no case role, so it is not browsable in the admin. It stays in the database as evidence.
if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)
