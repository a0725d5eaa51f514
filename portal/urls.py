from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from portal import views
from portal.accounts.api import ObtainTokenView
from portal.dashboard.api import DashboardView, MapLayersView
from portal.reports.api import ReportViewSet
from services.api.catalogue import ServiceTypeViewSet
from services.api.letters import LetterVerifyView
from services.api.requests import ServiceRequestViewSet
from services.api.tracking import TrackingView
from villages.api.boundaries import DistrictBoundaryViewSet, VillageBoundaryViewSet
from villages.api.profiles import IdmScoreViewSet
from villages.api.programmes import (
    EnrolmentViewSet,
    MilestoneProgressViewSet,
    MilestoneViewSet,
    ProgrammeViewSet,
)
from villages.api.regions import DistrictViewSet, ProvinceViewSet, RegencyViewSet, VillageViewSet
from villages.api.scorecards import AssessmentViewSet
from volunteers.api.roster import AssignmentViewSet, VolunteerViewSet
from volunteers.api.trainings import CertificateVerifyView, RegistrationViewSet, TrainingViewSet
from volunteers.api.visits import VisitViewSet

router = DefaultRouter()
router.register("provinces", ProvinceViewSet, basename="province")
router.register("regencies", RegencyViewSet, basename="regency")
router.register("districts", DistrictViewSet, basename="district")
router.register("villages", VillageViewSet, basename="village")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("milestone-progress", MilestoneProgressViewSet, basename="milestone-progress")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("idm-scores", IdmScoreViewSet, basename="idm-score")
router.register("village-boundaries", VillageBoundaryViewSet, basename="village-boundary")
router.register("district-boundaries", DistrictBoundaryViewSet, basename="district-boundary")
router.register("volunteers", VolunteerViewSet, basename="volunteer")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("trainings", TrainingViewSet, basename="training")
router.register("training-registrations", RegistrationViewSet, basename="training-registration")
router.register("visits", VisitViewSet, basename="visit")
router.register("service-types", ServiceTypeViewSet, basename="service-type")
router.register("service-requests", ServiceRequestViewSet, basename="service-request")
router.register("reports", ReportViewSet, basename="report")

api_urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("certificates/verify/<code>/", CertificateVerifyView.as_view(), name="certificate-verify"),
    path("letters/verify/<code>/", LetterVerifyView.as_view(), name="letter-verify"),
    path("track/<str:code>/", TrackingView.as_view(), name="track"),
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("dashboard/map-layers/", MapLayersView.as_view(), name="dashboard-map-layers"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("akun/", include("django.contrib.auth.urls")),
    path("wilayah/", include("villages.urls")),
    path("program/", include("villages.programme_urls")),
    path("relawan/", include("volunteers.urls")),
    path("sertifikat/", include("volunteers.certificate_urls")),
    path("layanan/", include("services.urls")),
    path("lacak/", include("services.tracking_urls")),
    path("surat/", include("services.letter_urls")),
    path("pemberitahuan/", include("portal.notifications.urls")),
    path("dasbor/", include("portal.dashboard.urls")),
    path("publik/", include("portal.dashboard.public_urls")),
    path("laporan/", include("portal.reports.urls")),
    path("api/", include((api_urlpatterns, "api"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
