# The labeled-only control of the tiny ACL+MTL config: the quickstart
# labeled-only recipe on the same short clips (8 frames, every 2nd: half to
# all of a 16-32 frame motion) in training and validation. The quickstart
# rows sample 8 frames over the whole video, an easier protocol.
_base_ = ['../quickstart/labeled-only_tiny-slowonly_1500it_synthetic-20shot.py']

short = dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=1)
train_dataloader = dict(dataset=dict(dataset=dict(
    pipeline=[_base_.labeled_pipeline[0], short,
              *_base_.labeled_pipeline[2:]])))
val_pipeline = [_base_.val_pipeline[0], dict(short, test_mode=True),
                *_base_.val_pipeline[2:]]
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
