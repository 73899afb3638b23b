"""The crm staff console, by area: ``outbox`` (settings, templates, contacts, messages)."""

from crm.admin import outbox  # noqa: F401
