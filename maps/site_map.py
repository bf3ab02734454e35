"""The permit-check map of one site: its planning zones, the spacing circle of the zone's rule, the
bulky poles around it and the co-location candidates with their distances, beside the verdict and
its reasons. Everything comes from the permit check (registry.permits.check); the page only draws it."""

from __future__ import annotations

from typing import Any

import folium

from maps.emf import add_emf
from maps.find import add_find
from maps.templating import dmy, metres, part
from maps.widgets import add_common, base_map, folium_text, legend, render

VERDICT_COLOURS = {"compliant": "#2da44e", "action_needed": "#d4a72c", "non_compliant": "#cf222e"}

TEXT = {
    "vi": {
        "title": "Kiểm tra giấy phép vị trí {code}",
        "verdict": "Kết luận",
        "reasons": "Lý do",
        "none": "Không có vấn đề",
        "zones": "Vùng quy hoạch",
        "no_zone": "Không thuộc vùng quy hoạch nào",
        "spacing": "Khoảng cách tối thiểu giữa cột cồng kềnh",
        "no_spacing": "Không áp dụng (cột không cồng kềnh)",
        "too_close": "quá gần",
        "bulky": "Cột cồng kềnh lân cận",
        "candidates": "Vị trí có thể dùng chung",
        "distance": "cách",
        "record": "Hồ sơ vị trí",
        "json": "Kết quả kiểm tra (JSON)",
        "site": "Vị trí đang xét",
        "pole": "Loại cột",
        "height": "Cao",
        "legal": "Căn cứ",
        "on": "Ngày xét",
        "required": "Giấy phép phải có và căn cứ pháp lý",
    },
    "en": {
        "title": "Permit check of site {code}",
        "verdict": "Verdict",
        "reasons": "Reasons",
        "none": "No issue",
        "zones": "Planning zones",
        "no_zone": "In no planning zone",
        "spacing": "Minimum distance between bulky poles",
        "no_spacing": "Not applicable (not a bulky pole)",
        "too_close": "too close",
        "bulky": "Bulky poles nearby",
        "candidates": "Co-location candidates",
        "distance": "at",
        "record": "Site record",
        "json": "Check result (JSON)",
        "site": "The site checked",
        "pole": "Pole class",
        "height": "Height",
        "legal": "Legal basis",
        "on": "Checked on",
        "required": "Permits required and their legal basis",
    },
}


def site_check_page(
    check: dict[str, Any],
    *,
    zones: list[dict[str, Any]],
    bulky: list[dict[str, Any]],
    lang: str,
    tiles_url: str | None,
    username: str | None,
    here: str,
    nonce: str,
) -> str:
    """``zones``: the site's zones with ``geometry`` (GeoJSON); ``bulky``: bulky poles around it (from
    ``registry.permits.check.nearby``), those inside the spacing circle first. Every tooltip is
    ``folium_text``; ``nonce``: the response's CSP nonce."""
    text = TEXT[lang]
    site = check["site"]
    code = site["code"]
    pos = (site["position"]["lat"], site["position"]["lon"])
    m = base_map(lang, tiles_url, text["title"].format(code=code), location=pos, zoom=16)
    colour = VERDICT_COLOURS[check["verdict"]]

    zone_group = folium.FeatureGroup(name=text["zones"]).add_to(m)
    for z in zones:
        folium.GeoJson(
            z["geometry"],
            style_function=lambda _f: {"color": "#cf222e", "weight": 2, "fillOpacity": 0.08},
            tooltip=folium_text(f"{z['name']} ({z['code']}) — {z['kind_name']}"),
        ).add_to(zone_group)

    spacing = check.get("spacing")
    too_close = {n["code"] for n in (spacing or {}).get("too_close", [])}
    if spacing:
        folium.Circle(
            pos,
            radius=float(spacing["min_distance_m"]),
            color="#8250df",
            weight=2,
            fill=False,
            dash_array="6 4",
            tooltip=folium_text(f"{text['spacing']}: {metres(float(spacing['min_distance_m']), lang)}"),
        ).add_to(m)

    bulky_group = folium.FeatureGroup(name=text["bulky"]).add_to(m)
    for n in bulky:
        close = n["code"] in too_close
        label = f"{n['code']} ({n['pole_class']}) {text['distance']} {metres(n['distance_m'], lang)}"
        if close:
            label += f" — {text['too_close']}"
            line = folium.PolyLine([pos, (n["lat"], n["lon"])], color="#cf222e", weight=2, tooltip=folium_text(label))
            line.add_to(bulky_group)
        folium.CircleMarker(
            (n["lat"], n["lon"]),
            radius=7,
            color="#1f2328",
            weight=1,
            fill=True,
            fill_color="#cf222e" if close else "#e16f24",
            fill_opacity=0.9,
            tooltip=folium_text(label),
        ).add_to(bulky_group)

    candidate_group = folium.FeatureGroup(name=text["candidates"]).add_to(m)
    for c in check.get("colocation_candidates", []):
        label = f"{c['code']} ({c['pole_class'] or '—'}) {text['distance']} {metres(c['distance_m'], lang)}"
        folium.CircleMarker(
            (c["lat"], c["lon"]),
            radius=5,
            color="#0b3d91",
            weight=1,
            fill=True,
            fill_color="#1f6feb",
            fill_opacity=0.8,
            tooltip=folium_text(label),
        ).add_to(candidate_group)

    folium.CircleMarker(
        pos,
        radius=10,
        color="#1f2328",
        weight=2,
        fill=True,
        fill_color=colour,
        fill_opacity=1,
        tooltip=folium_text(f"{code}: {check['verdict_name']}"),
    ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    add_emf(m, lang, site=code)  # maps/emf.py: the site's EMF safety distances
    add_common(m, lang, username=username, here=here)
    add_find(m, lang)
    m.get_root().html.add_child(folium.Element(_panel(check, zones, bulky, text, lang)))
    m.get_root().html.add_child(
        legend(
            text["site"],
            [
                (colour, check["verdict_name"]),
                ("#cf222e", f"{text['bulky']} — {text['too_close']}"),
                ("#e16f24", text["bulky"]),
                ("#1f6feb", text["candidates"]),
            ],
        )
    )
    return render(m, lang=lang, nonce=nonce)


def _panel(
    check: dict[str, Any], zones: list[dict[str, Any]], bulky: list[dict[str, Any]], text: dict[str, str], lang: str
) -> str:
    """The panel beside the map, drawn by ``map_parts.html`` from these values (the template escapes them)."""
    site = check["site"]
    spacing = check.get("spacing")
    too_close = {n["code"] for n in (spacing or {}).get("too_close", [])}
    height = site.get("pole_height_m")
    values = {
        "code": site["code"],
        "lang": lang,
        "pole_class": site.get("pole_class"),
        "height": "—" if height is None else metres(float(height), lang),
        "on": dmy(check["on"]),
        "verdict_name": check["verdict_name"],
        "verdict_colour": VERDICT_COLOURS[check["verdict"]],
        "reasons": [r["message"] for r in check["reasons"]],
        "zones": zones,
        "spacing": metres(float(spacing["min_distance_m"]), lang) if spacing else None,
        # Each permit the site needs, with the legal basis its rule carries (registry.permits.requirements).
        "required": [
            {"description": r["description"], "legal_basis": r["legal_basis"]}
            for r in check.get("required_permits", [])
        ],
        "neighbours": [
            {
                "code": n["code"],
                "pole_class": n["pole_class"],
                "distance": metres(n["distance_m"], lang),
                "too_close": n["code"] in too_close,
            }
            for n in bulky[:10]
        ],
    }
    return part("check_panel", values, text)
