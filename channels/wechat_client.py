"""The WeChat customer-service message API (客服消息), used to send answers that were not ready within WeChat's
5-second window, or did not fit in one passive reply. Built on wechatpy's WeChatClient, with the base URL taken
from the settings (the real API or a fake) and a token refresh that retries once instead of recursing."""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Text

from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.weixin.qq.com"
# invalid credential (token revoked, e.g. fetched again elsewhere), invalid token, expired token
TOKEN_ERRORS = {40001, 40014, 42001}


class _Client(WeChatClient):
    """WeChatClient with a configurable base URL (wechatpy hard-codes api.weixin.qq.com for /cgi-bin/token)
    and a lock so that concurrent sends fetch the access token once."""

    def __init__(self, appid: Text, secret: Text, api_url: Text, timeout: float):
        super().__init__(appid, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = api_url.rstrip("/") + "/cgi-bin/"  # instance attribute shadows the class one
        self._token_lock = threading.RLock()

    def fetch_access_token(self):
        # wechatpy's own fetch has no timeout; same steps with one
        response = self._http.get(self.API_BASE_URL + "token", timeout=self.timeout, params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        response.raise_for_status()
        result = response.json()
        if result.get("errcode"):
            raise WeChatClientException(result["errcode"], result.get("errmsg"), client=self,
                                        request=response.request, response=response)
        expires_in = int(result.get("expires_in", 7200))
        self.session.set(self.access_token_key, result["access_token"], expires_in)
        self.expires_at = int(time.time()) + expires_in
        return result

    @property
    def access_token(self) -> Text:
        # wechatpy caches the token and fetches a new one 60 s before it expires
        with self._token_lock:
            return WeChatClient.access_token.fget(self)

    def refresh_access_token(self, rejected: Text) -> None:
        with self._token_lock:
            if self.session.get(self.access_token_key) == rejected:  # not already refreshed by another send
                self.fetch_access_token()


class CustomerServiceClient:
    def __init__(self, appid: Text, secret: Text, api_url: Text = DEFAULT_API_URL, timeout: float = 10.0):
        self._client = _Client(appid, secret, api_url, timeout)
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wechat-cs")

    async def send_text(self, openid: Text, text: Text) -> None:
        """Sends one text message; raises WeChatClientException (or a requests error) when WeChat refuses."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self._send_text, openid, text)

    def _send_text(self, openid: Text, text: Text) -> None:
        token = self._client.access_token
        try:
            self._client.message.send_text(openid, text)
        except WeChatClientException as error:
            if error.errcode not in TOKEN_ERRORS:
                raise
            logger.info("WeChat refused the access token (errcode %s); fetching a new one", error.errcode)
            self._client.refresh_access_token(token)
            self._client.message.send_text(openid, text)
