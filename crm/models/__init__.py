from crm.models.message import (
    Channel,
    Delivery,
    Message,
    MessageState,
    MessageTemplate,
    QuietPolicy,
    SourceKind,
)
from crm.models.reach import Contact, ReachSettings

__all__ = [
    "Channel",
    "Contact",
    "Delivery",
    "Message",
    "MessageState",
    "MessageTemplate",
    "QuietPolicy",
    "ReachSettings",
    "SourceKind",
]
