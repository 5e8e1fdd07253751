"""Labeled / unlabeled views of any MMAction2 dataset."""
import contextlib
import copy
import os.path as osp
import random
from typing import List, Optional, Sequence

import numpy as np
import torch
from mmengine.logging import MMLogger
from torch.utils.data import Dataset

from mmssar.registry import DATASETS
from .ann_io import check_files_exist, check_labels, read_annotations
from .input_checks import non_finite_input
from .samplers import split_index

ROLES = ('labeled', 'unlabeled')
#: annotation formats that mmssar can parse with line-accurate errors
_ANN_TYPES = dict(
    VideoDataset='video', RawframeDataset='rawframe', PoseDataset='pose')


@contextlib.contextmanager
def seeded_rng(seed: Optional[int]):
    """Run the block with python/numpy/torch RNGs seeded, then restore them.

    Restoring matters when data loading runs in the main process: the
    model's own randomness (dropout) must not depend on data seeds.
    """
    if seed is None:
        yield
        return
    py_state, np_state = random.getstate(), np.random.get_state()
    torch_state = torch.random.get_rng_state()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        torch.random.set_rng_state(torch_state)


def sample_name(info: dict) -> str:
    """A human-readable identifier of a data-list entry (file or dir)."""
    for key in ('filename', 'frame_dir', 'video', 'img_path'):
        if key in info:
            return str(info[key])
    return '<unknown sample>'


