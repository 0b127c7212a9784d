"""TikTok: parse half only, for Zeeschuimer captures (there is no live TikTok connector)."""
