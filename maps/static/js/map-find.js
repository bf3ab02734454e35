// The map's search box (maps/find.py): a combobox over GET /api/search. Each result is a full-width
// row (kind and label, ≥ 44 px tall); arrow keys move through them, Enter chooses, Escape closes.
// Choosing moves the map there and highlights the place: a ring round a site or a point, a commune's
// outline. Text from the API reaches the page only through textContent.
(function () {
    "use strict";

    function el(tag, cls, text) {
        var node = document.createElement(tag);
        if (cls) { node.className = cls; }
        if (text !== undefined && text !== null) { node.textContent = text; }
        return node;
    }

    window.mapFindElement = el;  // map-near.js builds its list with it too

    window.mapFind = function (map, options) {
        var t = options.text;
        // SVG, not the page's canvas: the marks are elements a test (and a screen reader's tree) can find.
        var svg = L.svg();
        var highlight = L.layerGroup().addTo(map);
        var results = [], active = -1, seq = 0, timer = null;

        var control = L.control({position: "topleft"});
        var box, input, list, status;
        control.onAdd = function () {
            box = el("div", "map-find");
            box.setAttribute("role", "search");
            var label = el("label", "map-find-hidden", t.label);
            label.setAttribute("for", "map-find-input");
            input = el("input", "map-find-input");
            input.id = "map-find-input";
            input.type = "search";
            input.autocomplete = "off";
            input.placeholder = t.placeholder;
            input.setAttribute("role", "combobox");
            input.setAttribute("aria-autocomplete", "list");
            input.setAttribute("aria-expanded", "false");
            input.setAttribute("aria-controls", "map-find-list");
            list = el("ul", "map-find-list");
            list.id = "map-find-list";
            list.setAttribute("role", "listbox");
            list.setAttribute("aria-label", t.label);
            list.hidden = true;
            status = el("div", "map-find-status");
            status.id = "map-find-status";
            status.setAttribute("role", "status");
            status.setAttribute("aria-live", "polite");
            var row = el("div", "map-find-bar");
            row.appendChild(label);
            row.appendChild(input);
            box.appendChild(row);
            box.appendChild(status);
            box.appendChild(list);
            L.DomEvent.disableClickPropagation(box);
            L.DomEvent.disableScrollPropagation(box);
            return box;
        };
        control.addTo(map);

        function open(isOpen) {
            list.hidden = !isOpen;
            input.setAttribute("aria-expanded", isOpen ? "true" : "false");
        }

        function setActive(i) {
            var rows = list.querySelectorAll("[role=option]");
            active = rows.length ? (i + rows.length) % rows.length : -1;
            rows.forEach(function (r, k) { r.setAttribute("aria-selected", k === active ? "true" : "false"); });
            if (active >= 0) {
                input.setAttribute("aria-activedescendant", rows[active].id);
                rows[active].scrollIntoView({block: "nearest"});
            } else {
                input.removeAttribute("aria-activedescendant");
            }
        }

        function draw(found) {
            results = found;
            list.textContent = "";
            found.forEach(function (r, i) {
                var item = el("li", "map-find-row");
                item.id = "map-find-option-" + i;
                item.setAttribute("role", "option");
                item.setAttribute("aria-selected", "false");
                item.dataset.kind = r.kind;
                item.appendChild(el("span", "map-find-kind", r.kind_name));
                item.appendChild(el("span", "map-find-label", r.label));
                if (r.detail) { item.appendChild(el("span", "map-find-detail", r.detail)); }
                item.addEventListener("click", function () { choose(i); });
                list.appendChild(item);
            });
            status.textContent = found.length ? found.length + " " + t.results : t.nothing;
            status.classList.toggle("map-find-empty", !found.length);
            open(found.length > 0);
            setActive(found.length ? 0 : -1);
        }

        function run(q, then) {
            var mine = ++seq;
            status.textContent = t.searching;
            status.classList.remove("map-find-empty");
            fetch("/api/search?limit=10&q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}})
                .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
                .then(function (data) {
                    if (mine !== seq) { return; }
                    draw(data.results || []);
                    if (then) { then(); }
                })
                .catch(function () {
                    if (mine !== seq) { return; }
                    results = [];
                    list.textContent = "";
                    open(false);
                    status.textContent = t.failed;
                });
        }

        function ring(lat, lon) {
            return L.circleMarker([lat, lon], {radius: 22, color: "#cf222e", weight: 4, fill: false,
                                               interactive: false, className: "map-find-ring", renderer: svg});
        }

        // Move to a result and mark it: a commune by its outline, anything else by a ring.
        function show(r) {
            highlight.clearLayers();
            if (r.outline) {
                L.geoJSON(r.outline, {interactive: false, renderer: svg, className: "map-find-outline", style: function () {
                    return {color: "#8250df", weight: 4, fillColor: "#8250df", fillOpacity: 0.06, className: "map-find-outline"};
                }}).addTo(highlight);
            }
            if (r.bbox) {
                map.fitBounds([[r.bbox[1], r.bbox[0]], [r.bbox[3], r.bbox[2]]]);
            } else if (r.position) {
                ring(r.position[1], r.position[0]).addTo(highlight);
                map.setView([r.position[1], r.position[0]], Math.max(map.getZoom(), 17));
            }
            window.mapFindChosen = r;
        }

        function choose(i) {
            var r = results[i];
            if (!r) { return; }
            input.value = r.label;
            open(false);
            status.textContent = r.kind_name + ": " + r.label;
            show(r);
        }

        input.addEventListener("input", function () {
            clearTimeout(timer);
            var q = input.value.trim();
            if (q.length < 2) {
                ++seq;
                results = [];
                list.textContent = "";
                status.textContent = "";
                open(false);
                return;
            }
            // What was listed is for the text before: gone until the answer for this one comes.
            ++seq;
            results = [];
            list.textContent = "";
            open(false);
            status.classList.remove("map-find-empty");
            status.textContent = t.searching;
            timer = setTimeout(function () { run(q); }, 250);
        });
        input.addEventListener("keydown", function (e) {
            if (e.key === "ArrowDown" || e.key === "ArrowUp") {
                e.preventDefault();
                if (list.hidden && results.length) { open(true); setActive(0); return; }
                setActive(active + (e.key === "ArrowDown" ? 1 : -1));
            } else if (e.key === "Enter") {
                e.preventDefault();
                var q = input.value.trim();
                if (!list.hidden && active >= 0) { choose(active); return; }
                if (q.length >= 2) {
                    clearTimeout(timer);
                    run(q, function () { if (results.length) { choose(0); } });
                }
            } else if (e.key === "Escape") {
                if (!list.hidden) { open(false); } else { input.value = ""; status.textContent = ""; }
            }
        });
        map.on("click", function () { open(false); });

        window.mapFindShow = show;
        window.mapFindRing = ring;
        if (options.near && window.mapNear) { window.mapNear(map, options, box, highlight, show); }
    };
})();
