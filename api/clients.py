"""Who is on the other end: the one place that decides a request's client address and scheme.

A forwarded header is a claim made by whoever sent the request, so it is believed only when the TCP
peer is one of the configured reverse proxies (``TTTT_TRUSTED_PROXIES``, empty by default). Then the
client is the right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy: each proxy
appends the address it saw, so everything left of the first untrusted hop may have been written by
the client and is ignored. ``tttt serve`` runs uvicorn with ``proxy_headers=False`` so that the peer
reaching the app is the real TCP peer, never already rewritten.

The look-up limiter, the sign-in throttle and the audit's client address all use ``client_address``.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from fastapi import Request

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# More hops than this in X-Forwarded-For are not walked: no real chain of proxies is that long, and a
# client must not make the server parse an arbitrarily long list.
MAX_HOPS = 16
UNKNOWN = "unknown"


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _ip(value: str) -> IPAddress | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress | None, networks: tuple[IPNetwork, ...]) -> bool:
    return address is not None and any(address in n for n in networks)


def _peer(request: Request) -> str:
    return request.client.host if request.client and request.client.host else UNKNOWN


def _forwarded_for(request: Request) -> list[str]:
    hops = [h for line in request.headers.getlist("x-forwarded-for") for h in line.split(",")]
    return hops[-MAX_HOPS:]


def resolve(peer: str, forwarded_for: list[str], proxies: tuple[str, ...]) -> str:
    """The client address given the TCP ``peer``, the X-Forwarded-For hops (left to right) and the
    trusted proxies (IPs or CIDRs)."""
    networks = _networks(proxies)
    peer_ip = _ip(peer)
    if not _trusted(peer_ip, networks):
        return str(peer_ip) if peer_ip is not None else peer
    client = str(peer_ip)
    for hop in reversed(forwarded_for):
        address = _ip(hop)
        if address is None:
            # Proxies append well-formed addresses; anything else was written by the far side, so
            # the last trusted hop is the best that can be said.
            return client
        client = str(address)
        if not _trusted(address, networks):
            return client
    return client


def client_address(request: Request) -> str:
    """The request's client address (see the module's docstring), canonical text (IPv4-mapped IPv6 as
    IPv4), or the peer as given when it is not an address (test clients)."""
    proxies = tuple(request.app.state.settings.trusted_proxies)
    return resolve(_peer(request), _forwarded_for(request) if proxies else [], proxies)


def client_scheme(request: Request) -> str:
    """``https`` or ``http`` as the client used it: ``X-Forwarded-Proto`` only from a trusted proxy."""
    proxies = tuple(request.app.state.settings.trusted_proxies)
    if proxies and _trusted(_ip(_peer(request)), _networks(proxies)):
        forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if forwarded in ("http", "https"):
            return forwarded
    return request.url.scheme
