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
