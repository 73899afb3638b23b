from datetime import time

import pytest

from crm.errors import LinkInvalid, TemplateBracesUnbalanced, TemplateVariableUnknown
from crm.rendering import link_check, render, template_check
from crm.rules import in_quiet_hours, quiet_hours_end, window_start
from tests.crm.helpers import sh

Q = {"start": time(21), "end": time(9)}


@pytest.mark.parametrize(("hour", "minute", "quiet"), [
    (20, 59, False), (21, 0, True), (23, 30, True), (0, 0, True), (8, 59, True), (9, 0, False),
    (12, 0, False),
])
def test_quiet_hours_over_midnight_in_shanghai(hour, minute, quiet):
    assert in_quiet_hours(sh(5, hour, minute), **Q) is quiet


def test_quiet_hours_end_is_the_next_nine_oclock_in_shanghai():
    assert quiet_hours_end(sh(5, 22), **Q) == sh(6, 9)
    assert quiet_hours_end(sh(6, 3), **Q) == sh(6, 9)


def test_equal_start_and_end_mean_no_quiet_hours():
    assert not in_quiet_hours(sh(5, 23), start=time(0), end=time(0))


def test_windows_are_shanghai_calendar_days():
    assert window_start(sh(5, 0, 30), days=1) == sh(5, 0)
    assert window_start(sh(5, 23, 59), days=7) == sh(29, 0, month=11)


def test_render_fills_only_the_known_variables_and_cleans_values():
    text = render("{nickname}，{product}到了 {coupon}", {"nickname": "小雨\x00\n<b>", "product": "牛奶"})

    assert text == "小雨<b>，牛奶到了 "  # control characters gone; HTML is escaped by the page


def test_render_never_evaluates_expressions():
    assert render("{nickname}", {"nickname": "{product}"}) == "{product}"


@pytest.mark.parametrize("text", ["{user.password}", "{secret}", "{__class__}"])
def test_unknown_variables_are_refused(text):
    with pytest.raises((TemplateVariableUnknown, TemplateBracesUnbalanced)):
        template_check(text)


@pytest.mark.parametrize("text", ["{nickname", "a } b", "{{nickname}}", "{ nickname }"])
def test_stray_braces_are_refused(text):
    with pytest.raises((TemplateBracesUnbalanced, TemplateVariableUnknown)):
        template_check(text)


@pytest.mark.parametrize("link", ["//evil.example", "https://evil.example/", "javascript:alert(1)", "/a b",
                                  "/\\evil"])
def test_links_off_the_site_are_refused(link):
    with pytest.raises(LinkInvalid):
        link_check(link)


def test_site_paths_are_links():
    link_check("/p/12/")
    link_check("")
