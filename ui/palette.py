"""The app's one colour palette (Plotly's default qualitative colours), for every figure.

``PALETTE[i % len(PALETTE)]`` colours the i-th series; the named colours are its first
five, for figures that give a meaning to a colour (data = blue, a penalty = red, ...),
plus a grey for references and baselines.
"""

PALETTE = (
    "#636EFA",
    "#EF553B",
    "#00CC96",
    "#AB63FA",
    "#FFA15A",
    "#19D3F3",
    "#FF6692",
    "#B6E880",
    "#FF97FF",
    "#FECB52",
)
BLUE, RED, GREEN, PURPLE, ORANGE = PALETTE[:5]
GREY = "#7F7F7F"


def rgba(color: str, alpha: float) -> str:
    """A ``#RRGGBB`` colour of the palette, see-through: ``rgba(r,g,b,alpha)``."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
