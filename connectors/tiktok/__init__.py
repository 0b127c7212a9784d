"""TikTok: parse half only, for Zeeschuimer captures (there is no live TikTok connector)."""

from connectors.spec import PlatformSpec

SPEC = PlatformSpec(
    id="tiktok",
    name_zh="TikTok",
    kind="capture",
    hosts=("tiktok.com",),
    post_url="https://www.tiktok.com/@_/video/{post_id}",
    account_url="https://www.tiktok.com/@{uid}",
    colour="#00A99D",
    aliases=("tiktok",),
    capture_names=("tiktok.com", "tiktok"),
    resolve_url="connectors.tiktok.urls:work_ref",
    parser="connectors.tiktok.parse",
    membership=None,
)
