"""科普中国 (kepuchina.cn): article pages read by URL; the campaign tag in the text is the membership rule."""

from connectors.spec import PlatformSpec

SPEC = PlatformSpec(
    id="kepuchina",
    name_zh="科普中国",
    kind="article",
    hosts=("kepuchina.cn",),
    post_url="https://www.kepuchina.cn/{post_id}",
    account_url="https://www.kepuchina.cn/{uid}",
    colour="#2E7D32",
    aliases=("科普中国",),
    resolve_url="connectors.kepuchina.urls:work_ref",
    page_parser="connectors.kepuchina.parse:parse_page",
    simulator="tracker.sim.articles:article_sim",
    base_url="https://www.kepuchina.cn",
    rate_per_s=1.0,
    membership="tag",
)
