from zengzhi.app import local_life, order_effects, releases

__all__ = ["local_life", "order_effects", "releases"]
