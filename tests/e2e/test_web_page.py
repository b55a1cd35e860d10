"""The web chat page (scripts/serve_web.py + web/) in headless Chromium, against the real servers that
tests/e2e/conftest.py starts: the widget talks to Rasa's socket.io channel, the verdict arrives as a card,
and the conversation survives a reload. Screenshots go to test-output/web/ (git-ignored).

The Chromium is Debian's (/usr/bin/chromium, scripts/install-debian-package.sh), driven by Playwright's Python API;
no browser is downloaded.
"""
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "web"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPLY_TIMEOUT = 60_000  # ms; the first turns of a fresh Rasa server load its models lazily
BOT_MESSAGES = ".rw-group-message.rw-from-response .rw-message"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class ChatPage:
    """One browser context (so its own localStorage, hence its own conversation) on the chat page."""

    def __init__(self, browser, url):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors, self.requested_hosts = [], set()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requested_hosts.add(urlsplit(request.url).hostname))
        self.url = url
        self.page.goto(url)

    def open_chat(self):
        self.page.click("[data-open-chat]")
        expect(self.page.locator(".rw-new-message")).to_be_visible()

    def bot_count(self):
        return self.page.locator(BOT_MESSAGES).count()

    def wait_for_bot(self, since, text):
        """Waits until a bot message after the first `since` ones contains `text`; returns their joined text."""
        self.page.wait_for_function(
            """([selector, since, text]) => Array.from(document.querySelectorAll(selector))
                 .slice(since).some(message => message.innerText.includes(text))""",
            arg=[BOT_MESSAGES, since, text], timeout=REPLY_TIMEOUT)
        # The widget shows the rest of the turn one message at a time, behind a typing indicator.
        expect(self.page.locator(".rw-typing-indication")).to_have_count(0, timeout=REPLY_TIMEOUT)
        return "\n".join(self.page.locator(BOT_MESSAGES).all_inner_texts()[since:])

    def say(self, text, expect_text):
        since = self.bot_count()
        box = self.page.locator(".rw-new-message")
        box.fill(text)
        box.press("Enter")
        return self.wait_for_bot(since, expect_text)

    def click_button(self, title, expect_text):
        since = self.bot_count()
        self.page.locator(".rw-reply", has_text=title).last.click()
        return self.wait_for_bot(since, expect_text)

    def cards(self):
        return self.page.locator(".kv-card")

    def shot(self, name, top_of=None):
        """A screenshot; with `top_of`, the chat is scrolled so that element starts at its top."""
        time.sleep(0.5)  # let the widget's own scroll-to-bottom finish first
        if top_of is not None:
            top_of.evaluate("element => element.scrollIntoView({block: 'start'})")
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))

    def close(self):
        self.context.close()


@pytest.fixture
def chat(browser, servers):
    page = ChatPage(browser, servers["web"] + "/")
    yield page
    page.close()
    assert page.errors == [], page.errors
    # Everything, the widget included, comes from this machine: nothing from a CDN.
    assert page.requested_hosts <= LOCAL_HOSTS, page.requested_hosts


def criteria_rows(card):
    rows = card.locator(".kv-criterion")
    return {rows.nth(i).get_attribute("data-criterion"): rows.nth(i) for i in range(rows.count())}


def test_page_says_what_the_assistant_is_and_where_official_notices_are(chat):
    page = chat.page
    expect(page).to_have_title(re.compile("K-visa assistant"))
    intro = page.locator(".intro").inner_text().replace("\xa0", " ")
    assert "young foreign science and technology talent" in intro and "1 October 2025" in intro
    expect(page.locator("#disclaimer")).to_contain_text("not legal advice")
    hosts = {urlsplit(href).hostname for href in
             page.locator("#official-sources a").evaluate_all("links => links.map(a => a.href)")}
    assert {"www.gov.cn", "www.nia.gov.cn", "www.mfa.gov.cn", "consular.mfa.gov.cn"} <= hosts, hosts
    chat.shot("01-page")


