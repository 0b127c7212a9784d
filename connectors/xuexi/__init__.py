"""学习强国 (xuexi.cn): article pages read by URL; the configured themes are the membership rule."""

from connectors.spec import PlatformSpec

SPEC = PlatformSpec(
    id="xuexi",
    name_zh="学习强国",
    kind="article",
    hosts=("xuexi.cn",),
    post_url="https://www.xuexi.cn/{post_id}",
    account_url="https://www.xuexi.cn/{uid}",
    colour="#8B0000",
    aliases=("学习强国",),
    resolve_url="connectors.xuexi.urls:work_ref",
    page_parser="connectors.xuexi.parse:parse_page",
    simulator="tracker.sim.articles:article_sim",
    base_url="https://www.xuexi.cn",
    rate_per_s=1.0,
    membership="theme",
)
