"""Exports for office users: works, creators, units and summary lists as xlsx or csv.

``lists`` turns ranked frames into ``Sheet``s with Chinese headers (pure); ``xlsx`` and ``csv``
write them; ``anonymise`` hides personal account names for public lists.
"""
