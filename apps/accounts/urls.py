from django.urls import path

from . import policy_views, views

app_name = "accounts"

urlpatterns = [
    path("welcome/", views.onboarding, name="onboarding"),
    path("switch/organisation/", views.tenant_switch, name="tenant_switch"),
    path("switch/farm/", views.farm_switch, name="farm_switch"),
    path("team/", views.team, name="team"),
    path("team/invite/", views.invitation_create, name="invitation_create"),
    path("team/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("team/members/<int:pk>/", views.member_edit, name="member_edit"),
    path("team/roles/new/", views.role_edit, name="role_create"),
    path("team/roles/<int:pk>/", views.role_edit, name="role_edit"),
    path("team/roles/<int:pk>/delete/", views.role_delete, name="role_delete"),
    path("team/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("team/members/<int:pk>/access/", policy_views.member_access, name="member_access"),
    path("team/policies/", policy_views.policy_list, name="policies"),
    path("team/policies/new/", policy_views.policy_edit, name="policy_create"),
    path("team/policies/<int:pk>/", policy_views.policy_edit, name="policy_edit"),
    path("team/policies/<int:pk>/delete/", policy_views.policy_delete, name="policy_delete"),
    path("delegations/", policy_views.delegations, name="delegations"),
    path("delegations/<int:pk>/revoke/", policy_views.delegation_revoke, name="delegation_revoke"),
    path("devices/", policy_views.devices, name="devices"),
    path("organisation/sso/", policy_views.sso_settings, name="sso_settings"),
    path("organisation/sso/<int:pk>/delete/", policy_views.sso_delete, name="sso_delete"),
    path("organisation/sso/<int:pk>/verify/", policy_views.sso_verify, name="sso_verify"),
    path("sso/", policy_views.sso_sign_in, name="sso_sign_in"),
    path("devices/<int:pk>/", policy_views.device_action, name="device_action"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("organisation/", views.organisation, name="organisation"),
    path("profile/", views.profile, name="profile"),
    path("sessions/<int:pk>/sign-out/", views.session_revoke, name="session_revoke"),
]
