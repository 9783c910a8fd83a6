// Phone notifications for check-ins (web push). On the check-in settings page, the button
// asks the browser for permission, subscribes with the server's VAPID key and registers the
// subscription with the API. The notification only says that a check-in is waiting.
(function () {
  "use strict";
  var box = document.getElementById("push-setup");
  var button = document.getElementById("push-subscribe");
  var status = document.getElementById("push-status");
  if (!box || !button || !status) return;

  function say(message) { status.textContent = box.dataset[message] || ""; }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("msgUnsupported");
    return;
  }

  // The CSRF token the page gives HTMX: <body hx-headers='{"X-CSRFToken": "…"}'>.
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  // The VAPID key arrives as unpadded base64url; PushManager wants its bytes.
  function keyBytes(base64url) {
    var base64 = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function fetchKey() {
    return fetch(box.dataset.keyUrl, {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error("no key");
      return response.json();
    }).then(function (body) { return body.public_key; });
  }

  function subscribe(registration) {
    return registration.pushManager.getSubscription().then(function (existing) {
      if (existing) return existing;
      return fetchKey().then(function (key) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: keyBytes(key)
        });
      });
    });
  }

  function register(subscription) {
    var data = subscription.toJSON();
    return fetch(box.dataset.subscribeUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({
        endpoint: data.endpoint, keys: { p256dh: data.keys.p256dh, auth: data.keys.auth }
      })
    }).then(function (response) {
      if (!response.ok) throw new Error("not registered");
    });
  }

  button.hidden = false;
  if (Notification.permission === "denied") say("msgDenied");
  navigator.serviceWorker.getRegistration().then(function (registration) {
    return registration ? registration.pushManager.getSubscription() : null;
  }).then(function (subscription) {
    if (subscription && Notification.permission === "granted") say("msgOn");
  }).catch(function () {});

  button.addEventListener("click", function () {
    button.disabled = true;
    say("msgWorking");
    Promise.resolve(Notification.requestPermission()).then(function (permission) {
      // Older browsers answer through a callback and return nothing: read the result.
      if ((permission || Notification.permission) !== "granted") throw new Error("denied");
      return navigator.serviceWorker.ready;
    }).then(subscribe).then(register).then(function () {
      say("msgOn");
    }).catch(function (error) {
      say(error && error.message === "denied" ? "msgDenied" : "msgFailed");
    }).then(function () {
      button.disabled = false;
    });
  });
})();
