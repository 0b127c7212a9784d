"""腾讯新闻 / 企鹅号 (news.qq.com): article pages read by URL; the configured topics are the membership rule."""

from connectors.spec import PlatformSpec

SPEC = PlatformSpec(
    id="qqnews",
    name_zh="腾讯新闻",
    kind="article",
    hosts=("news.qq.com", "new.qq.com", "inews.qq.com", "xw.qq.com", "om.qq.com"),
    post_url="https://news.qq.com/rain/a/{post_id}",
    account_url="https://news.qq.com/{uid}",
    colour="#5C6BC0",
    aliases=("腾讯新闻", "企鹅号", "腾讯新闻/企鹅号"),
    resolve_url="connectors.qqnews.urls:work_ref",
    page_parser="connectors.qqnews.parse:parse_page",
    simulator="tracker.sim.articles:article_sim",
    base_url="https://news.qq.com",
    rate_per_s=1.0,
    membership="topic",
)
