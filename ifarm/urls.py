from django.contrib import admin
from django.urls import include, path

from apps.accounts import sso
from apps.api.v1 import api as api_v1
from apps.audit import views as audit_views
from apps.core import views as core_views
from apps.insights import views as insights_views
from apps.notify import views as notify_views

handler500 = "apps.core.errors.server_error"

admin.site.site_header = "iFarm administration"
admin.site.site_title = "iFarm admin"

urlpatterns = [
    path("", core_views.landing, name="landing"),
    path("home/", insights_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots, name="robots"),
    path("manifest.webmanifest", core_views.manifest, name="manifest"),
    path("sw.js", notify_views.service_worker, name="service_worker"),
    path("admin/", admin.site.urls),
    # OpenID Connect sign-in with the ID token's signature always checked (before allauth's own routes).
    path("accounts/oidc/<str:provider_id>/login/", sso.oidc_login, name="openid_connect_login"),
    path("accounts/oidc/<str:provider_id>/login/callback/", sso.oidc_callback, name="openid_connect_callback"),
    path("accounts/", include("allauth.urls")),
    path("", include("apps.accounts.urls")),
    path("farms/", include("apps.farms.urls")),
    path("herd/", include("apps.herd.urls")),
    path("milk/", include("apps.milk.urls")),
    path("money/", include("apps.finance.urls")),
    path("health/", include("apps.health.urls")),
    path("breeding/", include("apps.breeding.urls")),
    path("stock/", include("apps.stock.urls")),
    path("deliveries/", include("apps.deliveries.urls")),
    path("feeding/", include("apps.feeding.urls")),
    path("phone/", include("apps.phone.urls")),
    path("notifications/", include("apps.notify.urls")),
    path("billing/", include("apps.billing.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", audit_views.audit_log, name="audit"),
    path("audit/archives/<int:pk>/", audit_views.archive_download, name="audit_archive"),
    path("api/v1/", api_v1.urls),
    path("integrations/", include("apps.api.urls")),
]
