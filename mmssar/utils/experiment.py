"""Run a training config in a subprocess and read its final metrics.

Used by ``make demo`` and the benchmark scripts, so that every quoted figure
comes from an ordinary ``tools/train.py`` run with its full log on disk.
"""
import hashlib
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def final_metrics(work_dir: str) -> Dict[str, float]:
    """The last validation record (``acc/...`` keys) of a run's logs, plus
    ``iter_time``: the median seconds per training iteration."""
    from .ssl_curves import read_records
    metrics: Dict[str, float] = {}
    times = []
    try:
        records = read_records(work_dir)
    except FileNotFoundError:
        records = []
    for record in records:
        if any(k.startswith('acc/') for k in record):
            metrics = record
        elif 'loss' in record and 'time' in record:
            times.append(record['time'])
    if not metrics:
        raise RuntimeError(f'no validation result in the logs of {work_dir}')
    metrics = dict(metrics)
    if times:
        metrics['iter_time'] = statistics.median(times)
    return metrics


#: what tools/train.py writes into the dumped config for this run only
_RUN_KEYS = ('work_dir', 'launcher', 'resume')
#: top-level keys no training reads (the hint a missing-data error prints),
#: so editing them leaves a finished run valid
_DOC_KEYS = ('data_preparation', )


def parse_cfg_options(options: Sequence[str]) -> dict:
    """``key=value`` strings as ``tools/train.py --cfg-options`` reads them
    (MMEngine's ``DictAction``)."""
    import argparse

    from mmengine.config import DictAction
    if not options:
        return {}
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(['--cfg-options', *options]).cfg_options


def _resolved_config(config: str, cfg_options: Sequence[str],
                     env: Optional[dict]):
    """``config`` with ``cfg_options`` merged, loaded under ``env`` (the
    configs read ``{{$VAR:default}}`` from the environment)."""
    from mmengine.config import Config
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        cfg = Config.fromfile(config if osp.isabs(config) else
                              osp.join(ROOT, config))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if cfg_options:
        cfg.merge_from_dict(parse_cfg_options(cfg_options))
    return cfg


def config_changed(config: str, work_dir: str,
                   cfg_options: Sequence[str] = (),
                   env: Optional[dict] = None,
                   ignore: Sequence[str] = ()) -> Optional[str]:
    """Why a finished run in ``work_dir`` no longer matches ``config``
    (``None`` when it does).

    MMEngine dumps the config a run trained with into its work dir; it is
    compared with ``config`` + ``cfg_options`` as they resolve now, minus
    the keys that only name the run (:data:`_RUN_KEYS`), those no training
    reads (:data:`_DOC_KEYS`) and ``ignore``. So
    a cached benchmark row is never reused after an edit of its config or of
    any of its bases.
    """
    from mmengine.config import Config
    dumped = osp.join(work_dir, osp.basename(config))
    if not osp.isfile(dumped):
        return f'no dumped config {osp.basename(config)}'
    try:
        now = _resolved_config(config, cfg_options, env).to_dict()
        then = Config.fromfile(dumped).to_dict()
    except Exception as exc:  # a config that no longer loads is stale too
        return f'cannot compare configs: {exc}'
    for d in (now, then):
        for k in (*_RUN_KEYS, *_DOC_KEYS, *ignore):
            d.pop(k, None)
    if 'randomness' not in now:  # tools/train.py fills it in
        then.pop('randomness', None)
    if now != then:
        diff = sorted(k for k in set(now) | set(then)
                      if now.get(k) != then.get(k))
        return f'config differs in {diff}'
    return None


class RunNotFinished(LookupError):
    """A benchmark run asked for without training has no reusable result."""


def finished_or_none(run: Callable[[], Dict[str, float]]
                     ) -> Optional[Dict[str, float]]:
    """``run()`` (a :func:`train_config` / :func:`skeleton_run` call), or
    None, saying so, when it was asked not to train and has no finished run
    (``--no-train``: the row leaves that seed out)."""
    try:
        return run()
    except RunNotFinished as e:
        print(f'    not finished, left out (--no-train): {e}', flush=True)
        return None


