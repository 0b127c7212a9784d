"""Bilibili: WBI-signed video search (pure Python signing) and ``view/detail`` for followers.

``parse`` holds the pure body -> record functions and ``ENDPOINTS``; ``client`` the live
connector; ``wbi`` the signature; ``ids`` the ``av``/``BV`` id conversion.
"""

from connectors.spec import Capabilities, PlatformSpec

SPEC = PlatformSpec(
    id="bilibili",
    name_zh="哔哩哔哩",
    kind="social",
    hosts=("bilibili.com", "b23.tv"),
    post_url="https://www.bilibili.com/video/{post_id}",
    account_url="https://space.bilibili.com/{uid}",
    colour="#FB7299",
    aliases=("b站", "哔哩哔哩", "bilibili"),
    short_hosts=("b23.tv", "bili2233.cn"),
    resolve_url="connectors.bilibili.urls:work_ref",
    parser="connectors.bilibili.parse",
    client="connectors.bilibili.client:BilibiliConnector",
    simulator="tracker.sim.platforms.bilibili",
    base_url="https://api.bilibili.com",
    rate_per_s=1.0,
    capabilities=Capabilities(
        listing_followers=False,
        listing_metrics=frozenset({"views", "likes", "comments", "favorites"}),
        needs_cookie=True,
        page_size=100,  # search ``page_size`` is the configured one, uncapped (client.py)
    ),
)
