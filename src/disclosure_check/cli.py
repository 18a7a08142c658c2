"""The ``disclosure-check`` command. Exit codes: 0 clean, 1 findings at or above --fail-on,
2 usage, input, configuration or internal error."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .baseline import apply_baseline, load_baseline, write_baseline
from .batch import cli as audit_cli
from .config import Config, load_config
from .engine import Checker, expand_paths
from .errors import DisclosureCheckError
from .i18n import normalize_lang, t
from .model import DocumentStatus, RunResult, Severity
from .ruledocs import catalogue_markdown, explain
from .rules import localize
from .schema import SCHEMAS, schema_json

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", help="message language: zh_CN (default) or en")
    p.add_argument("--config", type=Path, help="configuration file (default: discovered)")
    p.add_argument("--no-config", action="store_true", help="ignore configuration files")
    p.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="FILE|MODULE",
        help="load a rule plugin from a .py file or a module (repeatable)",
    )
    p.add_argument(
        "--disable-plugin",
        action="append",
        default=[],
        metavar="NAME",
        help="do not load this plugin (repeatable; also DISCLOSURE_CHECK_DISABLE_PLUGINS)",
    )


OUTPUT_HELP = """\
outputs: --format and --output may be repeated; they pair up in order. The first
--output is where the first --format goes, and so on; a format without an --output,
or with --output -, goes to standard output (at most one may). Examples:
  --format text --format sarif --output - --output out.sarif
  --format sarif -o out.sarif --format junit -o junit.xml --format text
