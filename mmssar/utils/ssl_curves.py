"""Training curves of semi-supervised runs from MMEngine's local logs.

Reads ``WORK_DIR/<timestamp>/vis_data/scalars.json`` (one JSON record per
line, written by ``LocalVisBackend``) and draws the quantities that tell
whether semi-supervised training is healthy: supervised and unsupervised
losses, the share of unlabeled clips whose pseudo-label passes the
threshold (mask ratio), pseudo-label accuracy (all clips / kept clips,
against the hidden labels), and, where a run logs them, per-class mask
ratios, the unsupervised weight, the threshold and the validation top-1 of
teacher and student. Several runs are overlaid, one colour each.

Used by ``tools/analysis/plot_ssl_curves.py`` and ``make demo``.
"""
import glob
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

#: ``(title, [(series, line style, label suffix), ...])`` in drawing order.
#: Series names are keys of :func:`run_series`; ``mask_ratio/*`` stands for
#: every per-class key.
PANELS = (
    ('supervised loss', [('sup_loss', '-', '')]),
    ('unsupervised loss', [('unsup_loss', '-', '')]),
    ('other loss terms', [('extra/*', '-', '')]),
    ('mask ratio', [('mask_ratio', '-', '')]),
    ('pseudo-label accuracy', [('pl_acc', '-', ' (all)'),
                               ('pl_acc_kept', '--', ' (kept)')]),
    ('per-class mask ratio', [('mask_ratio/*', '-', '')]),
    ('unsup weight', [('unsup_weight', '-', '')]),
    ('threshold', [('threshold', '-', '')]),
    ('val top-1 (%)', [('acc/teacher_top1', '-', ' (teacher)'),
                       ('acc/student_top1', '--', ' (student)'),
                       ('acc/top1', '-', '')]),
)
#: Panels drawn even when no run logs them (an empty panel says "absent").
ALWAYS = ('supervised loss', 'unsupervised loss', 'mask ratio',
          'pseudo-label accuracy')

Series = Tuple[List[float], List[float]]


def find_scalar_files(path: str) -> List[str]:
    """The ``scalars.json`` files of a work dir, oldest first.

    ``path`` may be a work dir (``WORK_DIR/*/vis_data/scalars.json``), one
    timestamp folder of it, or a ``scalars.json`` file.
    """
    if osp.isfile(path):
        return [path]
    files = sorted(glob.glob(osp.join(path, '*', 'vis_data',
                                      'scalars.json')))
    own = osp.join(path, 'vis_data', 'scalars.json')
    if osp.isfile(own):
        files.append(own)
    if not files:
        raise FileNotFoundError(
            f'no vis_data/scalars.json under {path} (a work dir of '
            'tools/train.py, one of its timestamp folders, or the file)')
    return files


def read_records(path: str) -> List[dict]:
    """Every record of the ``scalars.json`` files of ``path`` (see
    :func:`find_scalar_files`), oldest first."""
    records = []
    for file in find_scalar_files(path):
        with open(file) as f:
            records += [json.loads(line) for line in f if line.strip()]
    return records


def _is_val(record: dict) -> bool:
    return any(k.startswith('acc/') for k in record)


def _read_file(path: str) -> List[Tuple[float, dict]]:
    """``(x, record)`` pairs of one log, x = training iteration.

    Training records carry ``step`` (= ``iter``). Validation records are
    placed at the training iteration logged last before them: MMEngine
    logs them with ``step`` = epoch (0 in iteration-based loops) unless
    ``log_metric_by_epoch=False``, and with the current iteration then,
    which is the same place.
    """
    out, last_train = [], None
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f'{path}:{lineno}: not JSON ({err})')
            step = record.get('step', record.get('iter'))
            if _is_val(record):
                x = (step or 0) if last_train is None else max(
                    step or 0, last_train)
            else:
                if step is None:
                    continue
                last_train = x = step
            out.append((float(x), record))
    return out


def read_run(path: str) -> List[Tuple[float, dict]]:
    """All records of a work dir, as ``(x, record)`` in training order.

    A later log continues the earlier ones from its first iteration: the
    records of earlier logs from there on are dropped (a resumed run
    repeats the iterations after its checkpoint; a fresh run in the same
    work dir starts over).
    """
    merged: List[Tuple[float, dict]] = []
    for file in find_scalar_files(path):
        records = _read_file(file)
        if not records:
            continue
        start = records[0][0]
        merged = [r for r in merged if r[0] < start] + records
    return merged


def _sum_of(record: dict, prefix: str) -> Optional[float]:
    values = [v for k, v in record.items() if k.startswith(prefix)]
    return sum(values) if values else None


