// wisemind: the little behaviour pages need. No inline scripts (strict CSP).
(function () {
  "use strict";
  // Ask before destructive actions: <form data-confirm="Are you sure?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    }
  });
  // Print buttons: <button data-print>.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) window.print();
  });
  // The phone's bottom navigation scrolls sideways when its items do not fit: keep the
  // current page's item in view.
  var current = document.querySelector(".nav-bottom .main-nav a[aria-current='page']");
  if (current && current.scrollIntoView) {
    current.scrollIntoView({ block: "nearest", inline: "center" });
  }
  // Copy buttons: <button data-copy="#element-id">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!button || !navigator.clipboard) return;
    var source = document.querySelector(button.dataset.copy);
    if (source) {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = button.dataset.copied || "Copied";
      });
    }
  });
})();

// The installable app: register the service worker (its address is on <body data-sw>),
// and forget pages kept for offline use when someone logs out.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var body = document.body;
  if (body && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).catch(function () {});
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && /\/accounts\/logout\/$/.test(form.action)) {
      if (navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "clear-pages" });
      }
    }
  });
})();
