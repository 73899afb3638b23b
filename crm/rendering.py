"""Message templates with variables, rendered safely.

A template is plain text with ``{nickname}``, ``{product}`` and ``{coupon}``; nothing else is
interpreted (no template language, no attribute access, no filters), so a text staff type
can never run code or read data. Values are cleaned (control characters removed, cut to
``MAX_VALUE_LENGTH``). HTML pages escape the rendered text when they show it (autoescape);
SMS and WeChat get plain text.
"""

import re
import unicodedata

from crm.errors import LinkInvalid, TemplateBracesUnbalanced, TemplateVariableUnknown

VARIABLES = ("nickname", "product", "coupon")
MAX_VALUE_LENGTH = 40
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def template_check(text: str) -> None:
    """Refuse unknown variables and stray braces (``TemplateVariableUnknown``, ``…Braces…``)."""
    for name in _PLACEHOLDER.findall(text):
        if name not in VARIABLES:
            raise TemplateVariableUnknown
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        raise TemplateBracesUnbalanced


def clean_value(value: object) -> str:
    text = "".join(ch for ch in str(value or "") if unicodedata.category(ch)[0] != "C")
    return text.strip()[:MAX_VALUE_LENGTH]


def render(text: str, values: dict[str, object]) -> str:
    """Fill the variables of a checked template; a variable without a value becomes ``""``."""
    cleaned = {name: clean_value(values.get(name)) for name in VARIABLES}
    return _PLACEHOLDER.sub(lambda m: cleaned.get(m.group(1), ""), text)


def link_check(link: str) -> None:
    """A message links to a page of this site only: ``/p/12/``, never ``//evil`` or ``http:``."""
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link
                 or any(unicodedata.category(ch)[0] == "C" or ch.isspace() for ch in link)):
        raise LinkInvalid
