"""ACLMTLRecognizer on the tiny r3d student: loss terms and their gradients,
the ablation switches, memory updates, prediction and exact resume."""
import copy
from collections import OrderedDict

import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope

from acl_mtl_utils import STUDENTS, acl_batches, build_acl_mtl
from mmssar.models.utils.recognizer_io import run_recognizer
from mmssar.registry import MODELS

ALL_TERMS = {'sup_loss_cls', 'unsup_loss_cls', 'loss_acl', 'loss_mtl_calib',
             'loss_mtl_align'}


@pytest.fixture(autouse=True)
def mmssar_scope(monkeypatch):
    monkeypatch.setattr(MessageHub, '_instance_dict', OrderedDict())
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with DefaultScope.overwrite_default_scope('mmssar'):
        yield
    torch.set_num_threads(threads)


def _step(model, seed, long_views=('long', )):
    data = model.data_preprocessor(
        acl_batches(seed=seed, long_views=long_views), True)
    return model(**data, mode='loss')


def _grad_norm(params):
    return sum(float(p.grad.abs().sum()) for p in params
               if p.grad is not None)


def test_terms_and_where_their_gradients_go():
    model = build_acl_mtl()
    model.train()
    first = _step(model, 0)
    assert ALL_TERMS <= set(first)
    assert first['loss_acl'].item() == 0.0  # the bank is still empty
    assert len(model.memories['acl_bank']) == 4
    losses = _step(model, 1)
    assert losses['loss_acl'].item() > 0 and losses['acl_active'] > 0
    for key in ('loss_acl', 'loss_mtl_align', 'loss_mtl_calib'):
        model.zero_grad()
        losses = _step(model, 2)
        losses[key].backward()
        backbone = _grad_norm(model.student.backbone.parameters())
        calib = _grad_norm(model.calibration.parameters())
        # the contrastive and alignment terms train the student's features;
        # the calibration is trained by classifying its output
        assert (backbone > 0) == (key != 'loss_mtl_calib'), key
        assert (calib > 0) == (key == 'loss_mtl_calib'), key
        assert all(p.grad is None for p in model.teacher.parameters())


def test_ablation_switches():
    def make(acl, mtl):
        return MODELS.build(dict(
            type='ACLMTLRecognizer', student=copy.deepcopy(STUDENTS['r3d']),
            acl=acl, mtl=mtl, semi_train_cfg=dict(threshold=0.0)))

    plain = make(None, None)
    assert not hasattr(plain, 'calibration') and not len(plain.memories)
    out = _step(plain, 0, long_views=())  # no long views needed
    assert not (ALL_TERMS - {'sup_loss_cls', 'unsup_loss_cls'}) & set(out)
    acl_only = make(dict(bank=dict(size=8)), None)
    out = _step(acl_only, 0, long_views=())
    assert 'loss_acl' in out and 'loss_mtl_align' not in out
    mtl_only = make(None, dict(calibration=dict(embed_channels=8)))
    with pytest.raises(KeyError, match="views \\['long'\\]"):
        _step(mtl_only, 0, long_views=())
    out = _step(mtl_only, 0)
    assert 'loss_mtl_align' in out and 'loss_acl' not in out
    with pytest.raises(KeyError, match='unknown acl keys'):
        make(dict(banks=1), None)
    with pytest.raises(ValueError, match='pseudo_label_source'):
        MODELS.build(dict(type='ACLMTLRecognizer',
                          student=copy.deepcopy(STUDENTS['r3d']),
                          semi_train_cfg=dict(pseudo_label_source='student')))


def test_memories_hold_what_the_networks_computed():
    model = build_acl_mtl()
    model.eval()  # batch-independent features, to recompute them here
    data = model.data_preprocessor(acl_batches(seed=0), True)
    model(**data, mode='loss')
    with torch.no_grad():
        sup = run_recognizer(model.student,
                             dict(x=data['inputs']['sup']['default']))['x']
        weak = run_recognizer(model.teacher.module,
                              dict(x=data['inputs']['unsup']['weak']))['x']
    protos = model.memories['acl_prototypes']
    # labels 0 and 1: first update = the normalised feature
    torch.testing.assert_close(protos.prototypes[:2],
                               F.normalize(sup.feats, dim=1))
    assert protos.initialized.tolist() == [True, True, False]
    bank = model.memories['acl_bank'].valid_entries()
    torch.testing.assert_close(bank['features'],
                               F.normalize(weak.feats, dim=1))
    pl = weak.logits.argmax(1)
    assert bank['labels'].tolist() == pl.tolist()
    ref = (F.normalize(weak.feats, dim=1) @ protos.prototypes.t()).gather(
        1, pl[:, None])[:, 0]
    torch.testing.assert_close(bank['confidences'], ref)


