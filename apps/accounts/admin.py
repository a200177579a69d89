from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Invitation, LoginFailure, Membership, Profile, Role, Tenant, User


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
