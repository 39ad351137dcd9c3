"""Image loading that names the broken file and the fix."""
from typing import Optional

from mmcv.transforms import LoadImageFromFile
from mmpretrain.registry import TRANSFORMS


@TRANSFORMS.register_module()
class CheckedLoadImageFromFile(LoadImageFromFile):
    """:class:`mmcv.transforms.LoadImageFromFile` with a clear error.

    A missing, empty or corrupt image raises ``ValueError`` naming the file
    and what to do, instead of a bare assertion deep in the data loader.
    Same arguments as mmcv's transform.
    """

    def transform(self, results: dict) -> Optional[dict]:
        filename = results.get('img_path', '<unknown>')
        try:
            out = super().transform(results)
        except (AssertionError, OSError, ValueError) as err:
            raise ValueError(
                f'cannot read image {filename!r} ({err}). The file is '
                'missing, empty or not a decodable image: re-download or '
                'regenerate it (synthetic data: `python -m '
                'mmssl_addons.synthetic ... --overwrite`), or '
                'remove its line from the annotation file.') from err
        return out
