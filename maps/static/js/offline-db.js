// What was saved for use without the network, in IndexedDB: one record per (scope, commune) with its sites
// as GeoJSON and when it was saved, and the scope of the last page opened online ("u<id>" or "public").
// Shared by the pages (offline.js) and the service worker (sw.js, importScripts).
(function (root) {
  "use strict";
  var NAME = "tttt-offline", VERSION = 1;

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains("communes")) { db.createObjectStore("communes", {keyPath: ["scope", "code"]}); }
        if (!db.objectStoreNames.contains("state")) { db.createObjectStore("state"); }
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode), req = work(tx.objectStore(store));
        tx.oncomplete = function () { db.close(); resolve(req ? req.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  // Cache Storage names: one cache per saved commune and scope; the static files in one shared cache.
  function cacheName(scope, code) { return "tttt-offline:" + scope + ":" + code; }

  root.OfflineDB = {
    SHELL: "tttt-shell-v1",
    cacheName: cacheName,
    scopePrefix: function (scope) { return "tttt-offline:" + scope + ":"; },
    getScope: function () {
      return run("state", "readonly", function (s) { return s.get("scope"); }).then(function (v) { return v || null; });
    },
    setScope: function (scope) {
      return run("state", "readwrite", function (s) { return scope ? s.put(scope, "scope") : s.delete("scope"); });
    },
    list: function (scope) {
      return run("communes", "readonly", function (s) { return s.getAll(); }).then(function (all) {
        return (all || []).filter(function (r) { return r.scope === scope; });
      });
    },
    put: function (record) { return run("communes", "readwrite", function (s) { return s.put(record); }); },
    remove: function (scope, code) {
      return run("communes", "readwrite", function (s) { return s.delete([scope, code]); }).then(function () {
        return caches.delete(cacheName(scope, code));
      });
    }
  };
})(self);
