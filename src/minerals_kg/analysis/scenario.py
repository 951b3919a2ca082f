"""Disruption scenarios: apply policy instruments from the graph, remove countries, or cut stages,
and report what the alliance loses per mineral, stage, end use and member.

A scenario is a small YAML/JSON document (or the same fields as CLI flags)::

    name: China's export controls in force
    alliance: ministerial_2026
    as_of: 2025-06-01            # which instruments are in force, and membership date
    imposer: CHN                 # every instrument of this imposer and kind in force on as_of ...
    kinds: [export_control]
    instruments: []              # ... and/or these instrument ids (applied whatever their status)
    remove_countries: []         # ISO-3: all their output, every stage
    remove_firms: []             # firm ids: their sourced quantities, taken from their host countries
    cut_stages: []               # [{mineral: gallium, stage: refining}]
    year: null                   # pin the data year / edition (default: latest per mineral and stage)
    edition: null

An instrument of ``item_scope: technology`` (know-how, equipment designs) is listed but cuts no
material. Any other instrument cuts its imposer's output of the minerals it covers at the stages it lists (all stages
when none) for the alliance when it applies to every destination (``target_scope: all``) or names a
member as target. Supply lost is the cut suppliers' share of world output at that stage (and their
quantity where the source gives one); the flow reaching the alliance is the supply network's
max-flow (the weakest stage), before and after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from ..contract import Table, make_table
from ..model import InstrumentKind, Stage
from .supply import chain_flow, supply_chains

__all__ = [
    "APPLIED",
    "BY_STAGE",
    "FLOW_LOSSES",
    "FLOW_ROUTES",
    "Scenario",
    "ScenarioResult",
    "StageCut",
    "cuts_for",
    "instrument_in_force",
    "run_scenario",
]

ACTIVE = {"in_force", "partially_suspended", "signed"}
NEVER_IN_FORCE = {"proposed", "announced", "withdrawn"}


APPLIED: Table = make_table(
    "scenario_applied",
    "The instruments a scenario applies and what each cuts.",
    ("instrument", "object"),
    ("name", "object"),
    ("imposer", "object"),
    ("status", "object"),
    ("targets", "object", "member countries it reaches, or ['all']"),
    ("technology_only", "boolean", "controls know-how or equipment only: cuts no material"),
    ("cuts", "object", "[{mineral, stage}] it cuts"),
    (
        "without_data",
        "object",
        "[{mineral, stage}] it covers where the graph has no production data: it cuts nothing there",
    ),
)
UNCERTAIN: Table = make_table(
    "scenario_uncertain",
    "Instruments a scenario would apply but whose status no source settles on the date: listed, never applied.",
    ("instrument", "object"),
    ("name", "object"),
    ("imposer", "object"),
    ("status_as_of", "object", "the last date a source covers"),
    ("minerals", "object"),
    ("stages", "object"),
)
BY_STAGE: Table = make_table(
    "scenario_by_stage",
    "Supply lost per mineral and stage.",
    ("mineral", "object"),
    ("stage", "object"),
    ("year", "Int64"),
    ("edition", "object"),
    ("cut_countries", "object"),
    ("supply_lost_share", "float64", "share of world output at the stage"),
    ("supply_lost_quantity", "float64"),
    ("unit", "object"),
    ("coverage_before", "float64"),
    ("coverage_of_remaining_supply", "float64"),
    ("remaining_suppliers", "object"),
)


FLOW_LOSSES: Table = make_table(
    "scenario_flow_losses",
    "What each member importer loses when the applied export controls stop the imposer's exports.",
    ("member", "object", "an importer with import data: a member country, or an organisation of members (eu)"),
    ("mineral", "object"),
    ("instruments", "object"),
    ("supply_lost_share", "float64", "share of the member's supply (its group) whose route crosses a stopped flow"),
    ("direct_lost_share", "float64", "the part bought directly from the imposer"),
    ("edition", "object"),
    ("source", "object"),
    ("year_from", "Int64"),
    ("year_to", "Int64"),
)
FLOW_ROUTES: Table = make_table(
    "scenario_flow_routes",
    "The routes a scenario cuts: which member loses what through which route.",
    ("member", "object"),
    ("mineral", "object"),
    ("route", "object", "countries from the imposer to the member"),
    ("stopped", "object", "[exporter, importer] of the flow the control stops"),
    ("supply_lost_share", "float64"),
)


def flow_cuts(
    applied: pd.DataFrame,
    instruments: pd.DataFrame,
    imports: pd.DataFrame,
    import_reliance: pd.DataFrame,
    production: pd.DataFrame,
    members: frozenset[str],
    members_of: dict[str, frozenset[str]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Export controls applied to the import flows: each stops the imposer's exports of the minerals it
    covers (at its stages) to the countries it targets (every country when it targets all), and each
    member importer loses the share of its supply whose route crosses a stopped flow.

    Member importers are member countries with import data and organisations (``eu``) whose member
    countries are in the alliance. Returns a :data:`FLOW_LOSSES` and a :data:`FLOW_ROUTES` table.
    """
    from .flows import choose_group, follow, import_groups, route_shares

    members_of = members_of or {}
    groups = import_groups(imports)
    importers = sorted({g.importer for g in groups})
    member_importers = [i for i in importers if i in members or members_of.get(i, frozenset()) & members]
    details = {r["id"]: r for r in instruments.to_dict("records")}
    loss_rows: list[dict] = []
    route_rows: list[dict] = []
    by_key: dict[tuple[str, str], dict] = {}
    for rec in applied.to_dict("records"):
        if rec["technology_only"]:
            continue
        inst = details.get(rec["instrument"], {})
        imposer = inst.get("imposer")
        scope_all = inst.get("target_scope") == "all"
        targets = set(inst.get("targets") or [])
        stages = frozenset(inst.get("stages") or []) or None
        for mineral in inst.get("minerals") or []:
            for member in member_importers:
                root = choose_group(groups, member, mineral)
                if root is None:
                    continue
                plain = follow(
                    root, groups, import_reliance=import_reliance, production=production, members_of=members_of
                )
                nodes = [s.removeprefix("node:") for s in plain.transitions]
                hit = {
                    n: frozenset({imposer})
                    for n in nodes
                    if n != imposer and (scope_all or n in targets or members_of.get(n, frozenset()) & targets)
                }
                if not hit:
                    continue
                chain = follow(
                    root,
                    groups,
                    import_reliance=import_reliance,
                    production=production,
                    members_of=members_of,
                    cut=hit,
                    cut_stages=stages,
                )
                lost = sum(v for k, v in chain.absorbed.items() if k.startswith("cut:"))
                if lost <= 0:
                    continue
                key = (member, mineral)
                row = by_key.setdefault(
                    key,
                    {
                        "member": member,
                        "mineral": mineral,
                        "instruments": [],
                        "supply_lost_share": 0.0,
                        "direct_lost_share": 0.0,
                        **{k: root.describe()[k] for k in ("edition", "source", "year_from", "year_to")},
                    },
                )
                row["instruments"] = sorted({*row["instruments"], rec["instrument"]})
                if lost > row["supply_lost_share"]:
                    row["supply_lost_share"] = lost
                    row["direct_lost_share"] = chain.absorbed.get(f"cut:{member}<{imposer}", 0.0)
                    route_rows = [r for r in route_rows if (r["member"], r["mineral"]) != key]
                    for r in route_shares(chain):
                        if r["kind"] == "cut":
                            route_rows.append(
                                {
                                    "member": member,
                                    "mineral": mineral,
                                    "route": r["route"],
                                    "stopped": list(r["cut"]),
                                    "supply_lost_share": r["share"],
                                }
                            )
    loss_rows = sorted(by_key.values(), key=lambda r: (-r["supply_lost_share"], r["member"], r["mineral"]))
    routes = sorted(route_rows, key=lambda r: (r["member"], r["mineral"], -r["supply_lost_share"]))
    return FLOW_LOSSES.conform(loss_rows), FLOW_ROUTES.conform(routes)


