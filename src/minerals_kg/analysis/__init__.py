"""Analyses as pure functions over tables projected from the graph (embedded or Neo4j)."""

from .concentration import chokepoints, concentration, current_groups
from .coverage import AllianceMembers, chain_coverage, coverage, resolve_members

__all__ = [
    "AllianceMembers",
    "chain_coverage",
    "chokepoints",
    "concentration",
    "coverage",
    "current_groups",
    "resolve_members",
]
