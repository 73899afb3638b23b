"""Structure rules of every app that a reader relies on (STYLE rules 3 and 12).
The import directions are import-linter contracts (``pyproject.toml``, ``lint-imports``)."""

from pathlib import Path

from django.conf import settings

APPS = ("common", "config", "mall", "orders", "distribution", "promotions", "console", "crm")
MAX_MODULE_LINES = 400


def _modules() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return sorted(p for app in APPS for p in (base / app).rglob("*.py") if "migrations" not in p.parts)


def test_every_row_lock_is_taken_in_a_lock_objects_module():
    kernel = Path(settings.BASE_DIR) / "common" / "db.py"  # defines ModelSelect's row lock; takes none
    outside = [str(p) for p in _modules()
               if p.name != "lock_objects.py" and p != kernel
               and any(lock in p.read_text() for lock in ("select_for_update(", "for_update=True"))]

    assert outside == []


def test_no_module_is_over_400_lines():
    long = {str(p): n for p in _modules() if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}

    assert long == {}


def test_no_template_of_an_app_loads_the_template_tags_of_an_app_above_it():
    """The layers hold for templates too (import-linter cannot see ``{% load %}``): an app's
    templates load only its own libraries and those of the apps below it."""
    import re

    layer = {"common": 0, "audit": 1, "mall": 2, "orders": 3, "distribution": 4, "promotions": 4,
             "console": 5, "crm": 5}  # pyproject.toml's layers; the apps of one layer are independent
    libraries = {}
    for app in layer:
        for path in (Path(settings.BASE_DIR) / app / "templatetags").glob("*.py"):
            if path.stem != "__init__":
                libraries[path.stem] = app
    upward = []
    for app, level in layer.items():
        for template in (Path(settings.BASE_DIR) / app / "templates").rglob("*.html"):
            for loaded in re.findall(r"{%\s*load\s+([^%]+?)\s*%}", template.read_text()):
                for library in loaded.split():
                    owner = libraries.get(library)
                    if owner is not None and owner != app and layer[owner] >= level:
                        upward.append(f"{template.relative_to(settings.BASE_DIR)} loads {library} ({owner})")

    assert upward == []
