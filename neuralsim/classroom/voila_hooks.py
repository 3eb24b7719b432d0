"""What the Voila app (``make app``; ``app/voila.py`` names these hooks) does on each page it renders.

Voila's page script shuts the page's kernel down when the page is closed: a POST to
``voila/api/shutdown/<kernel>`` carrying the value of the ``_xsrf`` cookie (the
server refuses a POST without it).  Voila's landing page sets that cookie, but a
notebook page opened directly (a link from elsewhere, a bookmark, a reload) does
not, so the shutdown was refused (403, "'_xsrf' argument missing from POST") and
the kernel kept running.  :func:`prelaunch` sets the cookie on every page.
"""
from __future__ import annotations

from typing import Any

__all__ = ["prelaunch"]


def prelaunch(handler: Any, notebook: Any = None, cwd: str | None = None) -> None:
    """Voila's ``prelaunch_hook``: called with the page's request handler before its kernel starts.

    Reading the handler's ``xsrf_token`` makes tornado send the ``_xsrf`` cookie with the
    page (once per browser: an existing cookie is kept).  Returns ``None``: the notebook is
    rendered as it is.
    """
    handler.xsrf_token      # tornado sets the cookie on first access (a property with that side effect)
    return None
