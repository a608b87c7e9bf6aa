"""The care API, mounted under /api/v1/care: plans, circles, and a community's care pages."""

from ninja import Router

from mutua.care.api import circle, community, plans

router = Router(tags=["care"])
router.add_router("", plans.router)
router.add_router("", circle.router)
router.add_router("", community.router)