class StageCut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mineral: str
    stage: Stage


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "scenario"
    alliance: str = "ministerial_2026"
    as_of: dt.date | None = None
    imposer: str | None = None
    kinds: list[InstrumentKind] = Field(default_factory=lambda: [InstrumentKind.EXPORT_CONTROL])
    instruments: list[str] = Field(default_factory=list)
    remove_countries: list[str] = Field(default_factory=list)
    remove_firms: list[str] = Field(default_factory=list)
    cut_stages: list[StageCut] = Field(default_factory=list)
    year: int | None = None
    edition: str | None = None


InstrumentState = Literal["in_force", "not_in_force", "unknown"]


def instrument_state(inst: dict, as_of: dt.date) -> InstrumentState:
    """Whether an instrument was in force on ``as_of``, was not, or no source says.

    Dates decide when they can: it started (effective, else announced) on or before ``as_of``, had
    not ended, and was not suspended then. Instruments never in force (proposed, announced, withdrawn)
    never apply. An instrument whose status is ``unknown`` is ``unknown`` from its ``status_as_of``
    on, unless its dates already settle that day (a suspension still running, an end date) — an
    unknown is never turned into ``in_force``. Without a start date, or when the recorded status
    (expired, superseded, suspended as of ``status_as_of``) postdates nothing the dates say, the
    recorded status decides.

    Dates are the graph's (``minerals_kg.model.graph_date``): a partial date is the first day of its
    period, except ``suspended_until``, the last day of the suspension. ``ended`` is the first day an
    instrument no longer applies. The Cypher query ``scenario_supply_loss`` applies the same rule.

    Examples
    --------
    >>> d = dt.date
    >>> ban = {"status": "unknown", "status_as_of": d(2026, 2, 1), "effective": d(2025, 10, 9),
    ...        "suspended_from": d(2025, 11, 7), "suspended_until": d(2026, 11, 10)}
    >>> [instrument_state(ban, d(*day)) for day in ((2025, 10, 20), (2026, 6, 1), (2026, 11, 20))]
    ['in_force', 'not_in_force', 'unknown']
    """
    status = inst.get("status")
    if status in NEVER_IN_FORCE:
        return "not_in_force"
    start = inst.get("effective") or inst.get("announced")
    if start and start > as_of:
        return "not_in_force"
    if inst.get("ended") and inst["ended"] <= as_of:
        return "not_in_force"
    if (
        inst.get("suspended_from")
        and inst["suspended_from"] <= as_of
        and (not inst.get("suspended_until") or as_of <= inst["suspended_until"])
    ):
        return "not_in_force"
    if status == "unknown":
        known_until = inst.get("status_as_of")
        if not start or not known_until or known_until <= as_of:
            return "unknown"
        return "in_force"
    if not start:
        return "in_force" if status in ACTIVE else "not_in_force"
    if status in ("expired", "superseded", "suspended") and not inst.get("ended") and not inst.get("suspended_from"):
        return "not_in_force" if inst.get("status_as_of") and inst["status_as_of"] <= as_of else "in_force"
    return "in_force"


