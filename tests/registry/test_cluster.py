"""The private cluster's paths and port choice (the cluster itself is exercised by every test)."""

from __future__ import annotations

import socket
from pathlib import Path

from registry.cluster import FIRST_PORT, Cluster, _free_port


def test_socket_dir_stays_within_the_unix_socket_limit(tmp_path: Path) -> None:
    short = Cluster(tmp_path / ".data")
    assert short.socket_dir == tmp_path / ".data" / "run"
    deep = Cluster(tmp_path.joinpath(*["a-rather-long-folder-name"] * 6) / ".data")
    assert len(str(deep.socket_dir / ".s.PGSQL.65535")) <= 100
    assert deep.socket_dir == Cluster(deep.data_dir).socket_dir, "the fallback is stable for one checkout"


def test_port_file_and_free_port(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path)
    assert cluster.port == FIRST_PORT, "no port file yet"
    (tmp_path / "port").write_text("55555\n")
    assert cluster.port == 55555
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert _free_port(port) != port
