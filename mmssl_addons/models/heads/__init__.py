from .gradcam_fitting_head import GradCAMFittingHead

__all__ = ['GradCAMFittingHead']