@pytest.mark.parametrize('acl,mtl', [
    (dict(prototype_encoder='teacher', bank_push='kept',
          query_weight='mask', labeled_queries=False), dict(tokens='clip')),
    (dict(confidence=dict(measure='probability', labels='prototype'),
          loss=dict(selection='soft'), rescore=False),
     dict(long_views=('long', 'long2'), align_masked=True,
          calibration=dict(gate='scalar'))),
    (dict(), dict(query='student_strong')),
])
def test_options_train(acl, mtl):
    model = build_acl_mtl(acl=acl, mtl=mtl,
                          semi_train_cfg=dict(threshold=0.3))
    model.train()
    views = tuple(mtl.get('long_views', ('long', )))
    for seed in range(2):
        losses = _step(model, seed, long_views=views)
    assert all(torch.isfinite(v).all() for v in losses.values())
    sum(v for k, v in losses.items() if 'loss' in k).backward()


def test_prediction_is_the_plain_student():
    model = build_acl_mtl()
    assert model.predict_on == 'student'
    model.eval()
    sup, _ = acl_batches()
    data = model.student.data_preprocessor(sup, False)
    with torch.no_grad():
        ours = model(**data, mode='predict')
        ref = model.student(**data, mode='predict')
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a.pred_score, b.pred_score)


def _train(model, opt, seeds):
    out = None
    for seed in seeds:
        losses = _step(model, seed)
        opt.zero_grad()
        sum(v for k, v in losses.items() if 'loss' in k).backward()
        opt.step()
        model.update_teacher()
        out = {k: v.detach().clone() for k, v in losses.items()}
    return out


def test_state_dict_round_trip_reproduces_the_next_step():
    kwargs = dict(acl=dict(reliability=dict(interval=2, min_samples=4)))
    model = build_acl_mtl(**kwargs)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    _train(model, opt, [0, 1, 2])
    state = {k: v.clone() for k, v in model.state_dict().items()}
    assert bool(state['memories.acl_reliability.fitted'])
    ref = _train(model, opt, [3, 4])

    resumed = build_acl_mtl(seed=123, **kwargs)
    resumed.train()
    resumed.load_state_dict(state)
    opt2 = torch.optim.SGD(resumed.parameters(), lr=0.05)
    got = _train(resumed, opt2, [3, 4])
    for key in ('loss_acl', 'loss_mtl_align', 'loss_mtl_calib',
                'unsup_loss_cls', 'gmm_mean_high'):
        torch.testing.assert_close(got[key], ref[key])
    for key, value in model.state_dict().items():
        if key.startswith(('memories.', 'calibration.')):
            torch.testing.assert_close(resumed.state_dict()[key], value,
                                       msg=key)


def test_exported_student_is_a_stock_recognizer():
    from mmssar.utils.checkpoint import extract_recognizer_state
    model = build_acl_mtl()
    model.train()
    _step(model, 0)
    state = extract_recognizer_state(model.state_dict(), 'student')
    assert not any(k.startswith(('calibration', 'memories')) for k in state)
    plain = MODELS.build(copy.deepcopy(STUDENTS['r3d']))
    plain.load_state_dict(state, strict=True)
    # and a plain checkpoint initialises an ACL+MTL model, keeping its own
    # calibration and memories
    fresh = build_acl_mtl(seed=3)
    calib = {k: v.clone() for k, v in fresh.calibration.state_dict().items()}
    fresh.load_state_dict(state)
    for k, v in fresh.calibration.state_dict().items():
        torch.testing.assert_close(v, calib[k])
    key = 'cls_head.fc_cls.weight'
    torch.testing.assert_close(fresh.student.state_dict()[key], state[key])


