"""The one command, `zengzhi`, and its subcommands. Errors are mapped to exit codes here."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from zengzhi.domain import format_fen, format_points, format_price
from zengzhi.replay import ReplayError, ReplayResult, replay_lines

app = typer.Typer(
    name="zengzhi",
    help="Consumption-appreciation loyalty economies, computed exactly.",
    no_args_is_help=True,
    add_completion=False,
)

DEMO_LOGS = ("seed003-100-orders.jsonl", "seed004-local-life.jsonl")


@app.command()
def replay(
    log: Annotated[Path, typer.Argument(help="A JSON Lines event log (spec/replay.md).")],
) -> None:
    """Recompute an economy's exact books from an event log and print them as JSON."""
    try:
        with log.open(encoding="utf-8") as lines:
            result = replay_lines(lines)
    except OSError as error:
        _fail(f"cannot read {log}: {error.strerror or error}")
    except UnicodeDecodeError:
        _fail(f"{log} is not UTF-8 text")
    except ReplayError as error:
        _fail(f"{log}: {error}")
    json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


@app.command()
def demo() -> None:
    """Replay the bundled demo economies and print a readable summary."""
    console = Console()
    console.print(
        "[bold]Zengzhi demo[/bold]: the seed documents' worked examples, replayed exactly.\n"
    )
    for name in DEMO_LOGS:
        text = resources.files("zengzhi").joinpath("demo_data", name).read_text(encoding="utf-8")
        _print_summary(console, name, replay_lines(text.splitlines()))
    console.print(
        "Prices rise with every order and every sale's fee, but what a member gets back "
        "depends on future orders: nothing here is a promise of profit.\n"
        "Replay a log yourself: [bold].venv/bin/zengzhi replay "
        "src/zengzhi/demo_data/seed003-100-orders.jsonl[/bold]"
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Run the HTTP service (API docs at /docs)."""
    import uvicorn
    from pydantic import ValidationError

    from zengzhi.api import create_app
    from zengzhi.config import Settings

    try:
        settings = Settings()
    except ValidationError as error:
        _fail(f"invalid settings: {error.errors()[0]['msg']}")
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


def _print_summary(console: Console, name: str, result: ReplayResult) -> None:
    engine = result.engine
    members = list(engine.members())
    console.rule(name)
    console.print(
        f"price [bold]{format_price(engine.price())}[/bold] yuan/point · "
        f"pool {format_fen(engine.pool_fen)} yuan · "
        f"points outstanding {format_points(engine.points_micro, 4)} · "
        f"members {len(members)} · forced exits {len(result.exits)}"
    )
    table = Table("member", "points", "worth now (yuan)", "cash (yuan)", "cycle spend", "exits")
    for m in members[:5] + (members[-3:] if len(members) > 8 else []):
        worth = engine.price() * m.points_micro / 1_000_000
        table.add_row(
            m.member,
            format_points(m.points_micro, 4),
            format_price(worth, 2),
            format_fen(m.cash_fen),
            format_fen(m.cycle_spend_fen),
            str(m.exits),
        )
    console.print(table)
    console.print()


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


# -- the ledger (issue 3): database migrations and verification ----------------------

db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")

_URL_HELP = "Database URL (postgresql://... or sqlite:///file); default $ZENGZHI_DATABASE_URL."


def _database_url(url: str | None) -> str:
    import os

    from zengzhi.store import DEFAULT_URL

    return url or os.environ.get("ZENGZHI_DATABASE_URL") or DEFAULT_URL


@db_app.command("upgrade")
def db_upgrade(
    url: Annotated[str | None, typer.Option(help=_URL_HELP)] = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Create or migrate the ledger's tables (Alembic migrations shipped in the package)."""
    from sqlalchemy.exc import SQLAlchemyError

    from zengzhi.store import Database

    database = Database(_database_url(url))
    try:
        database.upgrade(revision)
    except SQLAlchemyError as error:
        _fail(f"cannot migrate the database: {error.__class__.__name__}: {error}")
    finally:
        database.dispose()
    typer.echo(f"database at revision {revision}")


@app.command()
def verify(
    economy: Annotated[str, typer.Argument(help="The economy id to verify.")],
    url: Annotated[str | None, typer.Option(help=_URL_HELP)] = None,
) -> None:
    """Recompute balances, the hash chain, checkpoints and the engine from stored events."""
    from sqlalchemy.exc import SQLAlchemyError

    from zengzhi.app import verify_economy
    from zengzhi.domain import DomainError
    from zengzhi.store import Database

    database = Database(_database_url(url))
    try:
        with database.snapshot() as reader:
            report = verify_economy(reader, economy)
    except DomainError as error:
        _fail(error.message)
    except SQLAlchemyError as error:
        _fail(f"cannot read the database: {error.__class__.__name__}: {error}")
    finally:
        database.dispose()
    summary = (
        f"economy {economy}: {report.transactions} transactions, {report.events} events, "
        f"{report.checkpoints} checkpoints, price {report.price}"
    )
    if report.ok:
        typer.echo(f"{summary}\nverified: chain, checkpoints, balances and replay agree")
        return
    typer.echo(summary)
    for problem in report.problems[:50]:
        where = f"transaction {problem.seq}: " if problem.seq is not None else ""
        typer.echo(f"  {where}{problem.what}", err=True)
    if len(report.problems) > 50:
        typer.echo(f"  ... and {len(report.problems) - 50} more", err=True)
    broken = report.first_broken
    first = f"first broken transaction: {broken}" if broken is not None else "books altered"
    _fail(f"verification FAILED, {first}")


def main() -> None:
    app()


# -- simulator (issue 8): simulate, check, stress-report -------------------------------
# The simulator's modules (numba, plotly, dask) are imported inside the commands so that
# `zengzhi replay` and `zengzhi demo` start as fast as before.


@app.command()
def simulate(
    scenario: Annotated[
        str, typer.Argument(help="A scenario TOML file (scenarios/README.md) or a preset name.")
    ],
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: sim-out/<scenario>).")
    ] = None,
    seeds: Annotated[int | None, typer.Option(help="Number of seeds (Monte Carlo runs).")] = None,
    engine: Annotated[str | None, typer.Option(help="auto, exact or kernel.")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address for sweeps (default: local).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Local Dask workers for sweeps.")] = 2,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Simulate who gets their money back: HTML report, JSON metrics, CSV time series."""
    from zengzhi.domain.errors import DomainError
    from zengzhi.sim import commands

    try:
        plan = commands.adjust(commands.resolve_scenario(scenario), seeds, engine)
        folder = out or Path("sim-out") / Path(scenario).stem
        with commands.progress_bar(progress) as bar:
            paths = commands.simulate(plan, folder, bar, scheduler=scheduler, workers=workers)
    except DomainError as error:
        _fail(error.message)
    for kind, path in paths.items():
        typer.echo(f"{kind}: {path}")


@app.command()
def check(
    config: Annotated[str, typer.Argument(help="An economy configuration TOML or a preset name.")],
    strict: Annotated[
        bool, typer.Option(help="Refuse rules with unacknowledged high-severity findings.")
    ] = True,
    ack: Annotated[
        list[str] | None, typer.Option(help="Acknowledge a high finding by its code (repeat).")
    ] = None,
    operator: Annotated[str, typer.Option(help="Who acknowledges (required with --ack).")] = "",
    reason: Annotated[str, typer.Option(help="Why (required with --ack).")] = "",
    audit_log: Annotated[
        Path | None, typer.Option(help="JSON Lines file the acknowledgements are appended to.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check rules for the warning signs regulators named (not legal advice). Exit 2: refused."""
    from zengzhi.domain.errors import DomainError
    from zengzhi.sim.checks import Acknowledgement, findings_json, review_rules
    from zengzhi.sim.commands import load_rules

    codes = ack or []
    if codes and audit_log is None:
        _fail("an acknowledgement must be audited: pass --audit-log PATH with --ack")
    try:
        rules = load_rules(config)
        acks = [Acknowledgement(code, operator, reason) for code in codes]
        decision = review_rules(rules, acks, strict=strict)
    except DomainError as error:
        _fail(error.message)
    if audit_log is not None and decision.acknowledged:
        _append_audit(audit_log, config, decision)
    if as_json:
        json.dump(findings_json(decision), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print_findings(rules.name, decision)
    if not decision.accepted:
        raise typer.Exit(code=2)


@app.command("stress-report")
def stress_report(
    out: Annotated[Path, typer.Option(help="Folder for the reports.")] = Path("reports"),
    seeds: Annotated[int, typer.Option(help="Seeds per stress scenario.")] = 8,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run the stress scenarios on every preset: one HTML report each and a summary."""
    from zengzhi.domain.errors import DomainError
    from zengzhi.sim.commands import progress_bar
    from zengzhi.sim.stress import write_stress_reports

    try:
        with progress_bar(progress) as bar:
            summary = write_stress_reports(out, seeds, bar)
    except DomainError as error:
        _fail(error.message)
    typer.echo(f"summary: {summary}")


def _append_audit(path: Path, config: str, decision: object) -> None:
    from datetime import UTC, datetime

    from zengzhi.sim.checks import RulesDecision

    assert isinstance(decision, RulesDecision)
    with path.open("a", encoding="utf-8") as log:
        for finding, ack in decision.acknowledged:
            record = {
                "at": datetime.now(UTC).isoformat(),
                "config": config,
                "code": finding.code,
                "severity": finding.severity.value,
                "operator": ack.operator,
                "reason": ack.reason,
            }
            log.write(json.dumps(record, ensure_ascii=False) + "\n")


def _print_findings(name: str, decision: object) -> None:
    from zengzhi.sim.checks import NOT_LEGAL_ADVICE, RulesDecision

    assert isinstance(decision, RulesDecision)
    console = Console()
    console.rule(f"checks: {name}")
    colour = {"high": "bold red", "medium": "yellow", "info": "green"}
    for f in decision.findings:
        console.print(
            f"[{colour[f.severity.value]}]{f.severity.value.upper()}[/] {f.code} ({f.where})"
        )
        console.print(f"  {f.title}. {f.explanation}", highlight=False)
        console.print(f"  {f.explanation_zh}", highlight=False)
    for f, a in decision.acknowledged:
        console.print(f"acknowledged {f.code} by {a.operator}: {a.reason}", highlight=False)
    if decision.blocking:
        codes = ", ".join(f.code for f in decision.blocking)
        console.print(f"[bold red]refused[/] (strict): acknowledge with --ack CODE: {codes}")
    else:
        console.print("[green]accepted[/]" + ("" if decision.strict else " (not strict)"))
    console.print(NOT_LEGAL_ADVICE, highlight=False)
