"""Drawing one synthetic bird image: background, bird, masks, keypoints.

Every image shows one small drawn bird-like object (its mask covers 10-40%
of the image, in practice about 12-29%) at a random position, scale, small
rotation and horizontal flip, on a cluttered background that does not
depend on the class. Only the part attributes of :mod:`.attributes` depend
on the class; body colour, body proportions and pose are nuisance factors
drawn independently of it, from a generator of their own, so that a
background and an object can be recombined (see :mod:`.pairs`).

Difficulty knobs (:class:`Difficulty`; ``--object-scale``, ``--clutter``,
``--subtlety``, and ``--classes``): their defaults give exactly the
original images.

Pixel ``(col, row)`` covers ``[col, col + 1) x [row, row + 1)`` (the COCO
convention); keypoints are continuous positions in the same frame.
"""
import colorsys
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from PIL import Image, ImageDraw

from .attributes import (ATTRIBUTES, BEAK_LENGTHS, HEAD_COLOURS, MAX_CLASSES,
                         MIN_CLASSES, PART_MASK_LABELS, PART_NAMES,
                         STRIPE_COLOURS, TAIL_SHAPES, class_attribute_names,
                         class_attributes)

# Nuisance palette for beaks and legs (class independent).
BEAK_COLOURS = ((230, 170, 40), (120, 110, 100), (40, 35, 30), (225, 110, 45))

MIN_SIZE, MAX_SIZE = 32, 4096
# Share of the image covered by the class-independent silhouette (body and
# head) is drawn from this range; the fit-inside constraint caps it, and
# beak / tail add a little: measured mask share 0.12-0.29 at 32-256 px.
_REF_FRACTION_RANGE = (0.12, 0.34)
_MAX_ROTATION_DEG = 15.0

#: Drawing layers -> their label in :data:`PART_MASK_LABELS` (others:
#: ``'other'``).
_LAYER_PART = dict(
    head='head',
    eye_ring='head',
    pupil='head',
    beak='beak',
    tail='tail',
    stripe='wing_stripe')

SeedLike = Union[int, Sequence[int], np.random.SeedSequence,
                 np.random.Generator]


@dataclass(frozen=True)
class Difficulty:
    """Knobs that make the recognition task harder or easier.

    The defaults reproduce the original generator exactly (same bytes).

    Attributes:
        object_scale (float): Multiplies the object's linear size (its mask
            share by about ``object_scale ** 2``); the object still has to
            fit inside the image, which caps large values. In (0, 3].
        clutter (float): Multiplies the number of background shapes
            (ellipses, lines, blobs, part-coloured distractors); 0 gives a
            plain shaded gradient. In [0, 5].
        subtlety (float): How far the class-defining attributes are pulled
            towards class-independent values: the head colour towards the
            body colour, the wing stripe towards the wing colour and every
            beak length towards the medium one, by this weight. Tail shapes
            are unchanged. 0 = as distinct as possible, in [0, 1).
    """

    object_scale: float = 1.0
    clutter: float = 1.0
    subtlety: float = 0.0

    def __post_init__(self):
        for name, lo, hi, lo_open, hi_open in (('object_scale', 0, 3, True,
                                                False), ('clutter', 0, 5,
                                                         False, False),
                                               ('subtlety', 0, 1, False,
                                                True)):
            value = getattr(self, name)
            ok = isinstance(value,
                            (int, float)) and not isinstance(value, bool)
            ok = ok and (value > lo if lo_open else value >= lo)
            ok = ok and (value < hi if hi_open else value <= hi)
            if not ok:
                interval = ('(' if lo_open else
                            '[') + f'{lo}, {hi}' + (')' if hi_open else ']')
                flag = '--' + name.replace('_', '-')
                raise ValueError(f'{name} ({flag}) must be a number in '
                                 f'{interval}, got {value!r}')

    def as_dict(self) -> Dict[str, float]:
        return dict(
            object_scale=float(self.object_scale),
            clutter=float(self.clutter),
            subtlety=float(self.subtlety))


DEFAULT_DIFFICULTY = Difficulty()