def test_long_tokens_are_the_last_stage_pooled_over_space():
    model = build_acl_mtl(mtl=dict(long_views=('long', 'long2')))
    model.eval()
    data = model.data_preprocessor(
        acl_batches(long_views=('long', 'long2')), True)
    captured = {}
    orig = model.calibration.forward

    def spy(query, tokens, mask=None):
        captured['query'], captured['tokens'] = query, tokens
        return orig(query, tokens, mask)

    model.calibration.forward = spy
    model(**data, mode='loss')
    unsup = data['inputs']['unsup']
    refs = []
    with torch.no_grad():
        for view in ('long', 'long2'):
            x = unsup[view]
            maps = model.teacher.module.backbone(x.flatten(0, 1))
            refs.append(maps.mean(dim=(3, 4)).transpose(1, 2))  # (M, T, C)
        weak = run_recognizer(model.teacher.module,
                              dict(x=unsup['weak']))['x'].feats
    torch.testing.assert_close(captured['tokens'], torch.cat(refs, dim=1))
    torch.testing.assert_close(captured['query'], weak)


def test_student_strong_query_is_the_detached_strong_feature():
    model = build_acl_mtl(mtl=dict(query='student_strong'))
    model.eval()  # batch-independent features, to recompute them here
    data = model.data_preprocessor(acl_batches(), True)
    captured = {}
    orig = model.calibration.forward

    def spy(query, tokens, mask=None):
        captured['query'] = query
        return orig(query, tokens, mask)

    model.calibration.forward = spy
    model(**data, mode='loss')
    with torch.no_grad():
        strong = run_recognizer(
            model.student, dict(x=data['inputs']['unsup']['strong']))['x']
    assert not captured['query'].requires_grad
    torch.testing.assert_close(captured['query'], strong.feats)
    with pytest.raises(ValueError, match='query must be one of'):
        build_acl_mtl(mtl=dict(query='teacher_strong'))


def test_projector_maps_queries_and_bank_keys_alike():
    proj = dict(type='ProjectionHead', hidden_channels=32, out_channels=16,
                num_layers=2, norm=False)
    model = build_acl_mtl(acl=dict(projector=proj))
    model.train()
    _step(model, 0)  # fills the bank
    feats = model.memories['acl_bank'].valid_entries()['features'].clone()
    captured = {}
    orig = model.acl_loss.forward

    def spy(queries, q_labels, bank, *args):
        captured['queries'], captured['bank'] = queries, bank
        return orig(queries, q_labels, bank, *args)

    model.acl_loss.forward = spy
    model.zero_grad()
    losses = _step(model, 1)
    losses['loss_acl'].backward()
    # the bank holds backbone features (64-d); the loss sees 16-d
    # projections of them made with the queries' weights, as constants
    assert feats.shape[1] == 64 and captured['bank'].shape[1] == 16
    assert captured['queries'].shape[1] == 16
    assert not captured['bank'].requires_grad
    with torch.no_grad():
        torch.testing.assert_close(captured['bank'],
                                   model.acl_projector(feats))
    assert _grad_norm(model.acl_projector.parameters()) > 0
    assert _grad_norm(model.student.backbone.parameters()) > 0
    # training-only, like the calibration: not in the exported student, and
    # a plain checkpoint leaves it as initialised
    from mmssar.utils.checkpoint import extract_recognizer_state
    state = extract_recognizer_state(model.state_dict(), 'student')
    assert not any('acl_projector' in k for k in state)
    fresh = build_acl_mtl(seed=5, acl=dict(projector=proj))
    before = {k: v.clone() for k, v in fresh.acl_projector.state_dict().items()}
    fresh.load_state_dict(state)
    for k, v in fresh.acl_projector.state_dict().items():
        torch.testing.assert_close(v, before[k])


def _capture_pseudo_logits(model):
    captured = {}
    orig = model.make_pseudo_labels

    def spy(logits, step=None):
        captured['logits'] = logits
        return orig(logits, step)

    model.make_pseudo_labels = spy
    return captured


def _teacher_outputs(model, unsup, views):
    return run_recognizer(model.teacher.module,
                          {v: unsup[v] for v in views},
                          stages=model.token_stage)


