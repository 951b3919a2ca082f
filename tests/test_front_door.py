"""The front door never crashes: every command and every option, given bad values, answers with one
line per problem (``error: where: expected …, got …``) and exit code 2 (what the user typed) or 1
(data or server), never a traceback and never a silent empty result.

The walk is generated from the command line itself, so a new option without bad-value handling
fails here until it is given bad values below.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import typer

from minerals_kg.cli import app, main
from minerals_kg.resources import QUERY_DIR

# bad values per option (by the option's first name); every option of every command must be listed
BAD: dict[str, list[str]] = {
    "--mineral": ["unobtainium", "rubidium"],
    "--stage": ["smelting"],
    "--year": ["abc", "1990", "-5"],
    "--edition": ["MCS1999"],
    "--by": ["sideways"],
    "--format": ["xml"],
    "--root": ["/nonexistent/loaders"],
    "--method": ["magic"],
    "--demand": ["nowhere"],
    "--top": ["0", "abc"],
    "--cr1": ["1.5", "nan", "abc"],
    "--hhi": ["-0.1"],
    "--alliance": ["nope"],
    "--as-of": ["2026-13-45", "yesterday", "2025-02-30"],
    "--add": ["XXX"],
    "--remove": ["Atlantis"],
    "--out": ["/dev/null/report"],
    "--imposer": ["XXX"],
    "--kind": ["bribe"],
    "--instrument": ["no_such_ban"],
    "--remove-country": ["XXX"],
    "--remove-firm": ["nobody"],
    "--cut-stage": ["gallium", "unobtainium:refining", "gallium:smelting"],
    "--save": ["/dev/null/out.json"],
    "-k": ["0", "many"],
    "--exclude": ["XXX"],
    "--bolt-port": ["0", "70000", "abc"],
    "--http-port": ["0", "99999", "abc"],
    "--heap": ["lots", "1m", "-2g"],
    "--pagecache": ["big", "0m"],
    "--file": ["/nonexistent/script.cypher"],
    "--uri": ["http://x:1", "bolt://u:pw@h:1"],
    "--batch-size": ["0", "-5"],
    "--param": ["novalue", "colour=red"],
    "--debug": [],
    "--node": ["Atlantis", "nosuchnode"],
    "--hops": ["-1", "abc", "11"],
    "--labels": ["Contry", "Country,Mineal"],
    "--types": ["OWNZ"],
    "--scenario": ["/nonexistent.yaml"],
    "--cypher": ["MATCH p=()-->() RETURN p"],
    "--importer": ["XXX", "Atlantis"],
    "--source": ["no_such_source"],
    "--imports-of": ["XXX"],
}
# flags take no value; their negations are fine
FLAGS = {
    "--current",
    "--include-host",
    "--expand-organisations",
    "--wipe",
    "--bulk",
    "--allow-deletions",
    "--prune",
    "--write",
    "--list",
    "--lists",
    "--debug",
}
# what a command needs besides the bad option to get past its other checks
# (export writes to a real, writable file: a bad value that got through would exit 0 and fail the test)
PREFIX = {
    ("query",): ["concentration"],
    ("shell",): ["-f", str(QUERY_DIR / "concentration.cypher")],
    ("exposure",): ["--importer", "USA", "--mineral", "cobalt"],
    ("export",): ["--format", "graphml", "--out", str(Path(tempfile.gettempdir()) / "minerals-kg-front-door.graphml")],
}


def commands() -> list[tuple[tuple[str, ...], typer.main.TyperGroup]]:
    root = typer.main.get_command(app)
    out = []
    for name, cmd in root.commands.items():
        if hasattr(cmd, "commands"):
            out.extend(((name, sub_name), sub) for sub_name, sub in cmd.commands.items())
        else:
            out.append(((name,), cmd))
    return out


def cases() -> list[tuple[list[str], str]]:
    found = []
    for path, cmd in commands():
        for param in cmd.params:
            opt = param.opts[0] if param.opts and param.opts[0].startswith("-") else None
            if opt is None or opt in FLAGS:
                continue
            for value in BAD[opt]:
                found.append(([*path, *PREFIX.get(path, []), opt, value], f"{' '.join(path)} {opt}={value}"))
    found += [
        (["nosuchcommand"], "unknown command"),
        (["neo4j", "restart"], "unknown subcommand"),
        (["concentration", "--bogus"], "unknown option"),
        (["concentration", "--year"], "missing value"),
        (["concentration", "extra"], "extra argument"),
        (["scenario", "/nonexistent.yaml"], "missing file"),
        (["query", "nope"], "unknown query"),
        (["query", "concentration", "-p", "year=twenty"], "bad parameter type"),
        (["query", "coverage_matrix", "-p", "as_of=2025-13-01"], "impossible date parameter"),
        (["query", "concentration", "-p", "stage=smelting"], "bad vocabulary parameter"),
        (["chokepoints", "--method", "network", "--mineral", "rubidium"], "mineral without data"),
        (["export", "--out", "x.graphml"], "export without --format"),
        (["export", "--format", "gexf"], "export without --out"),
        (["export", "--format", "d3", "--out", "/tmp/x.json", "--hops", "2"], "hops without a node"),
        (["export", "--format", "d3", "--out", "/tmp/x.json", "--as-of", "2026-01-01"], "as-of without an alliance"),
        (
            [
                "export",
                "--format",
                "d3",
                "--out",
                "/tmp/x.json",
                "--mineral",
                "cobalt",
                "--stage",
                "component_manufacturing",
            ],
            "stage without data for the mineral",
        ),
        (
            ["export", "--format", "d3", "--out", "/tmp/x.json", "--labels", "Source", "--types", "PRODUCES"],
            "filters that keep nothing",
        ),
        (["export", "--format", "neo4j-admin", "--out", "/dev/null"], "neo4j-admin into a file"),
        (["load", "--bulk"], "bulk load without a local server"),
        (["load", "--bulk", "--uri", "bolt://db.example.org:7687"], "bulk load into a remote server"),
        (["load", "--bulk=yes"], "bulk is a flag"),
        (["load", "--allow-deletions=yes"], "a flag given a value"),
        (["load", "--allow-deletions", "--batch-size", "0"], "the flag with a bad batch size"),
        (["load", "--allow-deletions", "--root", "/nonexistent/loaders"], "the flag with a missing root"),
        (["load", "--allow-deletions", "--wipe"], "the flags without a server"),
    ]
    return found


def test_every_option_of_every_command_has_bad_values():
    missing = {
        p.opts[0]
        for _, cmd in commands()
        for p in cmd.params
        if p.opts and p.opts[0].startswith("-") and p.opts[0] not in BAD and p.opts[0] not in FLAGS
    }
    assert missing == set()


@pytest.mark.parametrize(("argv", "case"), cases(), ids=[c for _, c in cases()])
def test_a_bad_value_is_one_precise_line_and_a_usage_exit_code(argv, case, capsys, monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "not-a-real-password")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("MINERALS_KG_NEO4J_HOME", "/nonexistent/neo4j-home")
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert exc.value.code in (1, 2), (case, err)
    assert lines and all(line.startswith("error: ") for line in lines), (case, err)
    assert "Traceback" not in err and "not-a-real-password" not in err and "pw@" not in err
    assert ": expected " in err and ", got " in err, (case, err)
    if exc.value.code == 1:  # only data or server problems exit 1
        assert "cannot reach" in err or "failed" in err, (case, err)


def test_good_values_still_work(capsys):
    main(["concentration", "--mineral", "cobalt", "--stage", "mining", "--format", "json"])
    assert '"top_country": "COD"' in capsys.readouterr().out


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("allow_deletions", "yes"), ("allow_deletions", 1), ("wipe", None), ("batch_size", 0), ("batch_size", True)],
)
def test_bad_load_arguments_through_the_api_are_one_clear_error(keyword, value):
    from minerals_kg.backends.neo4j.config import Neo4jSettings
    from minerals_kg.backends.neo4j.loader import load
    from minerals_kg.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match=rf"^{keyword}: expected .*, got "):
        load(Neo4jSettings(uri="bolt://127.0.0.1:1", password="x"), **{keyword: value})
