"""tools/analysis/plot_ssl_curves.py on synthetic MMEngine logs."""
import json
import os
import os.path as osp

import pytest

from mmssar.utils.ssl_curves import plot_ssl_curves, read_run, run_series

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _write(work_dir, records, stamp='20240101_000000'):
    path = osp.join(work_dir, stamp, 'vis_data', 'scalars.json')
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        for r in records:
            f.write(json.dumps(r) + '\n')
    return path


def _fixmatch_log(iters=(10, 20, 30, 40), val_step=0, per_class=True):
    """Records as LoggerHook writes them for an iteration-based semi run;
    validation after iteration 20 and 40, logged with ``val_step``."""
    out = []
    for it in iters:
        r = dict(lr=1e-3, data_time=0.1, loss=1.0 + it / 100,
                 sup_loss_cls=0.5 + it / 100, unsup_loss_cls=0.5,
                 mask_ratio=it / 100, pl_acc=0.6, pl_acc_kept=0.9,
                 unsup_weight=it / 40, threshold=0.8, time=0.5, iter=it,
                 step=it)
        if per_class:
            r['mask_ratio/0'] = 0.1
            r['mask_ratio/1'] = 0.2
        out.append(r)
        if it % 20 == 0:
            out.append({'acc/teacher_top1': it / 100,
                        'acc/student_top1': it / 200,
                        'data_time': 0.1, 'time': 0.2,
                        'step': val_step if val_step is not None else it})
    return out


def _labeled_only_log():
    out = []
    for it in (10, 20):
        out.append(dict(lr=1e-3, loss=2.0 - it / 100, loss_cls=2.0 - it / 100,
                        time=0.3, iter=it, step=it))
    out.append({'acc/top1': 0.4, 'step': 0})
    return out


def _panel(fig, title):
    axes = [ax for ax in fig.axes if ax.get_title() == title]
    assert len(axes) == 1, [ax.get_title() for ax in fig.axes]
    return axes[0]


def _line(ax, label):
    lines = [ln for ln in ax.get_lines() if ln.get_label() == label]
    assert len(lines) == 1, [ln.get_label() for ln in ax.get_lines()]
    return lines[0]


@pytest.mark.parametrize('val_step', [0, None])
def test_validation_sits_at_its_training_iteration(tmp_path, val_step):
    """step 0 (MMEngine's epoch count in iteration loops) or the iteration:
    both land after the training record they follow."""
    _write(str(tmp_path / 'fm'), _fixmatch_log(val_step=val_step))
    series = run_series(read_run(str(tmp_path / 'fm')))
    assert series['acc/teacher_top1'] == ([20., 40.], [20., 40.])
    assert series['acc/student_top1'][1] == [10., 20.]
    # supervised loss: the sup_loss* terms, not the total
    assert series['sup_loss'][1] == pytest.approx([.6, .7, .8, .9])
    assert series['mask_ratio'] == ([10., 20., 30., 40.],
                                    [.1, .2, .3, .4])
    assert set(series) >= {'mask_ratio/0', 'mask_ratio/1', 'threshold',
                           'unsup_weight', 'pl_acc_kept'}


