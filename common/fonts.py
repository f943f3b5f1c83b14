"""A system font for drawing and measuring text on the server: DejaVu Sans (Debian's fonts-dejavu-core, with every
Spanish letter), else Pillow's own font. Nothing is downloaded. A helper that imports no app code."""

from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


@cache
def font(size: int, bold: bool = False):
    """DejaVu Sans at `size` pixels (bold or regular), or Pillow's default font at that size where it is missing."""
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


# Pages measure the same few hundred words again and again (the embed card's height, jurisdictions/embed_height.py).
@lru_cache(maxsize=8192)
def text_width(text: str, size: int, bold: bool = False) -> float:
    """The width in pixels of `text` set in `font(size, bold)`."""
    return font(size, bold).getlength(text)
