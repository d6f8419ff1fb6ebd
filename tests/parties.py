"""The fixture organisations, units and test professionals the integration and UI tests act as
(fixtures/organisations.yaml, fixtures/roles.yaml)."""
from zoneinfo import ZoneInfo

from mock_kanta.client import Org, Professional, Unit

HKI = ZoneInfo("Europe/Helsinki")
HELSINKI = Org("1.2.246.10.2012566.10.40", "Helsingin sosiaali- ja terveystoimi")
HELSINKI_UNIT = Unit("1.2.246.10.2012566.10.40006775", "Lapsiperheiden sosiaaliohjaus Vuosaaren perhekeskus 1, Helsingin sotepe")
KEUSOTE = Org("1.2.246.10.32213449.10.0", "Keski-Uudenmaan hyvinvointialue (Keusote)")
KEUSOTE_UNIT = Unit("1.2.246.10.32213449.10.1001", "Keusote, perhesosiaalityö Hyvinkää")
KIELO = Org("1.2.246.10.29876516.10.0", "Hoivakoti Kielo Oy")
TUUSULA = Unit("1.2.246.10.29876516.10.2", "Hoivakoti Kielo, kotihoito Tuusula")
HYVINKAA = Unit("1.2.246.10.29876516.10.1", "Hoivakoti Kielo, tehostettu palveluasuminen Hyvinkää")
OFFICER = Professional("25100000901", "Kaisa", "Keusotelainen", title="sosiaalityöntekijä")  # Keusote, sosiaalityontekija
NURSE = Professional("25100000902", "Liisa", "Lähihoitaja", title="lähihoitaja")  # Kielo, lahihoitaja, task 24
NOBODY = Professional("25100000999", "Niko", "Nimetön")  # no role anywhere
