"""What ``tools/reproduce_mini.py`` runs for each paper: one claim each.

Every method compares a base and the same base with the add-on. Both arms
start from the base's demo config (``configs/<method>/*_synthetic_demo.py``)
and get the *same* miniature settings (data, image size, epochs, queue,
seed: ``shared``); the add-on config differs from the base only in the
add-on. ``addon_only`` holds settings that belong to the add-on alone.
"""
from dataclasses import dataclass, field
from typing import Dict, Tuple


@dataclass(frozen=True)
class Claim:
    """One measured claim.

    Attributes:
        metric (str): A probe of ``probes.METRICS``.
        label (str): What the claim says, for tables.
        primary (bool): The paper's main claim (first in the table).
        higher_is_better (bool): Direction the paper predicts.
        maps (tuple): ``(base map, add-on map)`` kinds for attention
            metrics (``gradcam``, ``gfb``, ``cam``, ``norm``).
    """
    metric: str
    label: str
    primary: bool = False
    higher_is_better: bool = True
    maps: Tuple[str, str] = ('norm', 'norm')


@dataclass(frozen=True)
class DataSpec:
    """Synthetic test bed (``mmssl_addons.synthetic``)."""
    classes: int = 10
    per_class: int = 100
    size: int = 64
    seed: int = 1000
    object_scale: float = 1.5
    clutter: float = 0.5
    subtlety: float = 0.0
    test_fraction: float = 0.3

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class MethodSpec:
    """A base / add-on pair and its claims (see the module docstring)."""
    name: str
    paper: str
    base: str
    addon: str
    base_config: str
    addon_config: str
    claims: Tuple[Claim, ...]
    epochs: int = 20
    data: DataSpec = DataSpec()
    #: demo-config pixel sizes -> miniature sizes (both arms)
    sizes: Dict[int, int] = field(default_factory=dict)
    shared: dict = field(default_factory=dict)
    addon_only: dict = field(default_factory=dict)
    #: add-on variants run with ``--variant NAME`` (extra ``addon_only``)
    variants: Dict[str, dict] = field(default_factory=dict)
    #: the add-on's views: ``'own'`` (its config's), ``'base'`` (the base's
    #: train pipeline) or ``'global'`` (its own, local crops dropped)
    addon_views: str = 'own'
    #: top-level config keys the add-on arm takes from the base arm
    addon_from_base: Tuple[str, ...] = ()


# 96 px crops of 128 px images in the demo configs -> 64 px crops of 64 px
# images here (ResizeEdge 110 -> 64, local crops 48 -> 32).
_SIZES_64 = {96: 64, 110: 64, 48: 32}
# 64 keys for 700 training images (see benchmarks/README.md: 256 lets a
# third of the queries meet a stale key of their own image; MoCo then
# stays at the chance loss and below random-init kNN)
_QUEUE = dict(model=dict(queue_len=64))

METHODS = {
    'lcr':
    MethodSpec(
        name='lcr',
        paper='LCR (Shu et al., CVPR 2023)',
        base='MoCo v2',
        addon='MoCo v2 + LCR',
        base_config='configs/lcr/mocov2_synthetic_demo.py',
        addon_config='configs/lcr/moco_lcr_synthetic_demo.py',
        claims=(
            Claim('retrieval_rank1', 'retrieval rank-1 higher', True),
            Claim(
                'part_energy',
                'attention energy on the class-defining parts higher '
                '(MoCo: GradCAM of its loss; LCR: GFB attention)',
                maps=('gradcam', 'gfb')),
            Claim('knn_top1', 'kNN top-1 (context)'),
        ),
        sizes=_SIZES_64,
        shared=_QUEUE,
        variants={
            'loglik':
            dict(
                model=dict(gfb_head=dict(gradcam_objective='log_likelihood'))),
            'released':
            dict(
                model=dict(
                    gfb_head=dict(
                        gradcam_scale='none', fit_normalization='minmax'))),
            # the KL term trains the branch only, not the backbone
            'detached':
            dict(model=dict(gfb_head=dict(detach_input=True))),
        }),
    'dilo':
    MethodSpec(
        name='dilo',
        paper='DiLo (Zhao et al., AAAI 2021)',
        base='MoCo v2',
        addon='MoCo v2 + DiLo',
        base_config='configs/dilo/mocov2_synthetic_demo.py',
        addon_config='configs/dilo/dilo_mocov2_synthetic_demo.py',
        claims=(
            Claim('knn_top1', 'kNN top-1 higher', True),
            Claim(
                'background_sensitivity',
                'background sensitivity lower',
                higher_is_better=False),
        ),
        sizes=_SIZES_64,
        shared=_QUEUE),
    'sca':
    MethodSpec(
        name='sca',
        paper='SCA (spatial cross-attention add-on, shared/papers)',
        base='SwAV',
        addon='SwAV + SCA',
        base_config='configs/sca/swav_synthetic_demo.py',
        addon_config='configs/sca/swav_sca_synthetic_demo.py',
        claims=(
            Claim('knn_top1', 'kNN top-1 higher', True),
            Claim(
                'object_energy',
                'CAM energy inside the object mask higher',
                maps=('cam', 'cam')),
        ),
        # SwAV's 2 + 2 crops and the clustering make a step 2.5x MoCo's:
        # 10 epochs keep 3 seeds within about 20 min on 2 CPU cores
        epochs=10,
        sizes=_SIZES_64),
    'clove':
    MethodSpec(
        name='clove',
        paper='CLoVE (Silva et al., ICCV-W 2023)',
        base='BYOL',
        addon='CLoVE',
        base_config='configs/clove/byol_r18s_synthetic_demo.py',
        addon_config='configs/clove/clove_r18s_synthetic_demo.py',
        claims=(
            Claim('dense_miou', 'dense-probe object mIoU higher', True),
            Claim('knn_top1', 'kNN top-1 (context)'),
        ),
        # BYOL and CLoVE encode every view twice (online and EMA): 10 epochs
        # keep 3 seeds within about 20 min on 2 CPU cores
        epochs=10,
        sizes=_SIZES_64,
        # BYOL's two views are CLoVE's two global views; the 6 local crops
        # are a variant
        addon_views='global',
        variants={'multicrop': dict(addon_views='own')}),
    'bam':
    MethodSpec(
        name='bam',
        paper='BAM (Shalam & Korman, ECCV 2024)',
        base='MoCo v3',
        addon='BAM',
        base_config='configs/bam/mocov3_r18s_synthetic_demo.py',
        addon_config='configs/bam/bam_r18s_synthetic_demo.py',
        claims=(
            Claim('knn_top1', 'kNN top-1 higher', True),
            Claim('kmeans_nmi', 'k-means NMI higher'),
        ),
        epochs=10,  # symmetric MoCo v3 / BAM: four encoder passes a step
        sizes=_SIZES_64,
        # "MoCo v3 with the same views": BAM gets MoCo v3's two views (its
        # multi-crop is a variant)
        addon_views='base',
        # and its optimiser and schedule (the BAM demo's warm-up and
        # gradient clipping are not part of the add-on)
        addon_from_base=('optim_wrapper', 'param_scheduler'),
        addon_only=dict(model=dict(loss=dict(num_views=2, num_global=2))),
        variants={
            'multicrop':
            dict(
                addon_views='own',
                model=dict(loss=dict(num_views=8, num_global=2)))
        }),
}
