"""Procedural test beds that need no download.

- synthetic fine-grained birds: :mod:`.attributes` (the class code),
  :mod:`.drawing` (one image), :mod:`.layout` (the CUB_200_2011 files),
  :mod:`.cli` (``python -m mmssl_addons.synthetic``);
- :mod:`.pairs`: background- and object-swapped versions of its images;
- :mod:`.export`: COCO / VOC / ADE20K layouts of such a set
  (``python -m mmssl_addons.synthetic.export``);
- :mod:`.video`: moving-object clips in the DAVIS-2017 layout
  (``python -m mmssl_addons.synthetic.video``).

The names of :mod:`.export` and :mod:`.video` are loaded on first use, so
that running those modules with ``-m`` does not import them twice.
"""
from .attributes import (ATTRIBUTES, BEAK_LENGTHS, HEAD_COLOURS, MAX_CLASSES,
                         MIN_CLASSES, PART_MASK_LABELS, PART_NAMES, RADICES,
                         STRIPE_COLOURS, TAIL_SHAPES, class_attribute_names,
                         class_attributes)
from .drawing import (BEAK_COLOURS, DEFAULT_DIFFICULTY, MAX_SIZE, MIN_SIZE,
                      Difficulty, SeedLike, build_bird, ellipse_polygon,
                      image_seed, mask_bbox, place_object, render_background,
                      render_sample, render_scene, sample_natural_colour,
                      sample_nuisance, smooth_field, tail_polygon)
from .layout import (GENERATOR_VERSION, INDEX_FILES, MAX_PER_CLASS,
                     MIN_PER_CLASS, SyntheticInfo, class_folder_names,
                     encode_jpeg, encode_label_png, encode_mask_png,
                     generate_synthetic_cub, prepare_output_dir,
                     read_part_masks, split_class, validate_arguments,
                     write_index_files)
from .pairs import (PAIR_KINDS, read_pairs, render_controlled_pair,
                    write_controlled_pairs)

_EXPORT_NAMES = ('FORMATS', 'MASK_FORMATS', 'SKELETON', 'export_synthetic',
                 'keypoint_metainfo', 'mask_to_polygons', 'mask_to_rle',
                 'rle_to_mask')
_VIDEO_NAMES = ('generate_synthetic_davis', 'render_clip', 'save_palette_png')

__all__ = [
    'ATTRIBUTES', 'BEAK_COLOURS', 'BEAK_LENGTHS', 'DEFAULT_DIFFICULTY',
    'GENERATOR_VERSION', 'HEAD_COLOURS', 'INDEX_FILES', 'MAX_CLASSES',
    'MAX_PER_CLASS', 'MAX_SIZE', 'MIN_CLASSES', 'MIN_PER_CLASS', 'MIN_SIZE',
    'PART_MASK_LABELS', 'PART_NAMES', 'RADICES', 'STRIPE_COLOURS',
    'TAIL_SHAPES', 'Difficulty', 'SeedLike', 'SyntheticInfo', 'build_bird',
    'class_attribute_names', 'class_attributes', 'class_folder_names',
    'ellipse_polygon', 'encode_jpeg', 'encode_label_png', 'encode_mask_png',
    'generate_synthetic_cub', 'image_seed', 'mask_bbox', 'place_object',
    'prepare_output_dir', 'read_part_masks', 'render_background',
    'render_sample', 'render_scene', 'sample_natural_colour',
    'sample_nuisance', 'smooth_field', 'split_class', 'tail_polygon',
    'validate_arguments', 'write_index_files', 'PAIR_KINDS', 'read_pairs',
    'render_controlled_pair', 'write_controlled_pairs'
]
__all__ += [  # noqa: F822 (loaded by __getattr__)
    'FORMATS', 'MASK_FORMATS', 'SKELETON', 'export_synthetic',
    'keypoint_metainfo', 'mask_to_polygons', 'mask_to_rle', 'rle_to_mask',
    'generate_synthetic_davis', 'render_clip', 'save_palette_png'
]


def __getattr__(name):
    if name in _EXPORT_NAMES:
        from . import export
        return getattr(export, name)
    if name in _VIDEO_NAMES:
        from . import video
        return getattr(video, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
