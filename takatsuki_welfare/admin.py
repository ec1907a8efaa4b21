from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Code

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
