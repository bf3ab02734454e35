// Near me (maps/find.py): the N sites nearest to where I stand (GET /api/sites/nearest: geodesic
// metres), each with its distance and its direction from me, refreshed as I walk (watchPosition; a
// new list once I have moved more than 20 m); the same from a point picked on the map (a mode button,
// a long-press or a right-click). Each row centres the map on its site and links to its record.
(function () {
    "use strict";

    var MOVED_M = 20;

    // The forward azimuth (degrees from north) from one point to another on the WGS 84 ellipsoid,
    // by Vincenty's inverse formula: what pyproj's Geod(ellps="WGS84").inv answers, to well under a
    // hundredth of a degree at these distances.
    function azimuth(lat1, lon1, lat2, lon2) {
        var a = 6378137, f = 1 / 298.257223563, b = a * (1 - f), rad = Math.PI / 180;
        var L0 = (lon2 - lon1) * rad;
        var U1 = Math.atan((1 - f) * Math.tan(lat1 * rad)), U2 = Math.atan((1 - f) * Math.tan(lat2 * rad));
        var sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
        var lambda = L0, prev, sinL, cosL, sinS, cosS, sigma, sinA, cos2A, cos2Sm, C, i = 0;
        do {
            sinL = Math.sin(lambda);
            cosL = Math.cos(lambda);
            sinS = Math.sqrt(Math.pow(cosU2 * sinL, 2) + Math.pow(cosU1 * sinU2 - sinU1 * cosU2 * cosL, 2));
            if (sinS === 0) { return 0; }
            cosS = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
            sigma = Math.atan2(sinS, cosS);
            sinA = cosU1 * cosU2 * sinL / sinS;
            cos2A = 1 - sinA * sinA;
            cos2Sm = cos2A ? cosS - 2 * sinU1 * sinU2 / cos2A : 0;
            C = f / 16 * cos2A * (4 + f * (4 - 3 * cos2A));
            prev = lambda;
            lambda = L0 + (1 - C) * f * sinA * (sigma + C * sinS * (cos2Sm + C * cosS * (-1 + 2 * cos2Sm * cos2Sm)));
        } while (Math.abs(lambda - prev) > 1e-12 && ++i < 200);
        var deg = Math.atan2(cosU2 * Math.sin(lambda), cosU1 * sinU2 - sinU1 * cosU2 * Math.cos(lambda)) / rad;
        return (deg + 360) % 360;
    }

    window.mapNear = function (map, options, box, highlight, show) {
        var el = window.mapFindElement;
        var t = options.text, n = options.nearest || 10;
        var number1 = new Intl.NumberFormat(t.locale, {maximumFractionDigits: 1, minimumFractionDigits: 1});
        var number2 = new Intl.NumberFormat(t.locale, {maximumFractionDigits: 2, minimumFractionDigits: 2});
        var whole = new Intl.NumberFormat(t.locale, {maximumFractionDigits: 0});
        var origin = L.layerGroup().addTo(map), svg = L.svg();
        var watch = null, fetchedAt = null, mode = null, picking = false, seq = 0;

        function distance(m) {
            if (m < 1000) { return whole.format(Math.round(m)) + " m"; }
            return (m < 10000 ? number2 : number1).format(m / 1000) + " km";
        }
        function direction(deg) { return t.directions[Math.round(deg / 45) % 8]; }

        var buttons = el("div", "map-near-buttons");
        var me = el("button", "map-near-me", t.near_me);
        me.type = "button";
        var pick = el("button", "map-near-pick", t.near_point);
        pick.type = "button";
        pick.title = t.pick;
        pick.setAttribute("aria-pressed", "false");
        buttons.appendChild(me);
        buttons.appendChild(pick);
        var panel = el("section", "map-near");
        panel.id = "map-near";
        panel.hidden = true;
        var head = el("div", "map-near-head");
        var title = el("h2", "map-near-title");
        title.id = "map-near-title";
        panel.setAttribute("aria-labelledby", "map-near-title");
        var close = el("button", "map-near-close", "×");
        close.type = "button";
        close.setAttribute("aria-label", t.close);
        head.appendChild(title);
        head.appendChild(close);
        var note = el("p", "map-near-note");
        note.setAttribute("role", "status");
        var list = el("ol", "map-near-list");
        list.id = "map-near-list";
        panel.appendChild(head);
        panel.appendChild(note);
        panel.appendChild(list);
        box.appendChild(buttons);
        box.appendChild(panel);

        function stopWatching() {
            if (watch !== null) { navigator.geolocation.clearWatch(watch); watch = null; }
        }
        function setPicking(on) {
            picking = on;
            pick.setAttribute("aria-pressed", on ? "true" : "false");
            map.getContainer().classList.toggle("map-near-picking", on);
        }

        function render(data, lat, lon) {
            list.textContent = "";
            var features = data.features || [];
            features.forEach(function (f) {
                var p = f.properties || {}, c = f.geometry.coordinates;
                var deg = azimuth(lat, lon, c[1], c[0]);
                var item = el("li", "map-near-row");
                item.dataset.code = p.code;
                item.dataset.distanceM = p.distance_m;
                item.dataset.bearingDeg = deg.toFixed(2);
                var go = el("button", "map-near-go");
                go.type = "button";
                go.appendChild(el("span", "map-near-code", p.code));
                go.appendChild(el("span", "map-near-distance", distance(p.distance_m) + " · " + direction(deg) +
                    " (" + Math.round(deg) % 360 + "°)"));
                if (p.address) { go.appendChild(el("span", "map-near-address", p.address)); }
                go.addEventListener("click", function () {
                    show({kind: "site", label: p.code, code: p.code, position: c});
                });
                var record = el("a", "map-near-record", t.record);
                record.href = "/records/sites/" + encodeURIComponent(p.code) + "?lang=" + encodeURIComponent(options.lang);
                record.setAttribute("aria-label", t.record + " " + p.code);
                item.appendChild(go);
                item.appendChild(record);
                list.appendChild(item);
            });
            note.textContent = features.length ? (mode === "me" ? t.from_me : t.from_point) : t.none_near;
            window.mapNearShown = {lat: lat, lon: lon, codes: features.map(function (f) { return f.properties.code; })};
        }

        function load(lat, lon) {
            var mine = ++seq;
            fetchedAt = L.latLng(lat, lon);
            fetch("/api/sites/nearest?n=" + n + "&lon=" + lon.toFixed(7) + "&lat=" + lat.toFixed(7),
                  {headers: {Accept: "application/geo+json"}})
                .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
                .then(function (data) { if (mine === seq) { render(data, lat, lon); } })
                .catch(function () { if (mine === seq) { note.textContent = t.none_near; } });
        }

        function mark(lat, lon, label) {
            origin.clearLayers();
            L.circleMarker([lat, lon], {radius: 8, color: "#fff", weight: 3, fillColor: "#0969da",
                                        fillOpacity: 1, className: "map-near-origin", renderer: svg})
                .bindTooltip(label).addTo(origin);
        }

        function openPanel(which) {
            mode = which;
            panel.hidden = false;
            title.textContent = which === "me" ? t.near_title_me : t.near_title_point;
        }

        function near(lat, lon) {
            stopWatching();
            setPicking(false);
            openPanel("point");
            mark(lat, lon, t.point);
            load(lat, lon);
        }

        me.addEventListener("click", function () {
            setPicking(false);
            openPanel("me");
            list.textContent = "";
            fetchedAt = null;
            note.textContent = t.locating;
            if (!navigator.geolocation) { note.textContent = t.no_position; return; }
            stopWatching();
            watch = navigator.geolocation.watchPosition(function (pos) {
                var lat = pos.coords.latitude, lon = pos.coords.longitude;
                mark(lat, lon, t.you);
                if (fetchedAt === null) { map.setView([lat, lon], Math.max(map.getZoom(), 16)); }
                if (fetchedAt === null || map.distance(fetchedAt, [lat, lon]) > MOVED_M) { load(lat, lon); }
            }, function () {
                note.textContent = t.no_position;
            }, {enableHighAccuracy: true, maximumAge: 5000});
        });
        pick.addEventListener("click", function () {
            setPicking(!picking);
            if (picking) { openPanel("point"); list.textContent = ""; note.textContent = t.pick_hint; }
        });
        close.addEventListener("click", function () {
            stopWatching();
            setPicking(false);
            panel.hidden = true;
            origin.clearLayers();
            mode = null;
        });
        map.on("click", function (e) {
            if (!picking) { return; }
            map.closePopup();
            near(e.latlng.lat, e.latlng.lng);
            setTimeout(function () { map.closePopup(); }, 0);  // a site's popup opened by the same click
        });
        map.on("contextmenu", function (e) { near(e.latlng.lat, e.latlng.lng); });

        window.mapNearAzimuth = azimuth;
    };
})();
