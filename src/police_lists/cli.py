"""Command line: python -m police_lists {validate,build}."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="police_lists", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check every file in data/ against its schema and rules")
    v.add_argument("--data-dir", default="data")
    b = sub.add_parser("build", help="validate, execute every notebook, convert to HTML, write the manifest")
    b.add_argument("--data-dir", default="data")
    b.add_argument("--output-dir", default="outputs")
    b.add_argument("--notebook", action="append", dest="names", help="build only this notebook (repeatable)")
    b.add_argument("--force", action="store_true", help="re-execute even if nothing changed")
    b.add_argument("--jobs", type=int, default=2, help="notebooks executed at once")
    b.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    args = parser.parse_args(argv)

    if args.command == "validate":
        from police_lists import validate

        return validate.main(args.data_dir)
    if args.command == "build":
        from police_lists import build, validate

        try:
            build.build(args.output_dir, args.data_dir, args.names, args.force, args.jobs, args.show_code)
        except validate.ValidationError as exc:
            validate.report(exc)
            return 1
        return 0
    return 2
