from .larc import LARC
from .named_param_groups import NamedParamGroupsConstructor

__all__ = ['LARC', 'NamedParamGroupsConstructor']
