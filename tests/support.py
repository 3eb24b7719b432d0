"""Helpers shared by several test files (imported as ``from support import ...``; pytest puts tests/
on sys.path because the folder has no __init__.py)."""
import neuralsim as ns


def _assert_full_message(err, joint, value_text, lo, hi):
    msg = str(err.value)
    assert joint in msg
    assert value_text in msg
    assert f"{lo:g} to {hi:g}" in msg
    assert "deg" in msg


def standing():
    return ns.nerve_bed_length(ns.Posture())