def train_config(config: str,
                 work_dir: str,
                 cfg_options: Sequence[str] = (),
                 env: Optional[dict] = None,
                 echo: bool = True,
                 key_extra: Optional[dict] = None,
                 reuse_only: bool = False) -> Dict[str, float]:
    """``tools/train.py config`` in a subprocess; returns final metrics plus
    ``minutes``. The full output goes to ``work_dir/stdout.log``; progress
    lines (every 100th iteration, validation results) are echoed.

    A finished run (``work_dir/result.json`` written by an earlier call with
    the same config, options and ``key_extra``, and the config it dumped
    equal to the config as it resolves now, :func:`config_changed`) is not
    repeated, so benchmarks that share rows share the runs. Pass what else
    decides the result in ``key_extra`` (e.g. the data set's generator
    version), so a stale run is never reused. With ``reuse_only`` nothing is
    trained: a run that cannot be reused raises :class:`RunNotFinished`.
    """
    done = osp.join(work_dir, 'result.json')
    key = dict(config=config, cfg_options=list(cfg_options),
               **(key_extra or {}))
    if osp.exists(done):
        with open(done) as f:
            saved = json.load(f)
        if saved.get('key') == key:
            stale = config_changed(config, work_dir, cfg_options, env)
            if stale is None:
                print(f'    reusing the finished run in {work_dir}',
                      flush=True)
                return saved['metrics']
            if reuse_only:
                raise RunNotFinished(f'{work_dir}: stale ({stale})')
            print(f'    the finished run in {work_dir} is stale ({stale}): '
                  'training it again', flush=True)
    if reuse_only:
        raise RunNotFinished(f'{work_dir}: no finished run of {config} with '
                             'these options')
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), config,
           '--work-dir', work_dir]
    if cfg_options:
        cmd += ['--cfg-options', *cfg_options]
    os.makedirs(work_dir, exist_ok=True)
    start = time.time()
    log_path = osp.join(work_dir, 'stdout.log')
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=dict(os.environ, **(env or {})),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            log.write(line)
            if not echo:
                continue
            head = line.split(']')[0]
            if ('Iter(train)' in line and '00/' in head) or (
                    'Iter(val)' in line and 'acc/' in line):
                print('   ', line.split(' - ')[-1].strip()[:150], flush=True)
        if proc.wait() != 0:
            raise RuntimeError(f'training {config} failed; see {log_path}')
    metrics = final_metrics(work_dir)
    metrics['minutes'] = (time.time() - start) / 60
    with open(done, 'w') as f:
        json.dump(dict(key=key, metrics=metrics), f)
    return metrics


def top1(metrics: Dict[str, float]) -> float:
    """Top-1 in %: the teacher's when there is one, else the model's."""
    for key in ('acc/teacher_top1', 'acc/top1'):
        if key in metrics:
            return 100 * metrics[key]
    raise KeyError(f'no top-1 accuracy in {sorted(metrics)}')


def _make_split(ann: str, out: str, per_class: int, seed: int,
                split: Optional[str] = None) -> None:
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'data', 'make_split.py'),
           ann, '--per-class', str(per_class), '--seed', str(seed), '--out',
           out]
    if split:
        cmd += ['--split', split]
    subprocess.run(cmd, check=True, cwd=ROOT)


# Labels per class of the quickstart split of the synthetic motion set
# (configs/_base_/datasets/synthetic_motion_20shot.py).
SYNTHETIC_SHOTS = 20


def prepare_synthetic(root: str,
                      seed: int = 0,
                      shots: Sequence[int] = (SYNTHETIC_SHOTS, )) -> dict:
    """The synthetic motion set (default size) and its ``K``-labels-per-class
    splits ``splits/train_{K}shot_{labeled,unlabeled}.txt`` for ``K`` in
    ``shots``, made once.

    Returns:
        dict: ``version``, ``seed`` and size of the data, to key cached runs.
    """
    import shutil

    from mmssar.datasets import synthetic_motion
    meta_file = osp.join(root, 'meta.json')
    meta = {}
    if osp.exists(meta_file):
        with open(meta_file) as f:
            meta = json.load(f)
    args = dict(num_train_per_class=200, num_val_per_class=20)
    if (meta.get('version') != synthetic_motion._GENERATOR_VERSION
            or meta.get('seed') != seed or any(
                meta.get('args', {}).get(k) != v for k, v in args.items())):
        # absent, or made by another generator version or size: make it anew
        shutil.rmtree(root, ignore_errors=True)
        print(f'generating the synthetic motion set in {root} ...',
              flush=True)
        synthetic_motion.generate_synthetic_motion(
            root, seed=seed, workers=2, **args)
    for k in shots:
        prefix = osp.join(root, 'splits', f'train_{k}shot')
        if not osp.exists(prefix + '_labeled.txt'):
            _make_split(osp.join(root, 'train.txt'), prefix, k, seed)
    return dict(version=synthetic_motion._GENERATOR_VERSION, seed=seed,
                **args)