@DATASETS.register_module()
class SemiDataset(Dataset):
    """Wrap an MMAction2 dataset as the labeled or unlabeled part of SSL.

    The wrapped dataset (``VideoDataset``, ``RawframeDataset``,
    ``PoseDataset`` or any ``BaseActionDataset``) is built as configured,
    including its pipeline. The wrapper adds what semi-supervised training
    needs:

    * ``role='unlabeled'`` hides the label: the sample's ``gt_label`` becomes
      -1 and the true label (if the list has one) is kept as the metainfo
      ``hidden_label`` for pseudo-label monitoring only.
    * A broken sample (corrupt or missing video, or packed inputs holding
      NaN / inf) in the unlabeled pool is skipped: the next sample is
      returned instead, and the skipped file names travel with it (metainfo
      ``skipped``) so the model can count and log them. In the labeled set
      it raises an error naming the file, index and annotation line.
    * Up-front checks: an empty set, labels outside ``[0, num_classes)``,
      malformed pose records (keypoint shapes, ``total_frames``) and
      (labeled set) missing files are refused with the annotation file and
      line. See ``docs/refused_skipped_counted.md``.
    * ``(index, seed)`` indices from :class:`SemiSampler` seed the random
      augmentation of the sample.

    Args:
        dataset (dict): Config of the wrapped dataset.
        role (str): ``'labeled'`` or ``'unlabeled'``.
        num_classes (int, optional): Number of classes; labels are checked
            against it. Defaults to None (no range check).
        check_files (bool, optional): Check up front that every sample file
            exists. Defaults to True for the labeled role, False for the
            unlabeled role (whose missing files are skipped at load time).
        max_consecutive_skips (int): Give up after this many broken
            unlabeled samples in a row (the pool is probably unreadable).
            Defaults to 50.
        prepare_cmd (str, optional): The command that makes the data; named
            in the error when the annotation file is missing.
    """

    def __init__(self,
                 dataset: dict,
                 role: str = 'labeled',
                 num_classes: Optional[int] = None,
                 check_files: Optional[bool] = None,
                 max_consecutive_skips: int = 50,
                 prepare_cmd: Optional[str] = None) -> None:
        if role not in ROLES:
            raise ValueError(f'role must be one of {ROLES}, got {role!r}')
        self.role = role
        self.num_classes = num_classes
        self.max_consecutive_skips = max_consecutive_skips
        self.prepare_cmd = prepare_cmd
        self._ann_file = dataset.get('ann_file', '<unknown annotation file>')
        self._check_annotation_file(dataset)
        self.dataset = DATASETS.build(dataset)
        self.metainfo = copy.deepcopy(getattr(self.dataset, 'metainfo', {}))
        if check_files is None:
            check_files = role == 'labeled'
        self._validate(check_files)

    # ------------------------------------------------------------ checks
    def _check_annotation_file(self, cfg: dict) -> None:
        """Parse the annotation file with line-accurate errors.

        Done before MMAction2 parses it, whose errors name neither the file
        nor the line. Keeps the records for the label and file checks.
        """
        self._records, self._data_prefix = None, None
        ann_file = cfg.get('ann_file')
        ann_type = _ANN_TYPES.get(str(cfg.get('type', '')).split('.')[-1])
        if not ann_file or ann_type is None:
            return
        if not osp.isfile(ann_file):
            hint = (f'; make it with: {self.prepare_cmd}'
                    if self.prepare_cmd else '')
            raise FileNotFoundError(
                f'{self.role} annotation file not found: {ann_file}{hint}')
        self._records = read_annotations(
            ann_file,
            ann_type=ann_type,
            delimiter=cfg.get('delimiter', ' '),
            with_offset=cfg.get('with_offset', False),
            multi_class=cfg.get('multi_class', False),
            split=cfg.get('split'))
        if not self._records:
            # refused before MMEngine fails on it ("need at least one array
            # to concatenate")
            split = cfg.get('split')
            raise ValueError(
                f'the {self.role} set is empty: {ann_file}'
                + (f' (split {split!r})' if split else '')
                + ' has no sample')
        prefix = cfg.get('data_prefix') or {}
        self._data_prefix = prefix.get('video', prefix.get(
            'img', prefix.get('skeleton'))) if isinstance(prefix, dict) \
            else prefix

    def _line_of(self, index: int) -> str:
        if self._records is not None and index < len(self._records):
            return self._records[index].where
        return f'{self._ann_file} (entry {index + 1})'

    def _infos(self):
        # MMEngine serialises ``data_list`` into bytes; read entries back
        for i in range(len(self.dataset)):
            yield self.dataset.get_data_info(i)

    def _validate(self, check_files: bool) -> None:
        if len(self.dataset) == 0:
            raise ValueError(f'the {self.role} set is empty: '
                             f'{self._ann_file} has no usable sample')
        if self._records is not None and len(self._records) == len(
                self.dataset):
            if self.num_classes is not None:
                check_labels(
                    self._records,
                    self.num_classes,
                    allow_unlabeled=self.role == 'unlabeled')
            if check_files:
                check_files_exist(self._records, self._data_prefix)
            return
        # no annotation records (e.g. a custom dataset): check the entries
        if self.num_classes is not None:
            for i, info in enumerate(self._infos()):
                labels = np.atleast_1d(np.asarray(info.get('label', -1)))
                bad = labels[(labels >= self.num_classes) |
                             ((labels < 0) & (self.role == 'labeled'))]
                if len(bad):
                    raise ValueError(
                        f'label {bad[0]} of {sample_name(info)} at '
                        f'{self._line_of(i)} is outside [0, '
                        f'{self.num_classes}) (num_classes='
                        f'{self.num_classes})')
        # (missing files of such datasets are named when they are loaded)

    def sample_keys(self) -> List[str]:
        """Identifiers of all samples, for overlap checks between sets."""
        return [sample_name(info) for info in self._infos()]

    def labels(self) -> np.ndarray:
        """Labels of all samples (true labels, also for the unlabeled set)."""
        return np.array([
            int(np.atleast_1d(info.get('label', -1))[0])
            for info in self._infos()
        ])

    # ------------------------------------------------------------ loading
    def __len__(self) -> int:
        return len(self.dataset)

    def _load(self, index: int, seed: Optional[int]):
        info = self.dataset.get_data_info(index)
        hidden = -1
        if self.role == 'unlabeled':
            hidden = int(np.atleast_1d(info.get('label', -1))[0])
            info['label'] = -1
        with seeded_rng(seed):
            results = self.dataset.pipeline(info)
        if results is None:
            raise RuntimeError('the pipeline returned None')
        bad = non_finite_input(results)
        if bad:
            # a NaN keypoint would otherwise surface as a non-finite loss
            # blamed on the learning rate
            raise ValueError(f'non-finite values (NaN/inf) in {bad}')
        return results, hidden

    def __getitem__(self, index):
        index, seed = split_index(index)
        if self.role == 'labeled':
            try:
                results, _ = self._load(index, seed)
            except Exception as e:
                info = self.dataset.get_data_info(index)
                raise RuntimeError(
                    f'cannot load labeled sample {sample_name(info)} '
                    f'(index {index}, {self._line_of(index)}): '
                    f'{type(e).__name__}: {e}') from e
            self._set_meta(results, dict(sample_idx=index))
            return results

        skipped: List[str] = []
        for attempt in range(self.max_consecutive_skips + 1):
            cur = (index + attempt) % len(self)
            try:
                results, hidden = self._load(cur, seed)
            except Exception as e:  # corrupt/missing/non-finite: skip, count
                name = sample_name(self.dataset.get_data_info(cur))
                skipped.append(name)
                MMLogger.get_current_instance().warning(
                    f'skipping unreadable unlabeled sample {name} '
                    f'({self._line_of(cur)}): {type(e).__name__}: {e}')
                continue
            self._set_meta(
                results,
                dict(sample_idx=cur, hidden_label=hidden, skipped=skipped))
            return results
        raise RuntimeError(
            f'{len(skipped)} consecutive unlabeled samples of '
            f'{self._ann_file} could not be loaded (first: {skipped[0]}); '
            'the unlabeled pool looks unreadable')

    @staticmethod
    def _set_meta(results: dict, meta: dict) -> None:
        sample = results.get('data_samples')
        if sample is not None:
            sample.set_metainfo(meta)


