"""Command line: ``python -m neuralsim slump`` and friends.

Subcommands
-----------
``slump`` / ``table NAME``
    Print a protocol's steps as a table: relative bed length, change of bed
    length from the previous step (mm), hamstring lengths (mm).
``protocols``
    List the protocol names ``table`` accepts.
``params``
    Print every model parameter with unit, status and source.
``notebooks DEST [--overwrite]``
    Copy the teaching notebooks into folder DEST (for a student's own copy).
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

__all__ = ["main", "protocol_table", "format_table"]


def protocol_table(name: str, body=None) -> list[dict]:
    """Rows for protocol ``name``: step, relative bed length, change (mm), bed (mm), hamstrings (mm)."""
    from . import protocols
    from .model import HAMSTRINGS, muscle_length, nerve_bed_length, relative_bed_length

    if name not in protocols.ALL:
        raise ValueError(f"unknown protocol {name!r}: choose one of {', '.join(protocols.ALL)}")
    rows = []
    previous = None
    for step, posture in protocols.ALL[name].steps:
        bed = nerve_bed_length(posture, body=body)
        rows.append({
            "step": step,
            "relative_bed": relative_bed_length(posture, body=body),
            "change_mm": 0.0 if previous is None else bed - previous,
            "bed_mm": bed,
            **{m: muscle_length(posture, m, body=body) for m in HAMSTRINGS},
        })
        previous = bed
    return rows


def format_table(rows: list[dict]) -> str:
    """Plain-text table of :func:`protocol_table` rows (units in the header)."""
    head = (f"{'step':<34} {'relative bed':>12} {'change (mm)':>11} {'bed (mm)':>9} "
            f"{'SM (mm)':>8} {'ST (mm)':>8} {'BFlh (mm)':>9}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['step']:<34} {r['relative_bed']:>12.3f} {r['change_mm']:>+11.1f} {r['bed_mm']:>9.1f} "
            f"{r['semimembranosus']:>8.1f} {r['semitendinosus']:>8.1f} {r['biceps_femoris_lh']:>9.1f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m neuralsim", description="The sciatic nerve bed, joint by joint.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("slump", help="the slump test, in the order of the source article")
    t = sub.add_parser("table", help="any protocol as a table")
    t.add_argument("name")
    sub.add_parser("protocols", help="list protocol names")
    sub.add_parser("params", help="list every model parameter")
    n = sub.add_parser("notebooks", help="copy the teaching notebooks into a folder of your own")
    n.add_argument("dest", help="folder to copy into (created if missing)")
    n.add_argument("--overwrite", action="store_true", help="replace notebooks already there")
    args = parser.parse_args(argv)

    from . import protocols
    try:
        if args.command in ("slump", "table"):
            name = "slump" if args.command == "slump" else args.name
            table = format_table(protocol_table(name))
            print(protocols.ALL[name].title)
            print("Relative bed length is against the anatomical position (all angles 0).")
            print(table)
        elif args.command == "protocols":
            for key, proto in protocols.ALL.items():
                print(f"{key:<14} {proto.title}")
        elif args.command == "notebooks":
            from .notebooks_cli import main as notebooks_main
            return notebooks_main(args.dest, overwrite=args.overwrite)
        elif args.command == "params":
            from .parameters import PARAMETERS
            for p in PARAMETERS.values():
                print(f"{p.name:<34} {p.value:>8g} {p.unit:<28} {p.status:<11} {p.source}")
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
