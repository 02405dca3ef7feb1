"""Brand colours measured from post images (Pillow + numpy, CIELAB distance).

A pixel is "close to" a brand colour when its CIE76 distance (ΔE*ab, Euclidean in CIELAB
under D65) is at most ``labels.colour_distance`` (default 20: clearly the same hue to the
eye, tolerant of JPEG noise and shading). ``brand_colours`` is true when the share of such
pixels reaches ``labels.brand_share_threshold``. A post without an image gets NA, never a
guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import InputFormatError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
#: Images are shrunk to at most this many pixels a side before measuring: shares of
#: large flat areas do not change, and a 4000-px phone photo would cost seconds.
MAX_SIDE = 256

# sRGB (D65) -> XYZ, IEC 61966-2-1.
_RGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375],
     [0.2126729, 0.7151522, 0.0721750],
     [0.0193339, 0.1191920, 0.9503041]]
)
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """``"#1F4E9A"`` -> ``(31, 78, 154)``."""
    text = str(colour).strip().lstrip("#")
    if len(text) != 6:
        raise ValueError(f"{colour!r} is not a #RRGGBB colour")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """Convert sRGB values 0-255 (any shape ``(..., 3)``) to CIELAB (D65)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _RGB_TO_XYZ.T / _WHITE_D65
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    lab = np.empty_like(f)
    lab[..., 0] = 116 * f[..., 1] - 16
    lab[..., 1] = 500 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200 * (f[..., 1] - f[..., 2])
    return lab


def _pixels(image_array: np.ndarray) -> np.ndarray:
    """RGB pixels as an ``(n, 3)`` array; fully transparent pixels are dropped."""
    arr = np.asarray(image_array)
    if arr.ndim == 2:  # greyscale
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f"expected an (h, w, 3|4) image array, got shape {arr.shape}")
    flat = arr.reshape(-1, arr.shape[2])
    if flat.shape[1] == 4:
        flat = flat[flat[:, 3] > 0, :3]
    return flat[:, :3]


def brand_colour_shares(
    image_array: np.ndarray, brand_hexes: Mapping[str, str] | Sequence[str], threshold: float
) -> dict[str, float]:
    """Share of pixels within ``threshold`` ΔE*76 of each brand colour.

    Args:
        image_array: ``(h, w, 3)`` RGB or ``(h, w, 4)`` RGBA array, values 0-255.
        brand_hexes: Brand colours as ``{"blue": "#1F4E9A", ...}`` or a list of hex strings.
        threshold: Largest CIELAB distance that still counts as the brand colour.

    Returns:
        ``{colour name (or hex): share in [0, 1]}``; an image with no opaque pixel gives 0.
    """
    named = dict(brand_hexes) if isinstance(brand_hexes, Mapping) else {h: h for h in brand_hexes}
    pixels = _pixels(image_array)
    if len(pixels) == 0:
        return {name: 0.0 for name in named}
    lab = rgb_to_lab(pixels)
    shares = {}
    for name, colour in named.items():
        target = rgb_to_lab(np.array(hex_to_rgb(colour), dtype=np.float64))
        shares[name] = float(np.mean(np.linalg.norm(lab - target, axis=1) <= threshold))
    return shares


def brand_colour_share(
    image_array: np.ndarray, brand_hexes: Mapping[str, str] | Sequence[str], threshold: float
) -> float:
    """Share of pixels within ``threshold`` ΔE*76 of any brand colour.

    Args:
        image_array: ``(h, w, 3)`` RGB or ``(h, w, 4)`` RGBA array, values 0-255.
        brand_hexes: Brand colours as a mapping name -> hex or a list of hex strings.
        threshold: Largest CIELAB distance that still counts as a brand colour.

    Returns:
        The share in [0, 1] of (opaque) pixels close to at least one brand colour.

    Examples:
        >>> img = np.zeros((2, 2, 3), dtype=np.uint8); img[0] = (31, 78, 154)
        >>> brand_colour_share(img, ["#1F4E9A", "#F6C83E"], 20)
        0.5
    """
    hexes = list(brand_hexes.values()) if isinstance(brand_hexes, Mapping) else list(brand_hexes)
    pixels = _pixels(image_array)
    if len(pixels) == 0 or not hexes:
        return 0.0
    lab = rgb_to_lab(pixels)
    close = np.zeros(len(lab), dtype=bool)
    for colour in hexes:
        target = rgb_to_lab(np.array(hex_to_rgb(colour), dtype=np.float64))
        close |= np.linalg.norm(lab - target, axis=1) <= threshold
    return float(close.mean())


def is_brand(shares: Mapping[str, float], share_threshold: float, require_all: bool) -> bool:
    """Apply the brand rule to per-colour shares (``any`` colour, or ``all`` of them)."""
    if not shares:
        return False
    if require_all:
        return all(s >= share_threshold for s in shares.values())
    return sum(shares.values()) >= share_threshold


def read_image_array(path: Path) -> np.ndarray:
    """Read an image file as an RGBA uint8 array, shrunk to at most MAX_SIDE a side.

    Raises:
        InputFormatError: The file is missing, truncated or not an image.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            img = img.convert("RGBA")
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            return np.asarray(img)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputFormatError(
            f"cannot read the image ({exc})",
            file=path,
            hint="replace it with a valid PNG or JPEG, or delete it (the post then gets no "
            "brand-colour label)",
        ) from exc


def find_images(media_dir: Path, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Path]:
    """Images under ``media_dir/<platform>/<post_id>.(png|jpg|jpeg)`` for the given posts."""
    found = {}
    for platform, post_id in keys:
        for suffix in IMAGE_SUFFIXES:
            candidate = Path(media_dir) / str(platform) / f"{post_id}{suffix}"
            if candidate.is_file():
                found[(platform, post_id)] = candidate
                break
    return found


def measure_images(
    media_dir: Path | None, posts: pd.DataFrame, params: Mapping[str, Any]
) -> tuple[pd.DataFrame, list[InputFormatError]]:
    """Measure the brand-colour share of every post image found under ``media_dir``.

    Args:
        media_dir: ``<raw>/media``; None or a missing folder gives an empty table.
        posts: The posts table (``platform``, ``post_id`` used).
        params: Parameters (``brand_colours``, ``labels.colour_distance``).

    Returns:
        ``(images, problems)``: ``images`` has ``platform``, ``post_id``, ``image_file``,
        ``brand_colour_share`` and one ``share_<colour>`` column per brand colour; a corrupt
        image is left out and reported in ``problems`` (one error naming the file).
    """
    brand = dict(params.get("brand_colours") or {})
    distance = float((params.get("labels") or {}).get("colour_distance", 20))
    columns = ["platform", "post_id", "image_file", "brand_colour_share",
               *(f"share_{name}" for name in brand)]
    rows: list[dict[str, Any]] = []
    problems: list[InputFormatError] = []
    if media_dir is not None and Path(media_dir).is_dir() and brand:
        keys = zip(posts["platform"].astype(str), posts["post_id"].astype(str), strict=True)
        for (platform, post_id), path in sorted(find_images(Path(media_dir), keys).items()):
            try:
                array = read_image_array(path)
            except InputFormatError as exc:
                problems.append(exc)
                continue
            row = {"platform": platform, "post_id": post_id, "image_file": str(path),
                   "brand_colour_share": brand_colour_share(array, brand, distance)}
            for name, share in brand_colour_shares(array, brand, distance).items():
                row[f"share_{name}"] = share
            rows.append(row)
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"platform": "string", "post_id": "string", "image_file": "string",
                         **{c: "Float64" for c in columns[3:]}}), problems
