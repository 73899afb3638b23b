"""One writer per money table (STYLE rule 13): only the wallet service inserts ledger rows.

Reads the source of every project module and lists the functions that create a
``LedgerEntry`` (``LedgerEntry(...)``, ``LedgerEntry.objects.create/bulk_create/...``) or
insert into its table in SQL. The list must be exactly the wallet service's posting
functions; a new writer anywhere else fails this test.
"""

import ast
from pathlib import Path

from django.conf import settings

from distribution.models import LedgerEntry

ROOT = Path(settings.BASE_DIR)
APPS = ("common", "config", "mall", "orders", "distribution", "console")
WRITES = {"create", "bulk_create", "get_or_create", "update_or_create"}
WALLET = "distribution/wallet/services/wallet.py"


def _writers(path: Path, root: Path = ROOT) -> set[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Call) and _writes_ledger(node):
                found.add((str(path.relative_to(root)), func.name))
            if _inserts_in_sql(node):
                found.add((str(path.relative_to(root)), func.name))
    return found


def _inserts_in_sql(node: ast.AST) -> bool:
    """A SQL string (plain or f-string) that inserts into the ledger table."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value if isinstance(v, ast.Constant) else ast.unparse(v.value) for v in node.values)
    else:
        return False
    text = text.lower()
    return "insert into" in text and any(name in text for name in (
        LedgerEntry._meta.db_table, "ledgerentry._meta.db_table"))


def _writes_ledger(call: ast.Call) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if name == "insert_rows":  # common.db's multi-row INSERT into the table named first
        return bool(call.args) and "LedgerEntry" in ast.unparse(call.args[0])
    if isinstance(func, ast.Name):
        return func.id == "LedgerEntry"
    if isinstance(func, ast.Attribute) and func.attr in WRITES:
        manager = func.value
        return (isinstance(manager, ast.Attribute) and isinstance(manager.value, ast.Name)
                and manager.value.id == "LedgerEntry")
    return False


def test_only_the_wallet_service_inserts_ledger_rows():
    writers = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                writers |= _writers(path)

    assert writers == {(WALLET, "_post"), (WALLET, "wallet_credit_commissions")}


def test_the_finder_sees_a_writer_outside_the_wallet(tmp_path):
    # The check must be able to fail: a module that books a credit on its own is found.
    rogue = tmp_path / "rogue.py"
    rogue.write_text("def sneaky():\n    LedgerEntry.objects.create(wallet_id=1)\n\n"
                     "def raw(c):\n    c.execute('INSERT INTO distribution_ledgerentry VALUES (1)')\n\n"
                     "def fstr(c):\n    c.execute(f'INSERT INTO {LedgerEntry._meta.db_table} VALUES (1)')\n\n"
                     "def built():\n    return [LedgerEntry(wallet_id=1)]\n\n"
                     "def rows():\n    insert_rows(LedgerEntry._meta.db_table, ('wallet_id',), [(1,)])\n",
                     encoding="utf-8")

    assert _writers(rogue, tmp_path) == {("rogue.py", "sneaky"), ("rogue.py", "raw"), ("rogue.py", "fstr"),
                                          ("rogue.py", "built"), ("rogue.py", "rows")}
