"""Old import paths (neuralsim/_compat.py): for one release, every flat module of 0.1 still imports, as the very
module it moved to, with a DeprecationWarning naming its new home."""
import importlib
import sys
import warnings

import pytest

import neuralsim
from neuralsim import _compat


@pytest.mark.parametrize("old,new", sorted(_compat.MOVED.items()))
def test_an_old_path_is_the_moved_module_with_a_warning(old, new):
    sys.modules.pop(f"neuralsim.{old}", None)
    with pytest.warns(DeprecationWarning, match=rf"neuralsim\.{old} is now neuralsim\.{new}"):
        mod = importlib.import_module(f"neuralsim.{old}")
    assert mod is importlib.import_module(f"neuralsim.{new}")
    assert mod.__name__ == f"neuralsim.{new}"


def test_from_imports_of_old_paths_work():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from neuralsim.svg import posture_svg
        from neuralsim.person import Person
    from neuralsim.view.svg import posture_svg as new_svg
    assert posture_svg is new_svg and Person is neuralsim.Person


def test_the_packages_named_like_old_modules_re_export_them():
    # neuralsim.model, .mechanics, .state, .limits, .evidence were modules; each is a package now
    from neuralsim.model import nerve_bed_length, lengths
    from neuralsim.mechanics import nerve_mechanics, nerve
    from neuralsim.state import compute, states
    from neuralsim.limits import movement_limit, stops
    from neuralsim.evidence import comparisons
    assert nerve_bed_length is lengths.nerve_bed_length and nerve_mechanics is nerve.nerve_mechanics
    assert compute is states.compute and movement_limit is stops.movement_limit
    assert callable(comparisons)


def test_an_unknown_module_is_still_an_import_error():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("neuralsim.no_such_module")
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        neuralsim.no_such_name


def test_package_attributes_load_lazily_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert neuralsim.protocols.__name__ == "neuralsim.model.protocols"
        assert neuralsim.cases.__name__ == "neuralsim.limits.cases"
        assert neuralsim.compute is importlib.import_module("neuralsim.state").compute
        assert neuralsim.view.__name__ == "neuralsim.view"
