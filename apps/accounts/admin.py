from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import security
from .access import access_changed
from .models import (
    AbuseEvent,
    Device,
    Invitation,
    IpBlock,
    LoginFailure,
    Membership,
    Policy,
    Profile,
    RateRule,
    Role,
    Tenant,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "profile__full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "all_farms", "is_active"]
    raw_id_fields = ["user", "role"]


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "country", "currency", "milk_unit", "is_active", "created_at"]
    list_filter = ["is_active", "country", "currency", "milk_unit"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]

    def has_delete_permission(self, request, obj=None):
        # An organisation's audit chain cannot be deleted (the database refuses); deactivate it instead.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "all_farms", "is_active", "joined_at"]
    list_filter = ["is_active", "all_farms", "role__key"]
    search_fields = ["user__email", "tenant__name"]
    list_select_related = ["user", "tenant", "role"]
    raw_id_fields = ["user", "tenant", "role"]
    filter_horizontal = ["farms"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "tenant", "is_builtin"]
    list_filter = ["is_builtin", "key"]
    search_fields = ["name", "tenant__name"]
    list_select_related = ["tenant"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "tenant", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["accepted_at", "revoked_at"]
    search_fields = ["email", "tenant__name"]
    exclude = ["token_hash"]
    list_select_related = ["tenant", "role"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "full_name", "phone", "language", "time_zone"]
    search_fields = ["user__email", "full_name", "phone"]


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["email", "ip", "created_at"]
    search_fields = ["email", "ip"]


@admin.register(RateRule)
class RateRuleAdmin(admin.ModelAdmin):
    """Rate limits held as data: a change applies within a minute on every worker."""

    list_display = ["name", "scope", "path_prefix", "methods", "limit", "window_seconds", "action", "is_active"]
    list_filter = ["scope", "action", "is_active"]
    list_editable = ["is_active"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        security.rules_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        security.rules_changed()


@admin.register(IpBlock)
class IpBlockAdmin(admin.ModelAdmin):
    list_display = ["ip", "until", "reason", "created_at"]
    search_fields = ["ip"]
    actions = ["lift"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        security.state_forget(obj.ip)

    @admin.action(description="Lift the selected blocks now")
    def lift(self, request, queryset):
        from django.utils import timezone

        for block in queryset:
            block.until = timezone.now()
            block.save(update_fields=["until"])
            security.state_forget(block.ip)


@admin.register(AbuseEvent)
class AbuseEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "ip", "kind", "user", "tenant_id", "detail"]
    list_filter = ["kind"]
    search_fields = ["ip", "detail", "user__email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "first_seen", "last_seen", "last_ip", "trusted"]
    search_fields = ["user__email", "name", "last_ip"]
    readonly_fields = ["key_hash"]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "role", "membership", "amount_limit", "start_time", "end_time", "ends_on"]
    search_fields = ["name", "tenant__name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        access_changed(obj.tenant_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        access_changed(obj.tenant_id)
