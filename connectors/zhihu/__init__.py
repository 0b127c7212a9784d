"""Zhihu (知乎): signed search_v3, roundtable (圆桌) answers and details; ``parse`` is pure, ``client`` does I/O."""
