"""DiLo copy-paste background augmentation and saliency-mask loading.

Zhao, Wu, Lau and Lin, "Distilling Localization for Self-Supervised
Representation Learning", AAAI 2021 (arXiv:2004.06638), Sec. 5.2: the
foreground given by a saliency mask is pasted onto another background
(random-level grayscale, a texture image, or a crop of a dataset image with
no saliency), with no blending, a Gaussian-blurred mask, or a random mix of
the two, and the original image is kept with probability ``1 - p`` to keep
context. Copy-paste runs *before* the other augmentations.

With mmpretrain's ``MultiView`` put :class:`LoadSaliencyMask` before
``MultiView`` and :class:`CopyPasteBackground` first in the view pipeline:
``MultiView`` deep-copies the results for every view, so each view draws
its own coin flip, background and blending (independent per view)::

    train_pipeline = [
        dict(type='CheckedLoadImageFromFile'),
        dict(type='LoadSaliencyMask', img_root='data/x/images',
             mask_root='data/x/saliency_rbd'),
        dict(type='MultiView', num_views=2, transforms=[[
            dict(type='CopyPasteBackground', prob=0.5),
            dict(type='RandomResizedCrop', scale=224), ...]]),
        dict(type='PackInputs')]

Randomness comes from numpy's global generator, like every mmcv transform,
so ``randomness=dict(seed=...)`` (mmengine seeds each data-loader worker)
makes it reproducible.
"""
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import cv2
import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

BLENDS = ('none', 'gaussian', 'mix')
BACKGROUNDS = ('grayscale', 'texture', 'dataset')
IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.ppm', '.tif', '.tiff',
                  '.webp')
COMPUTE_HINT = ('compute the masks first with `python '
                'tools/saliency/compute_saliency.py DATA_ROOT --method rbd '
                '--workers N --out MASK_ROOT` (it mirrors the image paths, '
                'one PNG per image), or point mask_root at masks made '
                'elsewhere with the same relative paths')


def _as_float_mask(mask: np.ndarray) -> np.ndarray:
    """(H, W) or (H, W, 1) bool / uint8 0-255 / float 0-1 -> float32."""
    mask = np.asarray(mask)
    if mask.ndim == 3 and mask.shape[2] == 1:
        mask = mask[..., 0]
    if mask.ndim != 2:
        raise ValueError(f'saliency mask must be (H, W), got {mask.shape}')
    if mask.dtype == np.bool_:
        return mask.astype(np.float32)
    if np.issubdtype(mask.dtype, np.integer):
        return mask.astype(np.float32) / 255.
    return np.clip(mask.astype(np.float32), 0., 1.)


def resize_mask(mask: np.ndarray, shape: Tuple[int, int]) -> np.ndarray:
    """Resize a mask of any size to ``shape = (H, W)`` (float32 in [0, 1],
    bilinear, so a later threshold sees a smooth boundary)."""
    mask = _as_float_mask(mask)
    h, w = int(shape[0]), int(shape[1])
    if mask.shape != (h, w):
        mask = cv2.resize(mask, (w, h), interpolation=cv2.INTER_LINEAR)
    return mask