#: The CPU skeleton experiments, one config per row (configs/quickstart).
#: benchmarks/accuracy.py and benchmarks/skeleton_ssl.py both train these
#: through :func:`skeleton_run`, so a run made by one is reused by the other.
SKELETON_CONFIGS = {
    dataset: dict(
        labeled_only='configs/quickstart/'
        f'labeled-only_stgcn-tiny_1500it_{tag}-10shot.py',
        fixmatch=f'configs/quickstart/fixmatch_stgcn-tiny_1500it_{tag}-10shot.py',
        meanteacher='configs/quickstart/'
        f'meanteacher_stgcn-tiny_1500it_{tag}-10shot.py',
        # the FixMatch row with another pseudo-label rule (issue: why
        # pseudo-labelling pays little on real skeletons)
        flexmatch=f'configs/flexmatch/flexmatch_stgcn-tiny_1500it_{tag}-10shot.py',
        freematch=f'configs/freematch/freematch_stgcn-tiny_1500it_{tag}-10shot.py',
        fixmatch_da='configs/pseudo_label_diagnostics/'
        f'fixmatch-da_stgcn-tiny_1500it_{tag}-10shot.py',
        fixmatch_ema_teacher='configs/pseudo_label_diagnostics/'
        f'fixmatch-ema-teacher_stgcn-tiny_1500it_{tag}-10shot.py',
        # from the final labeled-only model: pseudo-labels of that frozen
        # model, and as its control 1,500 more labeled-only iterations
        self_training='configs/self_training/'
        f'self-training_stgcn-tiny_1500it_{tag}-10shot.py',
        labeled_only_x2='configs/quickstart/'
        f'labeled-only_stgcn-tiny_1500it_{tag}-10shot.py',
        full=f'configs/quickstart/full-supervised_stgcn-tiny_1500it_{tag}.py')
    for dataset, tag in (('nwucla', 'nwucla-xview'), ('jhmdb', 'jhmdb-split1'))
}
#: Rows that start from another row's final checkpoint (of the same data
#: set and seed): method -> (that row, the config keys set to the file).
SKELETON_INPUTS = dict(
    self_training=('labeled_only',
                   ('load_from', 'model.teachers.labeled.checkpoint')),
    labeled_only_x2=('labeled_only', ('load_from', )))
#: The rows of a benchmark that are no semi-supervised method (its controls).
CONTROL_ROWS = ('labeled_only', 'labeled_only_x2', 'full')
#: Skeleton rows trained only when asked for (``--methods``): variants tried
#: while diagnosing pseudo-labelling on real skeletons, not in the default
#: table (whose rows each have all of ``SEEDS``).
EXPLORATORY_SKELETON_ROWS = ('meanteacher', 'flexmatch', 'freematch',
                             'fixmatch_da')


#: The seeds of every real-data benchmark row (mean and std over them).
SEEDS = (0, 1, 2)


def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    """Mean and sample std (0 for a single value)."""
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.mean(values), std


def paired_difference(a: Dict[int, float], b: Dict[int, float]
                      ) -> Optional[Tuple[float, Optional[float], List[int]]]:
    """Mean and sample std of ``a[seed] - b[seed]`` over the seeds both have.

    The seeds of one benchmark share their data set and split between rows,
    so the spread of the per-seed differences, not that of either row, is
    the noise of a comparison.

    Returns:
        tuple | None: ``(mean, std, seeds)``; ``std`` is None for one common
        seed; None without any.
    """
    common = [k for k in a if k in b]
    if not common:
        return None
    mean, std = mean_std([a[k] - b[k] for k in common])
    return mean, (std if len(common) > 1 else None), common


def seed_root(root: str, seed: int) -> str:
    """The data folder of one seed's splits.

    Seed 0 is the default preparation (``root`` itself, what the configs
    read without options); seed ``s > 0`` lives in ``root/seed{s}``, where
    the data set file is a link to the shared one and only the labeled /
    unlabeled split is redrawn with seed ``s``. A run selects its seed by
    pointing the configs' data-root variable there (e.g.
    ``MMSSAR_SKELETON_ROOT``), so every config (ST-GCN rows and SCD-Net
    chain stages alike) takes a seed without knowing its dataloader layout.
    """
    return root if seed == 0 else osp.join(root, f'seed{seed}')