def test_step_by_step_with_a_button_then_a_correction_an_faq_and_a_reload(chat, servers):
    chat.open_chat()
    greeting = chat.wait_for_bot(0, "I'm the K-visa assistant")
    assert "1 October 2025" in greeting
    expect(chat.page.locator(".rw-reply", has_text="Am I eligible?")).to_be_visible()
    chat.shot("02-greeting")

    assert "How old are you" in chat.click_button("Am I eligible?", "How old are you")
    chat.say("29", "What is your highest degree?")
    expect(chat.page.locator(".rw-reply", has_text="Doctorate (PhD)")).to_be_visible()
    chat.click_button("Doctorate (PhD)", "What did you study?")
    chat.say("physics", "Which university")
    chat.say("ETH Zurich", "Anything else?")

    expect(chat.cards()).to_have_count(1)
    card = chat.cards().first
    assert card.get_attribute("data-verdict") == "likely_eligible"
    expect(card.locator(".kv-verdict")).to_have_text("Likely eligible")
    rows = criteria_rows(card)
    assert list(rows) == ["age", "degree", "field", "institution"]
    assert {name: row.get_attribute("data-result") for name, row in rows.items()} == {
        "age": "met", "degree": "met", "field": "met", "institution": "met"}
    assert "29" in rows["age"].inner_text() and "Reported, not official" in rows["age"].inner_text()
    assert "Physics" in rows["field"].inner_text() and "ETH Zurich" in rows["institution"].inner_text()
    expect(card.locator(".kv-caveats li")).to_have_count(3)
    expect(card.locator(".kv-caveats")).to_contain_text("not legal advice")
    card.locator(".kv-next-steps summary").click()
    expect(card.locator(".kv-next-steps li").first).to_be_visible()
    assert "{" not in card.inner_text()  # drawn, not dumped as JSON
    # The card replaces the verdict's text version (meant for text-only channels) instead of repeating it.
    assert "Based on policy data version" not in "\n".join(chat.page.locator(".rw-response").all_inner_texts())
    chat.shot("03-card-likely-eligible", top_of=card)

    chat.say("sorry, I'm actually 52", "Anything else?")
    expect(chat.cards()).to_have_count(2)
    corrected = chat.cards().last
    assert corrected.get_attribute("data-verdict") == "uncertain"
    expect(corrected.locator(".kv-verdict")).to_have_text("Uncertain")
    age = criteria_rows(corrected)["age"]
    assert age.get_attribute("data-result") == "uncertain" and "45" in age.inner_text()
    chat.shot("04-card-uncertain", top_of=corrected)

    answer = chat.say("what is the age limit?", "age figures are media reports only")
    assert "18–45" in answer and "unofficial" in answer
    chat.shot("05-faq-age-limit")

    token = chat.page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id")
    assert re.fullmatch(r"[0-9a-f]{32}\.[\w-]{43}", token), token  # made and signed by the server
    history = chat.page.locator(BOT_MESSAGES).count()
    chat.page.reload()
    chat.open_chat()
    expect(chat.cards()).to_have_count(2)
    assert chat.page.locator(BOT_MESSAGES).count() == history
    expect(chat.page.locator(".rw-from-client").filter(has_text="sorry, I'm actually 52")).to_have_count(1)
    chat.say("what is the age limit?", "age figures are media reports only")  # the reconnected socket is in the same conversation
    assert chat.page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id") == token
    chat.shot("06-after-reload")

    tracker = requests.get(f"{servers['base']}/conversations/web:{token.split('.')[0]}/tracker",
                           params={"token": servers["token"]}, timeout=30).json()
    assert tracker["slots"]["age"] == "52" and tracker["slots"]["institution"]
    # The greeting (init payload /greet) was sent once: a reload does not start a new conversation.
    greets = [e for e in tracker["events"] if e["event"] == "user" and e["text"] == "/greet"]
    assert len(greets) == 1


def test_full_profile_in_one_message_gives_the_card_directly(chat):
    chat.open_chat()
    chat.wait_for_bot(0, "I'm the K-visa assistant")
    chat.say("I'm 24 with a bachelor's in history from Harvard University, am I eligible?", "Anything else?")
    expect(chat.cards()).to_have_count(1)
    card = chat.cards().first
    assert card.get_attribute("data-verdict") == "not_eligible"
    expect(card.locator(".kv-verdict")).to_have_text("Not eligible")
    rows = criteria_rows(card)
    assert len(rows) == 4 and rows["field"].get_attribute("data-result") == "not_met"
    assert "not a STEM field" in rows["field"].inner_text()
    expect(card.locator(".kv-next-steps")).to_have_count(0)  # no application steps when not eligible
    chat.shot("07-card-not-eligible", top_of=card)


# --- scripts/serve_web.py on its own (no Rasa needed) ---------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def web_server():
    port = free_port()
    env = dict(os.environ, WEB_PORT=str(port), WEB_HOST="127.0.0.1", RASA_PORT="5999",
               RASA_PUBLIC_URL="https://chat.example.org")
    process = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "serve_web.py")], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)


def raw_get(port, path):
    """GET with the path sent exactly as written (no client-side normalisation of dot segments)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.getheader("Content-Type"), body


@pytest.mark.parametrize("path", [
    "/../README.md", "/%2e%2e/credentials.yml", "/..%2fcredentials.yml", "/web/../credentials.yml",
    "//etc/passwd", "/package.json", "/package-lock.json", "/node_modules/rasa-webchat/lib/index.js",
    "/vendor/../index.html", "/nothing-here.js", "/index.html/",
])
def test_serve_web_refuses_paths_outside_its_table(web_server, path):
    status, _, body = raw_get(web_server, path)
    assert status == 404
    assert b"credentials" not in body and b"rasa-webchat" not in body


def test_serve_web_serves_the_page_and_the_bundle_with_their_types(web_server):
    status, content_type, body = raw_get(web_server, "/")
    assert status == 200 and content_type.startswith("text/html") and b"K-visa assistant" in body
    status, content_type, body = raw_get(web_server, "/vendor/rasa-webchat.js?v=1")
    assert status == 200 and content_type.startswith("text/javascript")
    bundle = (ROOT / "web" / "node_modules" / "rasa-webchat" / "lib" / "index.js").read_bytes()
    assert b"fonts.googleapis.com" in bundle and b"fonts.googleapis.com" not in body  # its remote CSS import
    assert len(bundle) - len(body) < 1000 and body.startswith(bundle[:1000])
    status, content_type, _ = raw_get(web_server, "/chat.css")
    assert status == 200 and content_type.startswith("text/css")
    response = requests.head(f"http://127.0.0.1:{web_server}/", timeout=10)
    assert response.status_code == 200 and "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_serve_web_tells_the_page_where_rasa_is(web_server):
    status, content_type, body = raw_get(web_server, "/config.js")
    assert status == 200 and content_type.startswith("text/javascript")
    assert b'"socketUrl": "https://chat.example.org"' in body and b'"rasaPort": 5999' in body


def test_serve_web_stops_on_a_public_url_with_a_path():
    env = dict(os.environ, WEB_PORT=str(free_port()), RASA_PUBLIC_URL="https://chat.example.org/rasa")
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "serve_web.py")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "RASA_PUBLIC_URL must be an origin" in result.stderr
