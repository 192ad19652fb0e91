"""Text of the algorithm -> explorer links."""

TEXT = {
    "explorers.heading": {
        "en": "🔎 See the ideas behind it:",
        "zh": "🔎 了解其背后的概念：",
    },
}
