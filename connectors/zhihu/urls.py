"""Zhihu work URLs (answers, 专栏 articles, zvideos) -> the work's numeric id."""

from __future__ import annotations

from connectors.workref import WorkRef, WorkUrlError, host_of, path_segments

__all__ = ["work_ref"]


def work_ref(url: str) -> WorkRef:
    segs = path_segments(url)
    host = host_of(url)
    if host.startswith("zhuanlan.") and len(segs) >= 2 and segs[0] == "p" and segs[1].isdigit():
        return WorkRef(
            "zhihu", segs[1], f"https://zhuanlan.zhihu.com/p/{segs[1]}", content_type="article"
        )
    if len(segs) >= 4 and segs[0] == "question" and segs[2] == "answer" and segs[3].isdigit():
        qid, aid = segs[1], segs[3]
        return WorkRef(
            "zhihu",
            aid,
            f"https://www.zhihu.com/question/{qid}/answer/{aid}",
            content_type="answer",
            context={"question_id": qid},
        )
    if len(segs) >= 2 and segs[0] == "answer" and segs[1].isdigit():
        return WorkRef(
            "zhihu", segs[1], f"https://www.zhihu.com/answer/{segs[1]}", content_type="answer"
        )
    if len(segs) >= 2 and segs[0] == "zvideo" and segs[1].isdigit():
        return WorkRef(
            "zhihu", segs[1], f"https://www.zhihu.com/zvideo/{segs[1]}", content_type="video"
        )
    if segs[:1] == ["question"]:
        raise WorkUrlError(
            "这是知乎问题页，不是回答；请提交回答链接（…/question/<id>/answer/<id>）"
        )
    raise WorkUrlError("知乎链接应为回答、专栏文章或视频（answer / zhuanlan / zvideo）")
