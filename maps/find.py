"""Find things on a map the way people describe them (GET /api/search) and the sites near me or near a
tapped point (GET /api/sites/nearest): one Leaflet control from maps/static/js/map-find.js and
map-near.js, its text handed over as JSON. A page builder adds it with one line: ``add_find(m, lang)``."""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from maps.assets import LocalMap
from maps.templating import script_json

FIND_JS = "/static/js/map-find.js"
NEAR_JS = "/static/js/map-near.js"
FIND_CSS = "/static/css/map-find.css"

TEXT = {
    "vi": {
        "label": "Tìm trên bản đồ",
        "placeholder": "Mã trạm, địa chỉ, xã/phường, tọa độ…",
        "nothing": "Không tìm thấy",
        "failed": "Không tìm được: lỗi kết nối, thử lại",
        "searching": "Đang tìm…",
        "results": "kết quả",
        "record": "Hồ sơ",
        "near_me": "Gần tôi",
        "near_point": "Gần điểm này",
        "pick": "Chọn điểm trên bản đồ",
        "pick_hint": "Bấm vào bản đồ (hoặc bấm giữ, bấm chuột phải) để chọn điểm",
        "near_title_me": "Vị trí gần tôi nhất",
        "near_title_point": "Vị trí gần điểm đã chọn nhất",
        "locating": "Đang xác định vị trí của bạn…",
        "no_position": "Không lấy được vị trí của bạn (hãy cho phép trình duyệt dùng vị trí)",
        "none_near": "Không có vị trí nào",
        "close": "Đóng",
        "you": "Bạn đang ở đây",
        "point": "Điểm đã chọn",
        "from_me": "từ vị trí của bạn",
        "from_point": "từ điểm đã chọn",
        "directions": ["Bắc", "Đông Bắc", "Đông", "Đông Nam", "Nam", "Tây Nam", "Tây", "Tây Bắc"],
        "locale": "vi-VN",
    },
    "en": {
        "label": "Find on the map",
        "placeholder": "Station code, address, commune, coordinates…",
        "nothing": "Nothing found",
        "failed": "Search failed: connection error, try again",
        "searching": "Searching…",
        "results": "results",
        "record": "Record",
        "near_me": "Near me",
        "near_point": "Near this point",
        "pick": "Pick a point on the map",
        "pick_hint": "Click the map (or long-press, right-click) to pick a point",
        "near_title_me": "Sites nearest to me",
        "near_title_point": "Sites nearest to the point",
        "locating": "Finding your position…",
        "no_position": "Your position is not available (allow the browser to use it)",
        "none_near": "No sites",
        "close": "Close",
        "you": "You are here",
        "point": "Chosen point",
        "from_me": "from you",
        "from_point": "from the point",
        "directions": ["North", "North-east", "East", "South-east", "South", "South-west", "West", "North-west"],
        "locale": "en-GB",
    },
}


class Find(JSCSSMixin, MacroElement):
    """The search box with its result list, and (``near``) the "near me" / "near this point" list."""

    default_js = [("map_find", FIND_JS), ("map_near", NEAR_JS)]
    default_css = [("map_find_css", FIND_CSS)]
    _template = Template(
        """{% macro script(this, kwargs) %}
        window.mapFind({{ this._parent.get_name() }}, {{ this.options_json }});
        {% endmacro %}"""
    )

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "Find"
        self.options_json = script_json(options)


def add_find(m: LocalMap, lang: str, *, near: bool = True, nearest: int = 10) -> None:
    """The search box on map ``m`` and, with ``near``, the ``nearest`` sites near me or a tapped point."""
    m.add_child(Find({"text": TEXT[lang], "lang": lang, "near": near, "nearest": nearest}))
