"""The per-video temporal similarity score file of TimeBalance (ours).

Written by ``tools/data/temporal_similarity.py``, read by
:class:`~mmssar.datasets.transforms.LoadTemporalSimilarity`. A JSON object::

    {"format": "mmssar-temporal-similarity", "version": 1,
     "definition": {"features": ..., "num_clips": K, "mapping": ...},
     "checkpoint": ..., "ann_file": ..., "raw": {name: mean cosine},
     "scores": {name: s in [0, 1]}}

keyed by the video names exactly as the annotation file writes them.

The score (ours: the official script is not published): for each video, K
clips from evenly spaced times go through the temporally-distinctive teacher;
``raw`` is the mean pairwise cosine similarity of their pooled features
(:func:`mean_pairwise_cosine`), mapped to [0, 1] by ``(1 + cos) / 2`` or by
min-max over the data set (:func:`map_scores`). A video that looks alike over
time scores high, so the invariant teacher gets the larger weight.
"""
import json
import os
import os.path as osp
from typing import Dict, Iterable

import torch
import torch.nn.functional as F

FORMAT = 'mmssar-temporal-similarity'
VERSION = 1
MAPPINGS = ('cos01', 'minmax')


def mean_pairwise_cosine(feats: torch.Tensor) -> torch.Tensor:
    """Mean cosine over the K(K-1)/2 pairs of a video's clip features.

    Args:
        feats (Tensor): ``(N, K, C)`` features of K clips per video, K >= 2.

    Returns:
        Tensor: ``(N,)`` in [-1, 1].
    """
    if feats.dim() != 3 or feats.shape[1] < 2:
        raise ValueError('mean_pairwise_cosine expects (N, K >= 2, C), got '
                         f'{tuple(feats.shape)}')
    z = F.normalize(feats.float(), dim=-1)
    k = z.shape[1]
    sim = z @ z.transpose(1, 2)
    off = sim.sum((1, 2)) - sim.diagonal(dim1=1, dim2=2).sum(-1)
    return off / (k * (k - 1))


def map_scores(raw: Dict[str, float], mapping: str) -> Dict[str, float]:
    """Mean pairwise cosines in [-1, 1] -> scores in [0, 1].

    ``'cos01'``: ``(1 + cos) / 2`` (per video, independent of the data set);
    ``'minmax'``: ``(cos - min) / (max - min)`` over the data set (all 0.5
    when every video has the same cosine).
    """
    if mapping == 'cos01':
        return {k: min(max((1.0 + v) / 2.0, 0.0), 1.0)
                for k, v in raw.items()}
    if mapping == 'minmax':
        lo, hi = min(raw.values()), max(raw.values())
        if hi - lo < 1e-12:
            return {k: 0.5 for k in raw}
        return {k: (v - lo) / (hi - lo) for k, v in raw.items()}
    raise ValueError(f'unknown mapping {mapping!r}; expected one of '
                     f'{MAPPINGS}')


def write_score_file(path: str, raw: Dict[str, float], mapping: str,
                     **info) -> Dict[str, float]:
    """Write the versioned file atomically; returns the mapped scores."""
    scores = map_scores(raw, mapping)
    data = dict(format=FORMAT, version=VERSION, **info, raw=raw,
                scores=scores)
    data.setdefault('definition', {})['mapping'] = mapping
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path)
    return scores


def read_score_file(path: str) -> Dict[str, float]:
    """The ``scores`` of a score file, after checking format and version."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'temporal similarity file not found: {path} (write it with '
            'tools/data/temporal_similarity.py)')
    with open(path) as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f'{path}: not a JSON score file ({e})') from e
    if not isinstance(data, dict) or data.get('format') != FORMAT:
        raise ValueError(f'{path}: not a temporal similarity file (format '
                         f'{data.get("format") if isinstance(data, dict) else None!r}, '  # noqa: E501
                         f'expected {FORMAT!r})')
    if data.get('version') != VERSION:
        raise ValueError(f'{path}: version {data.get("version")!r}, this '
                         f'mmssar reads version {VERSION}')
    scores = data['scores']
    bad = [k for k, v in scores.items() if not 0.0 <= float(v) <= 1.0]
    if bad:
        raise ValueError(f'{path}: scores outside [0, 1] for {bad[:5]}')
    return {k: float(v) for k, v in scores.items()}


def check_coverage(scores: Dict[str, float], names: Iterable[str],
                   path: str, ann_file: str) -> None:
    """Refuse a score file that misses videos of the training list."""
    missing = [n for n in names if n not in scores]
    if missing:
        raise KeyError(
            f'{path} has no temporal similarity score for {len(missing)} '
            f'videos of {ann_file} (e.g. {missing[:3]}); recompute it with '
            'tools/data/temporal_similarity.py on that list')
