"""Kernel websockets that send each message at once (TCP_NODELAY), for Jupyter servers.

Why this exists: a slider move in the explorer is one small message to the
kernel and a few small messages back (kernel busy, the slider's echo, the
figure, the text line, kernel idle).  Tornado's websockets leave Nagle's
algorithm on, so while one reply waits for its TCP acknowledgement the next
one is held back, and the browser acknowledges late (Linux delays an
acknowledgement by up to 40 ms), so the figure of a key press can wait that
long behind the reply before it, and the explorer's latency with it.  With
``TCP_NODELAY`` on the kernel websocket each reply leaves at once (the
measurements are in ``benchmarks/README.md``).

How it is switched on:

* Jupyter servers (JupyterLab, Jupyter Notebook, JupyterHub's single-user
  servers): this module is a Jupyter server extension.  Installing neuralsim
  puts ``etc/jupyter/jupyter_server_config.d/neuralsim.json`` into the
  environment, which enables it (``jupyter server extension list`` shows it;
  ``jupyter server extension disable neuralsim.websocket`` turns it off).  When
  the server loads it, :func:`_load_jupyter_server_extension` makes
  :class:`NoDelayKernelWebsocketConnection` the server's kernel websocket
  connection class, unless the server was configured with a class of its own.
* Voila reads its own configuration: ``app/voila.json`` (used by ``make app``)
  sets ``Voila.kernel_websocket_connection_class`` to the same class.

Nothing else of the server changes.  This module imports ``jupyter_server``
(installed with JupyterLab); ``import neuralsim`` does not import it.
"""
from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["NoDelayKernelWebsocketConnection", "SETTING", "NODELAY_LOG"]

#: The Jupyter server setting (tornado settings key and ``ServerApp`` trait) this module sets.
SETTING = "kernel_websocket_connection_class"
#: What the server logs (level INFO, with the kernel id) each time a kernel websocket opens with it.
NODELAY_LOG = "neuralsim: TCP_NODELAY on the websocket of kernel"


class NoDelayKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    """Jupyter's kernel websocket connection with ``TCP_NODELAY`` set when the websocket opens.

    Everything else (channels, message protocol, buffering while a client is
    away) is Jupyter's own :class:`ZMQChannelsWebsocketConnection`.
    """

    def connect(self):
        # The handler's open() calls connect(): the websocket is open and its TCP
        # stream exists, which is what set_nodelay applies to.
        self.websocket_handler.set_nodelay(True)
        self.log.info("%s %s", NODELAY_LOG, self.kernel_id)
        return super().connect()


def _jupyter_server_extension_points():
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    """Use :class:`NoDelayKernelWebsocketConnection` if the server kept Jupyter's default class."""
    settings = serverapp.web_app.settings
    current = settings.get(SETTING)
    if current is ZMQChannelsWebsocketConnection:
        settings[SETTING] = NoDelayKernelWebsocketConnection
        serverapp.log.info("neuralsim: kernel websockets send without delay (TCP_NODELAY)")
    elif current is not NoDelayKernelWebsocketConnection:
        serverapp.log.info("neuralsim: kernel websocket class %r configured elsewhere; left as it is", current)
