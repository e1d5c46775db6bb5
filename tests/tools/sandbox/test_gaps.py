"""The rehearsal's emulator patches fail loudly when moto moves under them."""

from __future__ import annotations

import os
import re

import moto
import pytest

from study_env.paths import ROOT
from tools.sandbox import gaps


class Owner:
    def existing(self):
        return "moto's"


def test_the_patches_are_written_for_the_moto_release_the_project_pins():
    with open(os.path.join(ROOT, "requirements-dev.txt")) as fh:
        (pin,) = re.findall(r"^moto\[server\]==(\S+)$", fh.read(), re.M)
    assert gaps.MOTO_VERSION == pin == moto.__version__


def test_replacing_a_name_that_exists_and_adding_one_that_does_not_pass():
    gaps.check_patches(
        [gaps.Patch(Owner, "existing", None), gaps.Patch(Owner, "new_name", None, adds=True)], version="9.9"
    )


def test_a_renamed_name_fails_naming_it_and_the_release_to_pin():
    with pytest.raises(gaps.EmulatorPatchError) as err:
        gaps.check_patches(
            [gaps.Patch(Owner, "renamed", None), gaps.Patch(Owner, "existing", None, adds=True)], version="9.9"
        )
    message = str(err.value)
    assert message.startswith("moto 9.9: Owner.renamed does not exist; Owner.existing already exists.")
    assert f"pin moto[server]=={gaps.MOTO_VERSION} in requirements-dev.txt" in message


def test_the_real_patches_apply_and_are_undone():
    from moto.sagemaker.models import SageMakerModelBackend

    original = vars(SageMakerModelBackend)["create_hyper_parameter_tuning_job"]
    with gaps.patch_emulator():
        assert vars(SageMakerModelBackend)["create_hyper_parameter_tuning_job"] is not original
    assert vars(SageMakerModelBackend)["create_hyper_parameter_tuning_job"] is original