def seed_run_name(name: str, seed: int) -> str:
    """Work-dir name of one seed's run (seed 0 keeps the plain name, so
    the runs made before seeds existed stay reusable)."""
    return name if seed == 0 else f'{name}_seed{seed}'


def skeleton_run(dataset: str,
                 method: str,
                 work_root: str,
                 cfg_options: Sequence[str] = (),
                 env: Optional[dict] = None,
                 echo: bool = True,
                 seed: int = 0,
                 data_root: str = 'data/skeleton',
                 reuse_only: bool = False) -> Dict[str, float]:
    """One row of the CPU skeleton experiments (:data:`SKELETON_CONFIGS`),
    trained in ``work_root/<dataset>/<method>[_seed<s>]`` and cached under
    the key ``benchmarks/accuracy.py`` uses (the data set is a fixed
    preparation, so ``key_extra`` is ``dict(data=None)``; other seeds add
    ``seed``).

    Seed ``s`` trains on the split of :func:`seed_root` with
    ``randomness.seed=s`` (split, initialisation and data order all change);
    prepare it first with ``prepare_<dataset>(src, data_root, s)``.

    A row of :data:`SKELETON_INPUTS` first runs (or reuses) the row it starts
    from and passes that run's last checkpoint to its config keys.
    ``reuse_only``: see :func:`train_config`.
    """
    if dataset not in SKELETON_CONFIGS:
        raise KeyError(f'unknown skeleton data set {dataset!r}; choose from '
                       f'{sorted(SKELETON_CONFIGS)}')
    key_extra = dict(data=None)
    options = list(cfg_options)
    if method in SKELETON_INPUTS:
        # the input row first (reused when finished); its checkpoint's
        # digest keys this run, so a retrained input retrains this row
        source, keys = SKELETON_INPUTS[method]
        skeleton_run(dataset, source, work_root, cfg_options, env, echo,
                     seed, data_root, reuse_only)
        from .chain import find_checkpoint
        ckpt = find_checkpoint(
            osp.join(work_root, dataset, seed_run_name(source, seed)))
        with open(ckpt, 'rb') as f:
            key_extra['input'] = dict(
                row=source, sha1=hashlib.sha1(f.read()).hexdigest())
        options += [f'{k}={ckpt}' for k in keys]
    if seed:
        key_extra['seed'] = seed
        options.append(f'randomness.seed={seed}')
        env = dict(env or {}, MMSSAR_SKELETON_ROOT=seed_root(data_root, seed))
    return train_config(SKELETON_CONFIGS[dataset][method],
                        osp.join(work_root, dataset,
                                 seed_run_name(method, seed)), options,
                        env=env, echo=echo, key_extra=key_extra,
                        reuse_only=reuse_only)


def _seed_split(root: str, data_file: str, prefix: str, per_class: int,
                seed: int, split: str) -> None:
    """``prefix``'s labeled/unlabeled split of ``root/data_file`` for one
    seed, in :func:`seed_root` (the data file linked, not copied)."""
    folder = seed_root(root, seed)
    if seed:
        os.makedirs(folder, exist_ok=True)
        link = osp.join(folder, data_file)
        if not osp.exists(link):
            os.symlink(osp.join('..', data_file), link)
    out = osp.join(folder, prefix)
    if not osp.exists(out + '_labeled.pkl'):
        _make_split(osp.join(root, data_file), out, per_class, seed,
                    split=split)


def prepare_nwucla(src: str, root: str, seed: int = 0) -> None:
    """NW-UCLA as a PoseDataset pickle and its 10-per-class split of seed
    ``seed`` (in :func:`seed_root`; each made once)."""
    pkl = osp.join(root, 'nwucla_3d.pkl')
    if not osp.exists(pkl):
        if not osp.isdir(src):
            raise FileNotFoundError(
                f'NW-UCLA skeleton folder not found: {src}; unpack the '
                'NW-UCLA release there (docs/data_preparation.md, '
                '"NW-UCLA") or pass its location')
        subprocess.run([
            sys.executable,
            osp.join(ROOT, 'tools', 'data', 'skeleton', 'nwucla_to_pose.py'),
            src, pkl
        ], check=True, cwd=ROOT)
    _seed_split(root, 'nwucla_3d.pkl', 'nwucla_xview_10pc', 10, seed,
                'xview_train')


