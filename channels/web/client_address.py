"""The citizen's address as the gateway should count it, behind trusted proxies.

Behind a reverse proxy every request comes from the proxy's address, so
per-address rate limits would put every citizen in one bucket. The proxy
reports the real client in ``X-Forwarded-For``, but anybody can send that
header, so it is believed only as far as the hops are proxies the operator
named in ``WEB_TRUSTED_PROXIES``: walking the list from the right (the hop
nearest to us), the first address that is not a trusted proxy is the client.
Addresses a client wrote further left are never believed.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable, Sequence, Tuple, Union

from aiohttp import web

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


def parse_networks(values: Iterable[str]) -> Tuple[Network, ...]:
    """CIDR blocks (already checked by core.settings) as network objects."""
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_address(request: web.Request, proxies: Sequence[Network]) -> str:
    """The client's address: the peer's own unless the peer is a trusted proxy,
    else the nearest ``X-Forwarded-For`` hop that is not one. A malformed hop
    stops the walk at the last address we could trust to have written it."""
    peer_text = request.remote or "unknown"
    peer = _address(peer_text)
    if peer is None or not proxies or not _trusted(peer, proxies):
        return peer_text
    hops = [hop for header in request.headers.getall("X-Forwarded-For", []) for hop in header.split(",")]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        client = address
        if not _trusted(address, proxies):
            break
    return str(client)