def run_series(records: Sequence[Tuple[float, dict]]) -> Dict[str, Series]:
    """Named ``(xs, ys)`` series of one run.

    ``sup_loss`` / ``unsup_loss`` sum the ``sup_loss*`` / ``unsup_loss*``
    terms; a run without them (a supervised recognizer) gives ``loss`` as
    its supervised loss. The other loss terms of a semi-supervised run
    (e.g. LTG's ``loss_contrast``) are ``extra/<key>``. Per-class mask ratios are the keys that start with
    ``mask_ratio`` followed by a separator (``mask_ratio/3``,
    ``mask_ratio_cls3``). Accuracies are in %.
    """
    series: Dict[str, Series] = {}

    def add(name, x, y):
        xs, ys = series.setdefault(name, ([], []))
        xs.append(x)
        ys.append(float(y))

    has_sup_terms = any(
        k.startswith('sup_loss') for _, r in records for k in r)
    for x, record in records:
        if _is_val(record):
            for key in ('acc/teacher_top1', 'acc/student_top1', 'acc/top1'):
                if key in record:
                    add(key, x, 100 * record[key])
            continue
        sup = _sum_of(record, 'sup_loss') if has_sup_terms else record.get(
            'loss')
        if sup is not None:
            add('sup_loss', x, sup)
        unsup = _sum_of(record, 'unsup_loss')
        if unsup is not None:
            add('unsup_loss', x, unsup)
        for key, value in record.items():
            if has_sup_terms and 'loss' in key and key != 'loss' and \
                    not key.startswith(('sup_', 'unsup_')):
                add(f'extra/{key}', x, value)
            elif key in ('mask_ratio', 'pl_acc', 'pl_acc_kept',
                       'unsup_weight', 'threshold'):
                add(key, x, value)
            elif key.startswith('mask_ratio') and key[10:11] in '/_.:' \
                    and len(key) > 11:
                add(key, x, value)
    return series


def _matching(series: Dict[str, Series], pattern: str) -> List[str]:
    """Sorted keys of ``series`` that a ``prefix/*`` panel entry draws."""
    if pattern == 'mask_ratio/*':
        return sorted(k for k in series
                      if k.startswith('mask_ratio') and k != 'mask_ratio')
    prefix = pattern[:-1]
    return sorted(k for k in series if k.startswith(prefix))


def plot_ssl_curves(work_dirs: Sequence[str],
                    labels: Optional[Sequence[str]] = None,
                    out: Optional[str] = None,
                    title: Optional[str] = None):
    """Overlay the curves of several runs into one figure.

    Args:
        work_dirs (Sequence[str]): Work dirs (or ``scalars.json`` files).
        labels (Sequence[str], optional): Legend name of each run. Defaults
            to the work dirs' base names.
        out (str, optional): Write the figure to this PNG.
        title (str, optional): Figure title.

    Returns:
        matplotlib.figure.Figure: The figure; one axis per panel, titled as
        in :data:`PANELS`, one line per run and series (label = run name
        plus the series' suffix).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if labels is None:
        labels = [osp.basename(osp.normpath(d)) for d in work_dirs]
    if len(labels) != len(work_dirs):
        raise ValueError(f'{len(labels)} labels for {len(work_dirs)} runs')
    runs = [run_series(read_run(d)) for d in work_dirs]

    def has(series, name):
        return bool(_matching(series, name)) if name.endswith('/*') \
            else name in series

    panels = [(t, spec) for t, spec in PANELS if t in ALWAYS or any(
        has(run, name) for run in runs for name, _, _ in spec)]
    cols = 3 if len(panels) > 4 else 2
    rows = -(-len(panels) // cols)
    fig = Figure(figsize=(5 * cols, 3.4 * rows))
    FigureCanvasAgg(fig)
    colors = [f'C{i % 10}' for i in range(len(runs))]
    for i, (panel, spec) in enumerate(panels):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.set_title(panel)
        ax.set_xlabel('iteration')
        ax.grid(alpha=0.3)
        for run, label, color in zip(runs, labels, colors):
            for name, style, suffix in spec:
                if name == 'mask_ratio/*':
                    # one thin line per class, one legend entry per run
                    for j, key in enumerate(_matching(run, name)):
                        ax.plot(*run[key], style, color=color,
                                lw=0.8, alpha=0.6,
                                label=label if j == 0 else f'_{key}')
                elif name == 'extra/*':
                    for j, key in enumerate(_matching(run, name)):
                        ax.plot(*run[key], ['-', '--', ':', '-.'][j % 4],
                                color=color,
                                label=f'{label} {key[len("extra/"):]}')
                elif name in run:
                    marker = 'o' if name.startswith('acc/') else None
                    ax.plot(*run[name], style, color=color, marker=marker,
                            ms=3, label=label + suffix)
        if ax.get_lines():
            ax.legend(fontsize=7)
        else:
            ax.text(0.5, 0.5, 'not logged', ha='center', va='center',
                    transform=ax.transAxes, color='grey')
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if out:
        fig.savefig(out, dpi=100)
    return fig


def tail_means(records: Sequence[Tuple[float, dict]], keys: Sequence[str],
               last: int) -> Dict[str, Optional[float]]:
    """Mean of each training scalar over the last ``last`` iterations.

    The figures a report quotes about pseudo-labels (their accuracy, the
    share that passes the threshold) are noisy per logged step (one batch
    of unlabeled clips); their mean over the end of training is what
    compares runs.

    Args:
        records (Sequence[tuple]): ``(iteration, record)`` of
            :func:`read_run`.
        keys (Sequence[str]): scalar names, e.g. ``pl_acc``.
        last (int): the window: training records with iteration
            ``> final - last`` count.

    Returns:
        dict: ``key -> mean`` (None where the window has no value).
    """
    train = [(x, r) for x, r in records if not _is_val(r)]
    if not train:
        return {key: None for key in keys}
    start = max(x for x, _ in train) - last
    out = {}
    for key in keys:
        values = [float(r[key]) for x, r in train if x > start and key in r]
        out[key] = sum(values) / len(values) if values else None
    return out
