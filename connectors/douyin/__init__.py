"""Douyin: hashtag (challenge) aweme lists signed through the signer plug-in.

``parse`` holds the pure body -> record functions (web lists, detail, profile, search, and the
captured XHR and embedded item shapes) and ``ENDPOINTS``; ``client`` the live connector;
``signals`` the mapping of Douyin's disguised blocks to typed errors.
"""
