"""How tall an embedded card's frame must be: set from the card's own text, so the embed code fits each card.

The frame's height is fixed in the code a newsroom pastes, while its width follows their column (up to 480 px).
The card grows as the column narrows, so the height is the card's at the narrowest column it is made for
(NARROWEST_FRAME: a 360 px phone less the page's margins); in a wider column the card fills the frame (embed.css:
the card is a column as tall as the frame, its footer at the bottom), so the frame never shows blank space under
the card nor cuts it. The card's lines are laid out here as embed.css sets them, each word measured in DejaVu Sans
(common/fonts.py), the widest of the common system fonts, so the estimate errs toward room to spare.
"""

import math
from html.parser import HTMLParser

from common.fonts import text_width

# A 360 px phone less 16 px of page margin on each side (tests/test_browser_embeds.py checks 360 to 1,280 px).
NARROWEST_FRAME = 328
# embed.css: the card's border and padding, and per block kind its font size, line height, margins and padding.
CARD_BORDER, CARD_PADDING_X, CARD_PADDING_Y = 1, 14, 12
LINE_HEIGHT = 1.4
# class or tag: (font size, space below, extra vertical padding, horizontal inset); each line is 1.4 times its
# tallest font size (h1: 1.25).
BLOCKS = {
    "h1": (18, 8, 0, 0),
    "kicker": (13, 6, 0, 0),
    "program": (13, 6, 8, 19),
    "source": (13, 6, 0, 0),
    "unit-note": (13, 6, 0, 0),
    # The footer: its top border and padding, after the space below the block above it.
    "foot": (13, 0, 8 + 1, 0),
    "status": (14, 6, 0, 0),
    "p": (14, 6, 0, 0),
}
# A <strong> of the status line is 17 px: its line is that much taller.
STATUS_STRONG = 17
# Room for what measuring cannot know (a browser's rounding, a longer date tomorrow).
SLACK = 12


class _Blocks(HTMLParser):
    """The card's blocks (h1 and p inside the article) as (kind, [(word, bold, size)])."""

    def __init__(self):
        super().__init__()
        self.blocks: list[tuple[str, list]] = []
        self._kind = None
        self._bold = 0
        self._text: list = []

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "p"):
            classes = (dict(attrs).get("class") or "").split()
            self._kind = next((name for name in classes if name in BLOCKS), tag)
            self._text = []
        elif tag in ("strong", "b"):
            self._bold += 1

    def handle_endtag(self, tag):
        if tag in ("strong", "b"):
            self._bold -= 1
        elif tag in ("h1", "p") and self._kind is not None:
            self.blocks.append((self._kind, self._text))
            self._kind = None

    def handle_data(self, data):
        if self._kind is None:
            return
        size = BLOCKS[self._kind][0]
        bold = self._bold > 0 or self._kind == "h1"
        if bold and self._kind == "status":
            size = STATUS_STRONG
        self._text += [(word, bold, size) for word in data.split()]


def _lines(words: list, width: float) -> list[float]:
    """The words broken into lines of at most `width` px; per line, its tallest font size."""
    lines, used, tallest = [], 0.0, 0
    for word, bold, size in words:
        advance = text_width(word, size, bold)
        space = text_width(" ", size, bold) if used else 0
        if used and used + space + advance > width:
            lines.append(tallest)
            used, tallest = advance, size
        else:
            used += space + advance
            tallest = max(tallest, size)
    if used:
        lines.append(tallest)
    return lines


def card_height(html: str, frame_width: int = NARROWEST_FRAME) -> int:
    """The height in px a card (its HTML) needs in a frame `frame_width` px wide."""
    parser = _Blocks()
    parser.feed(html)
    content = frame_width - 2 * (CARD_BORDER + CARD_PADDING_X)
    height = 2 * (CARD_BORDER + CARD_PADDING_Y) + SLACK
    for kind, words in parser.blocks:
        size, below, padding, inset = BLOCKS[kind]
        lines = _lines(words, content - inset) or [size]
        # A line is as tall as its tallest text: the 17 px status makes its line taller than the others.
        factor = 1.25 if kind == "h1" else LINE_HEIGHT
        height += sum(max(size, tallest) * factor for tallest in lines) + below + padding
    return math.ceil(height)
