"""Chinese names and texts for the simulated world.

Everything here is a pure function of a ``random.Random`` the caller seeded, so a post or an
account regenerates identically from the world seed without being stored. The vocabularies are
small on purpose: the simulator needs plausible, varied text for parsers and dashboards, not
literature, and a small vocabulary keeps generation to a few microseconds.
"""

from __future__ import annotations

from tracker.sim.prng import Rand

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力兰春梅琳晶宇浩凯鹏飞鑫波斌宁欣怡佳思"
    "雨嘉晨晓颖婷瑶子涵梓轩博雅睿哲昊然俊逸家豪志远海燕立新永清国庆少华振宏晓东"
)
SYLLABLES = (
    "an", "bo", "chen", "da", "fei", "gang", "hao", "hui", "jia", "jing", "kai", "lei", "li",
    "lin", "ming", "na", "ning", "peng", "qing", "rui", "shan", "tao", "wei", "xin", "xiao",
    "yang", "yu", "yun", "zhe", "zhi",
)  # fmt: skip
"""Latin syllables for handles (Zhihu url_token, nicknames)."""

NICK_PREFIXES = (
    "科普", "科学", "物理", "化学", "天文", "地理", "生物", "医学", "气象", "海洋", "航天", "数学",
    "机器人", "自然", "昆虫", "植物", "恐龙", "地震", "营养", "心理",
)  # fmt: skip
NICK_SUFFIXES = (
    "小课堂", "君", "研究所", "日记", "实验室", "达人", "小站", "笔记", "百科", "那些事", "一分钟",
    "酱", "老师", "博士", "频道", "星球",
)  # fmt: skip
NICK_ADJECTIVES = ("好奇的", "爱折腾的", "认真的", "快乐的", "不正经的", "硬核", "温柔的", "较真的")
NICK_NOUNS = ("猫头鹰", "企鹅", "星星", "小熊", "海豚", "萤火虫", "蒲公英", "橘子", "蘑菇", "鲸鱼")

TOPICS = (
    "黑洞", "台风", "量子计算", "红树林", "北斗导航", "疫苗", "地震预警", "人工智能", "大模型",
    "新能源汽车", "锂电池", "珠江口湿地", "中华白海豚", "回南天", "登革热", "食品安全",
    "深海探测", "嫦娥六号", "天宫空间站", "芯片", "5G通信", "垃圾分类", "碳中和", "海上风电",
    "荔枝保鲜", "骑楼建筑", "南岭森林", "雷电", "暴雨", "溺水急救", "心肺复苏", "近视防控",
    "睡眠", "肠道菌群", "基因编辑", "超导", "可控核聚变", "大湾区大桥", "高铁", "无人机",
    "虫洞", "彗星", "极光", "火山", "珊瑚礁", "候鸟迁徙", "蚊子", "蟑螂", "盐碱地水稻", "早茶",
)  # fmt: skip
TITLE_TEMPLATES = (
    "一分钟看懂{t}",
    "{t}到底是怎么回事？",
    "科学家带你揭秘{t}",
    "关于{t}，你可能一直都想错了",
    "3个冷知识带你认识{t}",
    "{t}背后的科学原理",
    "听专家讲{t}",
    "实验来了！亲手验证{t}",
    "孩子问我{t}，我这样回答",
    "从{t}说起：身边的科学",
    "{t}科普｜看完秒懂",
    "【科普】{t}的前世今生",
)
SENTENCES = (
    "今天和大家聊聊{t}。",
    "很多人以为{t}离我们很远，其实它就在身边。",
    "我们查阅了最新的研究资料，用最简单的话讲清楚{t}。",
    "看完这条，下次再遇到{t}就不慌了。",
    "欢迎在评论区说说你对{t}的看法。",
    "本期内容由一线科研人员审核。",
    "关注我们，每周一个科学小知识。",
    "转发给身边需要的人吧！",
    "数据来源已在文末注明，欢迎指正。",
    "全国科普日就在九月，一起来学科学、用科学。",
)
REPOST_COMMENTS = ("转发微博", "学到了！", "涨知识了", "推荐大家看看", "太有用了，转！", "支持科普")

COMMENT_TEMPLATES = (
    "学到了！",
    "讲得太清楚了，原来{t}是这样",
    "收藏了，慢慢看",
    "求出下一期，想多了解{t}",
    "转给孩子看看",
    "{t}真的太神奇了",
    "第一次知道{t}还有这么多门道",
    "支持科普！",
    "涨知识了",
    "请问{t}和我们日常生活有什么关系？",
    "说得好，{t}要多普及",
    "评论区有懂{t}的吗？",
    "已三连，期待更多{t}的内容",
    "我们学校上周刚讲过{t}",
)
REPLY_TEMPLATES = (
    "同问",
    "谢谢解答！",
    "确实",
    "我也是这么想的",
    "哈哈哈哈",
    "补充一点：查资料要看权威来源",
    "赞同楼上",
    "说得对",
    "这个问题好",
    "谢谢关注，下期安排！",
)
LOCKSTEP_TEMPLATES = (
    "支持{t}科普！大家快来看，太棒了！",
    "强烈推荐这个{t}作品，必须点赞！",
    "{t}讲得最好的一期，顶上去！",
)
EMOTICONS: dict[str, tuple[str, ...]] = {
    "weibo": ("[笑cry]", "[赞]", "[doge]", "[心]"),
    "douyin": ("[赞]", "[比心]", "[呲牙]"),
    "kuaishou": ("[赞]", "[玫瑰]"),
    "zhihu": ("[赞同]", "[惊喜]"),
    "bilibili": ("[doge]", "[妙啊]", "[笑哭]"),
    "xiaohongshu": ("[赞R]", "[哇R]", "[派对R]"),
}
"""Emoticon codes as each platform writes them in comment text (Weibo renders them as images)."""

