"""Checks this project adds to AllenNLP's commands (train, predict, evaluate), installed when
the plugin is imported, so that bad input is one clear line and nothing is lost or half-made.
"""

from multitask.cli.device_check import install_device_checks
from multitask.cli.evaluate_check import install_evaluate_check
from multitask.cli.predict_input import install_checked_predict_input
from multitask.cli.train_check import install_train_check


def install_command_checks() -> None:
    install_checked_predict_input()
    install_evaluate_check()
    install_device_checks()
    install_train_check()
