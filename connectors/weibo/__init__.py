"""Weibo (微博): m.weibo.cn search/topic containers and weibo.com ajax; ``parse`` is pure, ``client`` does I/O."""

from connectors.spec import Capabilities, PlatformSpec

SPEC = PlatformSpec(
    id="weibo",
    name_zh="微博",
    kind="social",
    hosts=("weibo.com", "weibo.cn"),
    post_url="https://m.weibo.cn/detail/{post_id}",
    account_url="https://weibo.com/u/{uid}",
    colour="#E6162D",
    aliases=("微博", "新浪微博"),
    resolve_url="connectors.weibo.urls:work_ref",
    parser="connectors.weibo.parse",
    client="connectors.weibo.client:WeiboConnector",
    simulator="tracker.sim.platforms.weibo",
    base_url="https://m.weibo.cn",
    rate_per_s=0.5,
    # Weibo answers 418/432 when it throttles; they are retried like 429. Long texts and
    # refreshes are read from weibo.com, which needs the same cookie as m.weibo.cn.
    http={"throttle_statuses": frozenset({418, 432}), "cookie_domains": ("weibo.com",)},
    capabilities=Capabilities(
        listing_metrics=frozenset({"likes", "comments", "shares"}),
        needs_cookie=True,
        page_size=10,  # m.weibo.cn getIndex pages are fixed at 10 (connectors/weibo/client.py)
        page_size_fixed=True,
        id_encodes_time=True,
    ),
)