def prepare_jhmdb(src: str, root: str, seed: int = 0) -> None:
    """JHMDB ground-truth 2-D joints as a PoseDataset pickle and the
    10-per-class split of its split-1 training clips of seed ``seed`` (in
    :func:`seed_root`; each made once)."""
    pkl = osp.join(root, 'jhmdb_gt_2d.pkl')
    if not osp.exists(pkl):
        subprocess.run([
            sys.executable,
            osp.join(ROOT, 'tools', 'data', 'skeleton', 'jhmdb_to_pose.py'),
            src, pkl
        ], check=True, cwd=ROOT)
    _seed_split(root, 'jhmdb_gt_2d.pkl', 'jhmdb_split1_10pc', 10, seed,
                'train1')


def _seed_values(accs) -> Dict:
    """``{seed: top-1}`` of a row given as such a dict or as a list (whose
    positions then stand for the seeds)."""
    return dict(accs) if isinstance(accs, dict) else dict(enumerate(accs))


def summarize_rows(results: Dict[Tuple[str, str], Sequence[float]],
                   ssl_methods: Sequence[str]
                   ) -> Tuple[List[str], List[str]]:
    """Table lines and ``key=value`` pairs of benchmark rows.

    Args:
        results (dict): ``(setting, method) -> {seed: top-1 %}``, or a list
            of top-1 % per seed (rows of one setting then have the same
            seeds, in the same order).
        ssl_methods (Sequence[str]): the semi-supervised methods among the
            rows (their gap shares are printed; the best one is named).

    Returns:
        tuple: the table lines (mean, std, seeds and each seed's top-1 per
        row, and per setting the share of the labeled-only -> full gap each SSL method recovers)
        and the pairs (``<setting>_<method>_top1``, with several seeds
        ``..._std``, ``<setting>_<method>_gap_recovered_pct``,
        ``<setting>_best_ssl``, ``<setting>_best_ssl_gap_recovered_pct``).
        A gap share is paired: labeled-only, full and the method are
        averaged over the seeds all three have (a method run on seed 0 only
        is compared with the seed-0 controls, whatever other seeds they
        have); the best method is the one with the largest share.
    """
    # wide enough for the longest setting name, so that columns never run
    # together
    width = max([18] + [len(s) + 2 for s, _ in results])
    lines = [f'{"setting":<{width}}{"method":<24}{"top-1 % mean":>14}'
             f'{"std":>7}{"gap %":>8}  seeds  per seed']
    pairs = []
    gaps = {}
    for setting in dict.fromkeys(s for s, _ in results):
        base = _seed_values(results.get((setting, 'labeled_only'), {}))
        full = _seed_values(results.get((setting, 'full'), {}))
        for method in ssl_methods:
            if (setting, method) not in results:
                continue
            accs = _seed_values(results[(setting, method)])
            common = [k for k in accs if k in base and k in full]
            if not common:
                continue
            lo = mean_std([base[k] for k in common])[0]
            hi = mean_std([full[k] for k in common])[0]
            if hi <= lo:
                continue
            mean = mean_std([accs[k] for k in common])[0]
            gaps[(setting, method)] = 100 * (mean - lo) / (hi - lo)
            pairs.append(f'{setting}_{method}_gap_recovered_pct='
                         f'{gaps[(setting, method)]:.1f}')
        shares = {m: g for (st, m), g in gaps.items() if st == setting}
        if shares:
            best = max(shares, key=shares.get)
            pairs += [f'{setting}_best_ssl={best}',
                      f'{setting}_best_ssl_gap_recovered_pct='
                      f'{shares[best]:.1f}']
    for (setting, method), accs in results.items():
        values = _seed_values(accs)
        mean, std = mean_std(list(values.values()))
        gap = gaps.get((setting, method))
        gap = f'{gap:>8.1f}' if gap is not None else f'{"":>8}'
        # no spread to report from one seed
        spread = f'{std:>7.1f}' if len(values) > 1 else f'{"-":>7}'
        seeds = ','.join(map(str, values)) if isinstance(accs, dict) \
            else str(len(values))
        per_seed = ' / '.join(f'{v:.1f}' for v in values.values())
        lines.append(f'{setting:<{width}}{method:<24}{mean:>14.1f}{spread}'
                     f'{gap}  {seeds}  {per_seed}')
        pairs.append(f'{setting}_{method}_top1={mean:.1f}')
        if len(values) > 1:
            pairs.append(f'{setting}_{method}_top1_std={std:.1f}')
    return lines, pairs
