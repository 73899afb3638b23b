"""zh-hans by default, English on request: the catalogues of the mall app and of the project.

- Catalogue checks (no database): every entry of ``mall/locale`` and ``locale/`` is
  translated and not fuzzy, keeps its placeholders, the catalogue covers every string the
  code marks for translation, and the committed ``.mo`` says what the ``.po`` says (so a
  machine without GNU gettext shows the same Chinese).
- Page checks: the storefront, the API and the admin in zh-hans when nothing is asked for,
  and in English through ``Accept-Language`` or the ``set_language`` cookie.

Refreshing a catalogue after changing marked strings (needs GNU gettext)::

    cd mall && ../.venv/bin/python ../manage.py makemessages -l zh_Hans --no-obsolete
    .venv/bin/python manage.py makemessages -l zh_Hans --no-obsolete --ignore='mall/*' \\
        --ignore='orders/*' --ignore='distribution/*' --ignore='.venv/*' --ignore='tests/*' --ignore='bench/*'
    # translate every new msgstr (one plural form: msgstr[0]), then
    .venv/bin/python manage.py compilemessages -l zh_Hans --ignore='.venv/*'
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from mall import views as mall_views
from mall.models import Product, Shop
from mall.services.shops import platform_shop_get
from tests.mall.factories import CategoryFactory, ProductFactory, ShopFactory, SKUFactory, UserFactory

BASE = Path(settings.BASE_DIR)


@dataclass(frozen=True)
class Catalogue:
    po: Path
    sources: tuple[Path, ...]  # what makemessages scans for this catalogue

    @property
    def mo(self) -> Path:
        return self.po.with_suffix(".mo")


CATALOGUES = {
    "mall": Catalogue(BASE / "mall/locale/zh_Hans/LC_MESSAGES/django.po", (BASE / "mall",)),
    "project": Catalogue(BASE / "locale/zh_Hans/LC_MESSAGES/django.po", (BASE / "common", BASE / "config")),
    "console": Catalogue(BASE / "console/locale/zh_Hans/LC_MESSAGES/django.po", (BASE / "console",)),
    "crm": Catalogue(BASE / "crm/locale/zh_Hans/LC_MESSAGES/django.po", (BASE / "crm",)),
    "promotions": Catalogue(BASE / "promotions/locale/zh_Hans/LC_MESSAGES/django.po", (BASE / "promotions",)),
}


# --- a tiny .po reader --------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def _po_string(quoted: str) -> str:
    # PO strings use C escapes (\" \\ \n \t), which a Python literal reads the same way.
    return ast.literal_eval(quoted)


def read_po(path: Path) -> list[Entry]:
    """Entries in file order, the header (msgid "") first. Obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    entry, target = Entry(), None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if target is not None:  # a comment starts the next entry
                entries.append(entry)
                entry, target = Entry(), None
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, quoted = match.groups()
            if keyword in ("msgctxt", "msgid") and target is not None and target[0].startswith("msgstr"):
                entries.append(entry)  # an entry without comments before it
                entry = Entry()
            entry.line = entry.line or number
            target = (keyword, int(index or 0))
            _append(entry, target, _po_string(quoted))
        elif line.startswith('"') and target is not None:
            _append(entry, target, _po_string(line))
        else:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
    if target is not None:
        entries.append(entry)
    return entries


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    keyword, index = target
    if keyword.startswith("msgstr"):
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    else:
        setattr(entry, keyword, (getattr(entry, keyword) or "") + text)


def _messages(catalogue: Catalogue) -> list[Entry]:
    return [e for e in read_po(catalogue.po) if e.msgid]


def _header(catalogue: Catalogue) -> Entry:
    header = read_po(catalogue.po)[0]
    assert header.msgid == ""
    return header


# --- what the code marks for translation --------------------------------------------------

_GETTEXT_FUNCS = {
    "_": "s", "gettext": "s", "gettext_lazy": "s", "gettext_noop": "s",
    "ngettext": "sp", "ngettext_lazy": "sp",
    "pgettext": "cs", "pgettext_lazy": "cs", "npgettext": "csp", "npgettext_lazy": "csp",
}
_STR = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_TEMPLATE_CALL = re.compile(rf"\b(npgettext|pgettext|ngettext|gettext|_)\(\s*({_STR})(?:\s*,\s*({_STR}))?"
                            rf"(?:\s*,\s*({_STR}))?")