def instrument_in_force(inst: dict, as_of: dt.date) -> bool:
    """Whether an instrument was certainly in force on ``as_of`` (see :func:`instrument_state`).

    >>> d = dt.date
    >>> inst = {"status": "in_force", "effective": d(2023, 8, 1), "suspended_from": d(2025, 11, 7),
    ...         "suspended_until": d(2026, 11, 10)}
    >>> instrument_in_force(inst, d(2025, 6, 1)), instrument_in_force(inst, d(2026, 2, 4))
    (True, False)
    """
    return instrument_state(inst, as_of) == "in_force"


@dataclass
class ScenarioResult:
    scenario: Scenario
    members: frozenset[str]
    applied: pd.DataFrame  # instruments applied
    by_stage: pd.DataFrame
    by_mineral: pd.DataFrame
    by_end_use: pd.DataFrame
    by_member: pd.DataFrame
    firms: pd.DataFrame = field(default_factory=pd.DataFrame)  # firm quantities considered, matched or not
    uncertain: pd.DataFrame = field(default_factory=lambda: UNCERTAIN.conform([]))  # not applied: status unknown
    by_flow: pd.DataFrame = field(default_factory=lambda: FLOW_LOSSES.conform([]))  # member importers' losses
    flow_routes: pd.DataFrame = field(default_factory=lambda: FLOW_ROUTES.conform([]))  # routes cut

    def to_dict(self) -> dict:
        import json

        def records(df: pd.DataFrame) -> list[dict]:
            # dates as ISO text (pandas would write epoch milliseconds)
            iso = df.map(lambda v: v.isoformat() if isinstance(v, dt.date) else v) if not df.empty else df
            return json.loads(iso.to_json(orient="records"))

        return {
            "scenario": json.loads(self.scenario.model_dump_json()),
            "members": sorted(self.members),
            "instruments_applied": records(self.applied),
            "by_stage": records(self.by_stage),
            "by_mineral": records(self.by_mineral),
            "by_end_use": records(self.by_end_use),
            "by_member": records(self.by_member),
            "firms": records(self.firms),
            "instruments_status_unknown": records(self.uncertain),
            "flow_losses": records(self.by_flow),
            "flow_routes": records(self.flow_routes),
        }


