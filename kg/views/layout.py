"""Where the graph view's nodes go: vis-network physics, or a layout made here.

A small graph is laid out by vis-network's physics in the browser. Past the
view's physics limit the browser would stall for seconds, so positions are
computed here once (seeded: same graph, same picture, same bytes) and physics
is switched off.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: Seed of every random choice in a layout: same graph, same picture, same bytes.
LAYOUT_SEED = 7
#: Labels smaller than this on screen (px, at the current zoom) are not drawn:
#: zoomed out, only the busiest actors' names remain; zooming in brings back the
#: rest.
LABEL_MIN_PX = 8


def place_nodes(nodes: list[dict], edges: list[dict]) -> None:
    """Fix every node at a Fruchterman-Reingold position computed here."""
    for edge in edges:  # thousands of edge labels cost more to draw than all else
        edge.pop("label", None)
    ids = [node["id"] for node in nodes]
    positions = _spring_layout(ids, [(e["from"], e["to"]) for e in edges])
    scale = 60 * math.sqrt(len(ids))
    for node, (x, y) in zip(nodes, positions, strict=True):
        node["x"] = round(float(x) * scale, 1)
        node["y"] = round(float(y) * scale, 1)


def _spring_layout(
    ids: list[str], pairs: list[tuple[str, str]], iterations: int = 50
) -> np.ndarray:
    """Seeded Fruchterman-Reingold in numpy, positions in about [-1, 1].

    networkx's spring_layout needs scipy from 500 nodes on, which kg does not
    depend on. This is its force model, with repulsion estimated against a
    seeded sample of nodes so each step costs O(n * sample), not O(n^2).
    """
    import numpy as np

    rng = np.random.default_rng(LAYOUT_SEED)
    index = {node: i for i, node in enumerate(ids)}
    ends = np.array([(index[a], index[b]) for a, b in pairs], dtype=int).reshape(-1, 2)
    pos = rng.uniform(-1, 1, (len(ids), 2))
    k = 2 / math.sqrt(len(ids))
    for step in range(iterations):
        disp = _repulsion(pos, k, rng)
        delta = pos[ends[:, 0]] - pos[ends[:, 1]]
        pull = delta * (np.linalg.norm(delta, axis=1) / k)[:, None]
        np.add.at(disp, ends[:, 0], -pull)
        np.add.at(disp, ends[:, 1], pull)
        disp -= 0.1 * pos  # gravity keeps components from drifting apart
        length = np.maximum(np.linalg.norm(disp, axis=1), 1e-9)
        heat = 0.2 * (1 - step / iterations)
        pos += disp * (np.minimum(length, heat) / length)[:, None]
    return pos / max(float(np.abs(pos).max()), 1e-9)


def _repulsion(
    pos: np.ndarray,
    k: float,
    rng: np.random.Generator,
    sample: int = 400,
    block: int = 2048,
) -> np.ndarray:
    """Repulsive displacement of every node from a sample of the others."""
    import numpy as np

    others = pos
    if len(pos) > sample:
        others = pos[rng.choice(len(pos), sample, replace=False)]
    weight = k * k * len(pos) / len(others)
    disp = np.empty_like(pos)
    for start in range(0, len(pos), block):
        rows = slice(start, start + block)
        dx = pos[rows, 0, None] - others[None, :, 0]
        dy = pos[rows, 1, None] - others[None, :, 1]
        force = weight / np.maximum(dx * dx + dy * dy, 1e-6)
        disp[rows, 0] = (dx * force).sum(axis=1)
        disp[rows, 1] = (dy * force).sum(axis=1)
    return disp


def vis_options(physics: bool) -> dict:
    """vis-network options: settled barnesHut when small, static when big."""
    options: dict = {
        "nodes": {
            "font": {"size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"},
            "scaling": {"label": {"drawThreshold": LABEL_MIN_PX, "maxVisible": 24}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#9a9a9a", "highlight": "#333333", "inherit": False},
            "font": {"size": 10, "align": "middle", "color": "#555555"},
            "smooth": {"enabled": physics, "type": "continuous"},
            "scaling": {
                "min": 1,
                "max": 12,
                "label": {"drawThreshold": LABEL_MIN_PX, "maxVisible": 14},
            },
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": physics},
    }
    options["physics"] = {"enabled": False}
    if physics:
        options["physics"] = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -3000,
                "centralGravity": 0.6,
                "springLength": 90,
                "springConstant": 0.04,
                "damping": 0.35,
                "avoidOverlap": 0.2,
            },
            "stabilization": {"enabled": True, "iterations": 150, "fit": True},
        }
    return options
