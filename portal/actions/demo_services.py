"""Demo citizen service requests: eleven at each of the 30 Desa Cerdas villages, filed over the last
four months by each village's secretary and moved through every state of the workflow, some of
them overdue, with their letters.

Requests go through the services app's actions, so every NIK, deadline, event and letter number
is what the portal itself would make. Only the clock is moved afterwards: the actions stamp "now",
so each request's times (filing, events, completion, letter) are set back to its demo dates in
bulk, and its deadline recomputed from the demo filing date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.actions.demo import demo_programme_villages
from services.actions.letters import letter_number
from services.actions.requests import (
    cancel_request,
    complete_request,
    file_request,
    forward_request,
    mark_ready,
    receive_back,
    reject_request,
    resubmit_request,
    return_request,
    start_processing,
    verify_request,
)
from services.deadlines import add_working_days
from services.models import Letter, RequestEvent, ServiceRequest, ServiceType
from villages.models import Role, RoleAssignment, Village

FIRST_NAMES = (
    ("Siti", "female"),
    ("Budi", "male"),
    ("Sri", "female"),
    ("Agus", "male"),
    ("Dewi", "female"),
    ("Eko", "male"),
    ("Wahyu", "male"),
    ("Endang", "female"),
    ("Suparman", "male"),
    ("Lilik", "female"),
)
SECOND_NAMES = ("Rahayu", "Santoso", "Wulandari", "Prasetyo", "Susilowati", "Hartono", "Purnomo")
PURPOSES = {
    "domisili": "Persyaratan membuka rekening bank",
    "usaha": "Pengajuan Kredit Usaha Rakyat (KUR)",
    "tidak-mampu": "Keringanan biaya sekolah anak",
    "kelahiran": "Pengurusan akta kelahiran",
    "kematian": "Pengurusan akta kematian",
    "pindah": "Pindah domisili ke Kota Malang",
    "belum-menikah": "Persyaratan melamar pekerjaan",
    "pengantar-ktp": "Perekaman KTP-el pertama",
    "pengantar-kk": "Perubahan data Kartu Keluarga",
    "pengantar-skck": "Persyaratan melamar pekerjaan",
}
# The path of request number i at a village: the statuses it goes through after filing.
PATHS = (
    (),
    ("verify",),
    ("verify", "process"),
    ("verify", "forward"),
    ("verify", "process", "ready"),
    ("verify", "process", "ready", "complete"),
    ("verify", "forward", "receive", "ready", "complete"),
    ("return",),
    ("reject",),
    ("return", "resubmit", "verify", "process", "ready", "complete"),
    ("cancel",),
)
# Days ago each request was filed, by its number: the active ones old enough to be overdue.
FILED_DAYS_AGO = (1, 2, 16, 9, 2, 40, 75, 12, 30, 100, 20)
AGENCY_TYPES = ("pengantar-ktp", "pengantar-kk", "pengantar-skck")
VILLAGE_TYPES = ("domisili", "usaha", "tidak-mampu", "belum-menikah", "kelahiran", "pindah")


@dataclass(frozen=True)
class DemoServicesResult:
    requests: int
    overdue: int
    letters: int


@transaction.atomic
def load_demo_services() -> DemoServicesResult:
    """Load the requests demo on top of `load_demo()`; skipped when its requests exist."""
    villages = demo_programme_villages()
    if not ServiceRequest.objects.filter(village__in=villages).exists():
        types = {t.code: t for t in ServiceType.objects.all()}
        specs = [(village, number) for village in villages for number in range(len(PATHS))]
        # Oldest first, so that letter numbers follow the order of the letters' dates.
        specs.sort(key=lambda spec: -_days_ago(*spec))
        for village, number in specs:
            _demo_request(village, number, types, _secretary(village))
    demo = ServiceRequest.objects.filter(village__in=villages)
    return DemoServicesResult(
        requests=demo.count(),
        overdue=demo.overdue().count(),
        letters=Letter.objects.filter(service_request__village__in=villages).count(),
    )


def _days_ago(village: Village, number: int) -> int:
    return FILED_DAYS_AGO[number] + int(village.code[-2:]) % 4


def _secretary(village: Village) -> User:
    """The village's demo secretary: `sekdes.jaten` and `sekdes.salam` sign in; the others'
    accounts exist only to act in the demo (no usable password)."""
    assignment = (
        RoleAssignment.objects.filter(role=Role.VILLAGE_SECRETARY, village=village)
        .select_related("user")
        .first()
    )
    if assignment:
        return assignment.user
    username = f"sekdes.{village.code.replace('.', '')}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=f"Sekretaris Desa {village.name.title()}")
        user.set_unusable_password()
        user.save()
    RoleAssignment.objects.create(user=user, role=Role.VILLAGE_SECRETARY, village=village)
    return user


def _applicant(village: Village, number: int) -> tuple[str, str, str]:
    """(name, sex, NIK) of a resident registered in the village's kecamatan."""
    seed = int(village.code[-4:]) + number * 7
    first, sex = FIRST_NAMES[seed % len(FIRST_NAMES)]
    name = f"{first} {SECOND_NAMES[seed % len(SECOND_NAMES)]}"
    day = 1 + seed % 28 + (40 if sex == "female" else 0)
    month, year = 1 + seed % 12, 60 + seed % 40
    kecamatan = village.code[:8].replace(".", "")
    return name, sex, f"{kecamatan}{day:02d}{month:02d}{year:02d}{1 + seed % 9000:04d}"