def _check_int_range(name: str,
                     value,
                     lo: int,
                     hi: int,
                     flag: str = '') -> None:
    """Raise ValueError unless ``lo <= value <= hi`` (an int)."""
    label = f'{name} ({flag})' if flag else name
    if (isinstance(value, bool) or not isinstance(value, (int, np.integer))
            or not lo <= value <= hi):
        raise ValueError(f'{label} must be an integer in [{lo}, {hi}], '
                         f'got {value!r}')


# --------------------------------------------------------------------------
# Random helpers
# --------------------------------------------------------------------------
def _split_rng(rng_or_seed: SeedLike) -> Tuple[np.random.Generator, ...]:
    """Two independent generators: ``(background_rng, object_rng)``.

    An int / int sequence / SeedSequence gives the same pair every time (the
    children are built from the spawn key, the SeedSequence is not mutated).
    A Generator is consumed to seed the pair.
    """
    if isinstance(rng_or_seed, np.random.Generator):
        seeds = rng_or_seed.integers(0, 2**63 - 1, size=2)
        return tuple(np.random.default_rng(int(s)) for s in seeds)
    if isinstance(rng_or_seed, np.random.SeedSequence):
        seq = rng_or_seed
    else:
        seq = np.random.SeedSequence(rng_or_seed)
    return tuple(
        np.random.default_rng(
            np.random.SeedSequence(
                seq.entropy, spawn_key=tuple(seq.spawn_key) + (k, )))
        for k in range(2))


def image_seed(seed: int, index: int) -> Tuple[int, int]:
    """Per-image seed: entropy ``(seed, index)`` for a SeedSequence."""
    return (int(seed), int(index))


def sample_natural_colour(rng: np.random.Generator) -> Tuple[int, int, int]:
    """One RGB colour from the distribution shared by bodies and clutter."""
    hue, sat, val = rng.uniform((0.0, 0.12, 0.25), (1.0, 0.75, 0.95))
    return tuple(
        int(round(255 * c)) for c in colorsys.hsv_to_rgb(hue, sat, val))


def _scale_colour(colour, factor: float) -> Tuple[int, int, int]:
    """Darken (factor < 1) an RGB colour."""
    return tuple(int(round(min(255.0, c * factor))) for c in colour)


def _mix_colour(colour, other, weight: float) -> Tuple[int, int, int]:
    """``(1 - weight) * colour + weight * other``."""
    return tuple(
        int(round((1 - weight) * a + weight * b))
        for a, b in zip(colour, other))


# --------------------------------------------------------------------------
# Background
# --------------------------------------------------------------------------
@lru_cache(maxsize=32)
def _interp_weights(size: int, grid: int) -> Tuple[np.ndarray, np.ndarray]:
    """Left knot index (size,) and weight of the right knot (size,) for a
    linear upsampling of ``grid`` knots to ``size`` samples."""
    pos = np.linspace(0, grid - 1, size)
    left = np.clip(np.floor(pos).astype(np.intp), 0, grid - 2)
    return left, pos - left


def smooth_field(knots: np.ndarray, size: int) -> np.ndarray:
    """Bilinearly upsample ``knots`` (g, g, C) to a (size, size, C) field.

    Element-wise only (no BLAS), so thread settings cannot change it.
    """
    left, frac = _interp_weights(size, knots.shape[0])
    w_col = frac[:, None, None]
    rows = knots[left] * (1 - w_col) + knots[left + 1] * w_col
    w_row = frac[None, :, None]
    return rows[:, left] * (1 - w_row) + rows[:, left + 1] * w_row