def test_ensemble_pseudo_labels_average_the_teacher_over_weak_and_long():
    model = build_acl_mtl(acl=None, mtl=dict(pseudo_labels='ensemble'))
    model.eval()
    captured = _capture_pseudo_logits(model)
    data = model.data_preprocessor(acl_batches(), True)
    model(**data, mode='loss')
    with torch.no_grad():
        outs = _teacher_outputs(model, data['inputs']['unsup'],
                                ('weak', 'long'))
    mean = (outs['weak'].logits.softmax(-1) +
            outs['long'].logits.softmax(-1)) / 2
    torch.testing.assert_close(captured['logits'].softmax(-1), mean)
    assert not torch.allclose(mean, outs['weak'].logits.softmax(-1))


def test_calibrated_pseudo_labels_classify_the_calibrated_weak_feature():
    model = build_acl_mtl(
        acl=None, mtl=dict(pseudo_labels='calibrated', calib_on='labeled'))
    model.eval()
    with torch.no_grad():  # not the identity it starts as
        model.calibration.out_proj.weight.normal_(std=5.0)
    captured = _capture_pseudo_logits(model)
    data = model.data_preprocessor(acl_batches(sup_long_views=('long', )),
                                   True)
    losses = model(**data, mode='loss')
    assert 'mtl_short_pl_acc' in losses
    unsup = data['inputs']['unsup']
    with torch.no_grad():
        outs = _teacher_outputs(model, unsup, ('weak', 'long'))
        tokens = model.long_tokens([outs['long']])
        calibrated, _, _ = model.calibration(outs['weak'].feats, tokens)
        ref = model.student.cls_head.fc_cls(calibrated)
    torch.testing.assert_close(captured['logits'], ref)
    assert not torch.allclose(ref.softmax(-1),
                              outs['weak'].logits.softmax(-1), atol=1e-3)
    # the logged accuracy is the plain short-clip teacher's, on the
    # hidden labels of acl_batches (0, 1, 2, 1)
    short = outs['weak'].logits.argmax(-1)
    # the calibrated pseudo-labels differ, so the check below tells them
    # apart from the short clip's
    assert not torch.equal(ref.argmax(-1), short)
    expected = (short == torch.tensor([0, 1, 2, 1])).float().mean()
    torch.testing.assert_close(losses['mtl_short_pl_acc'], expected)


def test_labeled_calibration_learns_from_the_true_labels():
    model = build_acl_mtl(acl=None, mtl=dict(calib_on='labeled'))
    model.train()
    data = model.data_preprocessor(acl_batches(sup_long_views=('long', )),
                                   True)
    captured = {}
    orig = model.calibration.forward

    def spy(query, tokens, mask=None):
        out = orig(query, tokens, mask)
        captured.setdefault('first', (query, tokens, out[0]))
        return out

    model.calibration.forward = spy
    losses = model(**data, mode='loss')
    query, tokens, calibrated = captured['first']  # the labeled call
    sup = data['inputs']['sup']
    with torch.no_grad():
        teacher = model.teacher.module
        ref_q = run_recognizer(teacher, dict(x=sup['default']))['x'].feats
        ref_t = model.long_tokens([run_recognizer(
            teacher, dict(x=sup['long']), stages=model.token_stage)['x']])
    torch.testing.assert_close(query, ref_q)
    torch.testing.assert_close(tokens, ref_t)
    labels = torch.tensor([s.gt_label.item()
                           for s in data['data_samples']['sup']])
    expected = F.cross_entropy(model.student.cls_head.fc_cls(calibrated),
                               labels)
    torch.testing.assert_close(losses['loss_mtl_calib'],
                               model.mtl_weight() * expected)
    model.zero_grad()
    losses['loss_mtl_calib'].backward()
    assert _grad_norm(model.calibration.parameters()) > 0
    assert _grad_norm(model.student.backbone.parameters()) == 0
    # a labeled batch without the long view is refused by name
    with pytest.raises(KeyError, match=r"labeled views \['long'\]"):
        model(**model.data_preprocessor(acl_batches(), True), mode='loss')


def test_calibrated_pseudo_labels_need_a_labeled_calibration():
    with pytest.raises(ValueError, match="calib_on='labeled'"):
        build_acl_mtl(mtl=dict(pseudo_labels='calibrated'))
    with pytest.raises(ValueError, match='pseudo_labels must be one of'):
        build_acl_mtl(mtl=dict(pseudo_labels='long'))
