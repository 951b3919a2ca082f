"""minerals-kg: a sourced knowledge graph of the critical-minerals alliance."""

from .api import KnowledgeGraph, open
from .errors import DataValidationError, Issue, MineralsKGError

__all__ = ["DataValidationError", "Issue", "KnowledgeGraph", "MineralsKGError", "open"]
__version__ = "0.1.0"