def _random_blob(rng: np.random.Generator, centre, radius: float,
                 num_vertices: int) -> List[Tuple[float, float]]:
    """Star-convex random polygon around ``centre``."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, num_vertices))
    radii = radius * rng.uniform(0.5, 1.0, num_vertices)
    return list(
        zip(centre[0] + radii * np.cos(angles),
            centre[1] + radii * np.sin(angles)))


def _count(rng: np.random.Generator, lo: int, hi: int, clutter: float) -> int:
    """``rng.integers(lo, hi)`` scaled by ``clutter`` (rounded)."""
    return int(round(int(rng.integers(lo, hi)) * clutter))


def render_background(rng: np.random.Generator,
                      size: int,
                      clutter: float = 1.0) -> Tuple[Image.Image, np.ndarray]:
    """Cluttered, class-independent background.

    ``clutter`` multiplies the number of shapes of every kind (see
    :class:`Difficulty`).

    Returns:
        tuple: ``(canvas, shading)``. ``canvas`` is an RGB PIL image of
        ``(size, size)`` with a colour gradient, ellipses, lines, blobs and
        small saturated "part-like" distractors. ``shading`` is a float
        ``(size, size, 3)`` field (low-frequency light + pixel noise) that is
        added to the final image, object included.
    """
    corners = np.array([[sample_natural_colour(rng) for _ in range(2)]
                        for _ in range(2)],
                       dtype=np.float64)
    gradient = smooth_field(corners, size)
    texture = smooth_field(rng.normal(0, 18, (7, 7, 3)), size)
    base = np.clip(gradient + texture, 0, 255).astype(np.uint8)
    canvas = Image.fromarray(base, 'RGB')
    draw = ImageDraw.Draw(canvas)

    for _ in range(_count(rng, 4, 10, clutter)):
        cx, cy = rng.uniform(-0.1, 1.1, 2) * size
        rx, ry = rng.uniform(0.03, 0.25, 2) * size
        box = [cx - rx, cy - ry, cx + rx, cy + ry]
        colour = sample_natural_colour(rng)
        if rng.random() < 0.3:
            draw.ellipse(
                box,
                outline=colour,
                width=max(1, int(rng.uniform(0.005, 0.03) * size)))
        else:
            draw.ellipse(box, fill=colour)
    for _ in range(_count(rng, 2, 7, clutter)):
        pts = rng.uniform(-0.1, 1.1, 4) * size
        draw.line(
            list(pts),
            fill=sample_natural_colour(rng),
            width=max(1, int(rng.uniform(0.005, 0.035) * size)))
    for _ in range(_count(rng, 2, 5, clutter)):
        centre = rng.uniform(0, 1, 2) * size
        radius = rng.uniform(0.05, 0.2) * size
        draw.polygon(
            _random_blob(rng, centre, radius, int(rng.integers(5, 10))),
            fill=sample_natural_colour(rng))
    # Distractors in the part palettes: the head/stripe colours are not
    # unique to the object.
    palette = list(HEAD_COLOURS.values()) + [
        c for c in STRIPE_COLOURS.values() if c is not None
    ]
    for _ in range(_count(rng, 1, 5, clutter)):
        cx, cy = rng.uniform(0, 1, 2) * size
        radius = rng.uniform(0.015, 0.05) * size
        colour = palette[int(rng.integers(len(palette)))]
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius],
                     fill=colour)

    light = smooth_field(rng.normal(0, 12, (4, 4, 1)), size)
    noise = rng.normal(0, rng.uniform(2.0, 6.0), (size, size, 3))
    return canvas, light + noise


# --------------------------------------------------------------------------
# Bird geometry in the object frame (x forward, y down, body length ~ 1)
# --------------------------------------------------------------------------
def ellipse_polygon(cx: float,
                    cy: float,
                    a: float,
                    b: float,
                    tilt: float = 0.0,
                    num: int = 28) -> np.ndarray:
    """(num, 2) polygon of an ellipse with semi-axes a, b rotated by tilt."""
    t = np.linspace(0, 2 * np.pi, num, endpoint=False)
    x, y = a * np.cos(t), b * np.sin(t)
    cos, sin = np.cos(tilt), np.sin(tilt)
    return np.stack([cx + cos * x - sin * y, cy + sin * x + cos * y], 1)


def _axis_to_frame(points: np.ndarray, origin, angle: float) -> np.ndarray:
    """Map (N, 2) points given as (along, across) an axis into the frame."""
    cos, sin = np.cos(angle), np.sin(angle)
    along, across = points[:, 0], points[:, 1]
    return np.stack([
        origin[0] + cos * along - sin * across,
        origin[1] + sin * along + cos * across
    ], 1)


def tail_polygon(shape: str, length: float,
                 base_half_width: float) -> Tuple[np.ndarray, np.ndarray]:
    """Tail outline along its own axis (base at 0, pointing to +along).

    Returns:
        tuple: ``(polygon (N, 2), tip (2,))`` in (along, across) units. The
        tip of a forked tail is the vertex of the notch (on the object).
    """
    w0 = base_half_width
    if shape == 'point':
        poly = [(0, -w0), (0.55 * length, -0.6 * w0), (length, 0),
                (0.55 * length, 0.6 * w0), (0, w0)]
        tip = (length, 0)
    elif shape == 'fan':
        angles = np.linspace(-0.62, 0.62, 9)
        arc = [(length * np.cos(a), length * np.sin(a)) for a in angles]
        poly = [(0, -w0)] + arc + [(0, w0)]
        tip = (length, 0)
    elif shape == 'round':
        cap = 0.11
        angles = np.linspace(-np.pi / 2, np.pi / 2, 9)
        arc = [(length - cap + cap * np.cos(a), cap * np.sin(a))
               for a in angles]
        poly = [(0, -w0)] + arc + [(0, w0)]
        tip = (length, 0)
    elif shape == 'square':
        poly = [(0, -w0), (length, -1.25 * w0), (length, 1.25 * w0), (0, w0)]
        tip = (length, 0)
    elif shape == 'fork':
        notch = 0.55 * length
        poly = [(0, -w0), (1.08 * length, -2.0 * w0), (notch, 0),
                (1.08 * length, 2.0 * w0), (0, w0)]
        tip = (notch, 0)
    else:
        raise ValueError(f'unknown tail shape {shape!r}, expected one of '
                         f'{TAIL_SHAPES}')
    return np.asarray(poly, dtype=np.float64), np.asarray(tip, np.float64)


def sample_nuisance(rng: np.random.Generator) -> dict:
    """Draw every class-independent object parameter.

    The number and order of draws never depends on the class, so two
    classes rendered from the same generator state share body, pose and
    background exactly.
    """
    body_rgb = sample_natural_colour(rng)
    u = rng.uniform(0, 1, 20)
    return dict(
        body_rgb=body_rgb,
        beak_rgb=BEAK_COLOURS[int(u[0] * len(BEAK_COLOURS))],
        wing_shade=0.55 + 0.25 * u[1],
        belly_light=0.2 + 0.3 * u[2],
        body_a=0.40 * (0.92 + 0.16 * u[3]),
        body_b=0.30 * (0.90 + 0.20 * u[4]),
        head_r=0.20 * (0.90 + 0.20 * u[5]),
        head_dx=0.04 * (u[6] - 0.5),
        head_dy=0.04 * (u[7] - 0.5),
        wing_tilt=np.deg2rad(-14 + 12 * u[8]),
        tail_length=0.20 + 0.10 * u[9],
        tail_tilt=np.deg2rad(-15 + 25 * u[10]),
        beak_tilt=np.deg2rad(-4 + 22 * u[11]),
        leg_length=0.10 + 0.08 * u[12],
        rotation_deg=_MAX_ROTATION_DEG * (2 * u[13] - 1),
        flipped=bool(u[14] < 0.5),
        scale_u=u[15],
        pos_u=(u[16], u[17]),
        leg_dx=0.06 * (u[18] - 0.5),
        eye_jitter=0.03 * (u[19] - 0.5),
    )


def build_bird(nui: dict,
               attrs: Dict[str, int],
               subtlety: float = 0.0) -> dict:
    """Bird parts in the object frame.

    ``subtlety`` pulls the class attributes towards class-independent
    values (see :class:`Difficulty`).

    Returns:
        dict: ``layers``: list of ``(name, polygon (N, 2), fill, outline)``
        in drawing order; ``keypoints``: ``{part name: (2,)}``.
    """
    a, b, r = nui['body_a'], nui['body_b'], nui['head_r']
    body_rgb = nui['body_rgb']
    wing_rgb = _scale_colour(body_rgb, nui['wing_shade'])
    edge_rgb = _scale_colour(body_rgb, 0.45)
    head_rgb = HEAD_COLOURS[ATTRIBUTES['head_colour'][attrs['head_colour']]]
    stripe_rgb = STRIPE_COLOURS[ATTRIBUTES['wing_stripe'][
        attrs['wing_stripe']]]
    beak_len = BEAK_LENGTHS[ATTRIBUTES['beak_length'][attrs['beak_length']]]
    if subtlety:
        head_rgb = _mix_colour(head_rgb, body_rgb, subtlety)
        if stripe_rgb is not None:
            stripe_rgb = _mix_colour(stripe_rgb, wing_rgb, subtlety)
        beak_len += subtlety * (BEAK_LENGTHS['medium'] - beak_len)
    tail_shape = ATTRIBUTES['tail_shape'][attrs['tail_shape']]

    head_c = np.array([0.80 * a + nui['head_dx'], -0.80 * b + nui['head_dy']])
    wing_c = np.array([-0.08 * a, -0.10 * b])
    wing_a, wing_b = 0.68 * a, 0.48 * b
    eye_c = head_c + np.array([0.35 * r, -0.22 * r + nui['eye_jitter']])

    tail_base = np.array([-0.86 * a, -0.12 * b])
    tail_angle = np.pi + nui['tail_tilt']
    tail_local, tail_tip = tail_polygon(tail_shape, nui['tail_length'], 0.09)
    tail = _axis_to_frame(tail_local, tail_base, tail_angle)
    tail_tip = _axis_to_frame(tail_tip[None], tail_base, tail_angle)[0]

    beak_dir = nui['beak_tilt']
    beak_local = np.array([(0.75 * r, -0.075), (r + beak_len, 0.0),
                           (0.75 * r, 0.075)])
    beak = _axis_to_frame(beak_local, head_c, beak_dir)

    legs = []
    for x in (-0.12 * a, 0.18 * a):
        x += nui['leg_dx']
        top = 0.8 * b
        legs.append(
            np.array([(x - 0.018, top), (x + 0.018, top),
                      (x + 0.05, top + nui['leg_length'] + 0.03),
                      (x + 0.02, top + nui['leg_length'] + 0.03)]))

    layers = [('tail', tail, wing_rgb, edge_rgb)]
    layers += [('leg', leg, nui['beak_rgb'], None) for leg in legs]
    layers += [
        ('body', ellipse_polygon(0, 0, a, b, num=36), body_rgb, edge_rgb),
        ('belly', ellipse_polygon(0.1 * a, 0.45 * b, 0.6 * a, 0.42 * b),
         _mix_colour(body_rgb, (255, 250, 240), nui['belly_light']), None),
        ('wing',
         ellipse_polygon(wing_c[0], wing_c[1], wing_a, wing_b,
                         nui['wing_tilt']), wing_rgb, edge_rgb),
    ]
    if stripe_rgb is not None:
        offset = np.array(
            [-np.sin(nui['wing_tilt']),
             np.cos(nui['wing_tilt'])]) * 0.3 * wing_b
        centre = wing_c + offset
        layers.append(
            ('stripe',
             ellipse_polygon(centre[0], centre[1], 0.8 * wing_a, 0.3 * wing_b,
                             nui['wing_tilt']), stripe_rgb, None))
    layers += [
        ('head', ellipse_polygon(head_c[0], head_c[1], r, r, num=32), head_rgb,
         _scale_colour(head_rgb, 0.55)),
        ('eye_ring', ellipse_polygon(eye_c[0], eye_c[1], 0.06, 0.06,
                                     num=16), (250, 250, 250), None),
        ('pupil', ellipse_polygon(eye_c[0], eye_c[1], 0.033, 0.033,
                                  num=12), (10, 10, 10), None),
        ('beak', beak, nui['beak_rgb'], _scale_colour(nui['beak_rgb'], 0.5)),
    ]
    keypoints = {
        'beak_tip': beak[1],
        'head_centre': head_c,
        'eye': eye_c,
        'wing_centre': wing_c,
        'tail_tip': tail_tip,
        'body_centre': np.zeros(2),
    }
    return dict(layers=layers, keypoints=keypoints)


def _silhouette_envelope(nui: dict) -> np.ndarray:
    """(N, 2) points bounding the bird for *any* class (placement only)."""
    points = []
    for index in range(len(TAIL_SHAPES)):
        attrs = dict(
            head_colour=0,
            wing_stripe=1,
            beak_length=len(BEAK_LENGTHS) - 1,
            tail_shape=index)
        points += [poly for _, poly, _, _ in build_bird(nui, attrs)['layers']]
    return np.concatenate(points, 0)


def _reference_area(nui: dict) -> float:
    """Class-independent area (object units) used to pick the scale."""
    a, b, r = nui['body_a'], nui['body_b'], nui['head_r']
    return math.pi * (a * b + 0.8 * r * r) + 0.02


def _object_to_image(nui: dict, scale: float, shift) -> np.ndarray:
    """(2, 3) affine map object frame -> image: flip, rotate, scale, shift."""
    theta = np.deg2rad(nui['rotation_deg'])
    flip = -1.0 if nui['flipped'] else 1.0
    cos, sin = np.cos(theta), np.sin(theta)
    linear = scale * np.array([[cos * flip, -sin], [sin * flip, cos]])
    return np.concatenate([linear, np.asarray(shift, float)[:, None]], 1)


def _apply(affine: np.ndarray, points: np.ndarray) -> np.ndarray:
    return points @ affine[:, :2].T + affine[:, 2]


def place_object(nui: dict,
                 size: int,
                 object_scale: float = 1.0) -> np.ndarray:
    """Pick scale and position (class independent) -> (2, 3) affine.

    The scale is drawn so that the object covers roughly
    ``_REF_FRACTION_RANGE`` of the image and the whole envelope of every
    class's silhouette stays inside the image.
    """
    rotated = _apply(
        _object_to_image(nui, 1.0, (0, 0)), _silhouette_envelope(nui))
    lo, hi = rotated.min(0), rotated.max(0)
    margin = 1.0 + 0.02 * size
    fit = (size - 2 * margin) / (hi - lo).max()
    ref_area = _reference_area(nui)
    s_min, s_max = (
        object_scale * math.sqrt(f * size * size / ref_area)
        for f in _REF_FRACTION_RANGE)
    s_max = min(s_max, fit)
    s_min = min(s_min, s_max)
    scale = s_min + nui['scale_u'] * (s_max - s_min)
    free_lo = margin - lo * scale
    free_hi = size - margin - hi * scale
    shift = free_lo + np.asarray(nui['pos_u']) * (free_hi - free_lo)
    return _object_to_image(nui, scale, shift)


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------
def _draw_layers(canvas: Image.Image,
                 mask: Image.Image,
                 layers,
                 affine: np.ndarray,
                 outline_width: int,
                 part_map: Optional[Image.Image] = None) -> None:
    """Draw polygons into the RGB canvas and the same pixels into mask
    (and their :data:`PART_MASK_LABELS` index into ``part_map``)."""
    draw, draw_mask = ImageDraw.Draw(canvas), ImageDraw.Draw(mask)
    draw_part = ImageDraw.Draw(part_map) if part_map is not None else None
    # PIL puts the centre of pixel (c, r) at integer (c, r); our frame puts
    # it at (c + 0.5, r + 0.5).
    to_pil = affine.copy()
    to_pil[:, 2] -= 0.5
    for name, poly, fill, outline in layers:
        xy = [tuple(p) for p in _apply(to_pil, poly)]
        width = outline_width if outline is not None else 0
        draw.polygon(xy, fill=fill, outline=outline, width=width)
        # PIL skips an outline whose ink equals the fill ink, hence 128.
        draw_mask.polygon(
            xy, fill=255, outline=128 if width else None, width=width)
        if draw_part is not None:
            label = PART_MASK_LABELS.index(_LAYER_PART.get(name, 'other'))
            # outline ink label + 100 (mapped back after drawing)
            draw_part.polygon(
                xy,
                fill=label,
                outline=label + 100 if width else None,
                width=width)


def mask_bbox(mask: np.ndarray) -> List[float]:
    """Tight ``[x, y, w, h]`` of a (H, W) boolean mask (pixel units)."""
    rows, cols = np.any(mask, 1), np.any(mask, 0)
    if not rows.any():
        return [0.0, 0.0, 0.0, 0.0]
    y0, y1 = np.flatnonzero(rows)[[0, -1]]
    x0, x1 = np.flatnonzero(cols)[[0, -1]]
    return [float(x0), float(y0), float(x1 - x0 + 1), float(y1 - y0 + 1)]


def render_sample(
    rng_or_seed: SeedLike,
    class_id: int,
    size: int,
    num_classes: int,
    difficulty: Optional[Difficulty] = None
) -> Tuple[np.ndarray, np.ndarray, dict]:
    """Render one image of class ``class_id``.

    Args:
        rng_or_seed: int, int sequence (e.g. ``(seed, index)``),
            ``np.random.SeedSequence`` or ``np.random.Generator``. Equal
            seeds give equal images; the class never changes what is drawn
            from the random state.
        class_id (int): 0-based class in ``[0, num_classes)``.
        size (int): Image side in pixels (>= 32).
        num_classes (int): Number of classes in the dataset, in
            ``[2, MAX_CLASSES]`` (used for validation).
        difficulty (Difficulty, optional): Difficulty knobs; None = the
            defaults.

    Returns:
        tuple: ``(image, mask, parts)``:

        - image: uint8 ``(size, size, 3)`` RGB.
        - mask: bool ``(size, size)``, True on the object.
        - parts: dict with ``keypoints`` ``{name: [x, y, v]}`` (in
          :data:`PART_NAMES` order), ``bbox`` ``[x, y, w, h]`` of the mask,
          ``area`` (mask pixels), ``attributes`` ``{attr: value index}``,
          ``attribute_names`` ``{attr: value name}`` and ``nuisance`` (body
          colour, pose, scale: the class-independent factors) and
          ``part_labels``: uint8 ``(size, size)`` label map, values index
          :data:`PART_MASK_LABELS` (visible pixels of each part).
    """
    _check_int_range('num_classes', num_classes, MIN_CLASSES, MAX_CLASSES)
    _check_int_range('class_id', class_id, 0, num_classes - 1)
    _check_int_range('size', size, MIN_SIZE, MAX_SIZE)
    bg_rng, obj_rng = _split_rng(rng_or_seed)
    return render_scene(bg_rng, obj_rng, class_id, size, difficulty)


def render_scene(
    bg_rng: np.random.Generator,
    obj_rng: np.random.Generator,
    class_id: int,
    size: int,
    difficulty: Optional[Difficulty] = None
) -> Tuple[np.ndarray, np.ndarray, dict]:
    """Render the object drawn from ``obj_rng`` (with the attributes of
    ``class_id``) on the background drawn from ``bg_rng``.

    The two generators are independent, so a background and an object can
    be recombined freely (see :mod:`.pairs`). Arguments are not
    validated here; returns as :func:`render_sample`.
    """
    diff = difficulty or DEFAULT_DIFFICULTY
    canvas, shading = render_background(bg_rng, size, diff.clutter)
    nui = sample_nuisance(obj_rng)
    attrs = class_attributes(class_id)
    bird = build_bird(nui, attrs, diff.subtlety)
    affine = place_object(nui, size, diff.object_scale)

    mask_img = Image.new('L', (size, size), 0)
    part_img = Image.new('L', (size, size), 0)
    outline_width = max(1, int(round(size / 128)))
    _draw_layers(canvas, mask_img, bird['layers'], affine, outline_width,
                 part_img)
    image = np.asarray(canvas, dtype=np.float64) + shading
    image = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    mask = np.asarray(mask_img) > 0
    part_labels = np.asarray(part_img).copy()
    part_labels[part_labels >= 100] -= 100

    keypoints = {}
    for name in PART_NAMES:
        x, y = _apply(affine, bird['keypoints'][name][None])[0]
        visible = int(0 <= x < size and 0 <= y < size)
        if visible:
            keypoints[name] = [round(float(x), 2), round(float(y), 2), 1]
        else:
            keypoints[name] = [0.0, 0.0, 0]
    scale = float(np.hypot(*affine[:, 0]))
    nuisance = dict(
        body_rgb=list(nui['body_rgb']),
        beak_rgb=list(nui['beak_rgb']),
        scale=round(scale, 3),
        rotation_deg=round(float(nui['rotation_deg']), 2),
        flipped=nui['flipped'],
        body_axes=[
            round(float(nui['body_a']), 4),
            round(float(nui['body_b']), 4)
        ],
        head_radius=round(float(nui['head_r']), 4),
        tail_length=round(float(nui['tail_length']), 4),
    )
    parts = dict(
        keypoints=keypoints,
        bbox=mask_bbox(mask),
        area=int(mask.sum()),
        attributes=attrs,
        attribute_names=class_attribute_names(class_id),
        nuisance=nuisance,
        part_labels=part_labels,
    )
    return image, mask, parts
