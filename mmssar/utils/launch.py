"""Launch-time adjustments shared by the tools."""
import torch


def adapt_cfg_to_device(cfg) -> None:
    """Make a CUDA-minded config run distributed on CPU-only machines.

    Without CUDA, DDP must use gloo and must not pass ``device_ids``. Configs
    stay device-agnostic; the tools apply this right before building the
    Runner. Nothing changes on machines with CUDA.
    """
    if torch.cuda.is_available() or cfg.get('launcher', 'none') == 'none':
        return
    # assign first: ConfigDict converts stored dicts, setdefault would hand
    # back the unconverted one and the change would be lost
    if cfg.get('env_cfg') is None:
        cfg.env_cfg = {}
    if cfg.env_cfg.get('dist_cfg') is None:
        cfg.env_cfg.dist_cfg = {}
    if cfg.env_cfg.dist_cfg.get('backend', 'nccl') == 'nccl':
        cfg.env_cfg.dist_cfg.backend = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def finish_distributed() -> None:
    """Tear the process group down explicitly at the end of a run.

    Left to interpreter shutdown, gloo can abort a rank ("terminate called
    without an active exception") when its peer exits first, turning a
    finished run into a failed job. Callers drop the Runner (and its DDP
    wrapper) before calling this.
    """
    import gc

    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()):
        return
    gc.collect()
    dist.barrier()
    dist.destroy_process_group()


def _is_training_checkpoint(path: str) -> bool:
    """Whether ``path`` holds the ``meta`` (epoch, iter) that resuming needs;
    True when the file cannot be inspected cheaply (MMEngine then decides).
    """
    import os.path as osp
    if not osp.isfile(path):
        return True
    try:
        ckpt = torch.load(path, map_location='cpu', mmap=True,
                          weights_only=False)
    except Exception:  # old serialisation, remote file, ...
        return True
    meta = ckpt.get('meta') if isinstance(ckpt, dict) else None
    return isinstance(meta, dict) and 'epoch' in meta and 'iter' in meta


def resolve_resume(cfg, resume) -> None:
    """Apply ``--resume`` after ``--cfg-options`` (so ``load_from`` given
    there is seen) and say what will happen.

    * ``--resume`` (auto): continue from the work directory's latest
      checkpoint when there is one (``load_from`` is then ignored);
      otherwise start a new run, initialised from ``load_from`` if given.
    * ``--resume PATH``: continue from PATH; ``load_from`` is ignored.

    A file without the training state (e.g. exported or pretrained weights)
    cannot be resumed; the error says to use ``load_from`` for it.

    Args:
        cfg (Config): The merged config (``work_dir`` set).
        resume (str, optional): ``None``, ``'auto'`` or a checkpoint path.
    """
    from mmengine.logging import print_log
    from mmengine.runner import find_latest_checkpoint
    if resume is None:
        return
    load_from = cfg.get('load_from')
    if resume == 'auto':
        import os.path as osp
        latest = (find_latest_checkpoint(cfg.work_dir)
                  if osp.isdir(cfg.work_dir) else None)
        if latest is None:
            cfg.resume = False
            print_log(
                f'--resume: no checkpoint in {cfg.work_dir}; starting a new '
                'run' + (f' initialised from load_from={load_from}'
                         if load_from else ''),
                logger='current')
            return
        resume = latest
    if load_from and load_from != resume:
        print_log(
            f'--resume {resume}: load_from={load_from} is ignored (resuming '
            'restores all weights from the checkpoint).',
            logger='current',
            level=30)
    if not _is_training_checkpoint(resume):
        raise ValueError(
            f'--resume {resume}: the file has no training state (meta epoch '
            '/ iter), e.g. exported or pretrained weights. To start a new '
            f'run from these weights use --cfg-options load_from={resume} '
            'without --resume.')
    cfg.resume = True
    cfg.load_from = resume
