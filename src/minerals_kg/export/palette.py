"""Colours for node labels and relationship types, shared by the GEXF export and the HTML view.

Known labels and types have fixed colours (colour-blind-safe Okabe-Ito and Tol hues); any other
name gets one derived from its hash, so a colour never depends on what else is in the selection.

>>> label_colour("Country"), label_colour("Country") == label_colour("Country")
((0, 114, 178), True)
>>> hex_colour(label_colour("Mineral"))
'#e69f00'
"""

from __future__ import annotations

import hashlib

__all__ = ["LABEL_COLOURS", "TYPE_COLOURS", "hex_colour", "label_colour", "type_colour"]

RGB = tuple[int, int, int]

LABEL_COLOURS: dict[str, RGB] = {
    "Country": (0, 114, 178),
    "Mineral": (230, 159, 0),
    "Organisation": (0, 158, 115),
    "Event": (86, 180, 233),
    "PolicyInstrument": (213, 94, 0),
    "Firm": (204, 121, 167),
    "Facility": (136, 34, 85),
    "EndUse": (153, 153, 51),
    "Source": (160, 160, 160),
    "Aggregate": (90, 90, 90),
}
TYPE_COLOURS: dict[str, RGB] = {
    "PRODUCES": (230, 159, 0),
    "MEMBER_OF": (0, 158, 115),
    "PARTICIPATED_IN": (86, 180, 233),
    "PART_OF": (0, 158, 115),
    "IMPOSES": (213, 94, 0),
    "COVERS": (213, 94, 0),
    "TARGETS": (200, 30, 30),
    "BENEFITS": (204, 121, 167),
    "PARTY_TO": (213, 94, 0),
    "ANNOUNCED_AT": (86, 180, 233),
    "OWNS": (136, 34, 85),
    "OPERATES": (136, 34, 85),
    "HEADQUARTERED_IN": (120, 120, 120),
    "LOCATED_IN": (120, 120, 120),
    "USED_IN": (153, 153, 51),
    "SUCCESSOR_OF": (120, 120, 120),
    "SOURCED_FROM": (190, 190, 190),
}


def _derived(name: str) -> RGB:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return (64 + digest[0] % 160, 64 + digest[1] % 160, 64 + digest[2] % 160)


def label_colour(label: str) -> RGB:
    """The colour of a node label."""
    return LABEL_COLOURS.get(label) or _derived(label)


def type_colour(rel_type: str) -> RGB:
    """The colour of a relationship type."""
    return TYPE_COLOURS.get(rel_type) or _derived(rel_type)


def hex_colour(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
