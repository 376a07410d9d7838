"""A GPU asked for on a machine that lacks it is one error line, before anything is loaded.

AllenNLP's ``check_for_gpu`` raises a ``ConfigurationError`` whose hint is the training
override ``trainer.cuda_device=-1``: a traceback, and the wrong advice for `allennlp predict`
or `evaluate`, where the GPU comes from ``--cuda-device``. `evaluate` does not even check:
it fails inside the archive loader. Each command now names the setting that asked for the
device and how to run on the CPU instead.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import torch
from allennlp.commands import evaluate as evaluate_command
from allennlp.commands import predict as predict_command

from multitask.errors import UserInputError

CLI_FIX = "drop --cuda-device (or pass --cuda-device -1) to run on the CPU"


class NoCudaDeviceError(UserInputError):
    """A CUDA device was asked for that this machine does not have."""


def missing_cuda_device(device: Any) -> str | None:
    """Why ``device`` (a CUDA index, -1 for the CPU) cannot be used here, or None if it can."""
    if isinstance(device, bool) or not isinstance(device, int) or device < 0:
        return None  # the CPU, or a form AllenNLP checks itself
    available = torch.cuda.device_count()
    if available == 0:
        return "no CUDA device is available on this machine"
    if device >= available:
        plural = "device" if available == 1 else "devices"
        return f"this machine has {available} CUDA {plural} (numbered from 0)"
    return None


def check_cuda_device(device: Any, setting: str, fix: str) -> None:
    """Raise NoCudaDeviceError (``<setting> <device>: <why>; <fix>``) for a device that is
    not here."""
    why = missing_cuda_device(device)
    if why is not None:
        raise NoCudaDeviceError(f"{setting} {device}: {why}; {fix}")


def check_trainer_devices(config: dict[str, Any], nothing_written: str) -> None:
    """The devices a training config asks for (``trainer.cuda_device``, or
    ``distributed.cuda_devices``) exist on this machine."""
    trainer = config.get("trainer")
    if isinstance(trainer, dict):
        check_cuda_device(
            trainer.get("cuda_device"),
            "trainer.cuda_device",
            "remove it from the config or override it with "
            f"""-o '{{"trainer.cuda_device": -1}}' to train on the CPU ({nothing_written})""",
        )
    distributed = config.get("distributed")
    devices = distributed.get("cuda_devices") if isinstance(distributed, dict) else None
    for device in devices if isinstance(devices, list) else []:
        why = missing_cuda_device(device)
        if why is not None:
            raise NoCudaDeviceError(
                f"distributed.cuda_devices {devices}: {why}; remove `distributed` from the "
                f"config to train on the CPU ({nothing_written})"
            )


def _checked_get_predictor(original: Any) -> Any:
    @functools.wraps(original)
    def get_predictor(args: Any) -> Any:
        check_cuda_device(args.cuda_device, "--cuda-device", CLI_FIX)
        return original(args)

    get_predictor.__checked_by_multitask__ = True  # type: ignore[attr-defined]
    return get_predictor


def _checked_evaluate(original: Any) -> Any:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def evaluate_from_archive(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        check_cuda_device(bound.arguments["cuda_device"], "--cuda-device", CLI_FIX)
        return original(*args, **kwargs)

    evaluate_from_archive.__checked_by_multitask__ = True  # type: ignore[attr-defined]
    return evaluate_from_archive


def install_device_checks() -> None:
    """Check ``--cuda-device`` of `allennlp predict` and `evaluate` before the archive loads
    (both commands look these functions up in their module when they run)."""
    if not getattr(predict_command._get_predictor, "__checked_by_multitask__", False):
        predict_command._get_predictor = _checked_get_predictor(predict_command._get_predictor)
    if not getattr(evaluate_command.evaluate_from_archive, "__checked_by_multitask__", False):
        evaluate_command.evaluate_from_archive = _checked_evaluate(
            evaluate_command.evaluate_from_archive
        )