_TEMPLATE_TRANSLATE_TAG = re.compile(r"{%\s*(?:translate|trans)\s+(\S+)")


def _python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "migrations" not in p.parts and "locale" not in p.parts)


def _template_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("templates/**/*") if p.suffix in (".html", ".txt"))


def _gettext_calls(path: Path) -> list[tuple[ast.Call, str]]:
    calls = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", "")
            if name in _GETTEXT_FUNCS:
                calls.append((node, _GETTEXT_FUNCS[name]))
    return calls


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def marked_in_python(path: Path) -> set[tuple[str | None, str]]:
    found = set()
    for call, shape in _gettext_calls(path):
        args = [_literal(a) for a in call.args[: len(shape.replace("p", ""))]]
        if None in args or len(args) < len(shape.replace("p", "")):
            continue  # reported by test_translations_are_marked_with_literal_strings
        found.add((args[0], args[1]) if shape.startswith("c") else (None, args[0]))
    return found


def marked_in_template(path: Path) -> set[tuple[str | None, str]]:
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = set()
    for func, *quoted in _TEMPLATE_CALL.findall(code):
        strings = [ast.literal_eval(q) for q in quoted if q]
        found.add((strings[0], strings[1]) if func.startswith(("p", "np")) else (None, strings[0]))
    return found


def marked_strings(catalogue: Catalogue) -> dict[tuple[str | None, str], Path]:
    found: dict[tuple[str | None, str], Path] = {}
    for root in catalogue.sources:
        for path in _python_files(root):
            found |= dict.fromkeys(marked_in_python(path), path)
        for path in _template_files(root):
            found |= dict.fromkeys(marked_in_template(path), path)
    return found


# --- catalogue checks ---------------------------------------------------------------------

catalogue_param = pytest.mark.parametrize("catalogue", CATALOGUES.values(), ids=CATALOGUES.keys())


@catalogue_param
def test_catalogue_is_zh_hans_with_one_plural_form_and_not_fuzzy(catalogue):
    header = _header(catalogue)

    assert "fuzzy" not in header.flags
    assert "Language: zh_Hans\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]


@catalogue_param
def test_every_entry_is_translated_and_not_fuzzy(catalogue):
    entries = _messages(catalogue)

    untranslated = [(e.line, e.msgid) for e in entries if not all(e.msgstr.values()) or not e.msgstr]
    fuzzy = [(e.line, e.msgid) for e in entries if "fuzzy" in e.flags]
    wrong_plurals = [(e.line, e.msgid) for e in entries if e.msgid_plural and set(e.msgstr) != {0}]

    assert len(entries) > 10
    assert untranslated == []
    assert fuzzy == []
    assert wrong_plurals == []  # Chinese has a single form: msgstr[0]


_PLACEHOLDERS = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}|</?[a-z]+[^>]*>")


@catalogue_param
def test_translations_keep_every_placeholder_and_tag(catalogue):
    broken = []
    for entry in _messages(catalogue):
        expected = sorted(_PLACEHOLDERS.findall(entry.msgid))
        broken += [(entry.msgid, text) for text in entry.msgstr.values()
                   if sorted(_PLACEHOLDERS.findall(text)) != expected]

    assert broken == []


@catalogue_param
def test_error_messages_end_with_a_chinese_full_stop(catalogue):
    sentences = [e for e in _messages(catalogue) if e.msgid.endswith((".", "!"))]
    not_ending = [(e.msgid, e.msgstr[0]) for e in sentences
                  if e.msgid not in _SENTENCES_SHOWN_AS_LABELS and not e.msgstr[0].endswith(("。", "！"))]

    assert len(sentences) > 5
    assert not_ending == []


# Full sentences in English that the pages show as short labels or hints (no full stop in zh).
_SENTENCES_SHOWN_AS_LABELS = {
    "No categories yet.", "No products in this category yet.", "No products on sale yet.",
    "No details yet.", "Type what you are looking for.", "No products match “%(q)s”.",
    "This shop has not listed any products yet.", "Sign in with your mobile number and password.",
    "Sign up with your mobile number.",
    "You will soon be able to collect products here and check out in one go.",
}


