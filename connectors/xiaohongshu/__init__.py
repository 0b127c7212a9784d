"""Xiaohongshu (小红书): signed web search + note detail; ``parse`` is pure, ``client`` does I/O."""
