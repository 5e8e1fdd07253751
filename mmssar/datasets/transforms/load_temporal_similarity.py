"""Attach a video's temporal similarity score to its sample."""
import os.path as osp
from typing import Optional

from mmcv.transforms import BaseTransform

from mmssar.registry import TRANSFORMS
from ..ann_io import read_annotations
from ..temporal_similarity_file import check_coverage, read_score_file


@TRANSFORMS.register_module()
class LoadTemporalSimilarity(BaseTransform):
    """Look up the video's score by name and store it as ``key``.

    The score file is keyed by the annotation's video names (relative to the
    dataset's prefix); the sample's ``filename`` is the prefix joined with
    that name, so the longest trailing part of the path that is a key wins.
    Add ``key`` to ``PackActionInputs(meta_keys=...)`` so that it reaches
    the data sample's metainfo (TimeBalance reads it there).

    Args:
        score_file (str): File written by
            ``tools/data/temporal_similarity.py``.
        ann_files (list[str] | str, optional): Annotation lists the file must
            cover (the labeled and unlabeled training lists); a missing video
            is refused at construction. Defaults to None.
        key (str): Result key. Defaults to ``'temporal_similarity'``.
    """

    def __init__(self, score_file: str, ann_files=None,
                 key: str = 'temporal_similarity') -> None:
        self.score_file = score_file
        self.key = key
        self.scores = read_score_file(score_file)
        if isinstance(ann_files, str):
            ann_files = [ann_files]
        for ann in ann_files or []:
            check_coverage(self.scores,
                           [r.key for r in read_annotations(ann)],
                           score_file, ann)

    def lookup(self, filename: str) -> Optional[float]:
        parts = osp.normpath(filename).split(osp.sep)
        for i in range(len(parts)):
            name = '/'.join(parts[i:])
            if name in self.scores:
                return self.scores[name]
        return None

    def transform(self, results: dict) -> dict:
        filename = results.get('filename', results.get('frame_dir'))
        score = self.lookup(str(filename))
        if score is None:
            raise KeyError(f'{self.score_file} has no temporal similarity '
                           f'score for {filename}')
        results[self.key] = score
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(score_file={self.score_file!r}, '
                f'{len(self.scores)} videos)')
