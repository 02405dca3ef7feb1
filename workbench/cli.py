"""The ``workbench`` command line (also ``python -m workbench``).

Each sub-command is a thin wrapper over a package function; a ``WorkbenchError`` is printed
as one line on stderr with a non-zero exit, anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench import __version__
from workbench.errors import WorkbenchError


def _params(args: argparse.Namespace) -> dict:
    from workbench.config import load_params

    return load_params(
        params_dir=getattr(args, "params_dir", None),
        params_file=getattr(args, "params", None),
        overrides=[tuple(p) for p in (getattr(args, "p", None) or [])],
    )


def _sample_params(args: argparse.Namespace) -> dict:
    """The sample organisation's own profile (never params/org.yaml), then --params and -p."""
    from workbench.config import deep_merge, parse_cli_value, read_yaml, set_dotted
    from workbench.sample.profile import sample_params

    params = sample_params(getattr(args, "params_dir", None))
    if getattr(args, "params", None):
        params = deep_merge(params, read_yaml(args.params))
    for key, value in getattr(args, "p", None) or []:
        set_dotted(params, key, parse_cli_value(key, value))
    return params


def cmd_sample_data(args: argparse.Namespace) -> int:
    """Run `workbench sample-data`."""
    from workbench.sample import generate_sample

    truth = generate_sample(
        Path(args.out),
        seed=args.seed,
        start=args.start,
        end=args.end,
        params=_sample_params(args),
        experiment=args.experiment,
        profile=args.profile,
    )
    print(
        f"Wrote sample exports for {truth['organisation']} ({truth['start']}..{truth['end']}) "
        f"to {args.out}; planted effects in {Path(args.out) / 'truth.json'}"
    )
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Run `workbench ingest`."""
    from workbench.io.ingest import ingest

    result = ingest(Path(args.raw_dir), Path(args.out), _params(args), strict=args.strict)
    print(result.summary())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Run `workbench check`."""
    from workbench.io.check import check_files

    reports = check_files([Path(f) for f in args.files], _params(args))
    for report in reports:
        print(report.describe())
    return 0 if all(r.ok for r in reports) else 1


def cmd_label(args: argparse.Namespace) -> int:
    """Run `workbench label`."""
    from workbench.labels import run_label

    summary = run_label(
        Path(args.processed_dir),
        _params(args),
        overrides=Path(args.overrides) if args.overrides else None,
        media_dir=Path(args.media) if args.media else None,
    )
    print(summary)
    return 0


def cmd_labels_export(args: argparse.Namespace) -> int:
    """Run `workbench labels-export`."""
    from workbench.labels import export_labels_csv

    path = export_labels_csv(Path(args.processed_dir), Path(args.out), _params(args))
    print(
        f"Wrote {path}: edit it in a spreadsheet, then run "
        f"`workbench label {args.processed_dir} --overrides {path}`"
    )
    return 0


#: `workbench report` with these folders and no exports in data/raw/ reports on the sample.
DEFAULT_FOLDERS = {"raw": "data/raw", "processed": "data/processed", "reports": "reports"}
SAMPLE_FOLDERS = {"raw": "data/sample/raw", "processed": "data/sample/processed",
                  "reports": "reports/sample"}


def holds_exports(folder: Path) -> bool:
    """Whether ``folder`` holds any file other than hidden ones (``.gitkeep``)."""
    return folder.is_dir() and any(
        p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        for p in folder.rglob("*"))


def sample_fallback(args: argparse.Namespace) -> bool:
    """What ``make report`` does, for ``workbench report`` alone (Windows, conda, no make).

    With the default folders and no exports in ``data/raw/``, report on the fictional sample
    organisation instead: generate its exports into ``data/sample/raw/`` (once) and write the
    report under ``reports/sample/``, saying so loudly. Returns whether it switched.
    """
    if any(getattr(args, k) != v for k, v in DEFAULT_FOLDERS.items()):
        return False
    if holds_exports(Path(args.raw)):
        return False
    print("=" * 78 + "\ndata/raw/ holds no exports: reporting on the SAMPLE organisation's "
          "FICTIONAL data\n(data/sample/raw/ -> reports/sample/). Put your exports in "
          "data/raw/<YYYY-MM>/ to report on them.\n" + "=" * 78, flush=True)
    for key, value in SAMPLE_FOLDERS.items():
        setattr(args, key, value)
    if not (Path(args.raw) / "truth.json").exists():
        from workbench.sample import generate_sample

        generate_sample(Path(args.raw), params=_sample_params(args), experiment=True)
    return True


