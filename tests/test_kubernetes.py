"""Zero to JupyterHub: the pod KubeSpawner would create from deploy/kubernetes/config.yaml (no cluster needed)."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy" / "kubernetes"))
sys.path.insert(0, str(ROOT / "deploy" / "jupyterhub"))

import kubespawner_values as kv  # noqa: E402
import neuralsim_hub  # noqa: E402
import roster_values  # noqa: E402

GiB = 2**30


@pytest.fixture(scope="module")
def values():
    return kv.load_values()


@pytest.fixture(scope="module")
def pod(values):
    return kv.as_json(kv.pod_manifest(values, "alex"))


def test_pod_runs_the_course_image_as_a_student_not_root(pod):
    (c,) = pod["spec"]["containers"]
    assert c["image"].startswith("registry.example.org/neuralsim/singleuser:0.1.0@sha256:")
    assert c["args"] == ["jupyterhub-singleuser"]
    sc = c["securityContext"]
    assert sc["runAsUser"] == 1000 and sc["runAsNonRoot"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
    psc = pod["spec"]["securityContext"]
    assert psc["runAsNonRoot"] is True and psc["fsGroup"] == 100
    assert psc["seccompProfile"] == {"type": "RuntimeDefault"}


def test_images_by_digest_and_the_placeholder_is_flagged(values, tmp_path):
    problems = kv.image_problems(values)
    # the shipped values carry the all-zero placeholder digest: both images must be flagged
    assert len(problems) == 2 and all("placeholder digest" in p for p in problems)
    real = "sha256:" + "3f" * 32
    good = {"singleuser": {"image": {"name": "r.example/ns", "tag": f"0.1.0@{real}"}}}
    df = tmp_path / "Dockerfile"
    df.write_text(f"FROM quay.io/jupyter/minimal-notebook:2025-10-20@{real}\n")
    assert kv.image_problems(good, df) == []
    df.write_text("FROM quay.io/jupyter/minimal-notebook:2025-10-20\n")
    tag_only = {"singleuser": {"image": {"name": "r.example/ns", "tag": "0.1.0"}}}
    assert [p.split(":")[0] for p in kv.image_problems(tag_only, df)] == ["singleuser.image", "Dockerfile FROM"]


def test_no_sign_up_and_assignments_refused_with_the_reason(values, pod):
    na = values["hub"]["config"]["NativeAuthenticator"]
    assert na["enable_signup"] is False and na["open_signup"] is False
    (c,) = pod["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert env["NEURALSIM_ASSIGNMENTS"].startswith("refused")
    assert "nbgrader" not in (ROOT / "deploy" / "kubernetes" / "Dockerfile").read_text().split("RUN", 1)[1].split("\n")[0]


def test_pod_has_the_same_limits_as_the_one_machine_hub(pod):
    (c,) = pod["spec"]["containers"]
    limits, requests = c["resources"]["limits"], c["resources"]["requests"]
    # 1G and 1 CPU: the defaults of NEURALSIM_HUB_MEM_LIMIT / NEURALSIM_HUB_CPU_LIMIT on one machine
    assert int(limits["memory"]) == neuralsim_hub.parse_size("1G") == GiB
    assert float(limits["cpu"]) == 1.0
    assert int(requests["memory"]) == 512 * 2**20
    assert float(requests["cpu"]) == 0.25


def test_pod_mounts_the_students_own_volume_as_home(pod):
    vols = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert vols["volume-alex"] == {"name": "volume-alex", "persistentVolumeClaim": {"claimName": "claim-alex"}}
    (c,) = pod["spec"]["containers"]
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    assert mounts["/home/jovyan"] == "volume-alex"


def test_pod_copies_the_notebooks_on_start_and_opens_the_first(pod):
    (c,) = pod["spec"]["containers"]
    assert c["lifecycle"]["postStart"]["exec"]["command"] == ["python", "-m", "neuralsim", "notebooks",
                                                              "/home/jovyan/neuralsim"]
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert env["JUPYTERHUB_DEFAULT_URL"] == "/lab/tree/neuralsim/00_start_here.ipynb"
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["MEM_LIMIT"] == str(GiB)


def test_each_student_gets_a_claim_of_1_gib(values):
    pvc = kv.as_json(kv.pvc_manifest(values, "bea"))
    assert pvc["metadata"]["name"] == "claim-bea"
    assert pvc["spec"] == {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}


def test_two_students_never_share_a_volume(values):
    async def both():
        return [await kv.make_spawner(values, n).get_pod_manifest() for n in ("alex", "alex2")]
    a, b = kv.run(both())   # its own thread: the browser tests leave an event loop running
    assert [v.persistent_volume_claim["claimName"] for v in a.spec.volumes if v.persistent_volume_claim] == ["claim-alex"]
    assert [v.persistent_volume_claim["claimName"] for v in b.spec.volumes if v.persistent_volume_claim] == ["claim-alex2"]


def test_values_keep_culler_roster_rules_and_tls(values):
    assert values["cull"] == {"enabled": True, "timeout": 3600, "every": 600}
    na = values["hub"]["config"]["NativeAuthenticator"]
    assert na["open_signup"] is False and na["allowed_failed_logins"] == 5
    assert values["proxy"]["https"]["enabled"] is True


def test_roster_values_from_the_same_csv(tmp_path):
    p = tmp_path / "class.csv"
    p.write_text("username,role\nmsmith,teacher\nalex,student\nbea,\n")
    assert roster_values.roster_values(p) == {
        "hub": {"config": {"Authenticator": {"allowed_users": ["alex", "bea"], "admin_users": ["msmith"]}}}}
