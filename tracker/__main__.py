"""``python -m tracker`` is the same as the ``tracker`` console script."""

from tracker.cli import main

main()
