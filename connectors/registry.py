"""The explicit registry of live connectors: platform id -> connector class.

Explicit on purpose (not discovered): a test checks every live platform is here, and a typo in a
config file fails with the list of known platforms instead of silently collecting nothing.
Classes are imported lazily so one platform's import problem cannot stop the others.
"""

from __future__ import annotations

import importlib
from typing import Any

from connectors.base import Connector
from tracker.errors import ConfigError

CONNECTORS: dict[str, str] = {
    "weibo": "connectors.weibo.client:WeiboConnector",
    "bilibili": "connectors.bilibili.client:BilibiliConnector",
    "zhihu": "connectors.zhihu.client:ZhihuConnector",
    "douyin": "connectors.douyin.client:DouyinConnector",
    "kuaishou": "connectors.kuaishou.client:KuaishouConnector",
    "xiaohongshu": "connectors.xiaohongshu.client:XiaohongshuConnector",
}

HTTP_DEFAULTS: dict[str, dict[str, Any]] = {
    # Weibo answers 418/432 when it throttles; they are retried like 429. Long texts and
    # refreshes are read from weibo.com, which needs the same cookie as m.weibo.cn.
    "weibo": {"throttle_statuses": frozenset({418, 432}), "cookie_domains": ("weibo.com",)},
    # Douyin's silent block is an empty 200 body: raise Blocked at once, never retry it as "no data".
    "douyin": {"empty_body_blocked": True},
}
"""Platform facts the HTTP layer needs, merged under the configured settings."""


def connector_class(platform: str) -> type[Connector]:
    try:
        target = CONNECTORS[platform]
    except KeyError:
        raise ConfigError(
            f"没有 {platform!r} 的采集连接器；可选: {', '.join(CONNECTORS)}"
        ) from None
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    cls = getattr(module, attr)
    if not (isinstance(cls, type) and issubclass(cls, Connector)):  # pragma: no cover
        raise TypeError(f"{target} is not a Connector")
    return cls
