"""The distribution demo's order history: stories (``data``), built through the services
(``history``), then dated over the last 60 days (``backdate``). Run by
``manage.py seed_distribution_demo``."""
