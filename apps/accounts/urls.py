from django.urls import path

from . import views

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
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("organisation/", views.organisation, name="organisation"),
    path("profile/", views.profile, name="profile"),
    path("sessions/<int:pk>/sign-out/", views.session_revoke, name="session_revoke"),
]
