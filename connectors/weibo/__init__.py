"""Weibo (微博): m.weibo.cn search/topic containers and weibo.com ajax; ``parse`` is pure, ``client`` does I/O."""
