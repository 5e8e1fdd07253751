"""The temporal similarity score: definition, file, lookup, coverage."""
import json

import pytest
import torch

from mmssar.datasets.temporal_similarity_file import (map_scores,
                                                      mean_pairwise_cosine,
                                                      read_score_file,
                                                      write_score_file)
from mmssar.datasets.transforms import LoadTemporalSimilarity


def test_mean_pairwise_cosine_over_distinct_clip_pairs():
    a = torch.tensor([[1., 0.], [0., 1.], [1., 0.]])
    # pairs: (0,1)=0, (0,2)=1, (1,2)=0 -> 1/3
    assert mean_pairwise_cosine(a[None]).item() == pytest.approx(1 / 3)
    same = torch.ones(2, 4, 8)
    assert torch.allclose(mean_pairwise_cosine(same), torch.ones(2))
    with pytest.raises(ValueError):
        mean_pairwise_cosine(torch.ones(2, 1, 8))


def test_mappings():
    raw = {'a': -1.0, 'b': 0.0, 'c': 0.5}
    assert map_scores(raw, 'cos01') == {'a': 0.0, 'b': 0.5, 'c': 0.75}
    mm = map_scores(raw, 'minmax')
    assert mm['a'] == 0.0 and mm['c'] == 1.0
    assert mm['b'] == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        map_scores(raw, 'rank')


def write_list(path, names):
    path.write_text(''.join(f'{n} 0\n' for n in names))
    return str(path)


def test_transform_looks_up_by_annotation_name_and_refuses_gaps(tmp_path):
    scores = tmp_path / 's.json'
    write_score_file(str(scores), {'c1/v1.mp4': 0.6, 'c2/v2.mp4': -0.2},
                     'cos01')
    assert read_score_file(str(scores)) == {'c1/v1.mp4': 0.8,
                                            'c2/v2.mp4': 0.4}
    full = write_list(tmp_path / 'train.txt', ['c1/v1.mp4', 'c2/v2.mp4'])
    t = LoadTemporalSimilarity(str(scores), ann_files=[full])
    out = t(dict(filename='data/root/c2/v2.mp4'))
    assert out['temporal_similarity'] == pytest.approx(0.4)
    with pytest.raises(KeyError, match='v3'):
        t(dict(filename='data/root/c3/v3.mp4'))
    more = write_list(tmp_path / 'more.txt', ['c1/v1.mp4', 'c3/v3.mp4'])
    with pytest.raises(KeyError, match='more.txt'):
        LoadTemporalSimilarity(str(scores), ann_files=more)


def test_unversioned_or_foreign_file_is_refused(tmp_path):
    path = tmp_path / 's.json'
    path.write_text(json.dumps({'scores': {'a': 0.5}}))
    with pytest.raises(ValueError, match='format'):
        read_score_file(str(path))
    path.write_text(json.dumps({'format': 'mmssar-temporal-similarity',
                                'version': 99, 'scores': {}}))
    with pytest.raises(ValueError, match='version'):
        read_score_file(str(path))
