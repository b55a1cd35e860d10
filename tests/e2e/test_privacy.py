"""Privacy on the real servers (tests/e2e/conftest.py): "delete my data" in every channel asks to confirm, then
deletes the conversation's rows from the SQLite tracker store (read here directly), and only that
conversation's; the store's file is readable by its owner only."""
import sqlite3
import stat
import uuid

from channels import messages
from tests.e2e.test_security import PROFILE, Widget, joined, rest_says
from tests.e2e.test_telegram_webhook import Telegram, with_button
from tests.e2e.test_wechat_webhook import User, platform  # noqa: F401  (platform is a fixture)

CONFIRM = messages.text("forget_confirm")
DONE = messages.text("forget_done")
KEPT = messages.text("forget_kept")
YES = messages.text("forget_button_yes")


def rows(servers, conversation_id):
    with sqlite3.connect(servers["db"]) as connection:
        return connection.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?",
                                  (conversation_id,)).fetchone()[0]


def test_rest_delete_my_data_asks_then_deletes_only_that_conversation(servers):
    mine, other = f"privacy-{uuid.uuid4().hex}", f"privacy-{uuid.uuid4().hex}"
    rest_says(servers, mine, PROFILE)
    rest_says(servers, other, PROFILE)
    before = rows(servers, f"rest:{mine}")
    assert before > 0

    [question] = rest_says(servers, mine, "Please delete my data")
    assert question["text"] == CONFIRM
    assert [button["title"] for button in question["buttons"]] == [YES, messages.text("forget_button_no")]
    assert rows(servers, f"rest:{mine}") == before  # the request itself is not stored

    assert joined(rest_says(servers, mine, question["buttons"][0]["payload"])) == DONE
    assert rows(servers, f"rest:{mine}") == 0
    assert rows(servers, f"rest:{other}") > 0

    # a new start: the assistant knows nothing of the deleted profile
    answer = joined(rest_says(servers, mine, "am I eligible?")).lower()
    assert "how old" in answer or "age" in answer


def test_no_keeps_everything_and_the_conversation_goes_on(servers):
    sender = f"privacy-{uuid.uuid4().hex}"
    rest_says(servers, sender, "am I eligible for the K visa?")
    before = rows(servers, f"rest:{sender}")
    rest_says(servers, sender, "forget me")
    assert joined(rest_says(servers, sender, "no")) == KEPT
    assert rows(servers, f"rest:{sender}") == before
    # the form's question is still open: an age answers it
    assert "degree" in joined(rest_says(servers, sender, "31")).lower()


def test_telegram_forget_command_and_the_yes_button_delete_the_chat(servers, telegram_api, channel_settings):
    chat = Telegram(servers, telegram_api, channel_settings)
    chat.say(PROFILE)
    assert rows(servers, f"tg:{chat.chat_id}") > 0
    sent = chat.say("/forget")
    assert CONFIRM in [message["text"] for message in sent]
    assert DONE in [message["text"] for message in chat.press(with_button(sent, YES), YES)]
    assert rows(servers, f"tg:{chat.chat_id}") == 0


def test_wechat_delete_my_data_is_confirmed_by_number(servers, platform, wechat_api_server):  # noqa: F811
    user = User(platform, wechat_api_server)
    user.say(PROFILE)
    assert rows(servers, f"wx:{user.openid}") > 0
    question = user.say("delete my data")
    assert CONFIRM.split("(")[0].strip() in question and f"1. {YES}" in question
    assert DONE in user.say("1")
    assert rows(servers, f"wx:{user.openid}") == 0


def web_conversations(servers):
    with sqlite3.connect(servers["db"]) as connection:
        return {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events "
                                                      "WHERE sender_id LIKE 'web:%'")}


def test_web_chat_delete_my_data(servers):
    before = web_conversations(servers)
    widget = Widget(servers)
    try:
        token = widget.session()
        widget.say(PROFILE, token)
        [conversation] = web_conversations(servers) - before
        question = widget.say("delete everything you know about me", token)
        assert question[-1]["text"] == CONFIRM
        assert question[-1]["quick_replies"][0]["title"] == YES
        assert widget.say(question[-1]["quick_replies"][0]["payload"], token)[-1]["text"] == DONE
        assert rows(servers, conversation) == 0
    finally:
        widget.close()


def test_the_tracker_store_file_is_readable_by_its_owner_only(servers):
    rest_says(servers, f"privacy-{uuid.uuid4().hex}", "hello")
    assert stat.S_IMODE(servers["db"].stat().st_mode) == 0o600
