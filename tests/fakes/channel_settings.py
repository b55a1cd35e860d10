"""Made-up channel credentials for a server started against the fake platform APIs: Telegram, and WeChat in
safe mode with the customer-service API. Used by the end-to-end tests and the channel benchmark."""
from __future__ import annotations

import base64
import os
import uuid
from typing import Dict

from tests.fakes import telegram_bot_api


def made_up(rasa_base_url: str, telegram_api_url: str, wechat_api_url: str,
            bot_name: str = "kvisa_test_bot") -> Dict[str, str]:
    return {
        "TELEGRAM_TOKEN": f"{telegram_bot_api.BOT_ID}:{uuid.uuid4().hex}",
        "TELEGRAM_BOT_NAME": bot_name,
        "TELEGRAM_WEBHOOK_URL": f"{rasa_base_url}/webhooks/telegram/webhook",
        "TELEGRAM_SECRET_TOKEN": uuid.uuid4().hex,
        "TELEGRAM_API_URL": telegram_api_url,
        "WECHAT_TOKEN": uuid.uuid4().hex[:16],
        "WECHAT_APPID": "wx" + uuid.uuid4().hex[:16],
        "WECHAT_SECRET": uuid.uuid4().hex,
        "WECHAT_AES_KEY": base64.b64encode(os.urandom(32)).decode().rstrip("="),
        "WECHAT_API_URL": wechat_api_url,
    }
