from .lcr_kl_loss import LCRKLLoss, lcr_kl_loss

__all__ = ['LCRKLLoss', 'lcr_kl_loss']