XSS_PAYLOAD = "<img src=x onerror=alert(1)>"
"""Planted in a few titles so dashboard tests can prove titles are escaped."""


def person_name(rng: Rand) -> str:
    """A two- or three-character personal name."""
    given = rng.choice(GIVEN_CHARS)
    if rng.random() < 0.7:
        given += rng.choice(GIVEN_CHARS)
    return rng.choice(SURNAMES) + given


def nickname(rng: Rand) -> str:
    """A creator's display name in one of the styles seen on Chinese platforms."""
    style = rng.random()
    if style < 0.35:
        return rng.choice(NICK_PREFIXES) + rng.choice(NICK_SUFFIXES)
    if style < 0.55:
        return rng.choice(NICK_ADJECTIVES) + rng.choice(NICK_NOUNS)
    if style < 0.75:
        return person_name(rng) + rng.choice(("讲科普", "老师", "博士", "医生", "工程师"))
    if style < 0.9:
        return person_name(rng)
    return rng.choice(NICK_PREFIXES) + rng.choice(NICK_NOUNS) + str(rng.randrange(1, 999))


def handle(rng: Rand) -> str:
    """A Latin handle prefix such as ``li-ming`` (the caller appends a unique suffix)."""
    return "-".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3))))


def title(rng: Rand, topic: str | None = None) -> str:
    return rng.choice(TITLE_TEMPLATES).format(t=topic or rng.choice(TOPICS))


def body(rng: Rand, topic: str, sentences: int) -> str:
    """``sentences`` sentences about ``topic`` (repeats allowed, so any length can be reached)."""
    return "".join(rng.choice(SENTENCES).format(t=topic) for _ in range(sentences))


def repost_comment(rng: Rand) -> str:
    return rng.choice(REPOST_COMMENTS)


# --- tag spellings ------------------------------------------------------------------------------

CAMPAIGN_SPELLINGS: dict[str, tuple[tuple[str, float], ...]] = {
    "weibo": (
        ("#千万IP创科普#", 0.6),
        ("#千万ip创科普#", 0.1),
        ("＃千万ＩＰ创科普＃", 0.1),
        ("#千万 IP 创科普#", 0.1),
        ("#千萬IP創科普#", 0.1),
    ),
    "douyin": (("#千万ip创科普", 0.5), ("#千万IP创科普", 0.4), ("＃千万ＩＰ创科普", 0.1)),
    "kuaishou": (("#千万IP创科普", 0.6), ("#千万ip创科普", 0.3), ("＃千万IP创科普", 0.1)),
    "zhihu": (("#千万IP创科普#", 0.8), ("＃千万ＩＰ创科普＃", 0.2)),
    "bilibili": (("千万IP创科普", 0.6), ("千万ip创科普", 0.2), ("千萬IP創科普", 0.2)),
    "xiaohongshu": (("#千万IP创科普[话题]#", 0.8), ("#千万ip创科普[话题]#", 0.2)),
}
"""How authors on each platform actually type the campaign tag (all share one ``tag_key``)."""


def _weighted(rng: Rand, options: tuple[tuple[str, float], ...]) -> str:
    u = rng.random()
    for value, weight in options:
        u -= weight
        if u < 0:
            return value
    return options[-1][0]


def spell_tag(platform: str, tag: str, rng: Rand, *, campaign: bool) -> str:
    """The raw spelling of ``tag`` as a structured hashtag on ``platform``.

    Weibo and Zhihu enclose topics (``#x#``), Douyin and Kuaishou open them (``#x``),
    Xiaohongshu adds its ``[话题]`` marker, Bilibili tags carry no ``#`` at all.
    """
    if campaign and platform in CAMPAIGN_SPELLINGS:
        return _weighted(rng, CAMPAIGN_SPELLINGS[platform])
    if platform in ("douyin", "kuaishou"):
        return f"#{tag}"
    if platform == "xiaohongshu":
        return f"#{tag}[话题]#"
    if platform == "bilibili":
        return tag
    return f"#{tag}#"


def tags_in_text(platform: str, hashtags: tuple[str, ...]) -> str:
    """How the hashtags appear inline in the text (Bilibili writes them ``#x#`` in the desc)."""
    if platform == "bilibili":
        return " ".join(f"#{t}#" for t in hashtags)
    return " ".join(hashtags)


def comment_text(rng: Rand, platform: str, topic: str, *, reply: bool) -> str:
    """A comment (or reply) as a viewer would type it, sometimes with the platform's emoticon."""
    templates = REPLY_TEMPLATES if reply else COMMENT_TEMPLATES
    text = rng.choice(templates).format(t=topic)
    codes = EMOTICONS.get(platform, ())
    if codes and rng.random() < 0.3:
        text += rng.choice(codes)
    return text


def lockstep_text(rng: Rand, topic: str) -> str:
    """The one text every account of a coordinated push posts under a work."""
    return rng.choice(LOCKSTEP_TEMPLATES).format(t=topic)