def cuts_for(
    scenario: Scenario, instruments: pd.DataFrame, members: frozenset[str], as_of: dt.date, chains: dict
) -> tuple[pd.DataFrame, dict[tuple[str, str], set[str]], pd.DataFrame]:
    """Which (mineral, stage) loses which countries' output, the instruments that cause it, and those
    left out because no source settles their status on ``as_of``."""
    cut: dict[tuple[str, str], set[str]] = {}
    applied = []
    uncertain: list[dict] = []
    for inst in instruments.to_dict("records"):
        inst = {k: (None if isinstance(v, float) and v != v else v) for k, v in inst.items()}
        named = inst["id"] in scenario.instruments
        by_imposer = (
            scenario.imposer is not None and inst["imposer"] == scenario.imposer and inst["kind"] in scenario.kinds
        )
        if not (named or by_imposer):
            continue
        state = instrument_state(inst, as_of)
        if state == "unknown" and not named:  # reported apart, never applied silently
            uncertain.append(
                {
                    "instrument": inst["id"],
                    "name": inst["name"],
                    "imposer": inst["imposer"],
                    "status_as_of": inst.get("status_as_of"),
                    "minerals": inst.get("minerals") or [],
                    "stages": inst.get("stages") or [],
                }
            )
            continue
        if state != "in_force" and not named:
            continue
        targets = set(inst.get("targets") or [])
        hit = sorted(targets & members) if inst.get("target_scope") != "all" else ["all"]
        if not hit:
            continue
        reached: list[dict[str, str]] = []
        without_data: list[dict[str, str]] = []
        technology_only = inst.get("item_scope") == "technology"  # know-how, not material: no supply is cut
        for mineral in [] if technology_only else inst.get("minerals") or []:
            stages = chains[mineral].stages if mineral in chains else []
            for stage in inst.get("stages") or stages or ["any"]:
                if stage in stages:
                    cut.setdefault((mineral, stage), set()).add(inst["imposer"])
                    reached.append({"mineral": mineral, "stage": stage})
                else:
                    without_data.append({"mineral": mineral, "stage": stage})
        applied.append(
            {
                "instrument": inst["id"],
                "name": inst["name"],
                "imposer": inst["imposer"],
                "status": inst["status"],
                "targets": hit,
                "technology_only": technology_only,
                "cuts": reached,
                "without_data": without_data,
            }
        )
    for country in scenario.remove_countries:
        for mineral, chain in chains.items():
            for stage in chain.stages:
                cut.setdefault((mineral, stage), set()).add(country)
    for sc in scenario.cut_stages:
        if sc.mineral in chains and sc.stage in chains[sc.mineral].stages:
            cut.setdefault((sc.mineral, sc.stage), set()).add("*")
    return APPLIED.conform(applied), cut, UNCERTAIN.conform(uncertain)


