"""Load the ``singleuser`` part of config.yaml into KubeSpawner, as the Zero to JupyterHub chart's hub does.

Only the keys config.yaml uses are mapped (the chart maps more); the mapping follows the chart's
``jupyterhub_config.py``: image, uid/fsGid, cmd, defaultUrl, memory/cpu limits and guarantees,
dynamic storage (one PersistentVolumeClaim per student, mounted as the home), extraEnv,
lifecycleHooks. No cluster is needed: ``pod_manifest(values, "alex")`` is the pod the hub would
ask Kubernetes for.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

import yaml

VALUES = Path(__file__).resolve().parent / "config.yaml"



def run(coro):
    """Run ``coro`` to completion on a thread of its own, so a caller that already runs an
    event loop (a notebook, a test session driving a browser) can call it too."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()

DIGEST_RE = r"^[^@\s]+(:[^@\s]+)?@sha256:[0-9a-f]{64}$"


def image_problems(values: dict, dockerfile: Path = VALUES.with_name("Dockerfile")) -> list[str]:
    """What keeps these values from being shipped: images not pinned by digest, or pinned by a
    placeholder digest (all zeros). Empty when every image is pinned by a real-looking digest."""
    import re
    su = values["singleuser"]["image"]
    images = [("singleuser.image", f"{su['name']}:{su['tag']}")]
    for line in Path(dockerfile).read_text().splitlines() if Path(dockerfile).exists() else []:
        if line.strip().upper().startswith("FROM "):
            images.append((f"{Path(dockerfile).name} FROM", line.split()[1]))
    out = []
    for where, ref in images:
        if not re.match(DIGEST_RE, ref):
            out.append(f"{where}: {ref} is not pinned by digest (name:tag@sha256:<64 hex digits>)")
        elif re.search(r"@sha256:0{64}$", ref):
            out.append(f"{where}: {ref} has the placeholder digest: put the digest of the image you pushed")
    return out


def load_values(path=VALUES) -> dict:
    with open(path) as f:
        return yaml.safe_load(f)


def spawner_config(values: dict) -> dict:
    """KubeSpawner trait values from the chart values (``singleuser``)."""
    su = values["singleuser"]
    cfg = {
        "image": f"{su['image']['name']}:{su['image']['tag']}",
        "uid": su["uid"],
        "fs_gid": su["fsGid"],
        "cmd": [su["cmd"]] if isinstance(su["cmd"], str) else su["cmd"],
        "default_url": su["defaultUrl"],
        "mem_limit": su["memory"]["limit"],
        "mem_guarantee": su["memory"]["guarantee"],
        "cpu_limit": float(su["cpu"]["limit"]),
        "cpu_guarantee": float(su["cpu"]["guarantee"]),
        "environment": dict(su.get("extraEnv", {})),
        "lifecycle_hooks": su.get("lifecycleHooks", {}),
        "allow_privilege_escalation": False,
    }
    ks = values.get("hub", {}).get("config", {}).get("KubeSpawner", {})
    for key in ("pod_security_context", "container_security_context"):
        if key in ks:
            cfg[key] = ks[key]
    st = su["storage"]
    if st["type"] == "dynamic":
        d = st["dynamic"]
        cfg.update({
            "storage_pvc_ensure": True,
            "pvc_name_template": d["pvcNameTemplate"],
            "storage_capacity": st["capacity"],
            "storage_access_modes": d["storageAccessModes"],
            "volumes": [{"name": d["volumeNameTemplate"],
                         "persistentVolumeClaim": {"claimName": "{pvc_name}"}}],
            "volume_mounts": [{"mountPath": st["homeMountPath"], "name": d["volumeNameTemplate"]}],
        })
    return cfg


_OFFLINE_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: offline, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: offline, user: {token: none}}]
contexts: [{name: offline, context: {cluster: offline, user: offline}}]
current-context: offline
"""


def _offline():
    """KubeSpawner loads a Kubernetes client configuration when it is made (it does not connect):
    outside a cluster, give it one that points nowhere, unless KUBECONFIG names a real one."""
    import os
    import tempfile

    if os.environ.get("KUBECONFIG") or os.environ.get("KUBERNETES_SERVICE_HOST"):
        return
    f = Path(tempfile.gettempdir()) / f"neuralsim-offline-kubeconfig-{os.getuid()}"
    if not f.exists():
        f.write_text(_OFFLINE_KUBECONFIG)
    os.environ["KUBECONFIG"] = str(f)
    import kubernetes_asyncio.config.kube_config as kc

    kc.KUBE_CONFIG_DEFAULT_LOCATION = str(f)


def make_spawner(values: dict, username: str):
    """A KubeSpawner for ``username`` configured from the values, without a cluster (kubespawner's mock mode)."""
    _offline()
    from kubespawner import KubeSpawner
    from kubespawner.spawner import MockObject

    user = MockObject()
    user.name, user.id, user.url = username, 1, f"/user/{username}/"
    hub = MockObject()
    hub.public_host, hub.url, hub.base_url, hub.api_url = "", "http://hub:8081/hub/", "/hub/", "http://hub:8081/hub/api"
    return KubeSpawner(_mock=True, user=user, hub=hub, **spawner_config(values))


def pod_manifest(values: dict, username: str):
    """The pod (kubernetes_asyncio V1Pod) the hub would create for ``username``."""
    async def build():
        return await make_spawner(values, username).get_pod_manifest()
    return run(build())


def pvc_manifest(values: dict, username: str):
    """The student's PersistentVolumeClaim (kubernetes_asyncio V1PersistentVolumeClaim)."""
    async def build():
        return make_spawner(values, username).get_pvc_manifest()
    return run(build())


def as_json(obj) -> dict:
    """A kubernetes_asyncio object as the JSON manifest sent to the Kubernetes API (camelCase keys)."""
    from kubernetes_asyncio.client import ApiClient

    async def go():
        async with ApiClient() as api:
            return api.sanitize_for_serialization(obj)
    return run(go())
