"""Turns what the assistant said in one turn (Rasa's collected messages) into WeChat text: buttons become
numbered options the user answers with a number, the machine-readable verdict card is left out (the action also
sends it as text), and long text is cut into pieces that fit WeChat's size limit."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence, Text

from channels import messages

# A passive text reply may carry at most 2048 bytes of UTF-8 content; customer-service text messages are held
# to the same size so that every piece arrives whole.
MAX_TEXT_BYTES = 2048
OPTIONS_HINT = messages.text("wechat_options_hint")
# Custom payloads meant for rich clients only; the bot also sends their content as text.
SILENT_CUSTOM_TYPES = {"kvisa_verdict"}


@dataclass
class Option:
    title: Text
    payload: Text


@dataclass
class Rendered:
    text: Text
    options: List[Option] = field(default_factory=list)


def render(messages: Sequence[Dict[Text, Any]]) -> Rendered:
    """One text for the whole turn, and the numbered options it offers (numbering runs across the turn)."""
    parts: List[Text] = []
    options: List[Option] = []
    for message in messages:
        lines: List[Text] = []
        if message.get("text"):
            lines.append(str(message["text"]).strip())
        for key in ("image", "attachment"):
            if isinstance(message.get(key), str) and message[key].strip():
                lines.append(message[key].strip())
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") not in SILENT_CUSTOM_TYPES \
                and isinstance(custom.get("text"), str):
            lines.append(custom["text"].strip())  # other custom payloads: only a text they carry, never raw JSON
        for button in message.get("buttons") or []:
            title, payload = _button(button)
            if title and payload:
                options.append(Option(title, payload))
                lines.append(f"{len(options)}. {title}")
        if lines:
            parts.append("\n".join(line for line in lines if line))
    if options:
        parts.append(OPTIONS_HINT)
    return Rendered("\n\n".join(part for part in parts if part), options)


def _button(button: Any) -> tuple:
    if not isinstance(button, dict):
        return "", ""
    title = str(button.get("title") or "").strip()
    payload = str(button.get("payload") or "").strip()
    return title, payload


def option_number(text: Text, options: Sequence[Option]) -> int:
    """The 1-based option the text chooses (e.g. "2" or " 2. "), or 0 when it is not such an answer."""
    candidate = text.strip().rstrip(".").strip()
    if candidate.isascii() and candidate.isdigit() and 1 <= int(candidate) <= len(options):
        return int(candidate)
    return 0


def utf8_len(text: Text) -> int:
    return len(text.encode("utf-8"))


def split_text(text: Text, limit: int = MAX_TEXT_BYTES) -> List[Text]:
    """Pieces of at most `limit` UTF-8 bytes, cut at a paragraph, else a line, else a space, else anywhere
    (never inside a character)."""
    pieces: List[Text] = []
    rest = text.strip()
    while rest:
        if utf8_len(rest) <= limit:
            pieces.append(rest)
            break
        head = _prefix_within(rest, limit)
        # the last paragraph break, else line break, else space, in the last two thirds of the piece
        cut = next((at for at in (head.rfind(sep) for sep in ("\n\n", "\n", " ")) if at > len(head) // 3),
                   len(head))
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [piece for piece in pieces if piece]


def shorten(text: Text, note: Text, limit: int = MAX_TEXT_BYTES) -> Text:
    """The text cut to fit `limit` bytes together with the note that says it was cut."""
    if utf8_len(text) <= limit:
        return text
    room = limit - utf8_len(note) - 2
    return split_text(text, room)[0] + "\n\n" + note


def _prefix_within(text: Text, limit: int) -> Text:
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")
