"""Case data is deliberately not in the admin.

The system administrator manages master data (hubs, users, memberships, code lists) and has
no case role (DESIGN.md): households, persons, intakes, cases and consents are reached only
through the app's views, which apply the access policy and write the access log.
Meeting types are master data (each city names its meetings) and are the one exception.
"""

from django.contrib import admin

from .models import MeetingType


@admin.register(MeetingType)
class MeetingTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "legal_type", "convened_by", "order", "active"]
    list_filter = ["legal_type", "active"]
    list_editable = ["order", "active"]
    filter_horizontal = ["default_hubs"]

    def get_readonly_fields(self, request, obj=None):
        # Stored conferences refer to the type: it may be renamed or retired, not recoded.
        return ["code", "legal_type"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False
