from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from apps.core.access import member_required
from apps.core.forms import add_service_errors

from . import channels, selectors, services
from .forms import NotifySettingsForm, PushSubscriptionForm
from .kinds import CHANNELS, KINDS


@member_required()
def inbox(request):
    notifications = selectors.notifications_of(request.membership)
    return render(request, "notify/inbox.html", {"notifications": notifications})


@member_required()
@require_POST
def mark_all_read(request):
    services.notifications_mark_read(membership=request.membership)
    if request.htmx:
        return render(request, "notify/inbox.html#bell", {"unread": 0})
    return redirect("notify:inbox")


@member_required()
def notify_settings(request):
    membership = request.membership
    stored = services.settings_of(membership)
    chosen = {kind: services.channels_for(stored, kind) for kind in KINDS}
    form = NotifySettingsForm(request.POST or None, chosen=chosen,
                              initial={"quiet_start": stored.quiet_start, "quiet_end": stored.quiet_end, "digest": stored.digest})
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(membership=membership, channels=form.channels(), quiet_start=form.cleaned_data["quiet_start"],
                                     quiet_end=form.cleaned_data["quiet_end"], digest=form.cleaned_data["digest"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Notification settings saved."))
            return redirect("notify:settings")
    profile = getattr(request.user, "profile", None)
    context = {"form": form, "channels": CHANNELS, "phone": profile.phone if profile else "",
               "phone_problem": channels.e164_problem(profile.phone if profile else ""),
               "push_key": channels.vapid_keys()[1] if channels.push_enabled() else "",
               "push_count": request.user.push_subscriptions.count()}
    return render(request, "notify/settings.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def push_subscribe(request):
    form = PushSubscriptionForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    try:
        services.push_subscribe(user=request.user, user_agent=request.headers.get("User-Agent", ""), **form.cleaned_data)
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    return JsonResponse({"ok": True})


@login_required
@require_POST
def push_unsubscribe(request):
    services.push_unsubscribe(user=request.user, endpoint=request.POST.get("endpoint", ""))
    return JsonResponse({"ok": True})


OFFLINE_ASSETS = ("vendor/htmx/htmx.min.js", "vendor/bootstrap/bootstrap.min.css",
                  "css/app.css", "js/app.js", "img/icon.svg")
# The pages kept for use without a network, each as last opened: the milking entry page (a farm, day and session), an
# animal's page, her breeding page, and the treatment and health check forms.
OFFLINE_PAGES = (r"^/milk/entry/$", r"^/herd/\d+/$", r"^/breeding/animals/\d+/$", r"^/health/treatments/new/$", r"^/health/checks/new/$")


@cache_control(max_age=0, no_cache=True)
def service_worker(request):
    """The service worker, served from the site's root so it may show notifications for every page, and keep the
    milking entry page and what it needs (scripts, styles) for the parlour without a network: the page is fetched from
    the network when there is one (and kept), and served as last kept when there is none."""
    import hashlib
    import json

    assets = [static(name) for name in OFFLINE_ASSETS]
    version = hashlib.sha256("|".join(assets).encode()).hexdigest()[:12]
    offline = f"""const ASSETS = {json.dumps(assets)};
const PAGES = {json.dumps(list(OFFLINE_PAGES))}.map((pattern) => new RegExp(pattern));
const STATIC = "ifarm-static-{version}";
const KEPT = "ifarm-pages";
self.addEventListener("install", (event) => {{
  // What is sent (a milk row's save, a form) goes straight to the network: the worker is not woken for it, and a
  // request it would only pass on is the page's own, under the page's network.
  // A browser without the routes (or refusing these) keeps the page as before.
  const sent = ["POST", "PUT", "PATCH", "DELETE"].map((method) => ({{ requestMethod: method }}));
  let routed = null;
  try {{ routed = event.addRoutes && event.addRoutes({{ condition: {{ or: sent }}, source: "network" }}).catch(() => null); }} catch (e) {{ routed = null; }}
  event.waitUntil(Promise.all([routed, caches.open(STATIC).then((cache) => cache.addAll(ASSETS))]).then(() => self.skipWaiting()));
}});
self.addEventListener("activate", (event) => {{
  event.waitUntil(caches.keys().then((names) => Promise.all(names.filter((name) => name.startsWith("ifarm-static-") && name !== STATIC)
    .map((name) => caches.delete(name)))).then(() => self.clients.claim()));
}});
self.addEventListener("fetch", (event) => {{
  const request = event.request;
  if (request.method !== "GET") {{ return; }}
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {{ return; }}
  if (ASSETS.includes(url.pathname)) {{
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }}
  if (request.mode === "navigate" && PAGES.some((pattern) => pattern.test(url.pathname))) {{
    event.respondWith(fetch(request).then((response) => {{
      if (response.ok && !response.redirected) {{
        const copy = response.clone();
        caches.open(KEPT).then((cache) => cache.put(request.url, copy));
      }}
      return response;
    }}).catch(() => caches.open(KEPT).then((cache) => cache.match(request.url)).then((hit) => hit || Response.error())));
  }}
}});
"""
    script = offline + f"""self.addEventListener("push", (event) => {{
  let data = {{}};
  try {{ data = event.data ? event.data.json() : {{}}; }} catch (e) {{ data = {{ title: event.data ? event.data.text() : "iFarm" }}; }}
  event.waitUntil(self.registration.showNotification(data.title || "iFarm", {{
    body: data.body || "", tag: data.tag || undefined, icon: "{static('img/icon.svg')}", data: {{ url: data.url || "/" }} }}));
}});
self.addEventListener("notificationclick", (event) => {{
  event.notification.close();
  event.waitUntil(clients.openWindow(event.notification.data.url || "/"));
}});
"""
    return HttpResponse(script, content_type="text/javascript; charset=utf-8")
