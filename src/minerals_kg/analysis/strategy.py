"""Alliance strategy: what-if membership and the greedy choice of the next partners.

Objective (stated with every result): the mean, over the chosen minerals, of the alliance's chain
coverage (the coverage of each mineral's weakest stage), on the latest group of every stage.
Coverage only grows when members are added, and the greedy pick maximises the gain at each step
(a standard greedy heuristic; it is exact for one pick, and the gains shown are exact for the
picks made in that order).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..contract import Table, make_table
from .coverage import chain_coverage, coverage

__all__ = ["DEFAULT_EXCLUDED", "RECOMMENDATIONS", "WHAT_IF", "objective", "recommend", "what_if"]

WHAT_IF: Table = make_table(
    "what_if",
    "Coverage per (mineral, stage) before and after a membership change, largest change first.",
    ("mineral", "object"),
    ("stage", "object"),
    ("year", "Int64"),
    ("edition", "object"),
    ("coverage_before", "float64"),
    ("coverage_after", "float64"),
    ("max_outsider_before", "object"),
    ("max_outsider_after", "object"),
    ("max_outsider_share_after", "float64"),
    ("delta", "float64"),
)
RECOMMENDATIONS: Table = make_table(
    "recommendations",
    "The greedy picks, one row per pick in order.",
    ("rank", "Int64"),
    ("country", "object"),
    ("marginal_gain", "float64", "objective after minus before, 0-1"),
    ("objective_before", "float64"),
    ("objective_after", "float64"),
    ("minerals_raised", "object", "minerals whose chain coverage the pick raises"),
)

DEFAULT_EXCLUDED = ("CHN", "RUS")
"""Not candidates by default: China (the dependence the alliance exists to reduce) and Russia (under
US and EU sanctions). Pass ``exclude=()`` to consider every outsider."""


def objective(current: pd.DataFrame, members: Iterable[str], minerals: list[str] | None = None) -> float:
    cov = coverage(current if minerals is None else current[current["mineral"].isin(minerals)], frozenset(members))
    chain = chain_coverage(cov)
    return float(chain["chain_coverage"].mean()) if len(chain) else 0.0


def what_if(
    current: pd.DataFrame, members: frozenset[str], *, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> pd.DataFrame:
    """Coverage per (mineral, stage) before and after adding/removing members, with the change.

    Returns
    -------
    DataFrame
        A :data:`WHAT_IF` table, largest change first.
    """
    after_members = (members | set(add)) - set(remove)
    before = coverage(current, members).set_index(["mineral", "stage"])
    after = coverage(current, frozenset(after_members)).set_index(["mineral", "stage"])
    out = pd.DataFrame(
        {
            "year": before["year"],
            "edition": before["edition"],
            "coverage_before": before["coverage"],
            "coverage_after": after["coverage"],
            "max_outsider_before": before["max_outsider"],
            "max_outsider_after": after["max_outsider"],
            "max_outsider_share_after": after["max_outsider_share"],
        }
    )
    out["delta"] = out["coverage_after"] - out["coverage_before"]
    return WHAT_IF.conform(out.reset_index().sort_values(["delta", "mineral", "stage"], ascending=[False, True, True]))


class _CandidateGains:
    """The objective with each candidate added to a set of members, for every candidate at once.

    The same sums as :func:`objective` (coverage per mineral and stage, its minimum per mineral, the
    mean over minerals) on a rows x candidates matrix of shares, instead of one coverage table per
    candidate: the greedy pick reads one vector per round.
    """

    def __init__(self, scope: pd.DataFrame, pool: list[str]):
        records = scope.to_dict("records")
        order = sorted(range(len(records)), key=lambda i: records[i]["mineral"])
        self.shares = [records[i]["shares"] for i in order]
        minerals = [records[i]["mineral"] for i in order]
        column = {c: j for j, c in enumerate(pool)}
        self.added = np.zeros((len(order), len(pool)))
        for r, shares in enumerate(self.shares):
            for c, share in shares.items():
                j = column.get(c)
                if j is not None:
                    self.added[r, j] = share
        self.starts: np.ndarray | list[int] = (
            np.flatnonzero(np.r_[True, np.array(minerals[1:]) != np.array(minerals[:-1])]) if minerals else []
        )
        self.n_minerals = len(self.starts)

    def objectives(self, members: set[str]) -> np.ndarray:
        if not self.n_minerals:
            return np.zeros(self.added.shape[1])
        base = np.array([sum(s for c, s in shares.items() if c in members) for shares in self.shares])
        chain = np.minimum.reduceat(base[:, None] + self.added, self.starts, axis=0)
        return chain.mean(axis=0)


def recommend(
    current: pd.DataFrame,
    members: frozenset[str],
    *,
    k: int = 5,
    minerals: list[str] | None = None,
    candidates: Iterable[str] | None = None,
    exclude: Iterable[str] = DEFAULT_EXCLUDED,
) -> pd.DataFrame:
    """The ``k`` outsiders whose accession most raises the objective, chosen greedily.

    Parameters
    ----------
    current : DataFrame
        The latest concentration group per mineral and stage.
    members : frozenset of str
        The alliance's member countries.
    k : int
        How many picks.
    minerals : list of str, optional
        Only these minerals count in the objective.
    candidates, exclude : iterables of ISO-3 codes
        Who may be picked (default every producer outside the alliance) and who may not.

    Returns
    -------
    DataFrame
        A :data:`RECOMMENDATIONS` table: one row per pick with its marginal gain.

    Notes
    -----
    Greedy selection: exact for one pick; the gains shown are exact for the picks in that order.

    Examples
    --------
    >>> conc = pd.DataFrame([dict(mineral="x", stage="mining", year=2024, edition="E",
    ...                           shares={"AUS": 0.2, "CHL": 0.3, "CHN": 0.5}, withheld=[])])
    >>> recommend(conc, frozenset({"AUS"}), k=1)[["country", "marginal_gain"]].to_dict("records")
    [{'country': 'CHL', 'marginal_gain': 0.3}]
    """
    scope = current if minerals is None else current[current["mineral"].isin(minerals)]
    pool = sorted(
        (set(candidates) if candidates is not None else {c for shares in scope["shares"] for c in shares})
        - set(members)
        - set(exclude)
    )
    chosen = set(members)
    value = objective(scope, chosen)
    gains = _CandidateGains(scope, pool)
    rows = []
    for rank in range(1, k + 1):
        best = None
        scores = gains.objectives(chosen)
        for j, country in enumerate(pool):
            if country in chosen:
                continue
            v = scores[j]
            if best is None or v > best[1] + 1e-15:
                best = (country, v)
        if best is None or best[1] <= value + 1e-15:
            break
        best = (best[0], objective(scope, chosen | {best[0]}))  # the figure reported: the definition's
        before_chain = chain_coverage(coverage(scope, frozenset(chosen))).set_index("mineral")["chain_coverage"]
        chosen.add(best[0])
        after_chain = chain_coverage(coverage(scope, frozenset(chosen))).set_index("mineral")["chain_coverage"]
        raised = sorted(m for m in after_chain.index if after_chain[m] > before_chain.get(m, 0.0) + 1e-12)
        rows.append(
            {
                "rank": rank,
                "country": best[0],
                "marginal_gain": best[1] - value,
                "objective_before": value,
                "objective_after": best[1],
                "minerals_raised": raised,
            }
        )
        value = best[1]
    return RECOMMENDATIONS.conform(rows)
