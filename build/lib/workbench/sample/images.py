"""Small generated post images: brand blue/yellow graphics for brand-coloured posts.

Images are 64×64 PNGs so the sample stays light; their pixels depend only on the post id,
the seed and the labels, so regeneration is byte-identical.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

#: Non-brand palettes (background, accent): greens, reds, greys, purples.
OTHER_PALETTES = (("#2E7D32", "#A5D6A7"), ("#C62828", "#FFCDD2"), ("#616161", "#E0E0E0"),
                  ("#6A1B9A", "#E1BEE7"), ("#EF6C00", "#FFE0B2"))


def post_image_png(post_id: str, seed: int, brand: bool, human: bool,
                   brand_colours: dict[str, str]) -> bytes:
    """Draw one post image and return its PNG bytes.

    Args:
        post_id: The post's id (seeds the layout).
        seed: The sample seed.
        brand: Use the organisation's brand colours (first two of ``brand_colours``).
        human: Draw a person silhouette (human-centred posts).
        brand_colours: Hex colours from org.yaml.
    """
    rng = np.random.default_rng([seed, int(post_id) % (2**63)])
    colours = list(brand_colours.values())
    if brand and len(colours) >= 2:
        background, accent = colours[0], colours[1]
    else:
        background, accent = OTHER_PALETTES[int(rng.integers(len(OTHER_PALETTES)))]
    image = Image.new("RGB", (64, 64), background)
    draw = ImageDraw.Draw(image)
    band = int(rng.integers(36, 52))
    draw.rectangle((0, band, 63, 63), fill=accent)  # a caption band, as designers use
    if human:
        x = int(rng.integers(20, 44))
        draw.ellipse((x - 7, 10, x + 7, 24), fill="#F1D3B3")
        draw.rectangle((x - 10, 26, x + 10, band), fill="#F1D3B3")
    else:
        x0, y0 = int(rng.integers(6, 30)), int(rng.integers(6, 20))
        draw.rectangle((x0, y0, x0 + 24, y0 + 14), outline=accent, width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
