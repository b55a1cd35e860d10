"""How the WeChat channel words the assistant's messages, cuts long text, and remembers messages for a while."""
from hypothesis import given, strategies as st

from channels.bounded_cache import ExpiringCache
from channels.wechat_format import Option, option_number, render, shorten, split_text, utf8_len


@given(st.text(alphabet=st.sampled_from(list("ab 签\n😀")), max_size=3000), st.integers(min_value=8, max_value=600))
def test_split_text_keeps_every_character_and_each_piece_fits(text, limit):
    pieces = split_text(text, limit)
    assert all(0 < utf8_len(piece) <= limit for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())  # only whitespace at the cuts is dropped


def test_split_text_prefers_paragraph_breaks():
    text = "a" * 50 + " b\n\n" + "c" * 30
    assert split_text(text, 60) == ["a" * 50 + " b", "c" * 30]


def test_shorten_fits_with_its_note():
    cut = shorten("word " * 1000, "(shortened)", limit=100)
    assert utf8_len(cut) <= 100 and cut.endswith("\n\n(shortened)")
    assert shorten("short", "(shortened)", limit=100) == "short"


def test_render_numbers_buttons_across_messages_and_skips_payload_only_messages():
    turn = render([{"text": "First?", "buttons": [{"title": "A", "payload": "/a"}]},
                   {"custom": {"type": "kvisa_verdict", "verdict": "uncertain"}},
                   {"custom": {"type": "other", "data": [1, 2]}},
                   {"text": "Second?", "buttons": [{"title": "B", "payload": "/b"}, {"title": "", "payload": "/x"}]}])
    assert turn.text == "First?\n1. A\n\nSecond?\n2. B\n\nReply with the number."
    assert [o.payload for o in turn.options] == ["/a", "/b"]


def test_option_number_accepts_only_numbers_in_range():
    options = [Option("Yes", "/affirm"), Option("No", "/deny")]
    assert [option_number(t, options) for t in ["1", " 2 ", "2.", "3", "0", "two", "²", "1 2", ""]] == \
        [1, 2, 2, 0, 0, 0, 0, 0, 0]
    assert option_number("1", []) == 0


def test_expiring_cache_forgets_old_and_excess_items():
    now = [0.0]
    cache = ExpiringCache(max_items=2, ttl_seconds=10, clock=lambda: now[0])
    cache.set("a", 1)
    cache.set("b", 2)
    cache.set("c", 3)  # over the limit: the oldest goes
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, 2, 3)
    now[0] = 10.0
    assert cache.get("b") is None and len(cache) == 0
    value, created = cache.get_or_create("d", lambda: 4)
    assert (value, created) == (4, True)
    assert cache.get_or_create("d", lambda: 5) == (4, False)
