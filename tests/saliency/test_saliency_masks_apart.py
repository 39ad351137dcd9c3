"""Masks of a.jpg and a.png stay apart; a newer image gets a new mask."""
import os
import os.path as osp

import cv2
import numpy as np


def test_same_stem_masks_apart_and_recomputed(tmp_path):
    from mmssl_addons.datasets.transforms.copy_paste import mirrored_mask_path
    from mmssl_addons.saliency.offline import compute_saliency_folder
    imgs, out = tmp_path / 'images', str(tmp_path / 'masks')
    imgs.mkdir()
    bright = np.zeros((32, 32, 3), np.uint8)
    bright[8:24, 8:24] = 255
    cv2.imwrite(str(imgs / 'a.jpg'), bright)
    cv2.imwrite(str(imgs / 'a.png'), np.zeros((32, 32, 3), np.uint8))
    stats = compute_saliency_folder(
        str(imgs), out, method='centre', progress=False)
    assert stats['done'] == 2
    paths = {
        n: mirrored_mask_path(str(imgs / n), str(imgs), out)
        for n in ('a.jpg', 'a.png')
    }
    assert len(set(paths.values())) == 2
    assert all(osp.isfile(p) for p in paths.values())
    assert compute_saliency_folder(
        str(imgs), out, method='centre', progress=False)['skipped'] == 2
    # the image changes after its mask was written: recomputed
    later = os.stat(paths['a.jpg']).st_mtime_ns + 10**9
    os.utime(imgs / 'a.jpg', ns=(later, later))
    again = compute_saliency_folder(
        str(imgs), out, method='centre', progress=False)
    assert again['done'] == 1 and again['skipped'] == 1
