"""The crm staff console, by area: ``outbox`` (settings, templates, contacts, messages) and
``audience`` (tags, lifecycle thresholds, profiles, packs and their sends)."""

from crm.admin import audience, handover, journey, outbox  # noqa: F401
