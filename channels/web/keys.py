"""Typed keys of the objects the gateway keeps on its ``web.Application``."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from channels.web.options import GatewayOptions
from channels.web.rasa_client import RasaClient
from channels.web.ratelimit import BucketStore, RateLimiter
from core.settings import Settings


@dataclass(frozen=True)
class Limiters:
    """The gateway's rate limits: messages per conversation and IP, messages per
    IP (so clearing cookies does not buy a fresh allowance), history loads and
    public API calls per IP. All share one bucket store (Redis when configured)."""

    messages: RateLimiter
    messages_per_ip: RateLimiter
    history: RateLimiter
    public_api: RateLimiter
    store: BucketStore


SETTINGS = web.AppKey("settings", Settings)
OPTIONS = web.AppKey("options", GatewayOptions)
LIMITERS = web.AppKey("limiters", Limiters)
RASA_CLIENT = web.AppKey("rasa_client", RasaClient)
