"""Headless Chromium (Debian's, driven by Playwright) for the page tests. Every request the page makes is
answered in-process by the app (through the test transaction), headers included, so the pages run
under their real Content-Security-Policy; any request for a host other than 127.0.0.1 is recorded and
refused, so a page that reaches the internet fails. Console errors (a script the policy refused
included) and uncaught exceptions are recorded too."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is installed by make")


# The map is still and its tiles are drawn (see Browser.settle).
SETTLED = (
    "(function (m) {"
    "  if (!m) { return true; }"
    "  if (m._animatingZoom || (m._panAnim && m._panAnim._inProgress)) { return false; }"
    "  var loading = false;"
    "  m.eachLayer(function (l) { if (l._noTilesToLoad && !l._noTilesToLoad()) { loading = true; } });"
    "  return !loading;"
    "})(window.registryMap || window.checkMap)"
)


class Browser:
    def __init__(
        self, client: TestClient, *, viewport: tuple[int, int] = (1000, 700), service_workers: str = "block"
    ) -> None:
        self.client = client
        self.external: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.responses: list[Any] = []  # the app's answers, in order (headers checked by tests)
        self.browser = chromium()
        # A context of its own (its own cookies, storage and cache) in the run's one Chromium.
        # The map's service worker (maps/offline.py) only where a test asks for it: its requests pass the
        # page's route below (tests/maps/test_offline_browser.py routes the context instead).
        self.context = self.browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, service_workers=service_workers
        )
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"{e}: {getattr(e, 'stack', '')}"[:600]))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._answer)

    def _dialog(self, dialog) -> None:  # type: ignore[no-untyped-def]
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _answer(self, route) -> None:  # type: ignore[no-untyped-def]
        request = route.request
        parts = urlsplit(request.url)
        if parts.hostname != "127.0.0.1":
            self.external.append(request.url)
            route.abort()
            return
        # The page's own address (host 127.0.0.1), and the headers the CSRF defence reads (Origin, Referer).
        path = f"http://127.0.0.1{parts.path}" + (f"?{parts.query}" if parts.query else "")
        kept = ("cookie", "content-type", "accept", "origin", "referer")
        forwarded = {k: v for k, v in request.headers.items() if k.lower() in kept}
        self.client.cookies.clear()  # the browser keeps the cookies, not the test client
        # A GET's redirects are followed here (the redirect itself is checked without a browser); a form
        # post's 303 is handed to Chromium, which follows it with its own cookies through this route, so
        # the address bar shows the page the post led to (Post/Redirect/Get).
        response = self.client.request(
            request.method,
            path,
            headers=forwarded,
            content=request.post_data_buffer,
            follow_redirects=request.method == "GET",
        )
        self.responses.append(response)
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-encoding")}
        route.fulfill(status=response.status_code, headers=headers, body=response.content)

    def wait(self, condition: str, timeout: float = 10_000) -> None:
        """Wait until the JavaScript expression ``condition`` holds. It is polled as a function: the
        pages' policy forbids eval, which Playwright would use for a bare expression."""
        self.page.wait_for_function(f"() => ({condition})", timeout=timeout)

    def open(self, path: str, ready: str = "window.siteLayer !== undefined") -> None:
        """Open ``path`` and wait until the JavaScript condition ``ready`` holds (the map is drawn)."""
        self.page.goto(f"http://127.0.0.1{path}")
        self.page.wait_for_load_state("networkidle")
        try:
            self.wait(ready)
        except Exception as exc:  # noqa: BLE001 - say why the page did not draw
            raise AssertionError(f"map not drawn; errors {self.errors}, external {self.external}") from exc
        self.settle()

    def settle(self, timeout: float = 10_000) -> None:
        """Wait until the page's Leaflet map (``window.registryMap`` or ``window.checkMap``; none: at
        once) is still and drawn: no zoom or pan animation running (a popup's auto-pan and a
        ``fitBounds`` included) and every tile of its tile layers loaded (the sites' vector tiles
        hold their features by then). Leaflet starts a zoom animation on the next animation frame,
        so two frames are let pass first: a move asked for before this call has begun by then."""
        self.page.evaluate(
            "() => new Promise(function (done) {"
            "  requestAnimationFrame(function () { requestAnimationFrame(done); });"
            "})"
        )
        try:
            self.wait(SETTLED, timeout)
        except Exception as exc:  # noqa: BLE001 - say what the page saw
            raise AssertionError(f"map not settled; errors {self.errors}, external {self.external}") from exc

    def popup_shown(self, timeout: float = 10_000) -> None:
        """Wait until the open popup has faded in (fully opaque) and the map has stopped: the popup's
        auto-pan moves the map, so a click computed from the map's coordinates lands where meant."""
        self.wait(
            "(function (p) { return p !== null && getComputedStyle(p).opacity === '1'; })"
            "(document.querySelector('.leaflet-popup'))",
            timeout,
        )
        self.settle(timeout)

    def codes(self) -> set[str]:
        """The sites drawn as points (a point near a tile edge is drawn in both tiles: counted once;
        clusters of tiles loaded at a lower zoom have no code)."""
        return set(
            self.page.evaluate(
                "[].concat.apply([], Object.values(window.siteLayer._vectorTiles).map(function (t) {"
                "  return Object.values(t._features || {}).map(function (f) { return f.feature.properties.code; });"
                "}))"
            )
        ) - {None}

    def assert_fits(self) -> None:
        """No sideways scrolling: neither the document nor its body is wider than the window."""
        doc, body, window = self.page.evaluate(
            "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
        )
        assert max(doc, body) <= window, f"{self.page.url} scrolls sideways ({max(doc, body)} px in {window})"

    def close(self) -> None:
        self.context.close()


_running: list[Any] = []  # [Playwright, Chromium] once started


def chromium() -> Any:
    """The run's one headless Chromium, started on first use (each test gets a context of its own in
    it: starting Playwright and Chromium for every test cost about half a second each time); stopped
    by ``stop_chromium`` at the end of the run (tests/conftest.py)."""
    if not _running:
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        _running.extend([pw, pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)])
    return _running[1]


def stop_chromium() -> None:
    if _running:
        pw, browser = _running
        _running.clear()
        browser.close()
        pw.stop()
