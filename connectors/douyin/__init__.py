"""Douyin: hashtag (challenge) aweme lists signed through the signer plug-in.

``parse`` holds the pure body -> record functions (web lists, detail, profile, search, and the
captured XHR and embedded item shapes) and ``ENDPOINTS``; ``client`` the live connector;
``signals`` the mapping of Douyin's disguised blocks to typed errors.
"""

from connectors.spec import Capabilities, PlatformSpec

SPEC = PlatformSpec(
    id="douyin",
    name_zh="抖音",
    kind="social",
    hosts=("douyin.com", "iesdouyin.com"),
    post_url="https://www.douyin.com/video/{post_id}",
    account_url="https://www.douyin.com/user/{uid}",
    colour="#161823",
    aliases=("抖音",),
    short_hosts=("v.douyin.com",),
    capture_names=("douyin.com", "douyin"),
    resolve_url="connectors.douyin.urls:work_ref",
    parser="connectors.douyin.parse",
    client="connectors.douyin.client:DouyinConnector",
    simulator="tracker.sim.platforms.douyin",
    base_url="https://www.douyin.com",
    rate_per_s=0.5,
    # Douyin's silent block is an empty 200 body: raise Blocked at once, never retry it as "no data".
    http={"empty_body_blocked": True},
    capabilities=Capabilities(
        listing_metrics=frozenset({"likes", "comments", "shares", "favorites"}),
        needs_signer=True,
        needs_cookie=True,
        page_size=100,  # challenge/aweme ``count`` is the configured page_size, uncapped (client.py)
        id_encodes_time=True,
    ),
)
