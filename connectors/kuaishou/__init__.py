"""Kuaishou (快手): signed REST search with a GraphQL fallback; ``parse`` is pure, ``client`` does I/O."""

from connectors.spec import Capabilities, PlatformSpec

SPEC = PlatformSpec(
    id="kuaishou",
    name_zh="快手",
    kind="social",
    hosts=("kuaishou.com", "gifshow.com", "chenzhongtech.com"),
    post_url="https://www.kuaishou.com/short-video/{post_id}",
    account_url="https://www.kuaishou.com/profile/{uid}",
    colour="#FF7A00",
    aliases=("快手",),
    short_hosts=("v.kuaishou.com",),
    resolve_url="connectors.kuaishou.urls:work_ref",
    parser="connectors.kuaishou.parse",
    client="connectors.kuaishou.client:KuaishouConnector",
    simulator="tracker.sim.platforms.kuaishou",
    base_url="https://www.kuaishou.com",
    rate_per_s=0.5,
    capabilities=Capabilities(
        listing_followers=False,
        listing_metrics=frozenset({"views", "likes"}),
        needs_signer=True,
        needs_cookie=True,
        page_size=20,  # search pages are fixed at PLATFORM_PAGE_SIZE = 20 (client.py)
        page_size_fixed=True,
    ),
)