def firm_cuts(
    firms: list[str], activities: pd.DataFrame, chains: dict
) -> tuple[dict[tuple[str, str], dict[str, float]], list[dict]]:
    """Shares of world output a firm's removal takes from its host countries, per (mineral, stage).

    Only firm quantities that match the group used for that mineral and stage (year, unit, and a basis
    naming the same content; see :mod:`analysis.control`) count; the others are reported as unmatched.
    """
    from .control import quantity_in_group

    partial: dict[tuple[str, str], dict[str, float]] = {}
    notes = []
    for act in activities[activities["firm"].isin(firms)].to_dict("records"):
        chain = chains.get(act["mineral"])
        group = chain.groups.get(act["stage"]) if chain else None
        world = group.get("world_total") if group else None
        quantity = (
            quantity_in_group(
                act.get("quantity"),
                act.get("unit"),
                act.get("year"),
                act.get("basis"),
                group_year=group["year"],
                group_unit=group["unit"],
                group_basis=group.get("basis"),
            )
            if group
            else None
        )
        ok = quantity is not None and isinstance(world, (int, float)) and world > 0
        notes.append(
            {
                "firm": act["firm"],
                "mineral": act["mineral"],
                "stage": act["stage"],
                "country": act["country"],
                "year": act.get("year"),
                "quantity": act.get("quantity"),
                "unit": act.get("unit"),
                "matched": bool(ok),
            }
        )
        if ok and quantity is not None and world:
            bucket = partial.setdefault((act["mineral"], act["stage"]), {})
            bucket[act["country"]] = bucket.get(act["country"], 0.0) + quantity / world
    return partial, notes