@catalogue_param
def test_catalogue_covers_every_string_the_code_marks(catalogue):
    in_catalogue = {e.key for e in _messages(catalogue)}
    marked = marked_strings(catalogue)

    missing = sorted((str(path.relative_to(BASE)), msgid) for (ctx, msgid), path in marked.items()
                     if (ctx, msgid) not in in_catalogue)

    assert len(marked) > 10
    assert missing == [], "run makemessages (see the .po header) and translate these"


@catalogue_param
def test_translations_are_marked_with_literal_strings(catalogue):
    """``_(f"...")``, ``_(variable)`` or ``{% translate variable %}`` cannot be extracted."""
    bad = []
    for root in catalogue.sources:
        for path in _python_files(root):
            bad += [f"{path.relative_to(BASE)}:{call.lineno}" for call, shape in _gettext_calls(path)
                    if any(_literal(a) is None for a in call.args[: len(shape.replace("p", ""))])]
        for path in _template_files(root):
            bad += [f"{path.relative_to(BASE)}: {{% translate {arg} %}}"
                    for arg in _TEMPLATE_TRANSLATE_TAG.findall(path.read_text(encoding="utf-8"))
                    if arg[0] not in "\"'" and not arg.startswith("_(")]

    assert bad == []


@catalogue_param
def test_committed_mo_says_what_the_po_says(catalogue):
    with catalogue.mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    differ = []
    for e in _messages(catalogue):
        if e.msgid_plural is not None:
            got = [compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n) if e.msgctxt
                   else compiled.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2, 5)]
            want = [e.msgstr[0]] * 3
        else:
            got = compiled.pgettext(e.msgctxt, e.msgid) if e.msgctxt else compiled.gettext(e.msgid)
            want = e.msgstr[0]
        if got != want:
            differ.append((e.msgid, want, got))

    assert compiled.info()["language"] == "zh_Hans"
    assert differ == [], "the .mo is stale: run compilemessages -l zh_Hans"


@catalogue_param
def test_the_site_shows_what_the_catalogue_says(catalogue):
    """Django merges catalogues: LOCALE_PATHS first, then apps in INSTALLED_APPS order
    (django.contrib.* before mall). A msgid another catalogue also translates shows *its*
    msgstr; the .po must then say the same, or it documents a translation nobody sees."""
    with translation.override("zh-hans"):
        shown = [(e.msgid, e.msgstr[0],
                  translation.ngettext(e.msgid, e.msgid_plural, 1) if e.msgid_plural
                  else translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt
                  else translation.gettext(e.msgid))
                 for e in _messages(catalogue)]

    assert [row for row in shown if row[1] != row[2]] == []


def test_po_reader_reads_plurals_contexts_continuations_and_flags(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
                  '#: a.py:1\n#, fuzzy, python-format\nmsgid "%(n)s sold"\nmsgid_plural "%(n)s sold"\n'
                  'msgstr[0] "已售 %(n)s"\n\n'
                  'msgctxt "verb"\nmsgid ""\n"Sh\\"are"\nmsgstr ""\n\n'
                  '#~ msgid "gone"\n#~ msgstr "没了"\n', encoding="utf-8")

    header, plural, with_context = read_po(po)

    assert (header.msgid, header.msgstr) == ("", {0: "Language: zh_Hans\n"})
    assert (plural.msgid, plural.msgid_plural, plural.msgstr, plural.flags) == (
        "%(n)s sold", "%(n)s sold", {0: "已售 %(n)s"}, {"fuzzy", "python-format"})
    assert (with_context.msgctxt, with_context.msgid, with_context.msgstr) == ("verb", 'Sh"are', {0: ""})


def test_extraction_finds_python_and_template_strings(tmp_path):
    py = tmp_path / "m.py"
    py.write_text('from django.utils.translation import gettext_lazy as _, ngettext, pgettext\n'
                  'A = _("Add to cart")\nB = ngettext("%(n)d item", "%(n)d items", 2)\n'
                  'C = pgettext("verb", "Share")\nD = _(f"{A}")\n', encoding="utf-8")
    html = tmp_path / "t.html"
    html.write_text('{% load i18n %}<b>{% translate "Buy now" %}</b>{{ x|default:_("None yet") }}'
                    "{% blocktranslate count n=k %}{{ n }} sold{% plural %}{{ n }} sold"
                    "{% endblocktranslate %}", encoding="utf-8")

    assert marked_in_python(py) == {(None, "Add to cart"), (None, "%(n)d item"), ("verb", "Share")}
    assert marked_in_template(html) == {(None, "Buy now"), (None, "None yet"), (None, "%(n)s sold")}


