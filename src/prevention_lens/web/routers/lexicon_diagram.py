"""The layout of a concept's mappings drawn as a diagram (server-rendered SVG, no script): the
concept in the middle, the concepts it maps to around it in one box per scheme, and an edge to
each, labelled with its kind and drawn with its own dash pattern, so kinds differ without colour.

Schemes go to the left or right column, whichever is shorter so far, so the two stay balanced;
a scheme the concept does not reach shows why (its no-term reason) instead of a node.
"""

from __future__ import annotations

from dataclasses import dataclass

from prevention_lens.lexicon.model import MAPPING_KINDS, SCHEMES, Concept, Lexicon

WIDTH = 1000
MARGIN = 12
NODE_WIDTH = 250
NODE_HEIGHT = 26
ROW = 32
HEADING = 24
GROUP_GAP = 16
CENTRE_WIDTH = 190
CENTRE_LINE = 18
# Characters of a label that fit a node at the diagram's font size; longer ones are cut with "…"
# (the full label is the node's tooltip and is in the table below the diagram).
NODE_CHARS = 34
CENTRE_CHARS = 24
# Each kind's dash pattern and line width: distinguishable in grey, in print and without colour.
STROKES = {
    "exact": ("", 3.0),
    "close": ("9 4", 2.0),
    "broader": ("2 4", 2.0),
    "narrower": ("12 4 2 4", 2.0),
    "related": ("5 7", 1.25),
}
# Where along an edge (from the node towards the centre) its label sits, in pixels.
LABEL_OFFSET = 34


@dataclass(frozen=True)
class DiagramNode:
    concept_id: str
    scheme: str
    label: str
    lines: tuple[str, ...]
    href: str
    core: bool
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class DiagramEdge:
    source: str
    target: str
    kind: str
    rationale: str
    dash: str
    stroke_width: float
    x1: float
    y1: float
    x2: float
    y2: float
    label_x: float
    label_y: float


@dataclass(frozen=True)
class DiagramGroup:
    """One scheme's box: its heading and, when it has no node, why (``gap``)."""

    scheme: str
    name: str
    x: float
    y: float
    width: float
    height: float
    gap: str | None


@dataclass(frozen=True)
class Diagram:
    width: float
    height: float
    centre: DiagramNode
    nodes: tuple[DiagramNode, ...]
    edges: tuple[DiagramEdge, ...]
    groups: tuple[DiagramGroup, ...]


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wrap(text: str, limit: int, lines: int = 3) -> tuple[str, ...]:
    """The text in at most ``lines`` lines of about ``limit`` characters (the last cut short)."""
    out: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > limit:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
    return tuple(shorten(line, limit) for line in out)


def concept_diagram(lexicon: Lexicon, concept: Concept, language: str) -> Diagram:
    order = list(MAPPING_KINDS)
    groups: list[tuple[str, list[tuple[str, str, Concept]]]] = []
    for scheme in SCHEMES:
        if scheme == concept.scheme:
            continue
        held = [
            (mapping.kind, mapping.rationale, lexicon.concepts[mapping.target])
            for mapping in lexicon.mappings_from(concept.id)
            if lexicon.concepts[mapping.target].scheme == scheme
        ]
        held.sort(key=lambda item: (order.index(item[0]), item[2].id))
        groups.append((scheme, held))

    def group_height(held: list[tuple[str, str, Concept]]) -> float:
        return HEADING + max(len(held), 1) * ROW + GROUP_GAP

    columns: tuple[list[tuple[str, list[tuple[str, str, Concept]]]], ...] = ([], [])
    totals = [0.0, 0.0]
    for scheme, held in groups:
        side = 0 if totals[0] <= totals[1] else 1
        columns[side].append((scheme, held))
        totals[side] += group_height(held)
    height = max(*totals, 4 * CENTRE_LINE + 2 * MARGIN) + 2 * MARGIN
    centre_lines = wrap(concept.label(language), CENTRE_CHARS)
    centre_height = CENTRE_LINE * len(centre_lines) + 16
    centre = DiagramNode(
        concept_id=concept.id,
        scheme=concept.scheme,
        label=concept.label(language),
        lines=centre_lines,
        href=f"/lexicon/{concept.id}",
        core=concept.core,
        x=(WIDTH - CENTRE_WIDTH) / 2,
        y=(height - centre_height) / 2,
        width=CENTRE_WIDTH,
        height=centre_height,
    )
    centre_y = height / 2
    nodes: list[DiagramNode] = []
    edges: list[DiagramEdge] = []
    boxes: list[DiagramGroup] = []
    for side, column in enumerate(columns):
        x = MARGIN if side == 0 else WIDTH - MARGIN - NODE_WIDTH
        y = (height - totals[side]) / 2 + GROUP_GAP / 2
        for scheme, held in column:
            box_height = HEADING + max(len(held), 1) * ROW
            gap = None
            if not held:
                gap = concept.no_term.get(scheme) or "not mapped to this scheme"
            boxes.append(
                DiagramGroup(scheme, SCHEMES[scheme], x - 6, y, NODE_WIDTH + 12, box_height, gap)
            )
            for index, (kind, rationale, target) in enumerate(held):
                node_y = y + HEADING + index * ROW + (ROW - NODE_HEIGHT) / 2
                label = target.label(language)
                nodes.append(
                    DiagramNode(
                        concept_id=target.id,
                        scheme=scheme,
                        label=label,
                        lines=(shorten(label, NODE_CHARS),),
                        href=f"/lexicon/{target.id}",
                        core=target.core,
                        x=x,
                        y=node_y,
                        width=NODE_WIDTH,
                        height=NODE_HEIGHT,
                    )
                )
                node_x = x + NODE_WIDTH + 6 if side == 0 else x - 6
                start_x = centre.x if side == 0 else centre.x + CENTRE_WIDTH
                end_y = node_y + NODE_HEIGHT / 2
                step = LABEL_OFFSET / max(abs(start_x - node_x), 1.0)
                dash, stroke_width = STROKES[kind]
                edges.append(
                    DiagramEdge(
                        source=concept.id,
                        target=target.id,
                        kind=kind,
                        rationale=rationale,
                        dash=dash,
                        stroke_width=stroke_width,
                        x1=start_x,
                        y1=centre_y,
                        x2=node_x,
                        y2=end_y,
                        label_x=node_x + (start_x - node_x) * step,
                        label_y=end_y + (centre_y - end_y) * step - 4,
                    )
                )
            y += box_height + GROUP_GAP
    return Diagram(WIDTH, height, centre, tuple(nodes), tuple(edges), tuple(boxes))
