"""Command line: python -m police_lists {validate,build,derive,teaching,grade,synth,profile}."""

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
    t.add_argument("--jobs", type=int, default=2, help="lesson versions executed at once")
    t.add_argument("--no-bundle", action="store_true", help="skip the classroom bundle (outputs/teaching/)")
    g = sub.add_parser("grade", help="mark a folder of student notebooks: OUT/grades.csv and OUT/feedback/")
    g.add_argument("--submissions", help="folder of submitted .ipynb files")
    g.add_argument("--output-dir", help="OUT: grades.csv and feedback/ are written here")
    g.add_argument("--time-limit", type=int, default=60, help="seconds a cell may run (then it is interrupted)")
    g.add_argument("--data-dir", default="data")
    g.add_argument(
        "--from-environment",
        action="store_true",
        help="take SUBMISSIONS, OUT and TIME_LIMIT from the environment, as `make grade` passes them",
    )
    sy = sub.add_parser("synth", help="regenerate the SYNTHETIC teaching list (IPF from the published Pima margins)")
    sy.add_argument("--data-dir", default="data")
    sy.add_argument("--output-dir", default="data/examples")
    pr = sub.add_parser("profile", help="profile any police list (disclosure-controlled) into OUT/")
    pr.add_argument(
        "--list",
        dest="list_paths",
        action="append",
        default=[],
        help="the list: .csv or .xlsx, record-level or aggregate; repeat it, or give a folder, for many lists "
        "(OUT/<name>/ for each and OUT/compare/)",
    )
    pr.add_argument("--output-dir", help="OUT: profile.html, notebook.ipynb, manifest.json, tables/")
    pr.add_argument(
        "--from-environment",
        action="store_true",
        help="take LIST, OUT, PARAMS (and SHOW_CODE) from the environment, as `make profile` passes them: "
        "no shell ever evaluates them; PARAMS is split like a shell command line (shlex)",
    )
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
    import sys

    argv = list(sys.argv[1:] if argv is None else argv)
    pairs = []
    if argv[:1] == ["profile"]:
        # -p NAME VALUE taken as given before argparse sees them: a value may start with '-'
        # (a harm band edge of -5, a column named '-2+3'), which argparse would take for an option
        rest, i = [], 0
        while i < len(argv):
            if argv[i] in ("-p", "--parameter") and i + 2 < len(argv):
                pairs.append((argv[i + 1], argv[i + 2]))
                i += 3
            else:
                rest.append(argv[i])
                i += 1
        argv = rest
    args = parser.parse_args(argv)
    if args.command == "profile":
        args.parameter = pairs + list(args.parameter)

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

        from police_lists.pipeline import bundle, teaching

        try:
            return _refused(
                lambda: teaching.build_teaching(
                    args.output_dir, args.data_dir, args.lessons, args.jobs, bundle=not args.no_bundle
                )
            )
        except (teaching.TeachingBuildError, bundle.BundleError) as exc:
            print(f"teaching: {exc}", file=sys.stderr)
            return 1
    if args.command == "grade":
        import sys

        from police_lists.pipeline import grading

        if args.from_environment:
            return grading.main_from_environment()
        if not args.submissions or not args.output_dir:
            print("grade: give --submissions and --output-dir", file=sys.stderr)
            return 1
        try:
            grading.grade(args.submissions, args.output_dir, args.data_dir, args.time_limit)
        except grading.GradeError as exc:
            print(f"grade: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command == "synth":
        from police_lists.analyses import synth

        for path in [*synth.write(args.output_dir, args.data_dir), *synth.write_forces(args.output_dir, args.data_dir)]:
            print(f"wrote {path.name}")
        return 0
    if args.command == "profile":
        return _profile(args)
    return 2


def _parameters_from_environment(text: str) -> list[tuple[str, str]]:
    """PARAMS='-p name value -p other "a value"' split with shlex (never by a shell)."""
    import shlex

    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ValueError(
            f"PARAMS: {exc} (quote each value, e.g. PARAMS='-p ethnicity_column \"Ethnic origin\"')"
        ) from None
    pairs = []
    while words:
        flag = words.pop(0)
        if flag not in ("-p", "--parameter") or len(words) < 2:
            raise ValueError(f"PARAMS: expected '-p NAME VALUE', got {flag!r}")
        pairs.append((words.pop(0), words.pop(0)))
    return pairs


def _lists_from_environment(text: str) -> list[str]:
    """LIST as typed: one file or folder (a name may hold spaces), or else several
    names split like a shell command line (shlex, never by a shell)."""
    import os
    import shlex

    if not text or os.path.exists(os.path.expanduser(text)):
        return [text] if text else []
    try:
        names = shlex.split(text)
    except ValueError as exc:
        raise ValueError(f"LIST: {exc} (quote a name holding spaces)") from None
    return names if len(names) > 1 else [text]


def _profile(args) -> int:
    """`make profile`: one line per problem and a non-zero exit, never a traceback;
    Ctrl-C (130) and SIGTERM (143) say that nothing was written."""
    import os
    import sys

    from police_lists.contract.safety import one_line, quoted
    from police_lists.pipeline import scratch

    def say(line: str) -> None:
        print(one_line(line), file=sys.stderr)

    output_dir = args.output_dir
    with scratch.interruptible() as state:
        try:
            pairs = list(args.parameter)
            list_paths, output_dir, show_code = list(args.list_paths), args.output_dir, args.show_code
            if args.from_environment:
                try:
                    list_paths = _lists_from_environment(os.environ.get("LIST", ""))
                except ValueError as exc:
                    say(str(exc))
                    return 2
                output_dir = os.environ.get("OUT", "")
                show_code = show_code or bool(os.environ.get("SHOW_CODE"))
                try:
                    pairs += _parameters_from_environment(os.environ.get("PARAMS", ""))
                except ValueError as exc:
                    say(str(exc))
                    return 2
            if not list_paths or not output_dir:
                say(
                    "usage: make profile LIST=<file> OUT=<dir> [PARAMS='-p name value ...'] (LIST may be a folder "
                    "of lists or several files; or police_lists profile --list FILE [--list FILE ...] --output-dir DIR)"
                )
                return 2
            from police_lists.contract.problems import ProblemError, report
            from police_lists.pipeline import profile
            from police_lists.pipeline.params import parse_value

            values = {name: parse_value("05_list_profile", name, value) for name, value in pairs}
            try:
                if len(list_paths) == 1 and not os.path.isdir(list_paths[0]):
                    manifest = profile.run(list_paths[0], output_dir, values, args.data_dir, show_code)
                else:
                    lists = profile.lists_in(list_paths)
                    manifest = profile.run_many(
                        lists, output_dir, parameters=values, data_dir=args.data_dir, show_code=show_code
                    )
            except ProblemError as exc:
                if state is not None and state.signum is not None:
                    raise scratch.Interrupted(state.signum) from None
                report(exc, f"profile refused: {{n}} problem(s); nothing was written to {one_line(output_dir)}")
                return 1
            if "lists" in manifest:
                print(
                    one_line(
                        f"{output_dir}: {len(manifest['lists'])} profiles in <name>/ "
                        f"({', '.join(manifest['lists'])}) and compare/ ({manifest['comparison']}); "
                        f"{manifest['sensitivity']}"
                    )
                )
                return 0
            print(
                one_line(
                    f"{output_dir}: profile.html, notebook.ipynb, manifest.json, tables/ ({manifest['sensitivity']})"
                )
            )
            return 0
        except scratch.Interrupted as exc:
            name = "Ctrl-C" if exc.signum == 2 else exc.args[0]
            if exc.completed:
                say(
                    f"profile interrupted ({name}) while OUT was switched over; the switch finished first, so "
                    f"{output_dir} holds the new profile"
                )
            else:
                say(f"profile interrupted ({name}): nothing was written to {output_dir or 'OUT'}")
            return exc.exit_status
        except Exception as exc:  # noqa: BLE001 - never a traceback for a user; POLICE_LISTS_DEBUG=1 shows it
            if state is not None and state.signum is not None:
                say(f"profile interrupted: nothing was written to {output_dir or 'OUT'}")
                return 128 + state.signum
            if os.environ.get("POLICE_LISTS_DEBUG"):
                raise
            say(
                f"profile failed: {type(exc).__name__}: {quoted(str(exc), 200)}; nothing was written to "
                f"{output_dir}. This is a bug: please report it with POLICE_LISTS_DEBUG=1 set"
            )
            return 1


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
