"""API routes of the offers app, mounted under /api/v1/ by ism/urls_tenant.py."""

from rest_framework.routers import SimpleRouter

from offers import api

router = SimpleRouter()
router.register("offers", api.OfferViewSet, basename="api-offer")
router.register("options", api.OptionViewSet, basename="api-option")
router.register("products", api.ProductViewSet, basename="api-product")
router.register("terminals", api.TerminalViewSet, basename="api-terminal")
router.register("rate-tables", api.RateTableViewSet, basename="api-rate-table")

urlpatterns = router.urls
