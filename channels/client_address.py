"""The address of the client behind a request. X-Forwarded-For is believed only when the request comes from a
configured proxy (TRUSTED_PROXIES: addresses or networks, comma or space separated); anyone else could write
any address in it and so escape the per-address rate limit, or blame somebody else."""
from __future__ import annotations

import ipaddress
import os
from typing import List, Mapping, Optional, Text, Union

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


class TrustedProxies:
    def __init__(self, networks: List[Network]):
        self.networks = networks

    @classmethod
    def from_env(cls, env: Mapping[Text, Text] = os.environ) -> "TrustedProxies":
        raw = (env.get("TRUSTED_PROXIES") or "").replace(",", " ").split()
        try:
            return cls([ipaddress.ip_network(item, strict=False) for item in raw])
        except ValueError as error:
            raise ValueError(f"TRUSTED_PROXIES must list IP addresses or networks (e.g. 10.0.0.5 or "
                             f"10.0.0.0/24): {error}") from None

    def trusts(self, address: Text) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip().strip("[]"))
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def client(self, peer: Text, forwarded_for: Optional[Text]) -> Text:
        """The peer itself, unless it is a trusted proxy: then the nearest address in X-Forwarded-For that is
        not one of our proxies (each proxy appends the address it saw, so the right end is the most reliable)."""
        if not forwarded_for or not self.trusts(peer):
            return peer
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop
        return hops[0] if hops else peer
