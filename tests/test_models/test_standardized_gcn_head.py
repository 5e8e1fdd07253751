"""StandardizedGCNHead: the pooled feature is standardised before the linear
classifier, so a probe sees the same logits whatever the feature scale."""
import torch

from mmssar.models.heads import StandardizedGCNHead


def test_logits_do_not_depend_on_the_feature_scale_or_offset():
    torch.manual_seed(0)
    head = StandardizedGCNHead(num_classes=4, in_channels=8)
    head.init_weights()
    head.train()
    x = torch.randn(16, 1, 8, 1, 1)
    out = head(x)
    # features squeezed around a large offset (a nearly collapsed encoder)
    squashed = head(0.1 * x + 5.)
    torch.testing.assert_close(out, squashed, rtol=1e-3, atol=1e-3)
    assert out.shape == (16, 4)
    # test time: running statistics, no batch dependence
    head.eval()
    single = head(x[:1])
    torch.testing.assert_close(single, head(x)[:1])
    assert set(head.state_dict()) >= {'fc.1.weight', 'fc.1.bias',
                                      'fc.0.running_mean', 'fc.0.running_var'}
    assert 'fc.0.weight' not in head.state_dict()  # no affine parameters
