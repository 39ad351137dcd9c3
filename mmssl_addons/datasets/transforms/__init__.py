from .checked_loading import CheckedLoadImageFromFile

__all__ = ['CheckedLoadImageFromFile']
