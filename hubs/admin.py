from django.contrib import admin

from .models import Area, Hub, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "kana", "kind", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "kana", "code"]
    filter_horizontal = ["part_of"]


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "operator", "phone", "active"]
    list_filter = ["kind", "operator", "active", "fields", "projects"]
    search_fields = ["name", "kana", "code"]
    filter_horizontal = ["fields", "projects", "areas"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "hub", "role", "active", "created_at"]
    list_filter = ["role", "active", "hub__kind"]
    search_fields = ["user__username", "user__last_name", "user__first_name", "hub__name"]
    autocomplete_fields = ["user", "hub"]
    list_select_related = ["user", "hub"]
