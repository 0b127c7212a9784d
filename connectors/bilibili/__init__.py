"""Bilibili: WBI-signed video search (pure Python signing) and ``view/detail`` for followers.

``parse`` holds the pure body -> record functions and ``ENDPOINTS``; ``client`` the live
connector; ``wbi`` the signature; ``ids`` the ``av``/``BV`` id conversion.
"""
