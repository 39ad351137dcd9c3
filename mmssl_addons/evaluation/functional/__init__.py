"""Pure evaluation functions; they need torch, numpy and faiss only."""
from .cam import average_drop_increase, explanation_maps, linear_head_cam
from .claims import claim_summary
from .clustering import (adjusted_rand_index, kmeans_cluster_scores,
                         normalized_mutual_info)
from .dense_probe import dense_linear_probe, mean_iou
from .knn import knn_accuracy, knn_classify
from .label_propagation import (boundary_f_measure, davis_j_and_f,
                                propagate_labels, region_jaccard)
from .linear_lbfgs import (fit_logistic_lbfgs, lbfgs_transfer_eval,
                           logistic_loss)
from .mask_probes import attention_in_mask, background_sensitivity
from .retrieval import retrieval_metrics
from .saliency import adaptive_threshold, saliency_scores

__all__ = [
    'adaptive_threshold', 'claim_summary', 'adjusted_rand_index',
    'average_drop_increase', 'boundary_f_measure', 'davis_j_and_f',
    'explanation_maps', 'fit_logistic_lbfgs', 'kmeans_cluster_scores',
    'knn_accuracy', 'knn_classify', 'lbfgs_transfer_eval', 'linear_head_cam',
    'logistic_loss', 'normalized_mutual_info', 'propagate_labels',
    'region_jaccard', 'retrieval_metrics', 'saliency_scores',
    'attention_in_mask', 'background_sensitivity', 'dense_linear_probe',
    'mean_iou'
]
