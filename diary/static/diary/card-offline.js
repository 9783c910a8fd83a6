// The diary card works offline: when there is no connection, Save keeps the card on
// this phone (IndexedDB, via wisemindOutbox) and sends it as an entry when the connection
// returns. Online, the form is posted as usual; if the post fails on the way, it is queued.
(function () {
  "use strict";
  var form = document.getElementById("diary-form");
  if (!form || !window.wisemindOutbox) return;
  var status = document.getElementById("offline-status");

  function value(data, name) {
    var v = data.get(name);
    return v === null || v === undefined ? "" : String(v).trim();
  }
  function rating(data, name) {
    var v = value(data, name);
    return v === "" ? null : parseInt(v, 10);
  }
  function yesNo(data, name) {
    var v = value(data, name);
    return v === "yes" ? true : v === "no" ? false : null;
  }

  // The form's fields as the API's entry: emotion_<id>, urge_<id>, acted_<id>, detail_<id>.
  function entryFrom(data) {
    var entry = {
      date: form.dataset.offlineDate,
      filled_at: new Date().toISOString(),
      offline: true,
      emotions: {},
      targets: {},
      skills_used: rating(data, "skills_used"),
      skills: value(data, "skills").split(",").map(function (s) { return s.trim(); }).filter(Boolean),
      prescribed_meds_taken: yesNo(data, "prescribed_meds_taken"),
      prn_meds: value(data, "prn_meds"),
      alcohol: value(data, "alcohol"),
      drugs: value(data, "drugs"),
      sleep_hours: value(data, "sleep_hours") === "" ? null : value(data, "sleep_hours"),
      note: value(data, "note")
    };
    form.querySelectorAll("[data-item-kind]").forEach(function (group) {
      var id = group.dataset.itemId;
      if (group.dataset.itemKind === "emotion") {
        entry.emotions[id] = rating(data, "emotion_" + id);
      } else {
        entry.targets[id] = {
          urge: rating(data, "urge_" + id),
          acted: yesNo(data, "acted_" + id),
          detail: value(data, "detail_" + id)
        };
      }
    });
    return entry;
  }

  function queue(data) {
    return window.wisemindOutbox.add({
      url: form.dataset.offlineUrl, method: "POST", body: entryFrom(data)
    }).then(function () {
      if (status) status.textContent = form.dataset.savedOffline || "Saved on this phone.";
    });
  }

  form.addEventListener("submit", function (event) {
    if (form.dataset.native === "1") return; // the server's own answer, e.g. form errors
    event.preventDefault();
    var data = new FormData(form);
    if (!navigator.onLine) { queue(data); return; }
    fetch(window.location.pathname, {
      method: "POST", body: data, credentials: "same-origin", redirect: "manual"
    }).then(function (response) {
      if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
        window.location.assign(window.location.pathname);
      } else {
        form.dataset.native = "1";
        form.submit();
      }
    }).catch(function () { queue(data); });
  });
})();
