"""Seed the IDM status bands (Permendes 2/2016) and a default Desa Cerdas indicator set.

Both are data that officials may edit later; the reverse removes only the seeded rows.
"""

from decimal import Decimal

from django.db import migrations

IDM_STATUSES = [
    ("sangat_tertinggal", "Sangat Tertinggal", Decimal("0.4907")),
    ("tertinggal", "Tertinggal", Decimal("0.5989")),
    ("berkembang", "Berkembang", Decimal("0.7072")),
    ("maju", "Maju", Decimal("0.8155")),
    ("mandiri", "Mandiri", Decimal("1.0000")),
]

# (dimension, code, name); each scored 0-4.
INDICATORS = [
    ("masyarakat", "literasi-digital", "Warga mengikuti pelatihan literasi digital"),
    ("masyarakat", "partisipasi-daring", "Warga menyampaikan aspirasi melalui kanal daring desa"),
    ("ekonomi", "umkm-daring", "UMKM desa berjualan secara daring"),
    ("ekonomi", "pembayaran-digital", "Pembayaran digital tersedia di pasar atau BUMDes"),
    ("tata_kelola", "layanan-daring", "Layanan administrasi desa dapat diajukan secara daring"),
    ("tata_kelola", "transparansi-apbdes", "APBDes dipublikasikan di situs atau media sosial desa"),
    ("lingkungan", "pengelolaan-sampah", "Pengelolaan sampah tercatat dan dipantau"),
    ("lingkungan", "peringatan-bencana", "Informasi kebencanaan disebarkan secara digital"),
    ("kehidupan", "layanan-kesehatan", "Data posyandu dan kesehatan warga tercatat digital"),
    ("kehidupan", "pendidikan-daring", "Akses belajar daring untuk warga dan pelajar"),
    ("mobilitas", "informasi-transportasi", "Informasi jalan dan transportasi desa tersedia daring"),
    ("mobilitas", "peta-desa", "Peta digital desa dan potensinya dipublikasikan"),
    ("internet", "akses-kantor-desa", "Kantor desa terhubung internet yang stabil"),
    ("internet", "titik-wifi-publik", "Titik Wi-Fi publik tersedia bagi warga"),
    ("database", "data-penduduk", "Data penduduk desa mutakhir dalam sistem informasi desa"),
    ("database", "data-potensi", "Data potensi dan aset desa tercatat digital"),
    ("sdm", "kader-digital", "Kader Digital ditetapkan dengan SK kepala desa"),
    ("sdm", "perangkat-terampil", "Perangkat desa terampil mengoperasikan layanan digital"),
]


def seed(apps, schema_editor):
    IdmStatus = apps.get_model("villages", "IdmStatus")
    Indicator = apps.get_model("villages", "Indicator")
    for code, name, max_score in IDM_STATUSES:
        IdmStatus.objects.update_or_create(code=code, defaults={"name": name, "max_score": max_score})
    for order, (dimension, code, name) in enumerate(INDICATORS):
        Indicator.objects.update_or_create(
            code=code, defaults={"dimension": dimension, "name": name, "order": order}
        )


def unseed(apps, schema_editor):
    apps.get_model("villages", "IdmStatus").objects.filter(
        code__in=[code for code, _name, _max in IDM_STATUSES]
    ).delete()
    apps.get_model("villages", "Indicator").objects.filter(
        code__in=[code for _dimension, code, _name in INDICATORS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("villages", "0002_profiles_boundaries_programmes_scorecards")]

    operations = [migrations.RunPython(seed, unseed)]
