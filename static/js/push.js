// "Turn on notifications": register the service worker, subscribe with the site's VAPID key, and
// hand the subscription (endpoint and keys) to the server. Works only where the browser can push.
(function () {
  "use strict";
  const button = document.getElementById("push-on");
  if (!button) return;
  const state = document.getElementById("push-state");
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    document.getElementById("push-unsupported").hidden = false;
    return;
  }
  button.hidden = false;

  function keyBytes(base64) {
    const padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function csrf() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        state.textContent = button.dataset.blocked;
        return;
      }
      const registration = await navigator.serviceWorker.register(button.dataset.sw, { scope: "/" });
      await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: keyBytes(button.dataset.key) });
      const json = subscription.toJSON();
      const body = new URLSearchParams({ endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth });
      const response = await fetch(button.dataset.subscribe, {
        method: "POST", body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" });
      state.textContent = response.ok ? button.dataset.done : button.dataset.refused;
    } catch (error) {
      state.textContent = button.dataset.failed + " " + error.message;
    } finally {
      button.disabled = false;
    }
  });
})();
