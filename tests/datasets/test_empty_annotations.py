"""An empty annotation file is a clear error naming it."""
import shutil

import pytest


def test_empty_images_txt(tiny_cub, tmp_path):
    from mmssl_addons.datasets.fine_grained import FineGrainedCUB
    root = str(tmp_path / 'cub')
    shutil.copytree(tiny_cub, root)
    open(f'{root}/images.txt', 'w').close()
    with pytest.raises(ValueError, match=r'images\.txt.* is empty'):
        FineGrainedCUB(data_root=root, split='train', pipeline=[])