def cmd_report(args: argparse.Namespace) -> int:
    """Run `workbench report`."""
    from workbench.report.runner import run_report

    sample_fallback(args)
    out = run_report(
        month=args.month,
        raw_dir=Path(args.raw),
        processed_dir=Path(args.processed),
        reports_dir=Path(args.reports),
        params_dir=Path(args.params_dir) if args.params_dir else None,
        params_file=Path(args.params) if args.params else None,
        overrides=[tuple(p) for p in (args.p or [])],
        notebooks_dir=Path(args.notebooks) if args.notebooks else None,
    )
    print(f"Report ready: {out / 'report.html'}")
    return 0


def cmd_latest_month(args: argparse.Namespace) -> int:
    """Run `workbench latest-month`."""
    from workbench.report.runner import latest_complete_month

    print(latest_complete_month(Path(args.raw), Path(args.processed), _params(args)))
    return 0


def cmd_experiment_new(args: argparse.Namespace) -> int:
    """Run `workbench experiment new`."""
    from workbench.experiments.core import default_registry, new_experiment
    from workbench.io.tables import load_tables

    params = _params(args)
    registry = Path(args.registry) if args.registry else default_registry(args.params_dir)
    yaml_path, schedule_path, record = new_experiment(
        args.name, args.hypothesis, args.arms, args.platforms, args.start, args.weeks,
        args.posts_per_week, seed=args.seed, tables=load_tables(Path(args.processed)),
        params=params, registry=registry, reports_dir=Path(args.reports),
    )
    print(f"Registered {yaml_path} and wrote the schedule {schedule_path} "
          f"({record['planned_n']} posts, minimum detectable rate ratio "
          f"{record['power']['mde']})")
    for warning in record["warnings"]:
        print(f"warning: {warning}")
    return 0


def cmd_experiment_analyze(args: argparse.Namespace) -> int:
    """Run `workbench experiment analyze`."""
    from workbench.experiments.core import default_registry
    from workbench.report.experiment import analyze_experiment

    registry = Path(args.registry) if args.registry else default_registry(args.params_dir)
    out = analyze_experiment(
        args.name, Path(args.processed), registry=registry, reports_dir=Path(args.reports),
        params_dir=Path(args.params_dir) if args.params_dir else None,
    )
    print(f"Analysis ready: {out / 'report.html'}")
    return 0