def _demo_request(village, number: int, types, secretary: User) -> None:
    steps = PATHS[number]
    code_pool = AGENCY_TYPES if "forward" in steps else VILLAGE_TYPES
    service_type = types[code_pool[(int(village.code[-3:]) + number) % len(code_pool)]]
    name, sex, nik = _applicant(village, number)
    service_request = file_request(
        village=village,
        service_type=service_type,
        applicant_name=name,
        nik=nik,
        applicant_sex=sex,
        applicant_phone=f"0813{int(village.code[-4:]) * 1000 + number:08d}",
        dusun="Krajan" if number % 2 else "Sumberejo",
        rt=f"{1 + number % 5:03d}",
        rw=f"{1 + number % 3:03d}",
        purpose=PURPOSES[service_type.code],
        actor=secretary,
    )
    for step in steps:
        service_request = _step(step, service_request, secretary, village)
    # Villages work at their own pace: between 6 and 45 hours from one step to the next.
    seed = int(village.code.replace(".", "")) % 997
    pace = datetime.timedelta(hours=6 + (seed * 7 + number * 5) % 40)
    _backdate(service_request, _days_ago(village, number), pace)


def _step(step: str, service_request, secretary, village):
    kwargs = {"service_request": service_request, "actor": secretary}
    if step == "verify":
        return verify_request(**kwargs)
    if step == "process":
        return start_processing(**kwargs)
    if step == "forward":
        agency = service_request.service_type.agency or f"Kecamatan {village.district.name}"
        return forward_request(forwarded_to=agency, **kwargs)
    if step == "receive":
        return receive_back(note="Dokumen sudah kembali dari dinas.", **kwargs)
    if step == "ready":
        return mark_ready(**kwargs)
    if step == "complete":
        return complete_request(**kwargs)
    if step == "return":
        return return_request(missing="Surat pengantar RT/RW belum dilampirkan.", **kwargs)
    if step == "resubmit":
        return resubmit_request(**kwargs)
    if step == "reject":
        return reject_request(reason="Pemohon bukan penduduk desa ini.", **kwargs)
    return cancel_request(reason="Dibatalkan pemohon.", **kwargs)


def _backdate(service_request: ServiceRequest, days_ago: int, pace: datetime.timedelta) -> None:
    """Move the request's times to its demo filing date: events `pace` apart, the deadline from
    the filing date, the letter's date (and the month in its number) with them."""
    filed_at = timezone.now() - datetime.timedelta(days=days_ago, hours=3)
    events = list(service_request.events.order_by("pk"))
    times = {}
    for index, event in enumerate(events):
        times[event.pk] = filed_at + index * pace
        RequestEvent.objects.filter(pk=event.pk).update(created_at=times[event.pk])
    last = times[events[-1].pk]
    # A resubmitted request's deadline runs from the day it came back complete.
    restart = next(
        (times[e.pk] for e in events if e.from_status == "returned" and e.to_status == "submitted"),
        filed_at,
    )
    sla = service_request.service_type.sla_working_days
    ServiceRequest.objects.filter(pk=service_request.pk).update(
        submitted_at=filed_at,
        due_on=add_working_days(timezone.localdate(restart), sla),
        completed_at=last if service_request.completed_at else None,
    )
    letter = Letter.objects.filter(service_request=service_request).first()
    if letter:
        ready = next(times[e.pk] for e in events if e.to_status == "ready")
        local = timezone.localtime(ready)
        Letter.objects.filter(pk=letter.pk).update(
            issued_at=ready,
            number=letter_number(
                letter_code=service_request.service_type.letter_code,
                sequence=letter.sequence,
                village_code=service_request.village_id,
                month=local.month,
                year=letter.year,
            ),
        )