# --- pages, API and admin ----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _restore_language():
    # Requests activate their language in this thread; keep it from leaking into other tests.
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def product():
    product = ProductFactory(title="新疆长绒棉T恤", category=CategoryFactory(name="服饰"), sales_count=321)
    SKUFactory(product=product, price=Decimal("59.90"), stock=10)
    return product


def _tabbar(html: str) -> list[str]:
    nav = re.search(r'<nav class="tabbar".*?</nav>', html, re.S)
    assert nav is not None
    return re.findall(r"<span>([^<]+)</span>", nav.group(0))


def _english_client(client, settings):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return client


@pytest.mark.django_db
def test_home_is_in_chinese_by_default(client, product):
    response = client.get(reverse("mall:home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert _tabbar(html) == ["首页", "分类", "购物车", "我的"]
    assert '<html lang="zh-Hans">' in html
    assert "为你推荐" in html
    assert "已售 321" in html
    assert "Home" not in html


@pytest.mark.django_db
def test_product_page_is_in_chinese_by_default(client, product):
    response = client.get(reverse("mall:product", args=[product.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "加入购物车" in html
    assert "立即购买" in html
    assert "库存 10 件" in html
    assert 'data-stock-tpl="库存 {n} 件"' in html  # the page script fills {n}
    assert "Add to cart" not in html


@pytest.mark.django_db
def test_unknown_product_page_is_a_chinese_404(client):
    response = client.get(reverse("mall:product", args=[999999]))

    html = response.content.decode()
    assert response.status_code == 404
    assert "商品不存在或已下架。" in html
    assert "返回首页" in html


@pytest.mark.django_db
def test_off_shelf_product_page_is_the_same_chinese_404(client, product):
    Product.objects.filter(pk=product.pk).update(status=Product.Status.OFF_SHELF)

    response = client.get(reverse("mall:product", args=[product.pk]))

    assert response.status_code == 404
    assert "商品不存在或已下架。" in response.content.decode()


@pytest.mark.django_db
def test_unknown_url_gets_the_chinese_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "您访问的页面不存在。" in response.content.decode()


@pytest.mark.django_db
def test_api_error_for_an_unknown_product_is_in_chinese(client):
    response = client.get(reverse("api:product-detail", args=[999999]))

    assert (response.status_code, response.json()) == (
        404, {"code": "product_not_found", "detail": "商品不存在或已下架。"})


@pytest.mark.django_db
def test_api_error_follows_accept_language(client):
    response = client.get(reverse("api:product-detail", args=[999999]), HTTP_ACCEPT_LANGUAGE="en")

    assert (response.status_code, response.json()) == (
        404, {"code": "product_not_found", "detail": "This product does not exist or is no longer on sale."})


@pytest.mark.django_db
def test_api_generic_not_found_is_in_chinese(client):
    response = client.get(reverse("api:category-detail", args=[999999]))

    assert (response.status_code, response.json()) == (
        404, {"code": "category_not_found", "detail": "该分类不存在。"})


@pytest.mark.django_db
def test_admin_login_page_is_in_chinese(client):
    response = client.get(reverse("admin:login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "圈子管理后台" in html
    assert "手机号" in html  # the username field is User.phone
    assert "登录" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_admin_login_page_in_english_with_accept_language(client):
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert "Quanzi staff console" in html
    assert "Mobile number" in html
    assert "Log in" in html
    assert "圈子管理后台" not in html


@pytest.mark.django_db
def test_admin_product_list_is_in_chinese(client, product):
    client.force_login(UserFactory(phone="13700000001", is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:mall_product_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    shown = ("选择 商品 来修改", "最低价", "库存", "供应商", "分类", "已上架", "上架所选商品",
             "下架所选商品", "圈子管理后台")
    assert [text for text in shown if text not in html] == []


@pytest.mark.django_db
def test_pages_in_english_with_accept_language(client, product):
    home = client.get(reverse("mall:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    page = client.get(reverse("mall:product", args=[product.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    missing = client.get(reverse("mall:product", args=[999999]), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert _tabbar(home) == ["Home", "Categories", "Cart", "Me"]
    assert '<html lang="en">' in home
    assert "321 sold" in home
    assert "Add to cart" in page
    assert "10 in stock" in page
    assert "This product does not exist or is no longer on sale." in missing
    assert "加入购物车" not in page


@pytest.mark.django_db
def test_language_cookie_from_set_language_switches_every_page(client, product, settings):
    client = _english_client(client, settings)

    home = client.get(reverse("mall:home")).content.decode()
    page = client.get(reverse("mall:product", args=[product.pk])).content.decode()
    api = client.get(reverse("api:product-detail", args=[999999])).json()

    assert _tabbar(home) == ["Home", "Categories", "Cart", "Me"]
    assert "Add to cart" in page
    assert api["detail"] == "This product does not exist or is no longer on sale."


@pytest.mark.django_db
def test_language_cookie_wins_over_accept_language_and_switches_back(client, product, settings):
    client = _english_client(client, settings)

    english = client.get(reverse("mall:home"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    chinese = client.get(reverse("mall:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert _tabbar(english) == ["Home", "Categories", "Cart", "Me"]
    assert _tabbar(chinese) == ["首页", "分类", "购物车", "我的"]


@pytest.mark.django_db
def test_platform_shop_is_named_in_the_site_language_whoever_opens_it_first():
    assert not Shop.objects.filter(is_platform=True).exists()

    with translation.override("en"):
        shop = platform_shop_get()

    assert (shop.name, shop.intro) == ("圈子官方商城", "平台精选好物")
    assert Shop.objects.get(is_platform=True).name == "圈子官方商城"


# --- no English left on the zh-hans storefront ------------------------------------------

# Allowed on a zh-hans page: the language switch offers English by its own name.
_ALLOWED_ENGLISH = {"English"}
_VISIBLE_ATTRS = re.compile(r'\b(?:placeholder|aria-label|title|alt|data-[\w-]*tpl|data-soldout)="([^"]*)"')


def _english_words(html: str) -> set[str]:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    texts = [unescape(text) for text in _VISIBLE_ATTRS.findall(html)]
    texts.append(unescape(re.sub(r"<[^>]+>", " ", html)))
    # {n}, {specs}: placeholders the page script fills in.
    words = {w for text in texts for w in re.findall(r"[A-Za-z]{2,}", re.sub(r"\{[a-z_]+\}", "", text))}
    return words - _ALLOWED_ENGLISH


@pytest.mark.django_db
def test_zh_hans_storefront_pages_have_no_english_left(client, rf, product):
    owner = UserFactory(phone="13800001111", nickname="小美")
    shop = ShopFactory(owner=owner, name="小美的店", intro="精选好物")
    shop.products.add(product)
    client.force_login(owner)
    urls = [
        reverse("mall:home"), reverse("mall:categories"),
        reverse("mall:category", args=[product.category_id]),
        reverse("mall:search") + "?q=T恤", reverse("mall:search") + "?q=没有的东西", reverse("mall:search"),
        reverse("mall:product", args=[product.pk]), reverse("mall:shop", args=[shop.pk]),
        reverse("mall:me"), reverse("mall:product", args=[999999]),
    ]
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        found[url] = _english_words(response.content.decode())
    client.logout()
    for url in (reverse("mall:signin"), reverse("mall:signup")):
        found[url] = _english_words(client.get(url).content.decode())
    # The mall's cart placeholder, called directly: /cart/ is the orders app's page once it has one.
    with translation.override("zh-hans"):
        found["mall.views.cart"] = _english_words(mall_views.cart(rf.get("/cart/")).content.decode())

    # "T" is the product title's own Latin letter (新疆长绒棉T恤), a single letter: not matched.
    assert {url: words for url, words in found.items() if words} == {}


def test_server_error_page_is_in_chinese():
    html = render_to_string("500.html")

    assert "出错了" in html
    assert "系统开小差了，请稍后再试。" in html
    assert _english_words(html) == set()
