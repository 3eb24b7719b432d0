"""Command line: ``python -m neuralsim slump`` and friends.

Subcommands
-----------
``slump`` / ``table NAME``
    Print a protocol's steps as a table: relative length of the protocol's
    nerve bed, its change from the previous step (mm), every muscle's length (mm).
``protocols``
    List the protocol names ``table`` accepts.
``params``
    Print every model parameter with unit, status and source.
``notebooks DEST [--overwrite]``
    Copy the teaching notebooks into folder DEST (for a student's own copy).
``export DEST [--only NAME ...]``
    Write one self-contained HTML page per explorer into folder DEST (no server, no network:
    see :mod:`neuralsim.classroom.export`).
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

__all__ = ["main", "format_table"]


def format_table(rows: list[dict]) -> str:
    """Plain-text table of :func:`neuralsim.state.analysis.step_table` rows (units in the header;
    every muscle of the rows' ``lengths_mm`` by its short name)."""
    from ..model import MUSCLES

    muscles = [m for m in MUSCLES if rows and m in rows[0]["lengths_mm"]]
    heads = [f"{MUSCLES[m].short} (mm)" for m in muscles]
    widths = [max(9, len(h)) for h in heads]
    head = (f"{'step':<34} {'relative bed':>12} {'change (mm)':>11} {'bed (mm)':>9}"
            + "".join(f" {h:>{w}}" for h, w in zip(heads, widths)))
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['step']:<34} {r['relative_bed']:>12.3f} {r['change_mm']:>+11.1f} {r['bed_mm']:>9.1f}"
            + "".join(f" {r['lengths_mm'][m]:>{w}.1f}" for m, w in zip(muscles, widths))
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
    x = sub.add_parser("export", help="one offline HTML page per explorer, for a web page or a learning platform")
    x.add_argument("dest", help="folder to write the pages into (created if missing; its parent must exist)")
    x.add_argument("--only", nargs="+", metavar="NAME", help="only these explorers (default all)")
    args = parser.parse_args(argv)

    from ..model import protocols
    try:
        if args.command in ("slump", "table"):
            name = "slump" if args.command == "slump" else args.name
            from ..state.analysis import step_table
            table = format_table(step_table(name))
            from ..model import MUSCLES, NERVES
            nerve = NERVES[protocols.get(name).nerve]
            print(protocols.get(name).title)
            print(f"Bed: the {nerve.label} ({nerve.roots} roots). Relative bed length is against the "
                  "anatomical position (all angles 0).")
            print(table)
            print("Muscles: " + ", ".join(f"{m.short} = {m.label} ({m.group})" for m in MUSCLES.values()) + ".")
        elif args.command == "protocols":
            for key, proto in protocols.ALL.items():
                print(f"{key:<18} {proto.title}")
        elif args.command == "notebooks":
            from .notebooks_cli import main as notebooks_main
            return notebooks_main(args.dest, overwrite=args.overwrite)
        elif args.command == "export":
            from .export import main as export_main
            return export_main(args.dest, args.only)
        elif args.command == "params":
            from ..core.parameters import PARAMETERS
            for p in PARAMETERS.values():
                print(f"{p.name:<34} {p.value:>8g} {p.unit:<28} {p.status:<11} {p.source}")
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
