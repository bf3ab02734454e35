"""The read mix with 0, 1 and 2 read replicas: ``python -m bench.replicas [--replicas 0,1,2] [--seconds 30]``

Runs ``bench.load`` (``tttt serve --workers N``, 50 clients, the read mix: a bbox page of sites, the
nearest 10, a vector tile, the 2019 one-stop report) against the load database (``<db>_load``) with
``TTTT_READ_DATABASE_URLS`` naming 0, 1 or 2 streaming replicas of the private cluster, made by
``pg_basebackup -R`` into ``.data/replica-<i>`` (registry.cluster.Standby) and started on free ports of
127.0.0.1. For each it prints requests/s and p50/p95/p99, and how many transactions the primary and
each replica ran in the load database meanwhile (``pg_stat_database``, committed and rolled back:
reads on a replica end by rolling back): where the reads went. The replicas are stopped, their slots
dropped and their folders deleted at the end, whatever happens.

On one machine the replicas share its cores with the primary, the server and the clients: they can
spread no work, only move it (and each replays the primary's WAL as well). The figures say what the
routing costs; the gain needs replicas on machines of their own.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Iterator

import psycopg
from sqlalchemy.engine import make_url

from bench import load
from bench.databases import bench_database
from registry.cluster import Cluster, Standby
from registry.settings import get_settings


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def standbys(url: str, count: int) -> Iterator[list[Standby]]:
    """``count`` replicas of the server ``url`` is on, under ``.data/replica-<i>``; removed at the end."""
    u = make_url(url)
    data = get_settings().data_dir
    made: list[Standby] = []
    try:
        for i in range(1, count + 1):
            replica = Standby(
                pgdata=data / f"replica-{i}" / "pg",
                port=_free_port(),
                primary_host=u.host or "127.0.0.1",
                primary_port=u.port or 5432,
                slot=f"tttt_bench_replica_{i}",
                user=u.username or "postgres",
            )
            replica.remove()  # what a run stopped before its clean-up left
            t = time.perf_counter()
            made.append(replica)
            replica.create()
            replica.start()
            print(f"replica {i}: copied and started in {time.perf_counter() - t:.0f} s (port {replica.port})")
        yield made
    finally:
        for replica in made:
            replica.remove()
            with contextlib.suppress(OSError):
                (replica.pgdata.parent / "run").rmdir()
                replica.pgdata.parent.rmdir()


def _commits(url: str) -> int:
    u = make_url(url)
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, dbname=u.database, autocommit=True, connect_timeout=5
    ) as c:
        row = c.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def _replayed(url: str, target: str) -> bool:
    r = make_url(url)
    try:
        with psycopg.connect(host=r.host, port=r.port, user=r.username, dbname=r.database, connect_timeout=5) as c:
            return c.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).fetchone() == (True,)
    except psycopg.Error:
        return False


def _caught_up(primary: str, replicas: list[str], within_s: float = 300) -> None:
    u = make_url(primary)
    with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname="postgres", autocommit=True) as c:
        target = str(c.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0])  # type: ignore[index]
    deadline = time.monotonic() + within_s
    for url in replicas:
        while not _replayed(url, target):
            if time.monotonic() > deadline:
                raise TimeoutError(f"a replica did not catch up within {within_s:.0f} s")
            time.sleep(0.5)


def main(argv: list[str] | None = None) -> None:
    from api.cli import default_workers

    parser = argparse.ArgumentParser(prog="python -m bench.replicas")
    parser.add_argument("--replicas", default="0,1,2", help="numbers of replicas to measure with, comma-separated")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args(argv)
    counts = sorted({int(n) for n in args.replicas.split(",") if n.strip()})
    if not counts or not all(0 <= n <= 4 for n in counts) or not 1 <= args.seconds <= 3600:
        parser.error("replicas 0–4, seconds 1–3600")
    if get_settings().database_url is None:
        Cluster(get_settings().data_dir).start()
    url = bench_database("load", keep=True)
    load._prepare(url)  # the demo, once, before any copy is taken
    rows = []
    with standbys(url, max(counts)) as made:
        database = make_url(url).database or ""
        for n in counts:
            urls = [r.url(database) for r in made[:n]]
            _caught_up(url, urls)
            env = {"TTTT_READ_DATABASE_URLS": ",".join(urls)} if urls else {}
            before = [_commits(u) for u in [url, *urls]]
            result = load.run(url, workers=args.workers, clients=args.clients, seconds=args.seconds, env_extra=env)
            spread = [_commits(u) - b for u, b in zip([url, *urls], before, strict=True)]
            print(
                f"  transactions in {database}: primary {spread[0]:,}"
                + "".join(f", replica {i} {c:,}" for i, c in enumerate(spread[1:], 1))
            )
            rows.append((n, result, spread))
    print(f"\n[read replicas: {args.workers} worker(s), {args.clients} clients, {args.seconds:.0f} s each]")
    print("| replicas | requests/s | p50 | p95 | p99 | errors | transactions: primary / replicas |")
    print("|---|---|---|---|---|---|---|")
    for n, r, spread in rows:
        print(
            f"| {n} | {r['rps']:,.0f} | {r['p50']:,.0f} ms | {r['p95']:,.0f} ms | {r['p99']:,.0f} ms "
            f"| {r['errors']:.0f} | {spread[0]:,} / {' + '.join(f'{c:,}' for c in spread[1:]) or '–'} |"
        )


if __name__ == "__main__":
    main()
