"""Command line: python -m police_lists {validate,build,derive,teaching,synth,profile}."""

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
    d = sub.add_parser("derive", help="derive the benchmark tables (census shares, victims) into outputs/derived/")
    d.add_argument("--data-dir", default="data")
    d.add_argument("--output-dir", default=None, help="default: outputs/derived")
    t = sub.add_parser("teaching", help="build the student and instructor version of every teaching lesson")
    t.add_argument("--data-dir", default="data")
    t.add_argument("--output-dir", default="outputs")
    t.add_argument("--lesson", action="append", dest="lessons", help="build only this lesson (repeatable)")
    t.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="lesson versions executed at once (kernels started in parallel threads can collide)",
    )
    sy = sub.add_parser("synth", help="regenerate the SYNTHETIC teaching list (IPF from the published Pima margins)")
    sy.add_argument("--data-dir", default="data")
    sy.add_argument("--output-dir", default="data/examples")
    pr = sub.add_parser("profile", help="profile any police list (disclosure-controlled) into OUT/")
    pr.add_argument(
        "--list", required=True, dest="list_path", help="the list: .csv or .xlsx, record-level or aggregate"
    )
    pr.add_argument("--output-dir", required=True, help="OUT: profile.html, notebook.ipynb, manifest.json, tables/")
    pr.add_argument("--data-dir", default="data")
    pr.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    pr.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="notebook parameter, as papermill -p (e.g. -p ethnicity_column Ethnicity)",
    )
    args = parser.parse_args(argv)

    if args.command == "validate":
        from police_lists.contract import validate

        return validate.main(args.data_dir)
    if args.command == "build":
        from police_lists.pipeline import build  # validate (pandas) is imported only when needed: fast rebuilds

        return _refused(
            lambda: build.build(args.output_dir, args.data_dir, args.names, args.force, args.jobs, args.show_code)
        )
    if args.command == "derive":
        from police_lists.analyses import benchmarks
        from police_lists.contract import validate

        def derive():
            validate.validate(args.data_dir)  # raw files must match their hashes before anything is derived
            benchmarks.derive(args.data_dir, args.output_dir)

        return _refused(derive)
    if args.command == "teaching":
        import sys

        from police_lists.pipeline import teaching

        try:
            return _refused(lambda: teaching.build_teaching(args.output_dir, args.data_dir, args.lessons, args.jobs))
        except teaching.TeachingBuildError as exc:
            print(f"teaching: {exc}", file=sys.stderr)
            return 1
    if args.command == "synth":
        from police_lists.analyses import synth

        for path in synth.write(args.output_dir, args.data_dir):
            print(f"wrote {path.name}")
        return 0
    if args.command == "profile":
        import sys

        from police_lists.analyses import profile
        from police_lists.pipeline.params import parse_value
        from police_lists.readers import listinput

        values = {name: parse_value("05_list_profile", name, value) for name, value in args.parameter}
        try:
            manifest = profile.run(args.list_path, args.output_dir, values, args.data_dir, args.show_code)
        except (listinput.ListInputError, profile.ProfileError) as exc:
            from police_lists.contract.problems import report

            report(exc, f"profile refused: {{n}} problem(s); nothing was written to {args.output_dir}")
            return 1
        print(f"{args.output_dir}: profile.html, notebook.ipynb, manifest.json, tables/ ({manifest['sensitivity']})")
        return 0
    return 2


def _refused(step) -> int:
    """Run a step that validates data/ first: 0 when it succeeds; on bad data,
    one line per problem, then that nothing was built, and 1."""
    from police_lists.contract.problems import ProblemError  # no heavy imports: fast no-change rebuilds

    try:
        step()
    except ProblemError as exc:
        from police_lists.contract import validate

        validate.report(exc)
        return 1
    return 0
