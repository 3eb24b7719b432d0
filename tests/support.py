"""Helpers shared by several test files (imported as ``from support import ...``; pytest puts tests/
on sys.path because the folder has no __init__.py)."""
import re

import neuralsim as ns


def _assert_full_message(err, joint, value_text, lo, hi):
    msg = str(err.value)
    assert joint in msg
    assert value_text in msg
    assert f"{lo:g} to {hi:g}" in msg
    assert "deg" in msg


def standing():
    return ns.nerve_bed_length(ns.Posture())


# What a student's page must not show: reprs, float noise, a negative zero, unrounded digits
# (tests/test_notebooks_meta.py scans the notebooks' outputs, tests/test_widgets.py the explorer's text).
RAW_OUTPUT = [
    ("a dict's repr", re.compile(r"\{'[A-Za-z_]+': ")),
    ("an object's repr", re.compile(r"\b(?:Person|Patient|Posture|Body|State|MovementLimit|Differentiation)\(")),
    ("an array's repr", re.compile(r"\[\s*-?\d+\.?\d*(?:\s+-?\d+\.?\d*)+\s*\]|\barray\(")),
    ("float noise", re.compile(r"\d(?:\.\d+)?e[-+]\d\d")),
    ("a negative zero", re.compile(r"(?<![\w.\d])[-\u2212]0(?:\.0+)?(?![\d.])")),
    ("unrounded digits", re.compile(r"\d\.\d{5,}")),
]


def raw_output(text: str) -> list:
    """What in ``text`` (plain or HTML) is not for a student: reprs, float noise, -0, unrounded numbers."""
    text = re.sub(r"<style.*?</style>|<script.*?</script>|<svg.*?</svg>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return [f"{what}: {text[max(0, m.start() - 40):m.end() + 20]!r}"
            for what, pat in RAW_OUTPUT for m in pat.finditer(text)]
