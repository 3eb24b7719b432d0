# Voila reads this file beside voila.json (JUPYTER_CONFIG_PATH=app, as `make app` sets it): the one
# setting JSON cannot hold, a Python function (neuralsim/classroom/voila_hooks.py says why it is needed).
from neuralsim.classroom.voila_hooks import prelaunch

c.VoilaConfiguration.prelaunch_hook = prelaunch  # noqa: F821 (c is the config object Voila provides)
