"""Length and rate limits (channels/admission.py, rate_limit.py, client_address.py) on their own, with a clock
the test moves; the channels' use of them is in test_limits_in_channels.py."""
import pytest

from channels import messages
from channels.admission import Admission
from channels.client_address import TrustedProxies
from channels.rate_limit import RateLimit


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_sender_gets_the_limit_per_sliding_minute_and_others_are_served_meanwhile():
    clock = Clock()
    limit = RateLimit(3, clock)
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b")  # someone else is not affected
    clock.now += 30
    assert not limit.allow("a")  # still within a minute of the first three
    clock.now += 30.5
    assert limit.allow("a")  # the first three have left the window


def test_refused_messages_do_not_prolong_the_refusal():
    clock = Clock()
    limit = RateLimit(2, clock)
    limit.allow("a"), limit.allow("a")
    for _ in range(50):
        clock.now += 1
        assert not limit.allow("a")
    clock.now += 11  # 61 s after the two that counted
    assert limit.allow("a")


def test_zero_turns_a_limit_off_and_negative_is_refused():
    assert all(RateLimit(0).allow("a") for _ in range(1000))
    with pytest.raises(ValueError):
        RateLimit(-1)


def test_settings_come_from_the_environment_with_defaults_on():
    default = Admission.from_env({})
    assert (default.per_sender.per_minute, default.per_ip.per_minute) == (30, 120)
    off = Admission.from_env({"RATE_LIMIT_PER_SENDER": "0", "RATE_LIMIT_PER_IP": "0"})
    assert (off.per_sender.per_minute, off.per_ip.per_minute) == (0, 0)
    for bad in ("-1", "ten", "1.5"):
        with pytest.raises(ValueError, match="RATE_LIMIT_PER_IP"):
            Admission.from_env({"RATE_LIMIT_PER_IP": bad})


def test_a_message_over_2000_characters_is_refused_politely_and_2000_pass():
    admission = Admission(0, 0)
    assert admission.check("rest:a", "x" * 2000) is None
    refusal = admission.check("rest:a", "x" * 2001)
    assert refusal.reason == "too_long" and refusal.text == messages.text("too_long", limit=2000)
    assert "shorten" in refusal.text and "2000" in refusal.text


def test_the_address_limit_spans_senders_and_a_flood_is_told_once_per_sender():
    clock = Clock()
    admission = Admission(per_sender=0, per_ip=2, clock=clock)
    assert admission.check("rest:a", "hi", "198.51.100.7") is None
    assert admission.check("rest:b", "hi", "198.51.100.7") is None
    refused = admission.check("rest:c", "hi", "198.51.100.7")
    assert refused.reason == "rate_limited" and refused.tell and "wait a minute" in refused.text
    assert not admission.check("rest:c", "hi", "198.51.100.7").tell
    assert admission.check("rest:d", "hi", "203.0.113.9") is None  # another client is served


@pytest.mark.parametrize("peer, forwarded, client", [
    ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # not a proxy: the header is not believed
    ("10.0.0.5", "203.0.113.9", "203.0.113.9"),
    ("10.0.0.5", "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # the client may have written 1.2.3.4 itself
    ("10.0.0.5", "203.0.113.9, 10.0.0.6", "203.0.113.9"),  # two proxies of ours
    ("10.0.0.5", None, "10.0.0.5"),
    ("10.0.0.5", "not an address", "not an address"),
])
def test_forwarded_for_is_believed_only_from_a_trusted_proxy(peer, forwarded, client):
    proxies = TrustedProxies.from_env({"TRUSTED_PROXIES": "10.0.0.0/29, ::1"})
    assert proxies.client(peer, forwarded) == client


def test_trusted_proxies_must_be_addresses():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        TrustedProxies.from_env({"TRUSTED_PROXIES": "proxy.example.org"})
