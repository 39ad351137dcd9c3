"""The class code of the synthetic birds: part attributes and parts.

Classes differ *only* in four small part attributes (head colour, wing
stripe, beak length, tail shape); everything else about a bird is a
class-independent nuisance factor (see :mod:`.drawing`).

Class code: the class id ``c`` (0-based) is encoded by its residues modulo
the pairwise-coprime radices ``(7, 4, 3, 5)`` of (head colour, wing stripe,
beak length, tail shape). By the Chinese remainder theorem the 420 codes are
all distinct, and, unlike a plain positional mixed-radix code, every
attribute already varies among the first few classes (with 20 classes all
four attributes take all their values).

Parts (keypoints, in part-id order): ``beak_tip``, ``head_centre``,
``eye``, ``wing_centre``, ``tail_tip`` (for a forked tail the vertex of the
notch, so that it lies on the object) and ``body_centre``.
"""
import math
from typing import Dict

# --------------------------------------------------------------------------
# Class-defining part attributes (the only thing that depends on the class).
# --------------------------------------------------------------------------
HEAD_COLOURS = {
    'red': (205, 30, 35),
    'yellow': (240, 205, 25),
    'blue': (35, 75, 215),
    'green': (40, 165, 60),
    'white': (245, 245, 240),
    'black': (20, 20, 25),
    'magenta': (200, 40, 175),
}
STRIPE_COLOURS = {
    'none': None,
    'white': (250, 250, 245),
    'black': (15, 15, 20),
    'orange': (245, 135, 20),
}
BEAK_LENGTHS = {'short': 0.08, 'medium': 0.17, 'long': 0.27}
TAIL_SHAPES = ('fork', 'fan', 'point', 'round', 'square')

ATTRIBUTES = {
    'head_colour': tuple(HEAD_COLOURS),
    'wing_stripe': tuple(STRIPE_COLOURS),
    'beak_length': tuple(BEAK_LENGTHS),
    'tail_shape': TAIL_SHAPES,
}
RADICES = tuple(len(values) for values in ATTRIBUTES.values())
MAX_CLASSES = math.prod(RADICES)

PART_NAMES = ('beak_tip', 'head_centre', 'eye', 'wing_centre', 'tail_tip',
              'body_centre')

#: Fewest classes of a dataset (most: :data:`MAX_CLASSES`).
MIN_CLASSES = 2

#: Labels of the per-image part label maps (``part_segmentations/``):
#: 0 = background, then the class-defining parts, then the rest of the bird.
#: Only the visible pixels of a part carry its label (later drawing layers
#: cover earlier ones, e.g. the body covers the root of the tail).
PART_MASK_LABELS = ('background', 'head', 'beak', 'tail', 'wing_stripe',
                    'other')


def class_attributes(class_id: int) -> Dict[str, int]:
    """Decode a 0-based class id into its part-attribute value indices.

    The code is the residue of ``class_id`` modulo each radix in
    :data:`RADICES`; the radices are pairwise coprime, so ids in
    ``[0, MAX_CLASSES)`` map to distinct attribute combinations.
    """
    if not 0 <= class_id < MAX_CLASSES:
        raise ValueError(f'class_id must be in [0, {MAX_CLASSES - 1}], '
                         f'got {class_id}')
    return {name: class_id % radix for name, radix in zip(ATTRIBUTES, RADICES)}


def class_attribute_names(class_id: int) -> Dict[str, str]:
    """Like :func:`class_attributes` but with value names."""
    return {
        name: ATTRIBUTES[name][index]
        for name, index in class_attributes(class_id).items()
    }
