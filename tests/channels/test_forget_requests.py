"""Which messages ask to delete the user's data, and which answer the confirmation (channels/forget.yml)."""
import pytest

from channels import forget_requests
from channels.forget_requests import NO, YES


@pytest.mark.parametrize("text", [
    "delete my data", "Please delete my data!!", "pls erase everything you know about me",
    "can you remove my information?", "forget me", "Forget everything I told you", "/forget", "/Forget",
    "I want you to wipe my profile", "delete this conversation", "remove my answers please 🙏",
    "Right to be forgotten", "GDPR request: erase my details", "delete me",
])
def test_requests_to_delete_are_recognised(text):
    assert forget_requests.is_request(text)


@pytest.mark.parametrize("text", [
    "how long do you keep my data?", "what data do you store about me", "I have a degree in data science",
    "forget it", "never mind, forget it", "am I eligible?", "I'm 29 with a PhD in physics from ETH",
    "I deleted my old email, can I still apply?", "",
    # a long story that mentions deleting something is a story, not a request
    "I worked at a company where I had to delete all the customer data every month, then I did a master's in "
    "computer science, am I eligible for the K visa?",
])
def test_other_messages_are_not_requests(text):
    assert not forget_requests.is_request(text)


@pytest.mark.parametrize("text, expected", [
    ("yes", YES), ("Yes, delete it", YES), ("ok", YES), ("sure!", YES), ("/forget_confirm", YES),
    ("no", NO), ("No, keep it", NO), ("nope", NO), ("cancel", NO), ("don't", NO), ("/forget_cancel", NO),
    ("how much does it cost?", None), ("I'm 29", None), ("", None),
])
def test_answers_to_the_confirmation(text, expected):
    assert forget_requests.answer(text) == expected


def test_the_buttons_send_the_commands_that_answer_the_confirmation():
    commands = forget_requests.first_commands()
    assert forget_requests.answer(commands["yes"]) == YES
    assert forget_requests.answer(commands["no"]) == NO
