"""The common village services, as a starting catalogue that officials then edit.

Letter classification codes follow the usual village practice (Permendagri 78/2012 numbering):
470 population, 471 identity documents, 474.x civil registration, 475 moving, 503 business,
401 welfare, 331 public order. The letter texts use the placeholders of services.letters.
"""

from django.db import migrations

RESIDENT = (
    "Nama: {applicant_name}\nNIK: {nik}\nAlamat: {address}\n\n"
)
KTP_KK_RT = "KTP-el pemohon\nKartu Keluarga\nSurat pengantar RT/RW"

# (code, name, handling level, agency, working days, issues letter, letter code, title, body,
#  required documents)
CATALOGUE = [
    (
        "domisili",
        "Surat Keterangan Domisili",
        "village", "", 2, True, "470", "SURAT KETERANGAN DOMISILI",
        "Yang bertanda tangan di bawah ini menerangkan bahwa:\n\n" + RESIDENT
        + "adalah benar penduduk yang berdomisili di {village_full}.\n\n"
        "Surat keterangan ini dibuat untuk keperluan: {purpose}.",
        KTP_KK_RT,
    ),
    (
        "usaha",
        "Surat Keterangan Usaha (SKU)",
        "village", "", 3, True, "503", "SURAT KETERANGAN USAHA",
        "Yang bertanda tangan di bawah ini menerangkan bahwa:\n\n" + RESIDENT
        + "adalah benar penduduk {village_full} yang menjalankan usaha di wilayah desa.\n\n"
        "Surat keterangan ini dibuat untuk keperluan: {purpose}.",
        KTP_KK_RT + "\nFoto tempat usaha",
    ),
    (
        "tidak-mampu",
        "Surat Keterangan Tidak Mampu (SKTM)",
        "village", "", 2, True, "401", "SURAT KETERANGAN TIDAK MAMPU",
        "Yang bertanda tangan di bawah ini menerangkan bahwa:\n\n" + RESIDENT
        + "adalah benar penduduk {village_full} yang tergolong keluarga tidak mampu.\n\n"
        "Surat keterangan ini dibuat untuk keperluan: {purpose}.",
        KTP_KK_RT,
    ),
    (
        "kelahiran",
        "Surat Keterangan Kelahiran",
        "village", "", 2, True, "474.1", "SURAT KETERANGAN KELAHIRAN",
        "Yang bertanda tangan di bawah ini menerangkan bahwa pelapor:\n\n" + RESIDENT
        + "telah melaporkan kelahiran anggota keluarganya di {village_full}.\n\n"
        "Keterangan: {purpose}.",
        "Surat keterangan lahir dari bidan atau rumah sakit\nKTP-el orang tua\nKartu Keluarga\n"
        "Buku nikah orang tua",
    ),
    (
        "kematian",
        "Surat Keterangan Kematian",
        "village", "", 1, True, "474.3", "SURAT KETERANGAN KEMATIAN",
        "Yang bertanda tangan di bawah ini menerangkan bahwa pelapor:\n\n" + RESIDENT
        + "telah melaporkan kematian anggota keluarganya, penduduk {village_full}.\n\n"
        "Keterangan: {purpose}.",
        "KTP-el almarhum\nKartu Keluarga\nSurat keterangan dari rumah sakit atau dua saksi",
    ),
    (
        "pindah",
        "Surat Keterangan Pindah",
        "village", "", 3, True, "475", "SURAT KETERANGAN PINDAH",
        "Yang bertanda tangan di bawah ini menerangkan bahwa:\n\n" + RESIDENT
        + "adalah penduduk {village_full} yang bermaksud pindah.\n\n"
        "Keterangan: {purpose}.",
        "KTP-el\nKartu Keluarga",
    ),
    (
        "belum-menikah",
        "Surat Keterangan Belum Menikah",
        "village", "", 2, True, "474.2", "SURAT KETERANGAN BELUM PERNAH MENIKAH",
        "Yang bertanda tangan di bawah ini menerangkan bahwa:\n\n" + RESIDENT
        + "adalah benar penduduk {village_full} dan sampai saat ini belum pernah menikah.\n\n"
        "Surat keterangan ini dibuat untuk keperluan: {purpose}.",
        KTP_KK_RT,
    ),
    (
        "pengantar-ktp",
        "Surat Pengantar KTP-el",
        "agency", "Dinas Kependudukan dan Pencatatan Sipil", 14, True, "471",
        "SURAT PENGANTAR",
        "Bersama ini kami antarkan penduduk kami:\n\n" + RESIDENT
        + "untuk mengurus Kartu Tanda Penduduk elektronik (KTP-el).\n\nKeterangan: {purpose}.",
        "Kartu Keluarga\nAkta kelahiran",
    ),
    (
        "pengantar-kk",
        "Surat Pengantar Kartu Keluarga",
        "agency", "Dinas Kependudukan dan Pencatatan Sipil", 14, True, "471",
        "SURAT PENGANTAR",
        "Bersama ini kami antarkan penduduk kami:\n\n" + RESIDENT
        + "untuk mengurus Kartu Keluarga.\n\nKeterangan: {purpose}.",
        "Kartu Keluarga lama\nBuku nikah atau akta cerai\nSurat keterangan pindah, bila ada",
    ),
    (
        "pengantar-skck",
        "Surat Pengantar SKCK",
        "agency", "Kepolisian Resor", 5, True, "331", "SURAT PENGANTAR",
        "Bersama ini kami antarkan penduduk kami:\n\n" + RESIDENT
        + "untuk mengurus Surat Keterangan Catatan Kepolisian (SKCK).\n\n"
        "Keterangan: {purpose}.",
        KTP_KK_RT + "\nAkta kelahiran\nPas foto 4x6",
    ),
]


def add_catalogue(apps, schema_editor):
    ServiceType = apps.get_model("services", "ServiceType")
    for order, (code, name, level, agency, days, letter, letter_code, title, body, docs) in (
        enumerate(CATALOGUE)
    ):
        ServiceType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "handling_level": level,
                "agency": agency,
                "sla_working_days": days,
                "issues_letter": letter,
                "letter_code": letter_code,
                "letter_title": title,
                "letter_body": body,
                "required_documents": docs,
                "order": order,
            },
        )


def remove_catalogue(apps, schema_editor):
    ServiceType = apps.get_model("services", "ServiceType")
    ServiceType.objects.filter(code__in=[row[0] for row in CATALOGUE], requests=None).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0001_catalogue_requests_letters")]

    operations = [migrations.RunPython(add_catalogue, remove_catalogue)]
