"""Each channel's conversations live in a sender-id namespace of their own, so that no client of one channel can
name a conversation of another: a REST client that sends {"sender": "4243"} talks as "rest:4243", never as the
Telegram chat 4243 ("tg:4243"). The prefix is added inside each input channel, where the platform's own id is
known; replies come back addressed to the namespaced id and are turned back into the platform's id here."""
from __future__ import annotations

from typing import Text

REST = "rest"
WEB = "web"
TELEGRAM = "tg"
WECHAT = "wx"


def sender_id(namespace: Text, local_id: object) -> Text:
    """The conversation id for a platform id (a chat id, an openid, a REST sender, a web session)."""
    return f"{namespace}:{local_id}"


def local_id(namespace: Text, conversation_id: Text) -> Text:
    """The platform id back from a conversation id of that namespace; an id of another namespace (or none) is
    refused, so a reply can never be sent to a platform id that was not namespaced by this channel."""
    prefix = f"{namespace}:"
    if not conversation_id.startswith(prefix):
        raise ValueError(f"not a conversation of the {namespace!r} channel")
    return conversation_id[len(prefix):]
