"""What every channel checks before a message reaches the assistant: its length and the per-sender and
per-client-address rate limits. A refused message gets a polite reply (channels/messages.yml) and is neither
processed nor stored. Settings come from the environment:

  RATE_LIMIT_PER_SENDER  messages per minute per conversation (default 30; 0 turns it off)
  RATE_LIMIT_PER_IP      messages per minute per client address (default 120; 0 turns it off); only REST and
                         socket.io have client addresses: Telegram and WeChat messages all come from their servers
  TRUSTED_PROXIES        proxies whose X-Forwarded-For is believed (channels/client_address.py)
  REDIS_URL              when set, the limits are shared by every Rasa instance (channels/shared_state.py)
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Text

from channels import log_redaction, messages, shared_state
from channels.client_address import TrustedProxies
from channels.rate_limit import WINDOW_SECONDS, rate_limit

MAX_MESSAGE_CHARS = 2000
DEFAULT_PER_SENDER = 30
DEFAULT_PER_IP = 120


@dataclass(frozen=True)
class Refusal:
    reason: Text  # "too_long" or "rate_limited"
    text: Text  # the polite reply
    # Push channels (Telegram, socket.io) tell a rate-limited sender once per minute, not for every message
    # of a flood; REST and WeChat answer each request anyway.
    tell: bool = True


def _per_minute(env: Mapping[Text, Text], name: Text, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number of messages per minute (0 turns the limit off), "
                         f"not {raw!r}")
    return int(raw)


class Admission:
    def __init__(self, per_sender: int = DEFAULT_PER_SENDER, per_ip: int = DEFAULT_PER_IP,
                 proxies: Optional[TrustedProxies] = None, max_chars: int = MAX_MESSAGE_CHARS,
                 clock: Callable[[], float] = time.monotonic):
        self.per_sender = rate_limit("sender", per_sender, clock)
        self.per_ip = rate_limit("ip", per_ip, clock)
        self.proxies = proxies or TrustedProxies([])
        self.max_chars = max_chars
        self._told = shared_state.cache("told-rate-limited", 10_000, WINDOW_SECONDS, clock=clock)

    @classmethod
    def from_env(cls, env: Mapping[Text, Text] = os.environ) -> "Admission":
        return cls(_per_minute(env, "RATE_LIMIT_PER_SENDER", DEFAULT_PER_SENDER),
                   _per_minute(env, "RATE_LIMIT_PER_IP", DEFAULT_PER_IP), TrustedProxies.from_env(env))

    def client_ip(self, peer: Text, forwarded_for: Optional[Text]) -> Text:
        return self.proxies.client(peer, forwarded_for)

    def check(self, sender_id: Text, text: Text, client_ip: Optional[Text] = None) -> Optional[Refusal]:
        """None when the message may go on to the assistant, else why not and what to answer."""
        log_redaction.remember(text)  # before anything can log it
        # the address first: one client cycling through many sender ids is still one client
        if (client_ip is not None and not self.per_ip.allow(client_ip)) or not self.per_sender.allow(sender_id):
            _, first = self._told.get_or_create(sender_id, lambda: True)
            return Refusal("rate_limited", messages.text("rate_limited"), tell=first)
        if len(text) > self.max_chars:
            return Refusal("too_long", messages.text("too_long", limit=self.max_chars))
        return None


_shared: Optional[Admission] = None
_shared_lock = threading.Lock()


def shared() -> Admission:
    """One Admission for all channels of the process (so REST and socket.io share the per-address limit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Admission.from_env()
        return _shared
