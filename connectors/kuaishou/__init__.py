"""Kuaishou (快手): signed REST search with a GraphQL fallback; ``parse`` is pure, ``client`` does I/O."""
