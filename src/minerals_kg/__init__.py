"""minerals-kg: a sourced knowledge graph of the critical-minerals alliance.

>>> import minerals_kg
>>> kg = minerals_kg.open()          # embedded, from the shipped sources; no server
>>> kg.chokepoints().iloc[0].mineral in set(kg.table("minerals")["id"])
True
"""

from .api import KnowledgeGraph, open
from .errors import DataValidationError, InvalidArgument, InvalidArguments, Issue, MineralsKGError

__all__ = [
    "DataValidationError",
    "InvalidArgument",
    "InvalidArguments",
    "Issue",
    "KnowledgeGraph",
    "MineralsKGError",
    "open",
]
__version__ = "0.2.0"