def run_scenario(
    scenario: Scenario,
    current: pd.DataFrame,
    instruments: pd.DataFrame,
    end_uses: pd.DataFrame,
    members: frozenset[str],
    as_of: dt.date,
    activities: pd.DataFrame | None = None,
) -> ScenarioResult:
    g = supply_chains(current)  # the network's nodes: flows per mineral are closed-form (chain_flow)
    chains = g.graph["chains"]
    applied, cut, uncertain = cuts_for(scenario, instruments, members, as_of, chains)
    partial, firm_notes = (
        firm_cuts(scenario.remove_firms, activities, chains)
        if scenario.remove_firms and activities is not None
        else ({}, [])
    )
    for key in partial:
        cut.setdefault(key, set())
    stage_rows, mineral_rows = [], []
    for mineral in sorted({m for m, _ in cut}):
        sub = g  # node attributes; the mineral's own nodes are listed in g.graph["mineral_nodes"]
        by_stage: dict[str, list[str]] = {}  # the mineral's suppliers per stage, in the network's order
        for n in g.graph["mineral_nodes"][mineral]:
            if sub.nodes[n]["kind"] == "supplier":
                by_stage.setdefault(sub.nodes[n]["stage"], []).append(n)
        before = chain_flow(g, mineral)  # the chain's max-flow (its weakest stage), in closed form
        capacities: dict[str, float] = {}
        for stage in chains[mineral].stages:
            countries = cut.get((mineral, stage), set())
            firm_loss = partial.get((mineral, stage), {})
            if not countries and not firm_loss:
                continue
            suppliers = by_stage.get(stage, [])
            # share of world output each supplier loses: all of it, or the removed firms' part
            losses = {}
            for n in suppliers:
                country, share = sub.nodes[n]["country"], sub.nodes[n]["share"]
                if "*" in countries or country in countries:
                    losses[n] = share
                elif country in firm_loss:
                    losses[n] = min(share, firm_loss[country])
            lost = [n for n, x in losses.items() if x >= sub.nodes[n]["share"] - 1e-12]
            lost_share = sum(losses.values())
            world = chains[mineral].groups[stage]["world_total"]
            has_quantity = isinstance(world, (int, float)) and world == world
            coverage = sum(sub.nodes[n]["share"] for n in suppliers if sub.nodes[n]["country"] in members)
            left = {n: sub.nodes[n]["share"] - losses.get(n, 0.0) for n in suppliers}
            kept_total = sum(left.values())
            kept_members = sum(v for n, v in left.items() if sub.nodes[n]["country"] in members)
            remaining = sorted(
                ((sub.nodes[n]["country"], v) for n, v in left.items() if v > 1e-12), key=lambda t: -t[1]
            )
            info = chains[mineral].groups[stage]
            stage_rows.append(
                {
                    "mineral": mineral,
                    "stage": stage,
                    "year": info["year"],
                    "edition": info["edition"],
                    "cut_countries": sorted(countries | set(firm_loss)),
                    "supply_lost_share": lost_share,
                    "supply_lost_quantity": lost_share * world if has_quantity else None,
                    "unit": info["unit"] if info["world_total"] is not None else "share",
                    "coverage_before": coverage,
                    "coverage_of_remaining_supply": kept_members / kept_total if kept_total else 0.0,
                    "remaining_suppliers": dict(remaining),
                }
            )
            capacities.update(dict.fromkeys(lost, 0.0))
            for n, x in losses.items():
                if n not in lost:  # a partial cut (a firm's part of a country's output)
                    capacities[n] = sub.nodes[n]["share"] - x
        after = chain_flow(g, mineral, capacities)
        mineral_rows.append(
            {
                "mineral": mineral,
                "flow_before": before,
                "flow_after": after,
                "flow_lost": before - after,
                "flow_lost_share": (before - after) / before if before else 0.0,
            }
        )
    by_stage = BY_STAGE.conform(stage_rows)
    by_mineral = pd.DataFrame(
        mineral_rows, columns=["mineral", "flow_before", "flow_after", "flow_lost", "flow_lost_share"]
    )
    links = end_uses.merge(by_mineral, on="mineral")
    by_end_use = (
        (
            links.groupby("end_use")
            .agg(minerals_cut=("mineral", lambda s: sorted(s)), worst_flow_lost_share=("flow_lost_share", "max"))
            .reset_index()
            .sort_values("worst_flow_lost_share", ascending=False)
        )
        if not links.empty
        else pd.DataFrame(columns=["end_use", "minerals_cut", "worst_flow_lost_share"])
    )
    lost_at: dict[tuple[str, str], float] = {}  # one look-up per (member, cut), not a scan of every stage row
    for r in stage_rows:
        lost_at.setdefault((r["mineral"], r["stage"]), float(r["supply_lost_share"]))
    # per (member, mineral, stage) reached: the largest loss and every instrument behind it
    grouped: dict[tuple[str, str, str], tuple[list[float], set[str]]] = {}
    for rec in applied.to_dict("records"):
        hit = sorted(members) if rec["targets"] == ["all"] else rec["targets"]
        reached = [(c["mineral"], c["stage"], lost_at.get((c["mineral"], c["stage"]), 0.0)) for c in rec["cuts"]]
        for member in hit:
            for mineral, stage, share_lost in reached:
                entry = grouped.setdefault((member, mineral, stage), ([share_lost], set()))
                entry[0][0] = max(entry[0][0], share_lost)
                entry[1].add(rec["instrument"])
    by_member = (
        pd.DataFrame(
            [
                (*group, share[0], sorted(names) if len(names) > 1 else [*names])
                for group, (share, names) in sorted(grouped.items())
            ],
            columns=["member", "mineral", "stage", "supply_lost_share", "instruments"],
        )
        if grouped
        else pd.DataFrame(columns=["member", "mineral", "stage", "instrument", "supply_lost_share"])
    )
    return ScenarioResult(
        scenario,
        members,
        applied,
        by_stage,
        by_mineral,
        by_end_use,
        by_member,
        pd.DataFrame(
            firm_notes, columns=["firm", "mineral", "stage", "country", "year", "quantity", "unit", "matched"]
        ),
        uncertain,
    )
