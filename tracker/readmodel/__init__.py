"""The read model: every figure any output shows, counted one way (see ``facts``)."""
