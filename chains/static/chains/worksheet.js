// The chain-analysis worksheet saves itself: a little after typing stops (and when a field
// is left), the form's text is posted with the version it was loaded at. The server answers
// with the new version; on 409 another window or the app saved first, and autosave stops
// rather than overwrite it. The buttons work without this script: each one saves too.
(function () {
  "use strict";
  var form = document.getElementById("chain-form");
  if (!form || !window.fetch || !window.FormData) return;
  var status = document.getElementById("save-status");
  var version = form.querySelector("input[name='version']");
  var DELAY = 1200;
  var timer = null;
  var inflight = null;
  var dirty = false;
  var stopped = false;

  function say(text) { if (status) status.textContent = text; }
  // New links and skills are added by their buttons, never by an autosave.
  function pendingOnly(name) { return /^new-/.test(name) || /-skill$/.test(name); }

  function payload() {
    var data = new FormData(form);
    var names = [];
    data.forEach(function (_value, name) { names.push(name); });
    names.forEach(function (name) { if (name === "op" || pendingOnly(name)) data.delete(name); });
    return data;
  }

  function save() {
    timer = null;
    if (!dirty || stopped) return Promise.resolve();
    if (inflight) return inflight.then(save);
    dirty = false;
    say(form.dataset.saving);
    inflight = fetch(form.action, {
      method: "POST",
      body: payload(),
      credentials: "same-origin",
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) {
          version.value = body.version;
          say(form.dataset.saved + " " + body.saved_at);
        } else if (response.status === 409) {
          stopped = true;
          say(body.message);
        } else {
          say(body.message || form.dataset.offline);
        }
      });
    }).catch(function () {
      dirty = true;
      say(form.dataset.offline);
      timer = window.setTimeout(save, DELAY * 5);
    }).then(function () { inflight = null; });
    return inflight;
  }

  function changed(event) {
    var name = event.target && event.target.name;
    if (!name || pendingOnly(name) || stopped) return;
    dirty = true;
    say(form.dataset.unsaved);
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("focusout", function () {
    if (dirty && timer) { window.clearTimeout(timer); save(); }
  });

  // A button press posts the whole form with the version: wait for an autosave on its way,
  // so that the button carries the version that autosave got back.
  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (inflight) {
      event.preventDefault();
      inflight.then(function () {
        if (button && button.dataset) button.dataset.confirm = "";
        form.requestSubmit(button || undefined);
      });
    }
  });
  say(form.dataset.ready);
})();
