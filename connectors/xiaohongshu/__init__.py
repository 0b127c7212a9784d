"""Xiaohongshu (小红书): signed web search + note detail; ``parse`` is pure, ``client`` does I/O."""

from connectors.spec import Capabilities, PlatformSpec

SPEC = PlatformSpec(
    id="xiaohongshu",
    name_zh="小红书",
    kind="social",
    hosts=("xiaohongshu.com", "rednote.com"),
    post_url="https://www.xiaohongshu.com/explore/{post_id}",
    account_url="https://www.xiaohongshu.com/user/profile/{uid}",
    colour="#7B1FA2",
    aliases=("小红书",),
    short_hosts=("xhslink.com",),
    capture_names=("xiaohongshu.com", "xiaohongshu", "rednote.com", "rednote"),
    resolve_url="connectors.xiaohongshu.urls:work_ref",
    parser="connectors.xiaohongshu.parse",
    client="connectors.xiaohongshu.client:XiaohongshuConnector",
    simulator="tracker.sim.platforms.xiaohongshu",
    base_url="https://edith.xiaohongshu.com",
    rate_per_s=0.3,
    capabilities=Capabilities(
        listing_followers=False,
        listing_time=False,
        listing_metrics=frozenset({"likes"}),
        needs_signer=True,
        needs_cookie=True,
        page_size=20,  # search/notes ``page_size`` is capped at PLATFORM_PAGE_SIZE = 20 (client.py)
        id_encodes_time=True,
    ),
)
