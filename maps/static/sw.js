// The service worker of the map pages (served as /sw.js, scope "/"; maps/offline.py says what it does).
// Online: every request goes to the network as before; the static files seen are kept in the shell cache.
// No network: the answer comes from what was saved for the scope of the last page opened online
// (offline.js saves a commune into a cache of its own), then from the shell; a page not saved gets the
// page that says so, a vector tile not saved an empty tile, anything else a network error.
importScripts("/static/js/offline-db.js");

var SHELL = self.OfflineDB.SHELL;
var UNSAVED = "/maps/offline/unsaved";
var SIGN_IN_OUT = ["/api/auth/token", "/api/auth/logout"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll([UNSAVED, "/static/js/offline-db.js", "/static/js/print.js"]);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("tttt-shell-") === 0 && n !== SHELL; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function fromSaved(request) {
  var navigate = request.mode === "navigate";
  return self.OfflineDB.getScope().then(function (scope) {
    return caches.keys().then(function (names) {
      var mine = scope ? names.filter(function (n) { return n.indexOf(self.OfflineDB.scopePrefix(scope)) === 0; }) : [];
      var order = mine.concat([SHELL]);
      function next(i) {
        if (i >= order.length) { return Promise.resolve(undefined); }
        return caches.open(order[i]).then(function (cache) {
          return cache.match(request, {ignoreSearch: navigate && order[i] !== SHELL});
        }).then(function (found) { return found || next(i + 1); });
      }
      return next(0);
    });
  }).then(function (found) {
    if (found) { return found; }
    var path = new URL(request.url).pathname;
    if (navigate) { return caches.match(UNSAVED, {cacheName: SHELL}).then(function (r) { return r || Response.error(); }); }
    if (path.indexOf("/tiles/") === 0) {
      return new Response(new ArrayBuffer(0), {status: 200, headers: {"Content-Type": "application/x-protobuf"}});
    }
    return Response.error();
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && SIGN_IN_OUT.indexOf(url.pathname) >= 0) {
    // Someone else may be signing in: no saved data is shown until a page opened online says who it is.
    event.waitUntil(self.OfflineDB.setScope(null));
    return;
  }
  if (request.method !== "GET") { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && url.pathname.indexOf("/static/") === 0) {
      var copy = response.clone();
      event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.put(request, copy); }));
    }
    return response;
  }, function () { return fromSaved(request); }));
});
