"""Offline saliency computation over an image folder (used by
``tools/saliency/compute_saliency.py`` and the DiLo demo).

One 8-bit PNG per image (255 = salient) in ``out_root``, mirroring the
image paths relative to ``img_root`` (``a/b.png`` for ``a/b.jpg``; images
that would share a mask, ``b.jpg`` and ``b.png``, get ``b.jpg.png`` and
``b.png.png``, which the readers look for first). Each file is written
atomically, and images whose PNG exists and is newer than the image are
skipped, so an interrupted run resumes where it stopped and an edited image
gets a new mask.
"""
import os
import os.path as osp
import time
from collections import Counter
from multiprocessing import get_all_start_methods, get_context
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np

from mmssl_addons.datasets.transforms.copy_paste import (list_images,
                                                         mask_path_candidates)
from mmssl_addons.utils.atomic_io import atomic_path


def default_image_root(data_root: str) -> str:
    """``DATA_ROOT/images`` when it exists (CUB layout), else DATA_ROOT."""
    images = osp.join(data_root, 'images')
    return images if osp.isdir(images) else data_root


def read_rgb(path: str, max_side: int = 0) -> np.ndarray:
    """(H, W, 3) uint8 RGB, shrunk so the longer side is <= ``max_side``
    (0 keeps the size)."""
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError(f'cannot read image {path!r}')
    h, w = img.shape[:2]
    if max_side and max(h, w) > max_side:
        scale = max_side / max(h, w)
        img = cv2.resize(
            img, (max(1, round(w * scale)), max(1, round(h * scale))),
            interpolation=cv2.INTER_AREA)
    return img[..., ::-1].copy()


def mask_paths_to_write(img_root: str, out_root: str,
                        rels: List[str]) -> List[str]:
    """The mask path of each image of ``rels`` (relative to ``img_root``):
    ``<stem>.png``, or ``<name>.png`` for images whose stems collide."""
    stems = Counter(osp.splitext(rel)[0] for rel in rels)
    out = []
    for rel in rels:
        exact, plain = mask_path_candidates(
            osp.join(img_root, rel), img_root, out_root)
        out.append(exact if stems[osp.splitext(rel)[0]] > 1 else plain)
    return out


def is_up_to_date(mask_path: str, img_path: str) -> bool:
    """The mask exists and is not older than its image."""
    try:
        return os.stat(mask_path).st_mtime_ns >= os.stat(img_path).st_mtime_ns
    except OSError:
        return False


def _work(args: Tuple[str, str, str, int]) -> Tuple[str, Optional[str]]:
    from mmssl_addons.saliency import estimate_saliency
    img_path, out_path, method, max_side = args
    try:
        sal = estimate_saliency(read_rgb(img_path, max_side), method)
        png = np.clip(np.rint(sal * 255), 0, 255).astype(np.uint8)
        ok, buf = cv2.imencode('.png', png)
        if not ok:
            raise OSError(f'cannot encode the mask of {img_path!r}')
        with atomic_path(out_path) as tmp:
            with open(tmp, 'wb') as f:
                f.write(buf.tobytes())
    except Exception as err:  # reported, the run goes on
        return img_path, f'{type(err).__name__}: {err}'
    return img_path, None


def compute_saliency_folder(img_root: str,
                            out_root: str,
                            method: str = 'rbd',
                            workers: int = 1,
                            max_side: int = 400,
                            progress: bool = True) -> Dict[str, object]:
    """Compute the saliency mask of every image under ``img_root``.

    Args:
        img_root (str): image folder (searched recursively; ``out_root`` is
            skipped if it lies inside).
        out_root (str): mask folder (created).
        method (str): ``rbd``, ``gs``, ``mc`` or ``centre``.
        workers (int): processes (1 = in this process).
        max_side (int): images are shrunk to this longer side before
            estimation (masks are written at that size; the transforms
            resize masks of any size).
        progress (bool): show a tqdm progress bar.

    Returns:
        dict: ``total``, ``done`` (computed now), ``skipped`` (already
        there and newer than the image), ``failed`` (list of
        ``(image, error)``), ``seconds``.
    """
    from mmssl_addons.saliency import SALIENCY_METHODS
    if method not in SALIENCY_METHODS:
        raise ValueError(f'unknown saliency method {method!r}; choose one of '
                         f'{sorted(SALIENCY_METHODS)}')
    if not osp.isdir(img_root):
        raise FileNotFoundError(f'image folder {img_root!r} does not exist')
    rels = list_images(img_root, exclude=[out_root])
    if not rels:
        raise FileNotFoundError(f'no images found under {img_root!r}')
    jobs: List[Tuple[str, str, str, int]] = []
    for rel, out_path in zip(rels, mask_paths_to_write(img_root, out_root,
                                                       rels)):
        img_path = osp.join(img_root, rel)
        if not is_up_to_date(out_path, img_path):
            jobs.append((img_path, out_path, method, max_side))
    start = time.perf_counter()
    failed = []
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(
            total=len(rels),
            initial=len(rels) - len(jobs),
            desc=f'saliency {method}',
            unit='img')
    if workers > 1 and len(jobs) > 1:
        # fork (where available) avoids re-importing torch/mmpretrain
        method_ctx = 'fork' if 'fork' in get_all_start_methods() else None
        with get_context(method_ctx).Pool(workers) as pool:
            # chunksize 1: the bar moves as each image is finished
            for path, err in pool.imap_unordered(_work, jobs, chunksize=1):
                if err:
                    failed.append((path, err))
                if bar is not None:
                    bar.update(1)
    else:
        for job in jobs:
            path, err = _work(job)
            if err:
                failed.append((path, err))
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return dict(
        total=len(rels),
        done=len(jobs) - len(failed),
        skipped=len(rels) - len(jobs),
        failed=failed,
        seconds=time.perf_counter() - start)
