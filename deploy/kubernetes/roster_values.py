"""Helm values for the roster: ``python deploy/kubernetes/roster_values.py class.csv > roster-values.yaml``.

The same roster file and rules as the one-machine hub (deploy/jupyterhub/neuralsim_hub.parse_roster).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jupyterhub"))
from neuralsim_hub import parse_roster  # noqa: E402


def roster_values(path) -> dict:
    r = parse_roster(path)
    return {"hub": {"config": {"Authenticator": {"allowed_users": r.students, "admin_users": r.teachers}}}}


if __name__ == "__main__":
    import json

    # JSON is YAML: helm reads it as a values file.
    print(json.dumps(roster_values(sys.argv[1]), indent=2))