def cmd_utm(args: argparse.Namespace) -> int:
    """Run `workbench utm`: a tagged link, or `--check` the month's GA4 source/medium values."""
    from workbench.website.settings import website_settings
    from workbench.website.utm import build_link, check_sources, format_check

    convention = website_settings(_params(args)).utm
    if args.check:
        from workbench.io.tables import load_table

        check = check_sources(load_table(Path(args.processed), "web"), args.month, convention)
        print(format_check(check))
        return 0
    if not args.url or not args.platform or not args.campaign:
        raise WorkbenchError("a link needs URL, --platform and --campaign",
                             hint="workbench utm https://example.org/page --platform facebook "
                                  "--campaign spring-job-fair (or --check)")
    link = build_link(args.url, args.platform, args.campaign, args.content, convention)
    for note in link.notes:
        print(f"note: {note}", file=sys.stderr)
    print(link.url)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser for every sub-command."""
    parser = argparse.ArgumentParser(
        prog="workbench", description="Monthly social-media and website analytics workbench."
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    parser.add_argument(
        "--params-dir",
        default=None,
        help="folder with org.yaml and monthly.yaml (default: params/)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def with_params(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--params", default=None, help="extra YAML parameters file")
        p.add_argument(
            "-p",
            nargs=2,
            action="append",
            metavar=("KEY", "VALUE"),
            help="set one parameter (dotted keys allowed); repeatable",
        )
        return p

    p = with_params(sub.add_parser("sample-data", help="write a fictional organisation's exports"))
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--start", default=None, help="first month, YYYY-MM")
    p.add_argument("--end", default=None, help="last month, YYYY-MM")
    p.add_argument("--experiment", action="store_true",
                   help="include a finished, pre-registered content experiment")
    p.add_argument("--profile", choices=("default", "strategy"), default="default",
                   help="default: every post carries the local hashtags (as the agency's "
                        "do); strategy: about half do, with planted local-hashtag, "
                        "posting-frequency and strong-post effects (truth.json 'strategy')")
    p.set_defaults(func=cmd_sample_data)

    p = with_params(sub.add_parser("ingest", help="parse every export under RAW_DIR"))
    p.add_argument("raw_dir")
    p.add_argument("--out", required=True)
    p.add_argument("--strict", action="store_true",
                   help="stop on files that are not exports we read instead of skipping them")
    p.set_defaults(func=cmd_ingest)

    p = with_params(sub.add_parser("check", help="describe export files and their problems"))
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_check)

    p = with_params(sub.add_parser("label", help="label posts (rules, images, overrides)"))
    p.add_argument("processed_dir")
    p.add_argument("--overrides", default=None)
    p.add_argument("--media", default=None, help="images folder (default: RAW/media)")
    p.set_defaults(func=cmd_label)

    p = with_params(sub.add_parser("labels-export", help="write the labels review CSV"))
    p.add_argument("processed_dir")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_labels_export)

    p = with_params(sub.add_parser("report", help="run the monthly report"))
    p.add_argument("--month", default=None, help="YYYY-MM (default: latest complete month)")
    p.add_argument("--raw", default="data/raw")
    p.add_argument("--processed", default="data/processed")
    p.add_argument("--reports", default="reports")
    p.add_argument("--notebooks", default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_report)

    p = with_params(sub.add_parser("latest-month", help="print the latest complete month"))
    p.add_argument("--raw", default="data/raw")
    p.add_argument("--processed", default="data/processed")
    p.set_defaults(func=cmd_latest_month)

    p = with_params(sub.add_parser(
        "utm", help="write a tagged link (UTM convention in org.yaml) or --check GA4 sources"))
    p.add_argument("url", nargs="?", default=None)
    p.add_argument("--platform", default=None, help="facebook, instagram, linkedin, tiktok")
    p.add_argument("--campaign", default=None, help="campaign name, e.g. spring-job-fair")
    p.add_argument("--content", default=None, help="optional utm_content (which post or link)")
    p.add_argument("--check", action="store_true",
                   help="list the month's GA4 source/medium values that break the convention")
    p.add_argument("--processed", default="data/processed")
    p.add_argument("--month", default=None, help="YYYY-MM (default: latest with GA4 sources)")
    p.set_defaults(func=cmd_utm)

    experiment = sub.add_parser("experiment", help="plan and analyse content experiments")
    exp_sub = experiment.add_subparsers(dest="experiment_command", required=True)
    p = with_params(exp_sub.add_parser("new", help="pre-register an experiment and its schedule"))
    p.add_argument("name")
    p.add_argument("--hypothesis", required=True,
                   help="human_centred, brand_colours, local_hashtag, a topic, or slot")
    p.add_argument("--arms", required=True, help="comma-separated, e.g. story,info")
    p.add_argument("--platforms", required=True, help="comma-separated, e.g. facebook,instagram")
    p.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--weeks", type=int, required=True)
    p.add_argument("--posts-per-week", type=int, required=True, help="per platform")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--processed", default="data/processed")
    p.add_argument("--registry", default=None, help="default: params/experiments")
    p.add_argument("--reports", default="reports")
    p.set_defaults(func=cmd_experiment_new)
    p = with_params(exp_sub.add_parser("analyze", help="analyse a registered experiment"))
    p.add_argument("name")
    p.add_argument("--processed", default="data/processed")
    p.add_argument("--registry", default=None, help="default: params/experiments")
    p.add_argument("--reports", default="reports")
    p.set_defaults(func=cmd_experiment_analyze)

    return parser


#: Optional modules that this command line never uses but that a library it uses imports
#: when they are installed: jsonschema (imported with nbformat, which papermill and nbconvert
#: use) imports rfc3987_syntax for its IRI format checks, which compiles 38 grammars on
#: import, over a second of every `workbench report`. Notebooks are validated without
#: format checks, so these are marked absent for this process (never for the kernels).
UNUSED_OPTIONAL_MODULES = ("rfc3987_syntax",)


def skip_unused_optional_modules() -> None:
    """Mark :data:`UNUSED_OPTIONAL_MODULES` absent in this process, unless already imported."""
    for name in UNUSED_OPTIONAL_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  (None: "not installed")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    skip_unused_optional_modules()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except WorkbenchError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
