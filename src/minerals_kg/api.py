"""The Python API: ``kg = minerals_kg.open()`` and its analyses as pandas DataFrames."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx
import pandas as pd
from pydantic import ValidationError

from .analysis import chain_coverage, chokepoints, concentration, coverage, current_groups, resolve_members
from .analysis.control import attribute_control
from .analysis.coverage import CRMA_SINGLE_COUNTRY_BENCHMARK, AllianceMembers
from .analysis.network_chokepoints import network_chokepoints
from .analysis.scenario import Scenario, ScenarioResult, run_scenario
from .analysis.strategy import DEFAULT_EXCLUDED, recommend, what_if
from .analysis.supply import supply_network
from .countries import CountryResolver
from .errors import MineralsKGError
from .graph import Projection, build_graph
from .sources import DEFAULT_ROOT
from .validate import Dataset, load_dataset


class KnowledgeGraph:
    """The knowledge graph with its analyses. Every method returns a DataFrame.

    >>> kg = open()                                          # doctest: +SKIP
    >>> kg.concentration(mineral="rare_earths", stage="mining", year=2024, edition="MCS2025")  # doctest: +SKIP
    """

    def __init__(self, graph: nx.MultiDiGraph | None, projection, dataset: Dataset | None = None, *,  # type: ignore[no-untyped-def]
                 driver=None, database: str = "neo4j"):
        self._graph = graph
        self.projection = projection
        self.dataset = dataset
        self.driver = driver
        self.database = database
        self._conc_cache: dict[str, pd.DataFrame] = {}
        self._control_cache: tuple[pd.DataFrame, pd.DataFrame] | None = None

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The knowledge graph as a networkx MultiDiGraph (read back from Neo4j when on a server)."""
        if self._graph is None:
            self._graph = self.projection.to_networkx()
        return self._graph

    def sources(self) -> pd.DataFrame:
        """Every source document: id, title, publisher, url, edition, published, retrieved, licence."""
        return self.projection.sources()

    def query(self, name: str, *, write: bool = False, **params) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        """Run a query of the Cypher library (``queries/``) by name with bound parameters (Neo4j only)."""
        from .store.queries import QueryError, get_query, run_query

        if self.driver is None:
            raise QueryError("the Cypher library needs a Neo4j server: minerals_kg.open('bolt://...')")
        spec = get_query(name)
        rows = run_query(self.driver, name, params, database=self.database, write=write)
        return pd.DataFrame(rows, columns=spec.returns or None)

    def close(self) -> None:
        if self.driver is not None:
            self.driver.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- concentration ------------------------------------------------------------------------
    def control_moves(self) -> pd.DataFrame:
        """The firm quantities moved from host to controlling countries (see :mod:`analysis.control`)."""
        return self._control()[1]

    def _control(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        if self._control_cache is None:
            p = self.projection
            self._control_cache = attribute_control(p.production(), p.firm_activities(), p.firms(), p.ownership(),
                                                    p.facilities())
        return self._control_cache

    def _all_concentration(self, basis: str = "host") -> pd.DataFrame:
        if basis not in ("host", "control"):
            raise MineralsKGError(f"basis: expected host or control, got {basis!r}")
        if basis not in self._conc_cache:
            production = self.projection.production() if basis == "host" else self._control()[0]
            self._conc_cache[basis] = concentration(production)
        return self._conc_cache[basis]

    def concentration(self, mineral: str | None = None, stage: str | None = None, *,
                      year: int | None = None, edition: str | None = None,
                      current: bool = False, basis: str = "host") -> pd.DataFrame:
        """Shares, HHI, CR1, CR3 and effective suppliers per (mineral, stage, year, edition).

        With ``current=True``, one group per (mineral, stage): the latest year and edition.
        ``basis="control"`` attributes output to the country controlling the producing firm.
        """
        df = self._all_concentration(basis)
        if mineral is not None:
            df = df[df["mineral"] == mineral]
        if stage is not None:
            df = df[df["stage"] == stage]
        if current:
            return current_groups(df, year=year, edition=edition)
        if year is not None:
            df = df[df["year"] == year]
        if edition is not None:
            df = df[df["edition"] == edition]
        return df.reset_index(drop=True)

    def chokepoints(self, *, cr1: float = 0.5, hhi: float = 0.25, year: int | None = None,
                    edition: str | None = None, current: bool = True, basis: str = "host") -> pd.DataFrame:
        """Groups where one country dominates (CR1 >= ``cr1`` or HHI >= ``hhi``), ranked."""
        return chokepoints(self.concentration(year=year, edition=edition, current=current, basis=basis), cr1=cr1, hhi=hhi)

    def supply_network(self, *, minerals: list[str] | None = None, demand: str = "world") -> nx.DiGraph:
        """The multi-stage supply network (see :mod:`minerals_kg.analysis.supply`)."""
        return supply_network(self.concentration(current=True), demand=demand, minerals=minerals)

    def network_chokepoints(self, demand: str = "ministerial_2026", *, minerals: list[str] | None = None,
                            top: int = 3, as_of: dt.date | str | None = None, include_host: bool = True,
                            betweenness_k: int | None = None) -> pd.DataFrame:
        """Dominators, articulation points, minimum cuts, N-1/N-k impact and betweenness for a demand
        node: an alliance (organisation or event id), a country (ISO-3) or an end use id."""
        self._check_minerals(minerals, "minerals")
        label = self.projection.node_label(demand)
        if label is None:
            raise MineralsKGError(f"demand: expected an alliance, ISO-3 country or end-use id, got {demand!r}")
        if label == "EndUse":
            kind, members = "end_use", frozenset()
        elif label == "Country":
            kind, members = "country", frozenset({demand})
        else:
            kind, members = "alliance", self.members(demand, as_of=as_of, include_host=include_host).countries
        return network_chokepoints(self.concentration(current=True), self.projection.end_uses(), demand=demand,
                                   demand_kind=kind, members=members, minerals=minerals, top=top,
                                   betweenness_k=betweenness_k)

    def _check_minerals(self, minerals: list[str] | None, where: str) -> None:
        known = set(self.concentration()["mineral"])
        for m in minerals or []:
            if m not in known:
                raise MineralsKGError(f"{where}: expected a mineral id with production data, got {m!r}")

    def scenario(self, scenario: Scenario | dict | str | Path, *, overrides: dict | None = None) -> ScenarioResult:
        """Apply a scenario (a Scenario, a dict, or a YAML/JSON file) and report what the alliance loses.

        Every id in it must exist (instruments, firms, countries, minerals), else one error per problem.
        ``overrides`` (e.g. command-line flags) replace the scenario's fields.
        """
        where = "scenario"
        if isinstance(scenario, (str, Path)):
            import yaml

            where = str(scenario)
            try:
                scenario = yaml.safe_load(Path(scenario).read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise MineralsKGError(f"{where}: expected a readable YAML/JSON scenario, got {str(exc).splitlines()[0]}") from exc
        if overrides:
            scenario = {**(scenario.model_dump() if isinstance(scenario, Scenario) else scenario), **overrides}
        if isinstance(scenario, dict):
            try:
                scenario = Scenario.model_validate(scenario)
            except ValidationError as exc:
                raise MineralsKGError("\n".join(
                    f"{where}: {'.'.join(map(str, e['loc']))}: expected {e['msg'].removeprefix('Input should be ')}, "
                    f"got {e.get('input')!r}" for e in exc.errors())) from exc
        problems = []
        resolver = CountryResolver()
        instruments = set(self.projection.instruments()["id"])
        firms = set(self.projection.firms()["id"])
        minerals = set(self.concentration()["mineral"])
        checks = [("instruments", scenario.instruments, instruments, "a known instrument id"),
                  ("remove_firms", scenario.remove_firms, firms, "a known firm id"),
                  ("cut_stages.mineral", [c.mineral for c in scenario.cut_stages], minerals, "a mineral id with production data")]
        for fld, values, known, what in checks:
            problems += [f"{where}: {fld}: expected {what}, got {v!r}" for v in values if v not in known]
        for fld, values in (("remove_countries", scenario.remove_countries), ("imposer", [scenario.imposer] if scenario.imposer else [])):
            problems += [f"{where}: {fld}: expected an ISO-3 country code, got {v!r}" for v in values if not resolver.is_code(v)]
        if problems:
            raise MineralsKGError("\n".join(problems))
        members = self.members(scenario.alliance, as_of=scenario.as_of)
        as_of = scenario.as_of or members.as_of
        current = self.concentration(current=True, year=scenario.year, edition=scenario.edition)
        return run_scenario(scenario, current, self.projection.instruments(), self.projection.end_uses(),
                            members.countries, as_of, self.projection.firm_activities())

    def what_if(self, alliance: str, *, add: list[str] = (), remove: list[str] = (),  # type: ignore[assignment]
                as_of: dt.date | str | None = None) -> pd.DataFrame:
        """Coverage per mineral and stage before and after adding/removing member countries."""
        members = self.members(alliance, as_of=as_of).countries
        return what_if(self.concentration(current=True), members, add=add, remove=remove)

    def recommend(self, alliance: str, *, k: int = 5, minerals: list[str] | None = None,
                  as_of: dt.date | str | None = None, exclude: tuple[str, ...] = DEFAULT_EXCLUDED) -> pd.DataFrame:
        """The k outsiders whose accession most raises the alliance's mean chain coverage (greedy);
        ``exclude`` countries are not candidates (default China and Russia)."""
        self._check_minerals(minerals, "minerals")
        members = self.members(alliance, as_of=as_of).countries
        return recommend(self.concentration(current=True), members, k=k, minerals=minerals, exclude=exclude)

    # -- alliances -----------------------------------------------------------------------------
    def members(self, alliance: str, *, as_of: dt.date | str | None = None, include_host: bool = True,
                expand_organisations: bool = True) -> AllianceMembers:
        """Member countries of an organisation or event as of a date (see :func:`resolve_members`)."""
        return resolve_members(self.projection, alliance, as_of=as_of, include_host=include_host,
                               expand_organisations=expand_organisations)

    def coverage(self, alliance: str, *, as_of: dt.date | str | None = None, include_host: bool = True,
                 expand_organisations: bool = True, year: int | None = None, edition: str | None = None,
                 benchmark: float = CRMA_SINGLE_COUNTRY_BENCHMARK, basis: str = "host") -> pd.DataFrame:
        """Stage coverage, ex-China coverage and largest outsider per (mineral, stage).

        ``basis="control"`` counts output by the country controlling the producing firm."""
        members = self.members(alliance, as_of=as_of, include_host=include_host,
                               expand_organisations=expand_organisations)
        current = self.concentration(year=year, edition=edition, current=True, basis=basis)
        return coverage(current, members.countries, benchmark=benchmark)

    def chain_coverage(self, alliance: str, **kwargs) -> pd.DataFrame:  # type: ignore[no-untyped-def]
        """Per mineral, the coverage of its weakest stage."""
        return chain_coverage(self.coverage(alliance, **kwargs))


def open(uri: str | None = None, *, root: Path | str = DEFAULT_ROOT, shacl: bool = False) -> KnowledgeGraph:  # noqa: A001
    """Open the knowledge graph: embedded (default, from the shipped sources) or a Neo4j server.

    The embedded graph is built from validated sources; any error in them raises
    :class:`~minerals_kg.errors.DataValidationError` and nothing is opened. ``shacl=True`` adds the
    SHACL check (``minerals-kg validate`` always runs it).
    """
    if uri is None:
        dataset = load_dataset(root, shacl=shacl)
        graph = build_graph(dataset)
        return KnowledgeGraph(graph, Projection(graph), dataset)
    from .store.neo4j_store import open_neo4j

    return open_neo4j(uri)
