"""Shared SCA plumbing for the SwAV / SimSiam add-on algorithms."""
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch

from ..utils import build_addon_head, stages_after


class SpatialCrossAttentionMixin:
    """Adds the SCA add-on (:class:`SCAAttentionHead`) to a base method.

    Use as ``class XSCA(SpatialCrossAttentionMixin, X)``: the mixin takes
    ``sca_head`` and ``num_positives`` next to the base's arguments
    (``sca_head=None`` leaves the base unchanged).

    *Spatial Cross-Attention* add-on (SCA paper, Eq. 7):
    ``L = w0 * L_ssl + w1 * L_mu + w2 * L_cls`` with ``w = (1, 0.05, 0.1)``
    (``w1``, ``w2`` live in the head's losses). Inputs are the core
    engine's views followed by ``num_positives`` single-crop views of
    images from the anchor's cluster (made by :class:`SCAPositiveDataset`),
    so a batch holds ``N x (P + 1)`` images (``P + n_views`` crops). The
    anchor ``I_s`` is the first view. Pseudo-labels come from each data
    sample's ``sca_pseudo_label`` (``-1`` before the first clustering).

    Everything the add-on trains lives in ``sca_head.*``, outside
    ``backbone.*``: dropping it for inference or transfer leaves the backbone
    weights untouched (``extract_feat`` and the converters only read
    ``backbone.``).
    """

    def __init__(self,
                 *args,
                 sca_head: Optional[dict] = None,
                 num_positives: int = 1,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if sca_head is not None and (not isinstance(num_positives, int)
                                     or num_positives < 1):
            raise ValueError(
                f'num_positives must be an int >= 1 with sca_head, got '
                f'{num_positives!r}; use the same P as SCAPositiveDataset.')
        self.num_positives = num_positives if sca_head is not None else 0
        self.sca_head = build_addon_head(sca_head)

    @property
    def with_sca(self) -> bool:
        return self.sca_head is not None

    def split_sca_inputs(
        self, inputs: List[torch.Tensor]
    ) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
        """Core-engine views and the ``P`` positive views."""
        p = self.num_positives
        if not isinstance(inputs, (list, tuple)) or len(inputs) < p + 1:
            raise ValueError(
                f'expected the core views followed by {p} positive views, '
                f'got {len(inputs) if isinstance(inputs, (list, tuple)) else type(inputs)} '  # noqa: E501
                'inputs; wrap the training dataset in SCAPositiveDataset '
                f'with num_positives={p}.')
        return list(inputs[:-p]), list(inputs[-p:])

    def _rest_of_network(self) -> Optional[Callable]:
        """Backbone stages after a single-stage ``f`` (None: pooling only)."""
        if self.sca_head.multi_stage:
            return None
        return stages_after(self.backbone, self.sca_head.in_index)

    @staticmethod
    def sca_pseudo_labels(data_samples: Optional[Sequence], n: int,
                          device) -> torch.Tensor:
        """``(N,)`` pseudo-labels of the anchors (``-1`` when absent)."""
        labels = [-1] * n
        if data_samples is not None:
            if len(data_samples) != n:
                raise ValueError(f'{len(data_samples)} data samples for a '
                                 f'batch of {n} images.')
            labels = [
                int(ds.get('sca_pseudo_label', -1)) for ds in data_samples
            ]
        return torch.tensor(labels, dtype=torch.long, device=device)

    def sca_loss(self, anchor_outs: Sequence[torch.Tensor],
                 positive_inputs: List[torch.Tensor],
                 data_samples) -> Dict[str, torch.Tensor]:
        """``loss_sca_mu`` and ``loss_sca_cls`` for one batch.

        Args:
            anchor_outs: backbone outputs of the anchors (first view).
            positive_inputs: ``P`` tensors ``(N, 3, H, W)``.
            data_samples: the batch's data samples (pseudo-labels).
        """
        head = self.sca_head
        anchor = head.select_features(anchor_outs)
        pos_outs = self.backbone(torch.cat(positive_inputs))
        positives = head.split_positives(
            head.select_features(pos_outs), len(positive_inputs))
        labels = self.sca_pseudo_labels(data_samples, anchor.shape[0],
                                        anchor.device)
        return head.loss(anchor, positives, labels, self._rest_of_network())
