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


def main() -> None:
    app()