def blend_alpha(mask: np.ndarray,
                blend: str = 'none',
                threshold: float = 0.5,
                sigma: Optional[float] = None,
                rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """The paste weight (H, W) in [0, 1] of the foreground.

    ``mask`` is binarised at ``threshold``; ``'none'`` returns it as is,
    ``'gaussian'`` blurs it (``sigma`` defaults to 1% of the image diagonal,
    at least 1 px) so the border is a soft ramp, ``'mix'`` picks one of the
    two with equal probability (``rng`` or numpy's global generator).
    """
    if blend not in BLENDS:
        raise ValueError(f'blend must be one of {BLENDS}, got {blend!r}')
    hard = (_as_float_mask(mask) > threshold).astype(np.float32)
    if blend == 'mix':
        coin = rng.random() if rng is not None else np.random.rand()
        blend = 'gaussian' if coin < 0.5 else 'none'
    if blend == 'none':
        return hard
    if sigma is None:
        sigma = max(1., 0.01 * float(np.hypot(*hard.shape)))
    return cv2.GaussianBlur(hard, (0, 0), sigmaX=sigma, sigmaY=sigma)


def copy_paste(img: np.ndarray,
               mask: np.ndarray,
               background: np.ndarray,
               blend: str = 'none',
               threshold: float = 0.5,
               sigma: Optional[float] = None,
               rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Paste the salient foreground of ``img`` onto ``background``.

    Args:
        img (np.ndarray): (H, W, C) or (H, W) image, any dtype.
        mask (np.ndarray): saliency mask of any size: bool, uint8 (0-255) or
            float (0-1); resized to (H, W) and binarised at ``threshold``.
        background (np.ndarray): background of any size with the same
            channels; resized to (H, W) if needed.
        blend (str): ``'none'`` (hard copy), ``'gaussian'`` (Gaussian-blurred
            mask as alpha) or ``'mix'`` (one of the two at random).
        threshold (float): binarisation threshold on the [0, 1] mask.
        sigma (float, optional): blur sigma in pixels for Gaussian blending.
        rng (np.random.Generator, optional): for ``'mix'``.

    Returns:
        np.ndarray: (H, W, C) image of ``img``'s dtype:
        ``alpha * img + (1 - alpha) * background``.
    """
    img = np.asarray(img)
    background = np.asarray(background)
    if img.ndim not in (2, 3):
        raise ValueError(f'img must be (H, W) or (H, W, C), got {img.shape}')
    if background.ndim != img.ndim or (img.ndim == 3 and background.shape[2]
                                       != img.shape[2]):
        raise ValueError(f'background {background.shape} does not match the '
                         f'channels of img {img.shape}')
    h, w = img.shape[:2]
    if background.shape[:2] != (h, w):
        background = cv2.resize(
            background, (w, h), interpolation=cv2.INTER_LINEAR)
        if background.ndim < img.ndim:  # cv2 drops a single channel
            background = background[..., None]
    alpha = blend_alpha(
        resize_mask(mask, (h, w)), blend, threshold, sigma=sigma, rng=rng)
    if img.ndim == 3:
        alpha = alpha[..., None]
    out = alpha * img.astype(np.float32) + (1. - alpha) * background.astype(
        np.float32)
    if np.issubdtype(img.dtype, np.integer):
        info = np.iinfo(img.dtype)
        out = np.clip(np.rint(out), info.min, info.max)
    return out.astype(img.dtype)


def mask_path_candidates(img_path: str, img_root: str,
                         mask_root: str) -> Tuple[str, str]:
    """``(exact, plain)`` mask paths of an image: ``<rel>.png`` keeping the
    image's extension (``a.jpg.png``, used when ``a.jpg`` and ``a.png``
    would share a mask) and ``<rel without extension>.png``."""
    rel = osp.relpath(osp.abspath(img_path), osp.abspath(img_root))
    if rel.startswith('..'):
        raise ValueError(f'image {img_path!r} is not under img_root '
                         f'{img_root!r}: set img_root to the folder the '
                         'saliency masks mirror')
    return (osp.join(mask_root, rel + '.png'),
            osp.join(mask_root,
                     osp.splitext(rel)[0] + '.png'))


def mirrored_mask_path(img_path: str, img_root: str, mask_root: str) -> str:
    """``mask_root/<img_path relative to img_root, extension .png>``, or
    ``<relative path>.png`` (extension kept) when that file exists."""
    exact, plain = mask_path_candidates(img_path, img_root, mask_root)
    return exact if osp.isfile(exact) else plain


def list_images(root: str, exclude: Sequence[str] = ()) -> List[str]:
    """Sorted relative paths of the images under ``root`` (recursive),
    skipping the folders in ``exclude``."""
    excluded = {osp.abspath(e) for e in exclude}
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d for d in dirs if osp.abspath(osp.join(folder, d)) not in excluded
            and not d.startswith('.'))
        for name in files:
            if name.lower().endswith(IMG_EXTENSIONS) and \
                    not name.startswith('.'):
                found.append(osp.relpath(osp.join(folder, name), root))
    return sorted(found)


@TRANSFORMS.register_module()
class LoadSaliencyMask(BaseTransform):
    """Load the saliency mask of ``results['img_path']`` (DiLo, Zhao et
    al. 2021).

    The mask is ``mask_root/<img_path relative to img_root>.png`` (any size,
    0-255 grayscale, as written by ``tools/saliency/compute_saliency.py``).
    Adds ``results['saliency_mask']`` (H', W') uint8. A missing mask raises
    ``FileNotFoundError`` naming the file and how to compute the masks.

    Args:
        img_root (str): folder the image paths are relative to (e.g.
            ``data/CUB_200_2011/images``).
        mask_root (str): folder of masks mirroring ``img_root``.
    """

    def __init__(self, img_root: str, mask_root: str) -> None:
        self.img_root = img_root
        self.mask_root = mask_root

    def transform(self, results: dict) -> dict:
        path = mirrored_mask_path(results['img_path'], self.img_root,
                                  self.mask_root)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'saliency mask {path!r} for image {results["img_path"]!r} '
                f'does not exist: {COMPUTE_HINT}.')
        mask = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
        if mask is None:
            raise ValueError(f'cannot decode saliency mask {path!r}: delete '
                             f'it and recompute it ({COMPUTE_HINT}).')
        results['saliency_mask'] = mask
        results['saliency_path'] = path
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(img_root={self.img_root!r}, '
                f'mask_root={self.mask_root!r})')


@TRANSFORMS.register_module()
class CopyPasteBackground(BaseTransform):
    """DiLo copy-paste: with probability ``prob`` paste the salient
    foreground onto a new background (Zhao et al., AAAI 2021, Sec. 5.2).

    Needs ``results['saliency_mask']`` (see :class:`LoadSaliencyMask`; any
    size, resized to the image). Put it first in each ``MultiView`` view
    pipeline so that it runs before the other augmentations and
    independently per view.

    Args:
        prob (float): probability of copy-paste (paper: 0.5; 1.0 hurts).
        background (str): ``'grayscale'`` (uniform image of a random level
            in [0, 255], the paper's default), ``'texture'`` (a random
            crop of a random image of ``texture_dir``) or ``'dataset'``
            (a random crop of a dataset image under ``bg_img_root`` whose
            mean saliency, from the masks in ``bg_mask_root``, is below
            ``max_bg_saliency``; the least salient of ``max_tries`` crops
            otherwise).
        blend (str): ``'none'``, ``'gaussian'`` or ``'mix'`` (paper: no blend
            and mix are equally good).
        threshold (float): mask binarisation threshold in [0, 1].
        sigma (float, optional): Gaussian blending sigma in pixels.
        texture_dir (str, optional): folder of texture images.
        bg_img_root (str, optional): folder of dataset images.
        bg_mask_root (str, optional): their saliency masks (mirrored).
        max_bg_saliency (float): mean-saliency bound of a dataset crop.
        max_tries (int): crops tried per background.
        crop_scale (tuple): side of the background crop as a fraction of the
            source image's shorter side.
    """

    def __init__(self,
                 prob: float = 0.5,
                 background: str = 'grayscale',
                 blend: str = 'none',
                 threshold: float = 0.5,
                 sigma: Optional[float] = None,
                 texture_dir: Optional[str] = None,
                 bg_img_root: Optional[str] = None,
                 bg_mask_root: Optional[str] = None,
                 max_bg_saliency: float = 0.1,
                 max_tries: int = 10,
                 crop_scale: Tuple[float, float] = (0.3, 1.0)):
        if not 0. <= prob <= 1.:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        if background not in BACKGROUNDS:
            raise ValueError(
                f'background must be one of {BACKGROUNDS}, got {background!r}')
        if blend not in BLENDS:
            raise ValueError(f'blend must be one of {BLENDS}, got {blend!r}')
        if background == 'texture' and not texture_dir:
            raise ValueError("background='texture' needs texture_dir (a "
                             'folder of texture images, e.g. VisTex)')
        if background == 'dataset' and not (bg_img_root and bg_mask_root):
            raise ValueError("background='dataset' needs bg_img_root and "
                             'bg_mask_root (the images and their saliency '
                             f'masks; {COMPUTE_HINT})')
        self.prob = prob
        self.background = background
        self.blend = blend
        self.threshold = threshold
        self.sigma = sigma
        self.texture_dir = texture_dir
        self.bg_img_root = bg_img_root
        self.bg_mask_root = bg_mask_root
        self.max_bg_saliency = max_bg_saliency
        self.max_tries = max_tries
        self.crop_scale = crop_scale
        self._files: Optional[List[str]] = None  # listed lazily per worker

    # ------------------------------------------------------------ sources
    def _list(self, root: str) -> List[str]:
        if self._files is None:
            if not osp.isdir(root):
                raise FileNotFoundError(
                    f'background folder {root!r} does not exist')
            exclude = [self.bg_mask_root] if self.bg_mask_root else []
            self._files = list_images(root, exclude=exclude)
            if not self._files:
                raise FileNotFoundError(
                    f'no images (any of {IMG_EXTENSIONS}) under background '
                    f'folder {root!r}')
        return self._files

    def _random_crop_box(self, hw: Tuple[int, int],
                         out_hw: Tuple[int, int]) -> Tuple[int, int, int, int]:
        """A random box with the aspect of ``out_hw`` inside ``hw``."""
        h, w = hw
        aspect = out_hw[1] / out_hw[0]
        side = np.random.uniform(*self.crop_scale) * min(h, w)
        ch = int(max(1, min(h, round(side))))
        cw = int(max(1, min(w, round(side * aspect))))
        y0 = np.random.randint(0, h - ch + 1)
        x0 = np.random.randint(0, w - cw + 1)
        return y0, x0, ch, cw

    def _read(self, path: str, channels: int) -> np.ndarray:
        img = mmcv.imread(path, flag='color' if channels == 3 else 'grayscale')
        if img is None:
            raise ValueError(f'cannot read background image {path!r}')
        return img

    def _make_background(self, img: np.ndarray) -> np.ndarray:
        h, w = img.shape[:2]
        channels = img.shape[2] if img.ndim == 3 else 1
        if self.background == 'grayscale':
            level = np.random.randint(0, 256)
            return np.full(img.shape, level, dtype=img.dtype)
        if self.background == 'texture':
            files = self._list(self.texture_dir)
            path = osp.join(self.texture_dir,
                            files[np.random.randint(len(files))])
            src = self._read(path, channels)
            y0, x0, ch, cw = self._random_crop_box(src.shape[:2], (h, w))
            return src[y0:y0 + ch, x0:x0 + cw]
        files = self._list(self.bg_img_root)
        best, best_sal = None, np.inf
        for _ in range(max(1, self.max_tries)):
            rel = files[np.random.randint(len(files))]
            src = self._read(osp.join(self.bg_img_root, rel), channels)
            mask_path = mirrored_mask_path(
                osp.join(self.bg_img_root, rel), self.bg_img_root,
                self.bg_mask_root)
            sal = cv2.imread(mask_path, cv2.IMREAD_GRAYSCALE)
            if sal is None:
                raise FileNotFoundError(
                    f'saliency mask {mask_path!r} of background image '
                    f'{rel!r} is missing: {COMPUTE_HINT}.')
            sal = resize_mask(sal, src.shape[:2])
            y0, x0, ch, cw = self._random_crop_box(src.shape[:2], (h, w))
            mean_sal = float(sal[y0:y0 + ch, x0:x0 + cw].mean())
            if mean_sal < best_sal:
                best = src[y0:y0 + ch, x0:x0 + cw]
                best_sal = mean_sal
            if mean_sal <= self.max_bg_saliency:
                break
        return best

    # ------------------------------------------------------------ transform
    def transform(self, results: dict) -> dict:
        if 'saliency_mask' not in results:
            raise KeyError(
                'CopyPasteBackground needs results["saliency_mask"]: add '
                "dict(type='LoadSaliencyMask', img_root=..., mask_root=...) "
                'after the image loading (before MultiView)')
        results['copy_paste'] = False
        if np.random.rand() >= self.prob:
            return results
        img = results['img']
        background = self._make_background(img)
        if img.ndim == 3 and background.ndim == 2:
            background = background[..., None]
        blend = self.blend
        if blend == 'mix':
            blend = 'gaussian' if np.random.rand() < 0.5 else 'none'
        results['img'] = copy_paste(
            img,
            results['saliency_mask'],
            background,
            blend=blend,
            threshold=self.threshold,
            sigma=self.sigma)
        results['copy_paste'] = True
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'background={self.background!r}, blend={self.blend!r}, '
                f'threshold={self.threshold})')