"""


def _check_options(p: argparse.ArgumentParser) -> None:
    """The options `check` and `baseline` share: inputs, outputs, selection, exit status."""
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = OUTPUT_HELP
    p.add_argument(
        "paths", nargs="+", metavar="PATH", help="report files (.html/.txt/.md) or folders"
    )
    p.add_argument(
        "--format",
        action="append",
        metavar="FORMAT",
        help="output format, repeatable: text (default), grouped, json, jsonl, sarif, junit, "
        "github, gitlab, or a plugin's (see `rules --formats`)",
    )
    p.add_argument(
        "--output",
        "-o",
        action="append",
        metavar="FILE",
        help="write the matching --format to FILE; - is standard output (repeatable)",
    )
    p.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="baseline file (default: `baseline` in the configuration, else "
        "disclosure-check-baseline.json for the baseline command)",
    )
    p.add_argument("--profile", help="profile id, profile .toml file, or auto (default)")
    p.add_argument("--select", type=_csv, help="rule ids or prefixes to run, comma-separated")
    p.add_argument("--ignore", type=_csv, help="rule ids or prefixes to skip")
    p.add_argument("--extend-select", type=_csv, help="add rules to the selection")
    p.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="exit 1 when a finding has this severity or worse (default: error)",
    )
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    _common(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="disclosure-check",
        description=(
            "检查政府信息公开工作年度报告是否符合《政府信息公开条例》和年度报告格式。\n"
            "Checks Chinese government information-disclosure annual reports against the law "
            "and the national report format."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("check", help="check report files or directories")
    _check_options(p)

    p = sub.add_parser(
        "baseline",
        help="accept the current findings, so that CI fails only on new ones",
        description=(
            "baseline create PATH…: write the fingerprints of every current finding to the "
            "baseline file.\nbaseline check PATH…: like `check`, but findings in the baseline "
            "are not reported; baseline entries that no longer match are listed as stale."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=["create", "check"])
    _check_options(p)

    p = sub.add_parser("parse", help="show how a report is read: outline, tables, metadata")
    p.add_argument("paths", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("rules", help="list the rule catalogue")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    p.add_argument("--formats", action="store_true", help="list output formats instead")
    _common(p)

    p = sub.add_parser("rule", help="explain one rule")
    p.add_argument("rule_id", metavar="ID")
    _common(p)

    p = sub.add_parser("profiles", help="list the report formats (profiles)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    _common(p)

    p = sub.add_parser("schema", help="print a JSON Schema of what the tool reads or writes")
    p.add_argument("name", choices=sorted(SCHEMAS))

    audit_cli.add_parser(sub, _common)
    return parser


def _checker(args: argparse.Namespace, **overrides: Any) -> Checker:
    config = Config() if args.no_config else load_config(args.config)
    return Checker(
        config,
        plugins=args.plugin,
        lang=args.lang,
        disable_plugins=[*config.disable_plugins, *args.disable_plugin] or None,
        **overrides,
    )


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


def _exit_code(result: RunResult, fail_on: Severity) -> int:
    if any(
        r.status == DocumentStatus.unparseable and not r.outcomes for r in result.reports
    ):  # a file that could not even be opened
        return EXIT_ERROR
    worst = [f.severity.rank for r in result.reports for f in r.findings()]
    return EXIT_FINDINGS if worst and max(worst) >= fail_on.rank else EXIT_CLEAN


DEFAULT_BASELINE = Path("disclosure-check-baseline.json")


def _targets(
    args: argparse.Namespace, known: Iterable[str] | None = None
) -> list[tuple[str, Path | None]]:
    """Pair the repeated --format and --output options in order; None is standard output.
    Called once before checking (pairing mistakes fail fast) and once with the format names."""
    formats = args.format or ["text"]
    outputs = args.output or []
    if len(outputs) > len(formats):
        raise DisclosureCheckError(
            f"{len(outputs)} --output for {len(formats)} --format: pair each output"
        )
    unknown = [f for f in formats if known is not None and f not in known]
    if unknown and known is not None:
        raise DisclosureCheckError(
            f"unknown format {unknown[0]!r} (available: {', '.join(sorted(known))})"
        )
    pairs: list[tuple[str, Path | None]] = []
    for i, fmt in enumerate(formats):
        out = outputs[i] if i < len(outputs) else "-"
        pairs.append((fmt, None if out == "-" else Path(out)))
    if sum(1 for _, out in pairs if out is None) > 1:
        raise DisclosureCheckError(
            "only one --format can go to standard output; give the others --output"
        )
    return pairs


def _run(args: argparse.Namespace) -> tuple[Checker, RunResult]:
    checker = _checker(
        args,
        select=args.select,
        ignore=args.ignore,
        extend_select=args.extend_select,
        fail_on=args.fail_on,
    )
    _targets(args, checker.registry.formats)  # an unknown --format fails before the slow check
    result = checker.check_paths(args.paths, profile=args.profile)
    if not result.reports:
        raise DisclosureCheckError(f"no report files found in {', '.join(args.paths)}")
    return checker, result


def _report(args: argparse.Namespace, checker: Checker, result: RunResult) -> int:
    """Write every requested format, then compute the exit status."""
    formats = checker.registry.formats
    for diag in result.diagnostics:
        print(f"warning: {diag.message}", file=sys.stderr)
    for fmt, output in _targets(args, formats):
        color = output is None and fmt in ("text", "grouped") and sys.stdout.isatty()
        _emit(formats[fmt](result, lang=checker.lang, color=color), output)
    return EXIT_CLEAN if args.exit_zero else _exit_code(result, checker.config.fail_on)


def _baseline_path(args: argparse.Namespace, checker: Checker) -> Path | None:
    if args.baseline is not None:
        return Path(args.baseline)
    return Path(checker.config.baseline) if checker.config.baseline else None


def cmd_check(args: argparse.Namespace) -> int:
    _targets(args)  # usage errors before the (slow) check
    checker, result = _run(args)
    baseline = _baseline_path(args, checker)
    if baseline is not None:
        apply_baseline(result, load_baseline(baseline))
    return _report(args, checker, result)


def cmd_baseline(args: argparse.Namespace) -> int:
    _targets(args)
    checker, result = _run(args)
    path = _baseline_path(args, checker) or DEFAULT_BASELINE
    if args.action == "create":
        count = write_baseline(result, path)
        print(f"{path}: {count} finding(s) accepted", file=sys.stderr)
        return EXIT_CLEAN
    stale = apply_baseline(result, load_baseline(path))
    code = _report(args, checker, result)
    if stale:
        print(
            f"{path}: {len(stale)} stale entr{'y' if len(stale) == 1 else 'ies'}; "
            "run `disclosure-check baseline create` to drop them",
            file=sys.stderr,
        )
    return code


def cmd_parse(args: argparse.Namespace) -> int:
    from .parsing import parse
    from .parsing.outline import render_outline

    paths = expand_paths(args.paths)
    if not paths:
        raise DisclosureCheckError(f"no report files found in {', '.join(args.paths)}")
    docs = [parse(path) for path in paths]
    if args.format == "json":
        payload = [d.model_dump(mode="json") for d in docs]
        print(
            json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False, indent=2)
        )
    else:
        print("\n\n".join(render_outline(d) for d in docs))
    unreadable = [d for d in docs if d.status == DocumentStatus.unparseable]
    for doc in unreadable:
        print(f"disclosure-check: error: {doc.source}: {doc.status_reason}", file=sys.stderr)
    return EXIT_ERROR if unreadable else EXIT_CLEAN


def cmd_rules(args: argparse.Namespace) -> int:
    checker = _checker(args)
    lang = checker.lang
    if args.formats:
        print("\n".join(sorted(checker.registry.formats)))
        return EXIT_CLEAN
    every = {**checker.registry.rules, **checker.registry.batch_rules}  # batch: DC5xx (audit)
    rules = [every[k] for k in sorted(every)]
    if args.format == "markdown":
        sys.stdout.write(catalogue_markdown(rules, checker.registry.owners))
        return EXIT_CLEAN
    if args.format == "json":
        rows = [
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity.value,
                "summary": r.docs[lang].summary if lang in r.docs else "",
                "basis": localize(r.basis, lang),
                "plugin": checker.registry.owners.get(f"rule:{r.id}"),
            }
            for r in rules
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_CLEAN
    for r in rules:
        summary = r.docs[lang].summary if lang in r.docs else ""
        print(f"{r.id}  {r.name:32} {t('severity.' + r.severity.value, lang):4}  {summary}")
    return EXIT_CLEAN


def cmd_rule(args: argparse.Namespace) -> int:
    checker = _checker(args)
    lang = checker.lang
    rule_id = args.rule_id.upper()
    rule = checker.registry.rules.get(rule_id) or checker.registry.batch_rules.get(rule_id)
    if rule is None:
        raise DisclosureCheckError(f"unknown rule {args.rule_id!r}; see `disclosure-check rules`")
    print(f"{rule.id} {rule.name}")
    sys.stdout.write(explain(rule, lang))
    return EXIT_CLEAN


def cmd_profiles(args: argparse.Namespace) -> int:
    checker = _checker(args)
    lang = checker.lang
    profiles = []
    for pid in checker.registry.profile_ids():
        try:
            profiles.append(checker.registry.profile(pid))
        except DisclosureCheckError as exc:  # one broken profile file must not hide the others
            print(f"warning: {exc}", file=sys.stderr)
    if args.format == "json":
        print(
            json.dumps([p.model_dump(mode="json") for p in profiles], ensure_ascii=False, indent=2)
        )
        return EXIT_CLEAN
    for p in profiles:
        auto = ""
        if p.auto:
            years = f"{p.auto.year_min or ''}–{p.auto.year_max or ''}"
            kinds = ",".join(k.value for k in p.auto.kinds) or "*"
            auto = f"  auto: {kinds} {years}"
        parent = f" (extends {p.extends})" if p.extends else ""
        print(f"{p.id:16} {localize(p.title, lang)}{parent}{auto}")
    return EXIT_CLEAN


def cmd_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(schema_json(args.name))
    return EXIT_CLEAN


COMMANDS = {
    "check": cmd_check,
    "baseline": cmd_baseline,
    "parse": cmd_parse,
    "rules": cmd_rules,
    "rule": cmd_rule,
    "profiles": cmd_profiles,
    "schema": cmd_schema,
    "audit": audit_cli.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        if getattr(args, "lang", None):
            args.lang = normalize_lang(args.lang)
        return COMMANDS[args.command](args)
    except DisclosureCheckError as exc:
        print(f"disclosure-check: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLEAN
    except Exception as exc:  # never a bare traceback for the user
        print(f"disclosure-check: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
