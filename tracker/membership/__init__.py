"""Campaign membership beyond the tag: rules per platform, manual decisions, participation forms.

The campaign notice lets each platform take part its own way (Zhihu through a roundtable, 腾讯新闻
through a topic page, 学习强国 through a related theme, the rest by the tag) and names three forms
of participation (publishing works, asking/answering questions, interacting with works). This
package turns those into links with a recorded reason (``post_campaign.matched_by``), human
corrections that later runs respect, and per-account / per-unit / per-city participation counts.

- :mod:`tracker.membership.rules`: the rules of each campaign, labels, and a linker that applies
  every rule a single record can decide;
- :mod:`tracker.membership.topics`: 腾讯新闻 专题 pages (parsed; read as a run by
  :mod:`tracker.services.topics`) and 学习强国 theme matching;
- :mod:`tracker.membership.manual`: ``include`` / ``exclude`` with note, person and time;
- :mod:`tracker.membership.participation`: the three forms per account, unit and city.
"""
