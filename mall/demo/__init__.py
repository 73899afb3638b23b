"""Demo catalogue, shops and accounts for ``manage.py seed_demo`` (data in ``data.py``)."""
