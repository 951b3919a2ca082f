"""Alliance strategy: what-if membership and the greedy choice of the next partners.

Objective (stated with every result): the mean, over the chosen minerals, of the alliance's chain
coverage (the coverage of each mineral's weakest stage), on the latest group of every stage.
Coverage only grows when members are added, and the greedy pick maximises the gain at each step
(a standard greedy heuristic; it is exact for one pick, and the gains shown are exact for the
picks made in that order).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .coverage import chain_coverage, coverage

DEFAULT_EXCLUDED = ("CHN", "RUS")
"""Not candidates by default: China (the dependence the alliance exists to reduce) and Russia (under
US and EU sanctions). Pass ``exclude=()`` to consider every outsider."""

OBJECTIVE = "mean over minerals of chain coverage (the weakest stage's share of world output held by members)"


def objective(current: pd.DataFrame, members: Iterable[str], minerals: list[str] | None = None) -> float:
    cov = coverage(current if minerals is None else current[current["mineral"].isin(minerals)], frozenset(members))
    chain = chain_coverage(cov)
    return float(chain["chain_coverage"].mean()) if len(chain) else 0.0


def what_if(current: pd.DataFrame, members: frozenset[str], *, add: Iterable[str] = (),
            remove: Iterable[str] = ()) -> pd.DataFrame:
    """Coverage per (mineral, stage) before and after adding/removing members, with the change."""
    after_members = (members | set(add)) - set(remove)
    before = coverage(current, members).set_index(["mineral", "stage"])
    after = coverage(current, frozenset(after_members)).set_index(["mineral", "stage"])
    out = pd.DataFrame({
        "year": before["year"], "edition": before["edition"],
        "coverage_before": before["coverage"], "coverage_after": after["coverage"],
        "max_outsider_before": before["max_outsider"], "max_outsider_after": after["max_outsider"],
        "max_outsider_share_after": after["max_outsider_share"],
    })
    out["delta"] = out["coverage_after"] - out["coverage_before"]
    return out.reset_index().sort_values(["delta", "mineral", "stage"], ascending=[False, True, True]).reset_index(drop=True)


def recommend(current: pd.DataFrame, members: frozenset[str], *, k: int = 5, minerals: list[str] | None = None,
              candidates: Iterable[str] | None = None, exclude: Iterable[str] = DEFAULT_EXCLUDED) -> pd.DataFrame:
    """The ``k`` outsiders whose accession most raises the objective, chosen greedily.

    Returns one row per pick: rank, country, marginal gain, objective before and after, and the
    minerals whose chain coverage the pick raises.
    """
    scope = current if minerals is None else current[current["mineral"].isin(minerals)]
    pool = sorted((set(candidates) if candidates is not None else
                   {c for shares in scope["shares"] for c in shares}) - set(members) - set(exclude))
    chosen = set(members)
    value = objective(scope, chosen)
    rows = []
    for rank in range(1, k + 1):
        best = None
        for country in pool:
            if country in chosen:
                continue
            v = objective(scope, chosen | {country})
            if best is None or v > best[1] + 1e-15:
                best = (country, v)
        if best is None or best[1] <= value + 1e-15:
            break
        before_chain = chain_coverage(coverage(scope, frozenset(chosen))).set_index("mineral")["chain_coverage"]
        chosen.add(best[0])
        after_chain = chain_coverage(coverage(scope, frozenset(chosen))).set_index("mineral")["chain_coverage"]
        raised = sorted(m for m in after_chain.index if after_chain[m] > before_chain.get(m, 0.0) + 1e-12)
        rows.append({"rank": rank, "country": best[0], "marginal_gain": best[1] - value,
                     "objective_before": value, "objective_after": best[1], "minerals_raised": raised})
        value = best[1]
    return pd.DataFrame(rows, columns=["rank", "country", "marginal_gain", "objective_before", "objective_after",
                                       "minerals_raised"])