def check_disjoint(labeled: SemiDataset, unlabeled: SemiDataset) -> None:
    """Refuse labeled samples that also sit in the unlabeled pool."""
    overlap = sorted(set(labeled.sample_keys()) & set(unlabeled.sample_keys()))
    if overlap:
        shown = ', '.join(overlap[:5])
        raise ValueError(
            f'{len(overlap)} labeled sample(s) also appear in the unlabeled '
            f'set ({shown}{", ..." if len(overlap) > 5 else ""}). Use '
            'disjoint splits (tools/data/make_split.py), or set '
            '`unlabeled_includes_labeled=True` in the train loop when the '
            'unlabeled pool is meant to be the whole training list.')


def check_num_classes(datasets: Sequence[SemiDataset],
                      num_classes: int) -> None:
    """Refuse data sets whose classes do not match the model's head."""
    for ds in datasets:
        if ds.num_classes is not None and ds.num_classes != num_classes:
            raise ValueError(
                f'the {ds.role} set ({ds._ann_file}) is configured with '
                f'SemiDataset(num_classes={ds.num_classes}) but the model '
                f'predicts {num_classes} classes; set the head\'s '
                'num_classes and the data sets\' num_classes to the same '
                'value')
        classes = ds.metainfo.get('classes') if ds.metainfo else None
        if classes is not None and len(classes) != num_classes:
            raise ValueError(
                f'the {ds.role} set declares {len(classes)} classes but the '
                f'model predicts {num_classes}')
        labels = ds.labels()
        if len(labels) and labels.max() >= num_classes:
            raise ValueError(
                f'the {ds.role} set ({ds._ann_file}) has label '
                f'{labels.max()} but the model predicts only {num_classes} '
                'classes')


def class_counts(labeled: SemiDataset, num_classes: int) -> np.ndarray:
    """Samples per class of a labeled set, ``(num_classes, )``."""
    labels = labeled.labels()
    labels = labels[(labels >= 0) & (labels < num_classes)]
    return np.bincount(labels, minlength=num_classes)


def warn_missing_classes(labeled: SemiDataset, num_classes: int) -> list:
    """Warn (loudly, with per-class counts) when the labeled set misses
    classes: the head never sees a label of them.

    Returns:
        list[int]: The missing classes.
    """
    counts = class_counts(labeled, num_classes)
    missing = [int(c) for c in np.flatnonzero(counts == 0)]
    if missing:
        table = ' '.join(f'{c}:{n}' for c, n in enumerate(counts.tolist()))
        MMLogger.get_current_instance().warning(
            f'the labeled set ({labeled._ann_file}) has no sample of '
            f'{len(missing)} of {num_classes} classes: {missing[:20]}'
            f'{" ..." if len(missing) > 20 else ""}. Labeled samples per '
            f'class: {table}. Those classes can only be learned from '
            'pseudo-labels; draw the split with tools/data/make_split.py '
            '(class-balanced) to avoid this.')
    return missing
