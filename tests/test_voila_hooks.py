"""The Voila app's hooks: a notebook page opened directly gets the _xsrf cookie its kernel shutdown needs
(the browser side, the shutdown itself answered 204, is in tests/browser/test_app_browser.py)."""
from pathlib import Path
from unittest import mock

import tornado.web
from tornado.httputil import HTTPServerRequest, HTTPHeaders
from traitlets.config.loader import PyFileConfigLoader

from neuralsim.classroom import voila_hooks

ROOT = Path(__file__).resolve().parents[1]


def _handler():
    app = tornado.web.Application(cookie_secret="x" * 32)
    conn = mock.Mock()
    request = HTTPServerRequest(method="GET", uri="/voila/render/00_start_here.ipynb", headers=HTTPHeaders(),
                                connection=conn)
    return tornado.web.RequestHandler(app, request)


def test_prelaunch_sets_the_xsrf_cookie_and_leaves_the_notebook_alone():
    h = _handler()
    assert "_xsrf" not in getattr(h, "_new_cookie", {})
    assert voila_hooks.prelaunch(h, notebook={"cells": []}, cwd="notebooks") is None
    cookie = h._new_cookie["_xsrf"]
    # the value the page script reads from document.cookie and posts back is the handler's token
    assert cookie.value and h._decode_xsrf_token(cookie.value)[1] == h._decode_xsrf_token(h.xsrf_token.decode())[1]


def test_a_cookie_the_browser_already_has_is_kept():
    h = _handler()
    token = _handler().xsrf_token.decode()
    h.request.headers["Cookie"] = f"_xsrf={token}"
    voila_hooks.prelaunch(h)
    assert "_xsrf" not in getattr(h, "_new_cookie", {})


def test_the_app_config_names_the_hook():
    config = PyFileConfigLoader("voila.py", path=str(ROOT / "app")).load_config()
    assert config.VoilaConfiguration.prelaunch_hook is voila_hooks.prelaunch
