"""The hit path of tiles and public lists: a full answer against a revalidation (If-None-Match → 304).

``python -m bench.http_cache [--runs 200]`` serves the app (``tttt serve --workers 1``) on the load
bench's database (``<db>_load``: the Hải Phòng demo, built once) and asks, as the public, for vector
tiles around random sites at zooms 8 (grid clusters), 11 (clusters) and 14 (points) and for a bbox page
of sites, each first in full and then again with the ETag it got (what a reverse proxy or CDN in front
sends when its copy's max-age has passed). Prints p50/p95 of each and the bytes sent. A cache that
still holds a fresh copy answers without asking the app at all: that path costs the app nothing. The
server is stopped at the end, whatever happens; everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import socket
import statistics
import time

import httpx

from bench.databases import bench_database
from bench.load import _prepare, _serve, _stop, _tile


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def run(url: str, *, runs: int, seed: int = 21) -> dict[str, dict[str, float]]:
    points = _prepare(url)
    rng = random.Random(seed)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = _serve(url, 1, port, {}, None)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict[str, float]] = {}
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.poll() is not None:
                raise RuntimeError("server exited")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /health within 90 s")
            time.sleep(0.2)
        kinds: dict[str, list[tuple[str, dict[str, object]]]] = {}
        for z in (8, 11, 14):
            asks = []
            for _ in range(runs):
                x, y = _tile(*rng.choice(points), z)
                asks.append((f"/tiles/sites/{z}/{x}/{y}.pbf", {}))
            kinds[f"tile z{z}"] = asks
        pages = []
        for _ in range(runs):
            lon, lat = rng.choice(points)
            pages.append(
                ("/api/sites", {"bbox": f"{lon - 0.01:.5f},{lat - 0.01:.5f},{lon + 0.01:.5f},{lat + 0.01:.5f}"})
            )
        kinds["sites page"] = pages
        with httpx.Client(base_url=base, timeout=30) as client:
            for kind, asks in kinds.items():
                full: list[float] = []
                hit: list[float] = []
                sent = 0
                for path, params in asks:
                    t = time.perf_counter()
                    first = client.get(path, params=params)  # type: ignore[arg-type]
                    full.append((time.perf_counter() - t) * 1000)
                    sent += len(first.content)
                    tag = first.headers.get("etag")
                    if first.status_code != 200 or not tag:
                        raise RuntimeError(f"{kind}: {first.status_code}, ETag {tag!r}")
                    t = time.perf_counter()
                    again = client.get(path, params=params, headers={"If-None-Match": tag})  # type: ignore[arg-type]
                    hit.append((time.perf_counter() - t) * 1000)
                    if again.status_code != 304:
                        raise RuntimeError(f"{kind}: revalidation answered {again.status_code}")
                results[kind] = {
                    "full_p50": _pct(full, 0.5),
                    "full_p95": _pct(full, 0.95),
                    "hit_p50": _pct(hit, 0.5),
                    "hit_p95": _pct(hit, 0.95),
                    "bytes": sent / len(asks),
                }
    finally:
        _stop(server)
    print(f"\n[http cache: {runs} asks each, full answer then If-None-Match with its ETag, one worker]")
    for kind, r in results.items():
        ratio = r["hit_p50"] / r["full_p50"] if r["full_p50"] else float("nan")
        print(
            f"  {kind:<11} full p50 {r['full_p50']:6.1f} / p95 {r['full_p95']:6.1f} ms, {r['bytes'] / 1024:6.1f} KiB"
            f"   304 p50 {r['hit_p50']:5.1f} / p95 {r['hit_p95']:5.1f} ms, 0 KiB   (304/full p50 {ratio:.2f})"
        )
    mean = statistics.fmean(r["hit_p50"] / r["full_p50"] for r in results.values())
    print(f"  mean over kinds of 304/full p50: {mean:.2f}")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.http_cache")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 100_000:
        parser.error("runs 1–100000")
    run(bench_database("load", keep=True), runs=args.runs)


if __name__ == "__main__":
    main()
