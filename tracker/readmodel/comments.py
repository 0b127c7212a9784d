"""How the outputs word comments: 作品互动's two parts and the comments read.

One wording for the summary workbook's 说明 sheet and the report's data sources, so the two
never describe the same count differently.
"""

from __future__ import annotations

__all__ = ["PARTICIPATION_ABOUT_ZH", "comments_read_zh"]

PARTICIPATION_ABOUT_ZH = (
    "按活动通知的三类参与形式统计：发布内容、互动问答、作品互动。"
    "作品互动 = 转发活动作品 + 评论活动作品：名册账号转发活动作品、评论活动作品，每条计一次"
    "（同一条评论多次采集只计一次，回复按评论计），微博上带活动话题的评论在任何作品下都计入；"
    "被排除或已删除的作品上的转发与评论不计；点赞不记名，不计入。"
)


def comments_read_zh(comments: int, works: int) -> str:
    """The data-sources line of the comments read (评论 N 条，来自 M 个作品)."""
    return (
        f"已读取评论 {comments:,} 条，来自 {works:,} 个作品（评论与回复各计一次），"
        "用于统计作品互动和风险分的评论证据。"
    )