def test_overlaid_runs_in_one_png(tmp_path):
    fm, lo = str(tmp_path / 'fixmatch'), str(tmp_path / 'labeled_only')
    _write(fm, _fixmatch_log())
    _write(lo, _labeled_only_log())
    out = str(tmp_path / 'curves.png')
    fig = plot_ssl_curves([lo, fm], labels=['labeled only', 'FixMatch'],
                          out=out)
    with open(out, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    titles = [ax.get_title() for ax in fig.axes]
    assert 'other loss terms' not in titles  # nothing but sup/unsup logged
    assert titles == [
        'supervised loss', 'unsupervised loss', 'mask ratio',
        'pseudo-label accuracy', 'per-class mask ratio', 'unsup weight',
        'threshold', 'val top-1 (%)'
    ]
    sup = _panel(fig, 'supervised loss')
    # both runs: the labeled-only run's plain loss, FixMatch's sup term
    assert _line(sup, 'labeled only').get_ydata().tolist() == \
        pytest.approx([1.9, 1.8])
    assert _line(sup, 'FixMatch').get_xdata().tolist() == [10, 20, 30, 40]
    pl = _panel(fig, 'pseudo-label accuracy')
    assert _line(pl, 'FixMatch (all)').get_ydata().tolist() == [.6] * 4
    assert _line(pl, 'FixMatch (kept)').get_linestyle() == '--'
    assert len(_panel(fig, 'per-class mask ratio').get_lines()) == 2
    val = _panel(fig, 'val top-1 (%)')
    assert _line(val, 'FixMatch (teacher)').get_xdata().tolist() == [20, 40]
    assert _line(val, 'FixMatch (student)').get_ydata().tolist() == [10, 20]
    assert _line(val, 'labeled only').get_xdata().tolist() == [20]
    # one colour per run
    assert _line(sup, 'FixMatch').get_color() == \
        _line(val, 'FixMatch (teacher)').get_color() != \
        _line(sup, 'labeled only').get_color()


def test_optional_panels_only_when_logged(tmp_path):
    lo = str(tmp_path / 'lo')
    _write(lo, _labeled_only_log())
    fig = plot_ssl_curves([lo])
    titles = [ax.get_title() for ax in fig.axes]
    assert 'threshold' not in titles and 'per-class mask ratio' not in titles
    assert 'val top-1 (%)' in titles
    assert not _panel(fig, 'mask ratio').get_lines()  # drawn, says absent


def test_resumed_and_restarted_logs(tmp_path):
    wd = str(tmp_path / 'run')
    _write(wd, _fixmatch_log(iters=(10, 20, 30)), stamp='20240101_000000')
    # resumed from the checkpoint of iteration 20: 30 is repeated
    _write(wd, _fixmatch_log(iters=(30, 40)), stamp='20240101_010000')
    assert run_series(read_run(wd))['mask_ratio'][0] == [10, 20, 30, 40]
    # then started over in the same dir: only the new run remains
    _write(wd, _fixmatch_log(iters=(10, )), stamp='20240102_000000')
    assert run_series(read_run(wd))['mask_ratio'][0] == [10]


def _cli():
    import importlib.util
    path = osp.join(ROOT, 'tools', 'analysis', 'plot_ssl_curves.py')
    spec = importlib.util.spec_from_file_location('plot_ssl_curves', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_cli(tmp_path, capsys):
    fm = str(tmp_path / 'fm')
    _write(fm, _fixmatch_log())
    out = str(tmp_path / 'c.png')
    main = _cli()
    assert main([fm, '--out', out, '--labels', 'FixMatch']) == 0
    assert osp.getsize(out) > 1000
    assert f'wrote {out}' in capsys.readouterr().out
    assert main([str(tmp_path / 'none'), '--out', out]) == 2
    assert 'no vis_data/scalars.json under' in capsys.readouterr().err
    assert main([fm, fm, '--labels', 'one']) == 2  # label count checked


def test_bad_line_is_named(tmp_path):
    path = _write(str(tmp_path / 'x'), _labeled_only_log())
    with open(path, 'a') as f:
        f.write('{broken\n')
    with pytest.raises(ValueError, match=r'scalars.json:4'):
        read_run(str(tmp_path / 'x'))


def test_demo_writes_the_curves_of_its_two_runs(tmp_path):
    import importlib.util
    path = osp.join(ROOT, 'tools', 'misc', 'demo.py')
    spec = importlib.util.spec_from_file_location('mmssar_demo', path)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    _write(str(tmp_path / 'labeled_only'), _labeled_only_log())
    _write(str(tmp_path / 'fixmatch'), _fixmatch_log())
    out = demo.write_curves(str(tmp_path))
    assert out == osp.join(str(tmp_path), 'curves.png')
    assert osp.getsize(out) > 1000


def test_other_loss_terms_of_a_two_network_run(tmp_path):
    """LTG-style logs: several sup / unsup terms and a contrastive loss."""
    records = []
    for it in (10, 20):
        records.append(dict(loss=3., sup_loss_cls_rgb=1., sup_loss_cls_tg=.5,
                            unsup_loss_cls_rgb=.25, unsup_loss_cls_tg=.25,
                            loss_contrast=.1 * it, mask_ratio=.5, pl_acc=.5,
                            pl_acc_kept=.7, iter=it, step=it))
    _write(str(tmp_path / 'ltg'), records)
    _write(str(tmp_path / 'lo'), _labeled_only_log())
    fig = plot_ssl_curves([str(tmp_path / 'lo'), str(tmp_path / 'ltg')],
                          labels=['labeled only', 'LTG'])
    assert _line(_panel(fig, 'supervised loss'),
                 'LTG').get_ydata().tolist() == [1.5, 1.5]
    assert _line(_panel(fig, 'unsupervised loss'),
                 'LTG').get_ydata().tolist() == [.5, .5]
    other = _panel(fig, 'other loss terms')
    # the labeled-only run's loss_cls is its supervised loss, not "other"
    assert [ln.get_label() for ln in other.get_lines()] == [
        'LTG loss_contrast'
    ]
    assert _line(other, 'LTG loss_contrast').get_ydata().tolist() == \
        pytest.approx([1., 2.])


def test_tail_means_average_the_last_iterations(tmp_path):
    from mmssar.utils.ssl_curves import tail_means
    work = str(tmp_path / 'run')
    _write(work, _fixmatch_log(iters=(10, 20, 30, 40)))
    means = tail_means(read_run(work), ['mask_ratio', 'pl_acc', 'absent'],
                       last=20)
    # iterations 30 and 40 (> 40 - 20); validation records do not count
    assert means['mask_ratio'] == pytest.approx(0.35)
    assert means['pl_acc'] == pytest.approx(0.6)
    assert means['absent'] is None
    assert tail_means(read_run(work), ['mask_ratio'],
                      last=100)['mask_ratio'] == pytest.approx(0.25)


def test_ssl_log_summary_prints_percent(tmp_path, capsys):
    import sys
    sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis'))
    try:
        import ssl_log_summary
    finally:
        sys.path.pop(0)
    work = str(tmp_path / 'run')
    _write(work, _fixmatch_log(iters=(10, 20, 30, 40)))
    ssl_log_summary.main([work, '--keys', 'mask_ratio', 'threshold',
                          '--last', '20'])
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row == [work, '35.0', '80.0']
