"""Host and Origin against the sandbox's public address(es) (MOCK_KANTA_PUBLIC_URL, else MOCK_KANTA_BASE_URL).

A request for another Host (DNS rebinding) and a browser request from another origin are refused before any
credential is looked at."""
from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


class Origins:
    def __init__(self, public_urls: list[str]):
        self.origins: set[str] = set()
        self.hosts: set[str] = set()
        self.secure = False
        for url in public_urls:
            parts = urlsplit(url if "://" in url else f"http://{url}")
            scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
            if not host:
                raise ValueError(f"the public URL {url!r} names no host")
            bracketed = f"[{host}]" if ":" in host else host
            port = parts.port or DEFAULT_PORTS.get(scheme)
            names = {f"{bracketed}:{port}"} | ({bracketed} if port == DEFAULT_PORTS.get(scheme) else set())
            self.hosts |= names
            self.origins |= {f"{scheme}://{name}" for name in names}
            self.secure |= scheme == "https"

    def host_ok(self, host: str | None) -> bool:
        return bool(host) and host.lower() in self.hosts

    def origin_ok(self, origin: str) -> bool:
        return origin.rstrip("/").lower() in self.origins

    def referer_ok(self, referer: str) -> bool:
        parts = urlsplit(referer)
        return bool(parts.scheme and parts.netloc) and self.origin_ok(f"{parts.scheme}://{parts.netloc}")

    def describe(self) -> str:
        return ", ".join(sorted(self.origins))
