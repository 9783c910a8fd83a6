// wisemind outbox: API submissions made while offline wait in IndexedDB and are sent,
// each with its own Idempotency-Key, when the connection returns. A submission is only
// ever sent for the user who made it. No inline scripts: this file is loaded by base.html.
(function () {
  "use strict";
  var DB = "wisemind", STORE = "outbox", VERSION = 1;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, VERSION);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, action) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = action(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  function currentUser() { return document.body.dataset.user || ""; }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function add(item) {
    item.key = item.key || newKey();
    item.user = currentUser();
    item.created = new Date().toISOString();
    return run("readwrite", function (store) { return store.put(item); }).then(function () {
      announce();
      return item.key;
    });
  }

  function mine() {
    var user = currentUser();
    return run("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return (items || []).filter(function (item) { return user && item.user === user; });
    });
  }

  function remove(key) {
    return run("readwrite", function (store) { return store.delete(key); });
  }

  var sending = false;
  function flush() {
    if (sending || !navigator.onLine || !currentUser() || !window.indexedDB) return Promise.resolve(0);
    sending = true;
    var sent = 0;
    return mine().then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function () {
          return fetch(item.url, {
            method: item.method || "POST",
            credentials: "same-origin",
            headers: {
              "Content-Type": "application/json",
              "Idempotency-Key": item.key,
              "X-CSRFToken": csrfToken()
            },
            body: JSON.stringify(item.body)
          }).then(function (response) {
            // Stored (or stored before: a replay) -> done. A refusal that will never
            // succeed (400/404/409/422) is kept aside with its reason, not retried forever.
            if (response.ok) { sent += 1; return remove(item.key); }
            if ([400, 404, 409, 422].indexOf(response.status) >= 0) {
              return response.json().catch(function () { return {}; }).then(function (body) {
                item.failed = (body.error && body.error.message) || String(response.status);
                return run("readwrite", function (store) { return store.put(item); });
              });
            }
            return null; // 401/403/5xx: try again later (e.g. after logging in again)
          });
        });
      }, Promise.resolve());
    }).catch(function () { /* offline again: keep everything */ })
      .then(function () { sending = false; announce(); return sent; });
  }

  function announce() {
    var status = document.getElementById("outbox-status");
    if (!status || !window.indexedDB) return;
    mine().then(function (items) {
      var waiting = items.filter(function (item) { return !item.failed; }).length;
      var failed = items.filter(function (item) { return item.failed; });
      var text = "";
      if (waiting) text = (status.dataset.waiting || "{n} waiting to be sent").replace("{n}", waiting);
      if (failed.length) text += (text ? " " : "") + (status.dataset.failed || "Not sent: ") + failed[0].failed;
      status.textContent = text;
      status.hidden = !text;
    }).catch(function () {});
  }

  window.wisemindOutbox = { add: add, flush: flush, pending: mine, announce: announce };
  window.addEventListener("online", flush);
  document.addEventListener("DOMContentLoaded", function () { announce(); flush(); });
})();
