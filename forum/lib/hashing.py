"""Hashes that let us recognise a key or a network without storing either."""

import hashlib
import hmac
import ipaddress


def key_hash(key: str) -> str:
    """SHA-256 of a participant key.

    Keys carry 192 random bits, so a fast unsalted hash is enough: there is no
    dictionary to try, and a lookup by hash must stay an index seek.
    """
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def network_prefix(ip: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) network an address belongs to, as text.

    Everyone behind one office or campus address shares a prefix; limits keyed
    on it are therefore generous, and no single host is identified.
    """
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    length = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{length}", strict=False))


def keyed_network_hash(prefix: str, pepper: bytes) -> str:
    """HMAC of a network prefix under a rotating secret pepper (32 hex chars)."""
    return hmac.new(pepper, prefix.encode("ascii"), hashlib.sha256).hexdigest()[:32]
