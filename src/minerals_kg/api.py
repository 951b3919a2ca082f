"""The Python API: ``kg = minerals_kg.open()`` and its analyses as pandas DataFrames.

:class:`KnowledgeGraph` depends only on the :class:`~minerals_kg.contract.GraphReader` protocol, so
the same methods run over the embedded graph and over a Neo4j server. Every argument is checked
before any work (:mod:`minerals_kg.inputs`); a bad one raises
:class:`~minerals_kg.errors.InvalidArgument` naming the argument, never an empty result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd
from pydantic import ValidationError

from .analysis import chain_coverage, chokepoints, concentration, coverage, current_groups, resolve_members
from .analysis.concentration import DEFAULT_CR1, DEFAULT_HHI
from .analysis.control import attribute_control
from .analysis.coverage import CRMA_SINGLE_COUNTRY_BENCHMARK, AllianceData, AllianceMembers
from .analysis.exposure import Exposure, exposure, import_coverage
from .analysis.network_chokepoints import NETWORK_CHOKEPOINTS, flow_chokepoints, network_chokepoints
from .analysis.scenario import Scenario, ScenarioResult, flow_cuts, run_scenario
from .analysis.strategy import DEFAULT_EXCLUDED, recommend, what_if
from .analysis.supply import supply_network
from .contract import TABLES, GraphReader
from .errors import InvalidArgument, raise_all, shorten
from .inputs import Vocabulary, check_fraction, check_int, choose, describe_options, parse_date, validation_problems
from .model import Dataset
from .resources import DEFAULT_ROOT
from .subgraph import GraphStream, Subgraph, from_networkx

if TYPE_CHECKING:
    from .export import ExportResult

__all__ = ["KnowledgeGraph", "open"]

BASES = ("host", "control")
MAX_HOPS = 10


class KnowledgeGraph:
    """The knowledge graph with its analyses; every table method returns a DataFrame.

    Make one with :func:`minerals_kg.open`. The tables and columns are declared in
    :mod:`minerals_kg.contract` (inputs) and next to each analysis (results).

    Examples
    --------
    >>> kg = open()
    >>> kg.backend
    'embedded'
    >>> row = kg.concentration("rare_earths", "mining", year=2024, edition="MCS2025").iloc[0]
    >>> row.top_country, round(float(row.top_share), 3)
    ('CHN', 0.692)
    >>> sorted(kg.members("g7", as_of="2026-02-04").countries)[:3]
    ['AUT', 'BEL', 'BGR']
    """

    def __init__(self, reader: GraphReader, dataset: Dataset | None = None):
        if not isinstance(reader, GraphReader):
            raise TypeError(f"reader: expected a GraphReader, got {type(reader).__name__}")
        self.reader = reader
        self.dataset = dataset
        self.vocabulary = Vocabulary(self.table)
        self._tables: dict[str, pd.DataFrame] = {}
        self._conc_cache: dict[str, pd.DataFrame] = {}
        self._control_cache: tuple[pd.DataFrame, pd.DataFrame] | None = None
        self._alliance_data: AllianceData | None = None
        self._groups: list | None = None
        if hasattr(reader, "on_reload"):  # a Neo4j graph reloaded since it was first read: read it afresh
            reader.on_reload = self._forget

    def _forget(self) -> None:
        """Drop every table and result cached from the graph (it was reloaded)."""
        self.vocabulary = Vocabulary(self.table)
        self._tables.clear()
        self._conc_cache.clear()
        self._control_cache = None
        self._alliance_data = None
        self._groups = None

    # -- the graph and its tables ---------------------------------------------------------------
    @property
    def backend(self) -> str:
        """``embedded`` or ``neo4j``."""
        return self.reader.backend

    @property
    def server(self) -> str:
        """Which graph this is: ``embedded (networkx, in this process)``, or the Neo4j server, database and why.

        >>> open().server
        'embedded (networkx, in this process)'
        """
        return str(getattr(self.reader, "describe", lambda: "embedded (networkx, in this process)")())

    def __repr__(self) -> str:
        return f"KnowledgeGraph({self.server})"

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The knowledge graph as a networkx MultiDiGraph (read back from Neo4j when on a server)."""
        return self.reader.to_networkx()

    def table(self, name: str) -> pd.DataFrame:
        """One of the contract's tables (``production``, ``memberships``, ...; see :data:`~minerals_kg.contract.TABLES`).

        >>> sorted(open().table("production").columns)[:3]
        ['basis', 'confidence', 'country']
        """
        name = choose(name, TABLES, "table", "a table of the contract")
        if name not in self._tables:
            self._tables[name] = self.reader.table(name)
        return self._tables[name].copy()

    def sources(self) -> pd.DataFrame:
        """Every source document: id, title, publisher, url, edition, published, retrieved, licence."""
        return self.table("sources")

    def query(self, name: str, *, write: bool = False, **params: Any) -> pd.DataFrame:
        """Run a query of the Cypher library by name with bound parameters (Neo4j only).

        Parameters are checked against the query's header (types, and ids that must exist).
        """
        from .backends.neo4j.library import get_query, run_query

        if self.backend != "neo4j":
            raise InvalidArgument(
                "query", "a knowledge graph on a Neo4j server (minerals_kg.open('bolt://...'))", "the embedded graph"
            )
        from .backends.neo4j.reader import Neo4jReader

        spec = get_query(name)
        reader = self.reader
        assert isinstance(reader, Neo4jReader)
        rows = run_query(
            reader.driver,
            name,
            params,
            database=reader.database,
            write=write,
            vocabulary=self.vocabulary,
            uri=reader.uri,
        )
        return pd.DataFrame(rows, columns=spec.returns or None)

    def close(self) -> None:
        self.reader.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- concentration ------------------------------------------------------------------------
    def _basis(self, basis: str) -> str:
        return choose(basis, BASES, "basis", "an attribution basis")

    def control_moves(self) -> pd.DataFrame:
        """The firm quantities moved from host to controlling countries (see :mod:`~minerals_kg.analysis.control`)."""
        return self._control()[1]

    def _control(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        if self._control_cache is None:
            t = self.table
            self._control_cache = attribute_control(
                t("production"), t("firm_activities"), t("firms"), t("ownership"), t("facilities")
            )
        return self._control_cache

    def _all_concentration(self, basis: str = "host") -> pd.DataFrame:
        basis = self._basis(basis)
        if basis not in self._conc_cache:
            production = self.table("production") if basis == "host" else self._control()[0]
            self._conc_cache[basis] = concentration(production)
        return self._conc_cache[basis]

    def _filter(
        self, df: pd.DataFrame, column: str, value: object, where: str, scope: str = "", note: str = ""
    ) -> pd.DataFrame:
        """Rows where ``column == value``; a value that matches nothing is an error listing what exists."""
        if value is None:
            return df
        out = df[df[column] == value]
        if out.empty:
            present = sorted({str(v) for v in df[column].dropna()})
            raise InvalidArgument(
                where, describe_options(f"a {column} with data{scope}", present, value), shorten(value) + note
            )
        return out

    def concentration(
        self,
        mineral: str | None = None,
        stage: str | None = None,
        *,
        year: int | None = None,
        edition: str | None = None,
        current: bool = False,
        basis: str = "host",
    ) -> pd.DataFrame:
        """Shares, HHI, CR1, CR3 and effective suppliers per (mineral, stage, year, edition).

        Parameters
        ----------
        mineral, stage : str, optional
            Keep one mineral id / one stage.
        year, edition : optional
            Pin the data year / the source edition (``MCS2025``).
        current : bool
            One group per (mineral, stage): the latest year, then the latest edition.
        basis : {"host", "control"}
            Attribute output to the producing country or to the country controlling the firm.

        Returns
        -------
        DataFrame
            A :data:`~minerals_kg.analysis.concentration.CONCENTRATION` table.

        Raises
        ------
        InvalidArgument
            For an unknown id, a stage outside the vocabulary, or a filter no group matches (the
            message lists what exists).
        """
        df = self._all_concentration(basis)
        if mineral is not None:
            mineral = self.vocabulary.mineral(mineral)
            df = self._filter(df, "mineral", mineral, "mineral", note=" (a known mineral without production data)")
        if stage is not None:
            stage = self.vocabulary.stage(stage)
            df = self._filter(df, "stage", stage, "stage", f" for {mineral}" if mineral else "")
        if year is not None:
            year = check_int(year, "year", minimum=1900, maximum=2100)
            df = self._filter(df, "year", year, "year", " for this selection", note="")
        if edition is not None:
            df = self._filter(df, "edition", edition, "edition", " for this selection", note="")
        return current_groups(df) if current else df.reset_index(drop=True)

    def chokepoints(
        self,
        *,
        cr1: float = DEFAULT_CR1,
        hhi: float = DEFAULT_HHI,
        year: int | None = None,
        edition: str | None = None,
        current: bool = True,
        basis: str = "host",
    ) -> pd.DataFrame:
        """Groups where one country dominates (CR1 >= ``cr1`` or HHI >= ``hhi``), ranked.

        See :func:`minerals_kg.analysis.concentration.chokepoints`.
        """
        cr1, hhi = check_fraction(cr1, "cr1"), check_fraction(hhi, "hhi")
        return chokepoints(
            self.concentration(year=year, edition=edition, current=current, basis=basis), cr1=cr1, hhi=hhi
        )

    def supply_network(self, *, minerals: list[str] | None = None, demand: str = "world") -> nx.DiGraph:
        """The multi-stage supply network (see :mod:`minerals_kg.analysis.supply`)."""
        return supply_network(
            self.concentration(current=True), demand=demand, minerals=self._minerals_with_data(minerals, "minerals")
        )

    def _minerals_with_data(self, minerals: Iterable[str] | None, where: str) -> list[str] | None:
        if minerals is None:
            return None
        if isinstance(minerals, str):
            minerals = [minerals]
        known = set(self._all_concentration()["mineral"])
        out = []
        for m in minerals:
            m = self.vocabulary.mineral(m, where)
            if m not in known:
                raise InvalidArgument(
                    where,
                    describe_options("a mineral id with production data", sorted(known), m),
                    f"{m!r} (known, but without production data)",
                )
            out.append(m)
        return out

    def network_chokepoints(
        self,
        demand: str = "ministerial_2026",
        *,
        minerals: list[str] | None = None,
        top: int = 3,
        as_of: dt.date | str | None = None,
        include_host: bool = True,
        betweenness_k: int | None = None,
    ) -> pd.DataFrame:
        """Dominators, minimum cuts, N-1/N-k impact (and on the world pool articulation points and
        betweenness) for a demand node.

        ``demand`` is an alliance (organisation or event id), a country (ISO-3) or an end-use id. For
        an importer with import data (``USA``, ``eu``), each mineral it has a group of suppliers for
        runs on its own flow network (``network="flows"``: suppliers and routes, see
        :func:`~minerals_kg.analysis.network_chokepoints.flow_chokepoints`); every other mineral on
        the world-pooled supply network (``network="world_pool"``, see
        :func:`~minerals_kg.analysis.network_chokepoints.network_chokepoints`).
        """
        top = check_int(top, "top", minimum=1)
        if betweenness_k is not None:
            betweenness_k = check_int(betweenness_k, "betweenness_k", minimum=1)
        labels = dict(zip(self.table("nodes")["id"], self.table("nodes")["label"], strict=True))
        if isinstance(demand, str) and demand.upper() in self.importers() and len(demand) == 3:
            demand = demand.upper()
        label = labels.get(demand)
        if label not in ("Organisation", "Event", "Country", "EndUse"):
            demand = self.vocabulary.node(
                demand,
                "demand",
                ["Organisation", "Event", "Country", "EndUse"],
                "an alliance, ISO-3 country or end-use id",
            )
        flow_minerals = self._flow_minerals(demand) if label in ("Country", "Organisation") else []
        asked = None if minerals is None else [self.vocabulary.mineral(m, "minerals") for m in _as_list(minerals)]
        pooled = None if asked is None else [m for m in asked if m not in flow_minerals]
        if asked is not None and pooled:
            self._minerals_with_data(pooled, "minerals")
        members: frozenset[str]
        if label == "EndUse":
            kind, members = "end_use", frozenset()
        elif label == "Country":
            kind, members = "country", frozenset({demand})
        else:
            kind, members = "alliance", self.members(demand, as_of=as_of, include_host=include_host).countries
        frames = []
        for mineral in flow_minerals if asked is None else [m for m in asked if m in flow_minerals]:
            chain = self.exposure(demand, mineral).chain
            frames.append(flow_chokepoints(chain, demand=demand, members=members, top=top))
        if flow_minerals and pooled is None:
            with_data = set(self._all_concentration()["mineral"])
            pooled = sorted(with_data - set(flow_minerals))
        if pooled is None or pooled:
            frames.append(
                network_chokepoints(
                    self.concentration(current=True),
                    self.table("end_uses"),
                    demand=demand,
                    demand_kind=kind,
                    members=members,
                    minerals=pooled,
                    top=top,
                    betweenness_k=betweenness_k,
                )
            )
        frames = [f for f in frames if not f.empty]
        return NETWORK_CHOKEPOINTS.conform(pd.concat(frames, ignore_index=True) if frames else [])

    def _flow_minerals(self, importer: str) -> list[str]:
        """Minerals for which ``importer`` has a group of suppliers with shares."""
        from .analysis.flows import choose_group, import_groups

        groups = import_groups(self.table("imports"))
        return sorted(
            {g.mineral for g in groups if g.importer == importer and choose_group(groups, importer, g.mineral)}
        )

    def scenario(self, scenario: Scenario | dict | str | Path, *, overrides: dict | None = None) -> ScenarioResult:
        """Apply a scenario (a Scenario, a dict, or a YAML/JSON file) and report what the alliance loses.

        Every id in it must exist (instruments, firms, countries, minerals), else one error per
        problem. ``overrides`` (e.g. command-line flags) replace the scenario's fields.
        """
        where = "scenario"
        if isinstance(scenario, (str, Path)):
            from .sources import load_yaml

            where = str(scenario)
            scenario = load_yaml(Path(scenario), where) or {}
            if not isinstance(scenario, dict):
                raise InvalidArgument(
                    where, "a mapping of scenario fields (name, alliance, as_of, ...)", type(scenario).__name__
                )
        if overrides:
            scenario = {**(scenario.model_dump() if isinstance(scenario, Scenario) else scenario), **overrides}
        if isinstance(scenario, dict):
            try:
                scenario = Scenario.model_validate(scenario)
            except ValidationError as exc:
                raise_all(validation_problems(exc, where, Scenario))
                raise  # unreachable: pydantic reports at least one error
        v = self.vocabulary
        problems: list[InvalidArgument] = []
        known_minerals = set(self._all_concentration()["mineral"])
        checks = [
            (f"{where}: instruments", scenario.instruments, v.instrument),
            (f"{where}: remove_firms", scenario.remove_firms, v.firm),
            (f"{where}: remove_countries", scenario.remove_countries, v.country),
            (f"{where}: imposer", [scenario.imposer] if scenario.imposer else [], v.country),
            (f"{where}: alliance", [scenario.alliance], v.alliance),
        ]
        for fld, values, check in checks:
            for value in values:
                try:
                    check(value, fld)
                except InvalidArgument as exc:
                    problems.append(exc)
        for i, cut in enumerate(scenario.cut_stages):
            if cut.mineral not in known_minerals:
                problems.append(
                    InvalidArgument(
                        f"{where}: cut_stages.{i}.mineral",
                        describe_options("a mineral id with production data", sorted(known_minerals), cut.mineral),
                        repr(cut.mineral),
                    )
                )
        raise_all(problems)
        scenario = scenario.model_copy(
            update={
                "remove_countries": [c.upper() for c in scenario.remove_countries],
                "imposer": scenario.imposer.upper() if scenario.imposer else None,
            }
        )
        members = self.members(scenario.alliance, as_of=scenario.as_of)
        as_of = scenario.as_of or members.as_of
        current = self.concentration(current=True, year=scenario.year, edition=scenario.edition)
        result = run_scenario(
            scenario,
            current,
            self.table("instruments"),
            self.table("end_uses"),
            members.countries,
            as_of,
            self.table("firm_activities"),
        )
        t = self.table
        result.by_flow, result.flow_routes = flow_cuts(
            result.applied,
            t("instruments"),
            t("imports"),
            t("import_reliance"),
            t("production"),
            members.countries,
            self._members_of(),
        )
        return result

    def what_if(
        self, alliance: str, *, add: Iterable[str] = (), remove: Iterable[str] = (), as_of: dt.date | str | None = None
    ) -> pd.DataFrame:
        """Coverage per mineral and stage before and after adding/removing member countries."""
        add, remove = self.vocabulary.countries(add, "add"), self.vocabulary.countries(remove, "remove")
        members = self.members(alliance, as_of=as_of).countries
        return what_if(self.concentration(current=True), members, add=add, remove=remove)

    def recommend(
        self,
        alliance: str,
        *,
        k: int = 5,
        minerals: list[str] | None = None,
        as_of: dt.date | str | None = None,
        exclude: Iterable[str] = DEFAULT_EXCLUDED,
    ) -> pd.DataFrame:
        """The k outsiders whose accession most raises the alliance's mean chain coverage (greedy).

        ``exclude`` countries are not candidates (default China and Russia). See
        :func:`minerals_kg.analysis.strategy.recommend`.
        """
        k = check_int(k, "k", minimum=1)
        minerals = self._minerals_with_data(minerals, "minerals")
        exclude = tuple(self.vocabulary.countries(exclude, "exclude"))
        members = self.members(alliance, as_of=as_of).countries
        return recommend(self.concentration(current=True), members, k=k, minerals=minerals, exclude=exclude)

    def data_coverage(self) -> pd.DataFrame:
        """Per mineral and stage, the latest group with data or the gap a source records.

        See :func:`minerals_kg.analysis.data_coverage.data_coverage`.
        """
        from .analysis.data_coverage import data_coverage

        return data_coverage(
            self.concentration(current=True), self.table("minerals"), self.table("data_gaps"), self.table("instruments")
        )

    def list_coverage(self) -> pd.DataFrame:
        """How many entries of each official critical-minerals list the data covers, and which it misses."""
        from .analysis.data_coverage import list_coverage

        return list_coverage(self.data_coverage(), self.table("instruments"))

    # -- subgraphs and export ------------------------------------------------------------------
    def subgraph(
        self,
        *,
        alliance: str | None = None,
        as_of: dt.date | str | None = None,
        minerals: Iterable[str] | None = None,
        stages: Iterable[str] | None = None,
        node: str | None = None,
        hops: int | None = None,
        labels: Iterable[str] | None = None,
        types: Iterable[str] | None = None,
        scenario: Scenario | dict | str | Path | None = None,
        cypher: str | None = None,
    ) -> Subgraph:
        """A part of the graph to export: the union of what the selectors pick, then filtered.

        Without a selector, the whole graph. The rules are in :mod:`minerals_kg.selection`; the
        value is a :class:`~minerals_kg.subgraph.Subgraph` that :meth:`export` takes.

        Parameters
        ----------
        alliance : str, optional
            An organisation or event id: its members as of ``as_of`` (default: the event's date, or
            today), how they are members, what they produce (latest groups) and the instruments in
            force that day that concern them. Members are highlighted in the HTML view.
        as_of : date or str, optional
            The alliance's date (only with ``alliance``).
        minerals, stages : list of str, optional
            Minerals with production data (all of them when only ``stages`` is given) and the stages
            to keep: producers in the latest groups, firms and facilities, covering instruments,
            end uses.
        node, hops : optional
            Any node id, and every node within ``hops`` relationships of it (default 1, at most 10).
        labels, types : list of str, optional
            Keep only nodes with these labels (and relationships between them) / only relationships
            of these types (and the nodes they connect).
        scenario : Scenario, dict or path, optional
            Mark what a scenario cuts (see :func:`~minerals_kg.selection.scenario_marks`).
        cypher : str, optional
            On a Neo4j server: the nodes, relationships and paths a read-only query returns.

        Returns
        -------
        Subgraph

        Raises
        ------
        InvalidArgument
            For an unknown id, label, type, stage or mineral without data, a write query, a
            selection that keeps nothing, or options that do not go together.

        Examples
        --------
        >>> kg = open()
        >>> sub = kg.subgraph(node="gallium", hops=1, types=["PRODUCES", "COVERS"])
        >>> sorted({r.type for r in sub.relationships})
        ['COVERS', 'PRODUCES']
        >>> kg.subgraph(labels=["Contry"])
        Traceback (most recent call last):
        ...
        minerals_kg.errors.InvalidArgument: labels: expected a label of the ontology (23 known; nearest: 'Country'), got 'Contry'
        """
        from . import selection as sel
        from .ontology import load_ontology

        onto = load_ontology()
        v = self.vocabulary
        asked: dict[str, Any] = {}
        if alliance is not None:
            alliance = v.alliance(alliance)
            asked["alliance"] = alliance
        date = None
        if as_of is not None:
            date = parse_date(as_of, "as_of")
            if alliance is None:
                raise InvalidArgument(
                    "as_of", "a date together with an alliance (it dates the membership)", shorten(as_of)
                )
        stage_list = None if stages is None else [v.stage(s, "stages") for s in _as_list(stages)]
        mineral_list = self._minerals_with_data(_as_list(minerals), "minerals") if minerals is not None else None
        current = self.concentration(current=True)
        if stage_list is not None:
            mineral_list = self._stages_with_data(current, mineral_list, stage_list)
        if node is not None:
            node = self._node_id(node)
        if hops is not None:
            hops = check_int(hops, "hops", minimum=0, maximum=MAX_HOPS)
            if node is None:
                raise InvalidArgument("hops", "a depth together with a node to start from", shorten(hops))
        label_list = (
            None
            if labels is None
            else [choose(x, _ontology_labels(onto), "labels", "a label of the ontology") for x in _as_list(labels)]
        )
        type_list = (
            None
            if types is None
            else [
                choose(x, sorted(onto.relationship_types), "types", "a relationship type of the ontology")
                for x in _as_list(types)
            ]
        )
        cut = None
        if scenario is not None:
            cut = self.scenario(scenario)
        found: tuple[set[str], set[str]] | None = None
        if cypher is not None:
            from .backends.neo4j.reader import Neo4jReader

            if not isinstance(self.reader, Neo4jReader):
                raise InvalidArgument(
                    "cypher",
                    "a knowledge graph on a Neo4j server (minerals_kg.open('bolt://...'))",
                    "the embedded graph",
                )
            found = self.reader.elements_of(cypher, "cypher")

        g = self.reader.to_networkx()
        groups = {
            (r.mineral, r.stage, int(r.year), r.edition)
            for r in current[["mineral", "stage", "year", "edition"]].itertuples()
        }
        parts: list[sel.Part] = []
        highlight: frozenset[str] = frozenset()
        if alliance is not None:
            members = self.members(alliance, as_of=date)
            highlight = members.countries
            asked["as_of"] = members.as_of.isoformat()
            parts.append(
                sel.alliance_part(g, alliance, members.as_of, members.countries, groups, self.table("instruments"))
            )
        if mineral_list is not None:
            asked["minerals"], asked["stages"] = mineral_list, stage_list
            parts.append(sel.mineral_part(g, mineral_list, stage_list, groups))
        if node is not None:
            hops = 1 if hops is None else hops
            asked["node"], asked["hops"] = node, hops
            parts.append(sel.neighbourhood(g, node, hops))
        if found is not None:
            asked["cypher"] = cypher
            fact_ids = found[1]
            edges = {(u, w, k) for u, w, k, fid in g.edges(keys=True, data="fact_id") if fid in fact_ids}
            parts.append(sel.Part(found[0] & set(g.nodes), edges))
        part = sel.union(parts) if parts else sel.Part(set(g.nodes), set(g.edges(keys=True)))
        if label_list is not None:
            asked["labels"] = label_list
            part = sel.keep_labels(g, part, label_list)
            if not part.nodes:
                raise InvalidArgument(
                    "labels", "labels that keep part of the selection", f"{label_list} (nothing left)"
                )
        if type_list is not None:
            asked["types"] = type_list
            part = sel.keep_types(g, part, type_list)
            if not part.nodes:
                raise InvalidArgument("types", "types that keep part of the selection", f"{type_list} (nothing left)")
        node_marks: dict = {}
        edge_marks: dict = {}
        if cut is not None:
            asked["scenario"] = cut.scenario.name
            pinned = self.concentration(current=True, year=cut.scenario.year, edition=cut.scenario.edition)
            node_marks, edge_marks = sel.scenario_marks(
                g,
                cut.by_stage,
                pinned,
                removed=[*cut.scenario.remove_countries, *cut.scenario.remove_firms],
                applied=list(cut.applied["instrument"]),
            )
        return from_networkx(
            g,
            part.nodes,
            part.edges,
            node_marks=node_marks,
            edge_marks=edge_marks,
            shares=_stage_shares(current, {n for n in part.nodes if g.nodes[n]["label"] == "Mineral"}),
            highlight=highlight,
            selection=asked,
        )

    def export(
        self,
        sub: GraphStream,
        fmt: str,
        path: Path | str,
        *,
        title: str | None = None,
        highlight_label: str = "highlighted",
    ) -> ExportResult:
        """Write a subgraph as ``graphml``, ``gexf``, ``cytoscape``, ``d3``, ``turtle``, ``jsonld``,
        ``neo4j-admin`` or ``html`` (see :func:`minerals_kg.export.export`).

        >>> import pathlib, tempfile
        >>> kg = open()
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "g7.gexf"
        >>> kg.export(kg.subgraph(alliance="g7", as_of="2026-02-04"), "gexf", out).format
        'gexf'
        """
        from .export import export

        return export(sub, fmt, path, title=title, highlight_label=highlight_label)

    def _node_id(self, value: object, where: str = "node") -> str:
        """Any node's id; a unique case-insensitive match is accepted (``chn`` for ``CHN``)."""
        ids = self.vocabulary.ids(*sorted(set(self.table("nodes")["label"])))
        if isinstance(value, str) and value not in ids:
            folded = [i for i in ids if i.lower() == value.strip().lower()]
            if len(folded) == 1:
                return folded[0]
        return choose(value, ids, where, "a node id of the graph")

    def _stages_with_data(self, current: pd.DataFrame, minerals: list[str] | None, stages: list[str]) -> list[str]:
        """The minerals (given, or all) with data at one of ``stages``; a stage with none is an error."""
        scope = current if minerals is None else current[current["mineral"].isin(minerals)]
        for stage in stages:
            if not (scope["stage"] == stage).any():
                present = sorted(set(scope["stage"]))
                where = f" for {', '.join(minerals)}" if minerals else ""
                raise InvalidArgument(
                    "stages", describe_options(f"a stage with data{where}", present, stage), repr(stage)
                )
        if minerals is not None:
            return minerals
        return sorted(set(scope[scope["stage"].isin(stages)]["mineral"]))

    # -- flows between countries ----------------------------------------------------------------
    def importers(self, mineral: str | None = None) -> list[str]:
        """Importers with import data (for ``mineral`` when given)."""
        imports = self.table("imports")
        if mineral is not None:
            imports = imports[imports["mineral"] == mineral]
        return sorted(set(imports["importer"]))

    def _importer(self, importer: object, mineral: str | None = None, where: str = "importer") -> str:
        """An importer id with import data: ISO-3 in any case, or an organisation id (``eu``)."""
        known = self.importers(mineral)
        if isinstance(importer, str) and importer.strip().upper() in known and len(importer.strip()) == 3:
            return importer.strip().upper()
        if isinstance(importer, str) and importer.strip() in known:
            return importer.strip()
        scope = f" for {mineral}" if mineral else ""
        return choose(importer, known, where, f"an importer with import data{scope} (ISO-3 or an organisation id)")

    def _import_groups(self) -> list:
        """The groups of the ``imports`` table (built once; see :func:`~minerals_kg.analysis.flows.import_groups`)."""
        from .analysis.flows import import_groups

        if self._groups is None:
            self._groups = import_groups(self.table("imports"))
        return self._groups

    def _members_of(self) -> dict[str, frozenset[str]]:
        """Organisation importers -> their member countries as of the end of their latest import period."""
        imports = self.table("imports")
        orgs = imports[imports["importer_label"] == "Organisation"]
        out: dict[str, frozenset[str]] = {}
        for org, rows in orgs.groupby("importer"):
            as_of = dt.date(int(rows["year_to"].max()), 12, 31)
            out[str(org)] = self.members(str(org), as_of=as_of).countries
        return out

    def exposure(
        self,
        importer: str,
        mineral: str,
        *,
        stage: str | None = None,
        form: str | None = None,
        edition: str | None = None,
        year: int | None = None,
        source: str | None = None,
    ) -> Exposure:
        """Direct suppliers, ultimate origins, China dependence and unknowns of an importer's mineral.

        See :func:`minerals_kg.analysis.exposure.exposure`; the method is in the README
        ("Exposure: following the flows").

        Examples
        --------
        >>> e = open().exposure("USA", "rare_earths")
        >>> s = e.summary.iloc[0]
        >>> s.edition, round(float(s.china_direct), 2), round(float(e.origins["share"].sum()), 6)
        ('MCS2026', 0.71, 1.0)
        """
        mineral = self.vocabulary.mineral(mineral)
        importer = self._importer(importer, mineral)
        if stage is not None:
            stage = self.vocabulary.stage(stage)
        if year is not None:
            year = check_int(year, "year", minimum=1900, maximum=2100)
        t = self.table
        return exposure(
            t("imports"),
            t("import_reliance"),
            t("production"),
            importer=importer,
            mineral=mineral,
            members_of=self._members_of(),
            stage=stage,
            form=form,
            edition=edition,
            year=year,
            source=source,
            groups=self._import_groups(),
        )

    def import_coverage(
        self,
        alliance: str,
        importer: str,
        *,
        minerals: list[str] | None = None,
        as_of: dt.date | str | None = None,
        include_host: bool = True,
        benchmark: float = CRMA_SINGLE_COUNTRY_BENCHMARK,
    ) -> pd.DataFrame:
        """Per mineral, the share of ``importer``'s imports that comes from inside ``alliance``.

        See :func:`minerals_kg.analysis.exposure.import_coverage`.
        """
        benchmark = check_fraction(benchmark, "benchmark")
        importer = self._importer(importer, where="imports_of")
        wanted = None
        if minerals is not None:
            wanted = [self.vocabulary.mineral(m, "minerals") for m in _as_list(minerals)]
            have = set(self.table("imports").query("importer == @importer")["mineral"])
            for m in wanted:
                if m not in have:
                    raise InvalidArgument(
                        "minerals",
                        describe_options(f"a mineral {importer} has import data for", sorted(have), m),
                        repr(m),
                    )
        members = self.members(alliance, as_of=as_of, include_host=include_host).countries
        t = self.table
        return import_coverage(
            t("imports"),
            t("import_reliance"),
            t("production"),
            importer=importer,
            members=members,
            minerals=wanted,
            members_of=self._members_of(),
            benchmark=benchmark,
        )

    # -- alliances -----------------------------------------------------------------------------
    def _alliances(self) -> AllianceData:
        if self._alliance_data is None:
            t = self.table
            self._alliance_data = AllianceData.from_tables(
                t("nodes"), t("memberships"), t("participations"), t("organisations"), t("events")
            )
        return self._alliance_data

    def members(
        self,
        alliance: str,
        *,
        as_of: dt.date | str | None = None,
        include_host: bool = True,
        expand_organisations: bool = True,
    ) -> AllianceMembers:
        """Member countries of an organisation or event as of a date (see :func:`~minerals_kg.analysis.coverage.resolve_members`)."""
        alliance = self.vocabulary.alliance(alliance)
        date = None if as_of is None else parse_date(as_of, "as_of")
        return resolve_members(
            self._alliances(),
            alliance,
            as_of=date,
            include_host=bool(include_host),
            expand_organisations=bool(expand_organisations),
        )

    def coverage(
        self,
        alliance: str,
        *,
        as_of: dt.date | str | None = None,
        include_host: bool = True,
        expand_organisations: bool = True,
        year: int | None = None,
        edition: str | None = None,
        benchmark: float = CRMA_SINGLE_COUNTRY_BENCHMARK,
        basis: str = "host",
    ) -> pd.DataFrame:
        """Stage coverage, ex-China coverage and largest outsider per (mineral, stage).

        ``basis="control"`` counts output by the country controlling the producing firm. See
        :func:`minerals_kg.analysis.coverage.coverage`.
        """
        benchmark = check_fraction(benchmark, "benchmark")
        members = self.members(
            alliance, as_of=as_of, include_host=include_host, expand_organisations=expand_organisations
        )
        current = self.concentration(year=year, edition=edition, current=True, basis=basis)
        return coverage(current, members.countries, benchmark=benchmark)

    def chain_coverage(self, alliance: str, **kwargs: Any) -> pd.DataFrame:
        """Per mineral, the coverage of its weakest stage (takes :meth:`coverage`'s arguments)."""
        return chain_coverage(self.coverage(alliance, **kwargs))


def open(uri: str | None = None, *, root: Path | str = DEFAULT_ROOT, shacl: bool = False) -> KnowledgeGraph:  # noqa: A001
    """Open the knowledge graph: embedded (default, from the shipped sources) or a Neo4j server.

    Parameters
    ----------
    uri : str, optional
        A Neo4j URI (``bolt://``, ``neo4j://``, with ``+s``/``+ssc``), or ``"neo4j"`` for the
        configured server: ``NEO4J_URI``, else the local server ``minerals-kg neo4j start`` started
        (its port and database), else ``bolt://127.0.0.1:7687``. Credentials come from
        ``NEO4J_USER``/``NEO4J_PASSWORD``, never from the URI. Without it, the embedded graph.
        ``kg.server`` says which server it talks to.
    root : path
        The folder of source folders for the embedded graph (default: the shipped sources).
    shacl : bool
        Also check the SHACL shapes (``minerals-kg validate`` always does).

    Raises
    ------
    DataValidationError
        If the sources hold any error: nothing is opened.
    InvalidArgument
        For a bad URI or a ``root`` that is not a folder.

    Examples
    --------
    >>> kg = open()
    >>> len(kg.table("minerals")) > 30
    True
    """
    if uri is None:
        from .backends.embedded import EmbeddedReader, build_graph
        from .checks import load_dataset

        path = Path(root)
        if not path.is_dir():
            raise InvalidArgument("root", "a folder of source folders (each with a manifest.yaml)", shorten(str(root)))
        dataset = load_dataset(path, shacl=shacl)
        return KnowledgeGraph(EmbeddedReader(build_graph(dataset)), dataset)
    from .backends.neo4j.config import Neo4jSettings
    from .backends.neo4j.reader import connect

    if not isinstance(uri, str):
        raise InvalidArgument("uri", "a Neo4j URI string, or 'neo4j' for the configured server", shorten(uri))
    try:
        return KnowledgeGraph(connect(Neo4jSettings.from_env(None if uri == "neo4j" else uri)))
    except InvalidArgument as exc:
        raise exc.at("uri") from None


def _as_list(values: Iterable[Any] | Any) -> list[Any]:
    """A single value or an iterable as a list; comma-separated text as its parts (``"a,b"``)."""
    items = [values] if isinstance(values, str) or not isinstance(values, Iterable) else list(values)
    out: list[Any] = []
    for item in items:
        out.extend(p.strip() for p in item.split(",") if p.strip()) if isinstance(item, str) else out.append(item)
    return out


def _stage_shares(current: pd.DataFrame, minerals: set[str]) -> dict[str, dict[str, dict[str, float]]]:
    """Country -> mineral -> stage -> share of world output in the latest groups of ``minerals``."""
    shares: dict[str, dict[str, dict[str, float]]] = {}
    for row in current[current["mineral"].isin(minerals)].to_dict("records"):
        for country, share in (row["shares"] or {}).items():
            shares.setdefault(country, {}).setdefault(row["mineral"], {})[row["stage"]] = float(share)
    return shares


def _ontology_labels(onto: Any) -> list[str]:
    return sorted(set(onto.labels) | set(onto.instrument_labels.values()))
