from .bam import BAM
from .byol_lcr import BYOLLCR
from .clove import CLoVE
from .common_rationale_mixin import CommonRationaleMixin
from .feature_predict_mixin import FeaturePredictMixin
from .moco_lcr import MoCoLCR
from .npid import NPID
from .simsiam_lcr import SimSiamLCR
from .simsiam_sca import SimSiamSCA
from .spatial_cross_attention_mixin import SpatialCrossAttentionMixin
from .swav_sca import SwAVSCA

__all__ = [
    'BAM', 'BYOLLCR', 'CLoVE', 'CommonRationaleMixin', 'FeaturePredictMixin',
    'MoCoLCR', 'NPID', 'SimSiamLCR', 'SimSiamSCA',
    'SpatialCrossAttentionMixin', 'SwAVSCA'
]
