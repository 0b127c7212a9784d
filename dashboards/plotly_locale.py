"""Chinese tooltips and date names for plotly's chart toolbar.

plotly.js speaks English unless a locale is registered, and the Python plotly package ships no
locale files (only the library itself), so the strings staff can meet are translated here: the
toolbar buttons, the notices while a PNG is saved, the hints on double-click, and the month and
weekday names of date axes. ``PLOTLY_LOCALE_JS`` registers them as ``zh-CN`` whether it runs
before plotly.js loads (the dashboard loads plotly.js asynchronously; plotly.js picks up
``window.PlotlyLocales`` when it starts) or after it (the report inlines plotly.js first). The
report inlines the script once; the dashboard serves the same text from ``assets/``.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["PLOTLY_LOCALE", "PLOTLY_LOCALE_JS", "ZH_CN"]

PLOTLY_LOCALE = "zh-CN"

_DICTIONARY: dict[str, str] = {
    # toolbar buttons
    "Autoscale": "自动缩放",
    "Box Select": "框选",
    "Compare data on hover": "悬停时比较各系列数据",
    "Download plot": "下载图片",
    "Download plot as a PNG": "下载为 PNG 图片",
    "Download plot as JSON": "下载为 JSON 文件",
    "Lasso Select": "套索选择",
    "Orbital rotation": "环绕旋转",
    "Pan": "平移",
    "Reset": "重置",
    "Reset axes": "重置坐标轴",
    "Reset camera to default": "镜头恢复默认",
    "Reset camera to last save": "镜头恢复上次保存",
    "Reset view": "重置视图",
    "Reset views": "重置视图",
    "Show closest data on hover": "悬停时显示最近的数据",
    "Toggle Spike Lines": "显示/隐藏辅助线",
    "Toggle show closest data on hover": "切换悬停显示最近数据",
    "Turntable rotation": "转台旋转",
    "Zoom": "缩放",
    "Zoom in": "放大",
    "Zoom out": "缩小",
    # notices and hints
    "Preparing image - this may take a few seconds": "正在生成图片，请稍候…",
    "Image download succeeded": "图片已下载",
    "Sorry, there was a problem downloading your image!": "图片下载失败，请重试。",
    "JSON download succeeded": "JSON 文件已下载",
    "Sorry, there was a problem downloading your JSON file!": "JSON 文件下载失败，请重试。",
    "Double-click to zoom back out": "双击恢复原始大小",
    "Double-click on legend to isolate one trace": "双击图例可只看该系列",
    "Produced with Plotly.js": "由 Plotly.js 绘制",
    "trace": "系列",
}

_FORMAT: dict[str, Any] = {
    "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    "months": [f"{m}月" for m in "一 二 三 四 五 六 七 八 九 十 十一 十二".split()],
    "shortMonths": [f"{m}月" for m in range(1, 13)],
    "date": "%Y-%m-%d",
    "decimal": ".",
    "thousands": ",",
}

ZH_CN: dict[str, Any] = {
    "moduleType": "locale",
    "name": PLOTLY_LOCALE,
    "dictionary": _DICTIONARY,
    "format": _FORMAT,
}

PLOTLY_LOCALE_JS = (
    "/* plotly.js toolbar in Chinese (zh-CN); registered before or after plotly.js loads. */\n"
    "(function () {\n"
    f"  var locale = {json.dumps(ZH_CN, ensure_ascii=False, separators=(',', ':'))};\n"
    "  if (window.Plotly && typeof window.Plotly.register === 'function') {\n"
    "    window.Plotly.register(locale);\n"
    "  } else {\n"
    "    window.PlotlyLocales = window.PlotlyLocales || [];\n"
    "    window.PlotlyLocales.push(locale);\n"
    "  }\n"
    "})();\n"
)
