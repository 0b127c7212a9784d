"""``python -m tracker`` is the same as the ``tracker`` console script."""

from tracker.cli import main

if __name__ == "__main__":  # not when a spawned worker process imports it
    main()
