"""Zhihu (知乎): signed search_v3, roundtable (圆桌) answers and details; ``parse`` is pure, ``client`` does I/O."""

from connectors.spec import Capabilities, PlatformSpec

SPEC = PlatformSpec(
    id="zhihu",
    name_zh="知乎",
    kind="social",
    hosts=("zhihu.com",),
    post_url="https://www.zhihu.com/answer/{post_id}",
    account_url="https://www.zhihu.com/people/{uid}",
    colour="#0066FF",
    aliases=("知乎",),
    resolve_url="connectors.zhihu.urls:work_ref",
    parser="connectors.zhihu.parse",
    client="connectors.zhihu.client:ZhihuConnector",
    simulator="tracker.sim.platforms.zhihu",
    base_url="https://www.zhihu.com",
    rate_per_s=0.5,
    membership="roundtable",
    capabilities=Capabilities(
        listing_metrics=frozenset({"likes", "comments"}),
        needs_signer=True,
        needs_cookie=True,
        page_size=20,  # search_v3/answers ``limit`` is capped at MAX_LIMIT = 20 (client.py)
    ),
)
