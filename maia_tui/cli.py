"""The `maia-tui` command: the TUI by default, the demo on the sandbox, and headless subcommands."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from maia_tui import __version__
from maia_tui.core.errors import ConfigError, MaiaTuiError, MissingCredentials
from maia_tui.core.logs import LOG_FILE, configure_file_logging
from maia_tui.core.settings import Settings, load_settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="maia-tui",
        description="Rotate the credentials of Maia runners and bring the runners back.",
        epilog="Without a subcommand, opens the TUI on the configured Maia account. Try: maia-tui demo",
    )
    parser.add_argument("--version", action="version", version=f"maia-tui {__version__}")
    parser.add_argument("--debug", action="store_true", help="write debug detail to the log file (maia-tui info)")
    _tui_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="open the TUI on the embedded sandbox (no cloud account needed)")
    _tui_options(demo)
    _sandbox_options(demo, startup_delay=3.0)

    sandbox = commands.add_parser("sandbox", help="run the sandbox alone and print the exports another shell needs")
    _sandbox_options(sandbox, startup_delay=3.0)
    sandbox.add_argument("--watch-stdin", action="store_true", help=argparse.SUPPRESS)

    runners = commands.add_parser("runners", help="list the runners and their status")
    runners.add_argument("--json", action="store_true", help="print JSON instead of a table")

    commands.add_parser("info", help="show where the config, state and logs are")

    from maia_tui.rotate_cli import add_rotate_parser

    add_rotate_parser(commands)
    return parser


def _tui_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--readonly", action="store_true", default=None, help="hide every action that changes anything")
    parser.add_argument("--theme", help="a Textual theme, e.g. ansi-dark for terminals without truecolor")
    parser.add_argument("--refresh", type=float, metavar="SECONDS", help="how often the runner list refreshes")


def _sandbox_options(parser: argparse.ArgumentParser, *, startup_delay: float) -> None:
    parser.add_argument("--runners", type=int, default=0, metavar="N", help="add N synthetic runners (scale tests)")
    parser.add_argument(
        "--startup-delay", type=float, default=startup_delay, metavar="SECONDS", help="how long a runner takes to start"
    )
    if "--refresh" not in parser._option_string_actions:
        parser.add_argument("--refresh", type=float, default=5.0, metavar="SECONDS", help=argparse.SUPPRESS)


def _fail(error: MaiaTuiError) -> int:
    print(f"maia-tui: {error.message}", file=sys.stderr)
    print(f"  → {error.remedy}", file=sys.stderr)
    return EXIT_USAGE if isinstance(error, ConfigError) else EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of `python -m maia_tui`."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "sandbox":
            from maia_tui.sandbox.process import serve

            return serve(
                runners=args.runners,
                startup_delay=args.startup_delay,
                watch_stdin=args.watch_stdin,
                refresh_interval=args.refresh,
            )
        if args.command == "demo":
            return _demo(args)
        settings = load_settings()
        configure_file_logging(settings.log_dir, debug=args.debug)
        if args.command == "runners":
            return asyncio.run(_runners(settings, as_json=args.json))
        if args.command == "rotate":
            from maia_tui.rotate_cli import run_rotate

            return run_rotate(args, settings)
        if args.command == "info":
            return _info(settings)
        return _tui(settings, args)
    except MaiaTuiError as error:
        return _fail(error)
    except KeyboardInterrupt:
        return 130


def _apply_tui_options(settings: Settings, args: argparse.Namespace) -> Settings:
    changes: dict[str, Any] = {}
    if args.readonly:
        changes["readonly"] = True
    if args.theme:
        changes["theme"] = args.theme
    if getattr(args, "refresh", None) and args.command != "demo":
        changes["refresh_interval"] = args.refresh
    return replace(settings, **changes) if changes else settings


def _tui(settings: Settings, args: argparse.Namespace) -> int:
    settings = _apply_tui_options(settings, args)
    if settings.credentials is None and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise MissingCredentials()  # on a terminal, the TUI's first-run screen explains it instead
    from maia_tui.ui.app import run_app

    return run_app(settings, start_demo=lambda: _demo(args))


def _demo(args: argparse.Namespace) -> int:
    from maia_tui.sandbox.process import SandboxStartError, child_sandbox

    print("Starting the sandbox (Maia, AWS and the simulated runners on 127.0.0.1)…", file=sys.stderr)
    try:
        with child_sandbox(
            runners=getattr(args, "runners", 0),
            startup_delay=getattr(args, "startup_delay", 3.0),
            refresh_interval=getattr(args, "refresh", None) or 5.0,
        ) as env:
            os.environ.update(env)
            settings = _apply_tui_options(load_settings(), args)
            configure_file_logging(settings.log_dir, debug=args.debug)
            from maia_tui.ui.app import run_app

            return run_app(settings)
    except SandboxStartError as error:
        print(f"maia-tui: {error}", file=sys.stderr)
        return EXIT_FAILED


async def _runners(settings: Settings, *, as_json: bool) -> int:
    from maia_tui.core.maia.client import MaiaClient

    async with MaiaClient.from_settings(settings) as client:
        runners = await client.list_runners()
    if as_json:
        rows = [
            {
                "id": r.id,
                "name": r.name,
                "status": r.status_label.lower(),
                "connected": r.connected,
                "platform": r.platform.label,
                "cloudProvider": r.cloud_provider,
                "deployment": r.deployment,
                "version": r.version.agent_version if r.version else None,
                "updateAvailable": bool(r.version and r.version.update_available),
                "pausedUntil": r.paused_until.isoformat() if r.paused_until else None,
            }
            for r in runners
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    header = ("NAME", "STATUS", "CONNECTED", "PLATFORM", "VERSION", "ID")
    table = [header] + [
        (
            r.name,
            r.status_label,
            "yes" if r.connected else "no",
            r.platform.label,
            (r.version.agent_version + (" (update)" if r.version.update_available else "")) if r.version else "",
            r.id,
        )
        for r in runners
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK


def _info(settings: Settings) -> int:
    credential = (
        settings.credentials.client_id if settings.credentials else "(not set: MAIA_CLIENT_ID / MAIA_CLIENT_SECRET)"
    )
    lines = [
        ("version", __version__),
        ("config file", f"{settings.config_path}{'' if settings.config_path.exists() else '  (not created yet)'}"),
        ("state dir", str(settings.state_dir)),
        ("log file", str(settings.log_dir / LOG_FILE)),
        ("Maia region", settings.region),
        ("Maia API", settings.api_url),
        ("API credential", credential),
        ("runner bindings", str(len(settings.bindings))),
    ]
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"{key.ljust(width)}  {value}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
