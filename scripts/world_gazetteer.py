"""Write the world gazetteer that ships with bilateral: every state of ISO 3166-1 with the words
that stand for its government in English news.

Codes, short names and official names come from pycountry (ISO 3166-1); the common English
names, adjectives and capitals it lacks come from the table below. A dossier's own ``states``
add to and override these entries.

    python scripts/world_gazetteer.py            # rewrites src/bilateral/dossier/data/world.json
    python scripts/world_gazetteer.py --check    # exit 1 when the shipped file is out of date

Names are matched as written, case counting, so "Turkey" is the state and "turkey" the bird.
A word left out below is one that, in English news, more often means something else: such a
word is worse than no word, because every sentence that holds it would gain a state.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

import pycountry

TARGET = Path(__file__).resolve().parents[1] / "src" / "bilateral" / "dossier" / "data" / \
    "world.json"

#: ISO 3166-1 entries that are not states: territories and dependencies, whose affairs another
#: state's government conducts, and Antarctica. A name such as Guam or Puerto Rico in the news
#: is a place where something happens, not a party that acts.
NOT_STATES = frozenset({
    "ABW", "AIA", "ALA", "ASM", "ATA", "ATF", "BES", "BLM", "BMU", "BVT", "CCK", "COK", "CUW",
    "CXR", "CYM", "ESH", "FLK", "FRO", "GGY", "GIB", "GLP", "GRL", "GUF", "GUM", "HKG", "HMD",
    "IMN", "IOT", "JEY", "MAC", "MAF", "MNP", "MSR", "MTQ", "MYT", "NCL", "NFK", "NIU", "PCN",
    "PRI", "PYF", "REU", "SGS", "SHN", "SJM", "SPM", "SXM", "TCA", "TKL", "UMI", "VGB", "VIR",
    "WLF",
})

#: Words that name a state but, capitalised as written, usually mean something else; they are
#: left out wherever they would appear. A dossier that needs one lists it under its states.
LEFT_OUT = {
    "Georgia": "the U.S. state",
    "Georgian": "of the U.S. state as well",
    "Jordan": "a first name and a surname",
    "Chad": "a first name",
    "Congo": "two states, a river and a basin",
    "Congolese": "of either Congo",
    "Macedonia": "a region of Greece as well",
    "Macedonian": "of the Greek region as well",
    "Micronesian": "of the whole region",
    "Central African": "of the whole region",
    "Emirates": "an airline",
    "Kiwi": "a fruit and a bird",
    "Brussels": "the European Union's institutions",
    "Victoria": "a first name, an Australian state and a Canadian city",
    "Kingston": "cities in Canada and the U.S. as well",
    "Georgetown": "a Washington university and district",
    "Nassau": "a New York county",
    "Santiago": "a first name",
    "Sofia": "a first name",
    "Sucre": "a surname",
    "Male": "an ordinary word at the start of a sentence",
    "San José": "a Californian city",
    "San Jose": "a Californian city",
    "Panama City": "a Florida city",
    "St. George's": "many places",
    "Saint John's": "many places",
    "St. John's": "many places",
    "PNG": "an image format",
}

#: code -> (common English names, adjectives, capitals), each "|"-separated. The first common
#: name, when given, is the state's name; otherwise pycountry's short name is.
TABLE: dict[str, tuple[str, str, str]] = {
    "AFG": ("", "Afghan", "Kabul"),
    "AGO": ("", "Angolan", "Luanda"),
    "ALB": ("", "Albanian", "Tirana"),
    "AND": ("", "Andorran", "Andorra la Vella"),
    "ARE": ("United Arab Emirates|UAE|U.A.E.", "Emirati", "Abu Dhabi"),
    "ARG": ("", "Argentine|Argentinian", "Buenos Aires"),
    "ARM": ("", "Armenian", "Yerevan"),
    "ATG": ("", "Antiguan", ""),
    "AUS": ("", "Australian", "Canberra"),
    "AUT": ("", "Austrian", "Vienna"),
    "AZE": ("", "Azerbaijani", "Baku"),
    "BDI": ("", "Burundian", "Gitega"),
    "BEL": ("", "Belgian", ""),
    "BEN": ("", "Beninese", "Porto-Novo"),
    "BFA": ("", "Burkinabe|Burkinabè", "Ouagadougou"),
    "BGD": ("", "Bangladeshi", "Dhaka"),
    "BGR": ("", "Bulgarian", ""),
    "BHR": ("", "Bahraini", "Manama"),
    "BHS": ("Bahamas|The Bahamas", "Bahamian", ""),
    "BIH": ("Bosnia and Herzegovina|Bosnia|Bosnia-Herzegovina", "Bosnian", "Sarajevo"),
    "BLR": ("", "Belarusian", "Minsk"),
    "BLZ": ("", "Belizean", "Belmopan"),
    "BOL": ("", "Bolivian", "La Paz"),
    "BRA": ("", "Brazilian", "Brasília"),
    "BRB": ("", "Barbadian", "Bridgetown"),
    "BRN": ("Brunei", "Bruneian", "Bandar Seri Begawan"),
    "BTN": ("", "Bhutanese", "Thimphu"),
    "BWA": ("", "Botswanan", "Gaborone"),
    "CAF": ("", "", "Bangui"),
    "CAN": ("", "Canadian", "Ottawa"),
    "CHE": ("", "Swiss", "Bern|Berne"),
    "CHL": ("", "Chilean", ""),
    "CHN": ("China|PRC|mainland China", "Chinese", "Beijing"),
    "CIV": ("Ivory Coast", "Ivorian", "Yamoussoukro"),
    "CMR": ("", "Cameroonian", "Yaoundé"),
    "COD": ("Democratic Republic of the Congo|DR Congo|DRC|Congo-Kinshasa", "", "Kinshasa"),
    "COG": ("Republic of the Congo|Congo-Brazzaville", "", "Brazzaville"),
    "COL": ("", "Colombian", "Bogotá"),
    "COM": ("", "Comorian", "Moroni"),
    "CPV": ("Cape Verde", "Cape Verdean|Cabo Verdean", "Praia"),
    "CRI": ("", "Costa Rican", ""),
    "CUB": ("", "Cuban", "Havana"),
    "CYP": ("", "Cypriot", "Nicosia"),
    "CZE": ("Czech Republic", "Czech", "Prague"),
    "DEU": ("", "German", "Berlin"),
    "DJI": ("", "Djiboutian", ""),
    "DMA": ("", "", "Roseau"),
    "DNK": ("", "Danish", "Copenhagen"),
    "DOM": ("", "Dominican", "Santo Domingo"),
    "DZA": ("", "Algerian", "Algiers"),
    "ECU": ("", "Ecuadorian", "Quito"),
    "EGY": ("", "Egyptian", "Cairo"),
    "ERI": ("", "Eritrean", "Asmara"),
    "ESP": ("", "Spanish", "Madrid"),
    "EST": ("", "Estonian", "Tallinn"),
    "ETH": ("", "Ethiopian", "Addis Ababa"),
    "FIN": ("", "Finnish", "Helsinki"),
    "FJI": ("", "Fijian", "Suva"),
    "FRA": ("", "French", "Paris|Elysee|Élysée"),
    "FSM": ("", "", "Palikir"),
    "GAB": ("", "Gabonese", "Libreville"),
    "GBR": ("United Kingdom|Britain|Great Britain|UK|U.K.", "British", "London"),
    "GEO": ("Republic of Georgia|Georgian government", "", "Tbilisi"),
    "GHA": ("", "Ghanaian", "Accra"),
    "GIN": ("", "Guinean", "Conakry"),
    "GMB": ("The Gambia", "Gambian", "Banjul"),
    "GNB": ("", "Bissau-Guinean", "Bissau"),
    "GNQ": ("", "Equatorial Guinean|Equatoguinean", "Malabo"),
    "GRC": ("", "Greek", "Athens"),
    "GRD": ("", "Grenadian", ""),
    "GTM": ("", "Guatemalan", "Guatemala City"),
    "GUY": ("", "Guyanese", ""),
    "HND": ("", "Honduran", "Tegucigalpa"),
    "HRV": ("", "Croatian", "Zagreb"),
    "HTI": ("", "Haitian", "Port-au-Prince"),
    "HUN": ("", "Hungarian", "Budapest"),
    "IDN": ("", "Indonesian", "Jakarta"),
    "IND": ("", "Indian", "New Delhi"),
    "IRL": ("Republic of Ireland", "Irish", "Dublin"),
    "IRN": ("", "Iranian", "Tehran"),
    "IRQ": ("", "Iraqi", "Baghdad"),
    "ISL": ("", "Icelandic", "Reykjavík"),
    "ISR": ("", "Israeli", "Jerusalem"),
    "ITA": ("", "Italian", "Rome"),
    "JAM": ("", "Jamaican", ""),
    "JOR": ("", "Jordanian", "Amman"),
    "JPN": ("", "Japanese", "Tokyo"),
    "KAZ": ("", "Kazakh|Kazakhstani", "Astana"),
    "KEN": ("", "Kenyan", "Nairobi"),
    "KGZ": ("", "Kyrgyz", "Bishkek"),
    "KHM": ("", "Cambodian", "Phnom Penh"),
    "KIR": ("", "", "Tarawa"),
    "KNA": ("Saint Kitts and Nevis|St. Kitts and Nevis|St Kitts and Nevis", "Kittitian",
            "Basseterre"),
    "KOR": ("Republic of Korea|ROK|S. Korea", "South Korean", "Seoul"),
    "KWT": ("", "Kuwaiti", "Kuwait City"),
    "LAO": ("Laos|Lao PDR", "Laotian", "Vientiane"),
    "LBN": ("", "Lebanese", "Beirut"),
    "LBR": ("", "Liberian", "Monrovia"),
    "LBY": ("", "Libyan", "Tripoli"),
    "LCA": ("Saint Lucia|St. Lucia|St Lucia", "St. Lucian|Saint Lucian", "Castries"),
    "LIE": ("", "", "Vaduz"),
    "LKA": ("", "Sri Lankan", "Colombo"),
    "LSO": ("", "", "Maseru"),
    "LTU": ("", "Lithuanian", "Vilnius"),
    "LUX": ("", "", ""),
    "LVA": ("", "Latvian", "Riga"),
    "MAR": ("", "Moroccan", "Rabat"),
    "MCO": ("", "Monegasque", ""),
    "MDA": ("", "Moldovan", "Chișinău|Chisinau"),
    "MDG": ("", "Malagasy", "Antananarivo"),
    "MDV": ("", "Maldivian", "Malé"),
    "MEX": ("", "Mexican", "Mexico City"),
    "MHL": ("", "Marshallese", "Majuro"),
    "MKD": ("", "North Macedonian", "Skopje"),
    "MLI": ("", "Malian", "Bamako"),
    "MLT": ("", "Maltese", "Valletta"),
    "MMR": ("Myanmar|Burma", "Burmese", "Naypyidaw|Naypyitaw|Nay Pyi Taw"),
    "MNE": ("", "Montenegrin", "Podgorica"),
    "MNG": ("", "Mongolian", "Ulaanbaatar|Ulan Bator"),
    "MOZ": ("", "Mozambican", "Maputo"),
    "MRT": ("", "Mauritanian", "Nouakchott"),
    "MUS": ("", "Mauritian", "Port Louis"),
    "MWI": ("", "Malawian", "Lilongwe"),
    "MYS": ("", "Malaysian", "Kuala Lumpur"),
    "NAM": ("", "Namibian", "Windhoek"),
    "NER": ("", "Nigerien", "Niamey"),
    "NGA": ("", "Nigerian", "Abuja"),
    "NIC": ("", "Nicaraguan", "Managua"),
    "NLD": ("Netherlands|Holland", "Dutch", "The Hague|Amsterdam"),
    "NOR": ("", "Norwegian", "Oslo"),
    "NPL": ("", "Nepali|Nepalese", "Kathmandu"),
    "NRU": ("", "Nauruan", ""),
    "NZL": ("", "", "Wellington"),
    "OMN": ("", "Omani", "Muscat"),
    "PAK": ("", "Pakistani", "Islamabad"),
    "PAN": ("", "Panamanian", ""),
    "PER": ("", "Peruvian", "Lima"),
    "PHL": ("Philippines", "Philippine|Filipino", "Manila"),
    "PLW": ("", "Palauan", "Ngerulmud"),
    "PNG": ("", "Papua New Guinean", "Port Moresby"),
    "POL": ("", "Polish", "Warsaw"),
    "PRK": ("Democratic People's Republic of Korea|DPRK|N. Korea", "North Korean", "Pyongyang"),
    "PRT": ("", "Portuguese", "Lisbon"),
    "PRY": ("", "Paraguayan", "Asunción"),
    "PSE": ("Palestine|State of Palestine|Palestinian Authority", "Palestinian", "Ramallah"),
    "QAT": ("", "Qatari", "Doha"),
    "ROU": ("", "Romanian", "Bucharest"),
    "RUS": ("Russia", "Russian", "Moscow|Kremlin"),
    "RWA": ("", "Rwandan", "Kigali"),
    "SAU": ("", "Saudi", "Riyadh"),
    "SDN": ("", "Sudanese", "Khartoum"),
    "SEN": ("", "Senegalese", "Dakar"),
    "SGP": ("", "Singaporean", ""),
    "SLB": ("", "", "Honiara"),
    "SLE": ("", "Sierra Leonean", "Freetown"),
    "SLV": ("", "Salvadoran", "San Salvador"),
    "SMR": ("", "Sammarinese", ""),
    "SOM": ("", "Somali", "Mogadishu"),
    "SRB": ("", "Serbian", "Belgrade"),
    "SSD": ("", "South Sudanese", "Juba"),
    "STP": ("São Tomé and Príncipe", "", "São Tomé"),
    "SUR": ("", "Surinamese", "Paramaribo"),
    "SVK": ("", "Slovak", "Bratislava"),
    "SVN": ("", "Slovenian|Slovene", "Ljubljana"),
    "SWE": ("", "Swedish", "Stockholm"),
    "SWZ": ("Eswatini|Swaziland", "Swazi", "Mbabane"),
    "SYC": ("", "Seychellois", ""),
    "SYR": ("", "Syrian", "Damascus"),
    "TCD": ("", "Chadian", "N'Djamena"),
    "TGO": ("", "Togolese", "Lomé"),
    "THA": ("", "Thai", "Bangkok"),
    "TJK": ("", "Tajik", "Dushanbe"),
    "TKM": ("", "Turkmen", "Ashgabat"),
    "TLS": ("East Timor", "Timorese|East Timorese", "Dili"),
    "TON": ("", "Tongan", "Nuku'alofa"),
    "TTO": ("Trinidad and Tobago|Trinidad", "Trinidadian", "Port of Spain"),
    "TUN": ("", "Tunisian", "Tunis"),
    "TUR": ("Turkey", "Turkish", "Ankara"),
    "TUV": ("", "Tuvaluan", "Funafuti"),
    "TWN": ("Taiwan|Republic of China", "Taiwanese", "Taipei"),
    "TZA": ("", "Tanzanian", "Dodoma"),
    "UGA": ("", "Ugandan", "Kampala"),
    "UKR": ("", "Ukrainian", "Kyiv|Kiev"),
    "URY": ("", "Uruguayan", "Montevideo"),
    "USA": ("United States|U.S.|US|USA|U.S.A.|America", "American", "Washington"),
    "UZB": ("", "Uzbek", "Tashkent"),
    "VAT": ("Holy See|Vatican|Vatican City", "", ""),
    "VCT": ("Saint Vincent and the Grenadines|St. Vincent and the Grenadines", "Vincentian",
            "Kingstown"),
    "VEN": ("", "Venezuelan", "Caracas"),
    "VNM": ("Vietnam", "Vietnamese", "Hanoi"),
    "VUT": ("", "", "Port Vila"),
    "WSM": ("", "Samoan", "Apia"),
    "YEM": ("", "Yemeni", "Sanaa|Sana'a"),
    "ZAF": ("", "South African", "Pretoria"),
    "ZMB": ("", "Zambian", "Lusaka"),
    "ZWE": ("", "Zimbabwean", "Harare"),
}


def _split(field: str) -> list[str]:
    return [word.strip() for word in field.split("|") if word.strip()]


def _plain(name: str) -> str:
    """Accents removed: news written in ASCII spells "Brasilia", "Turkiye", "Cote d'Ivoire"."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", name)
                   if not unicodedata.combining(ch))


def _iso_names(country: object) -> list[str]:
    """pycountry's names as news writes them: an inverted name ("Korea, Republic of") or one
    with a note in brackets is no name anyone writes, and a leading "the" is not part of it."""
    names = []
    for field in ("common_name", "name", "official_name"):
        name = getattr(country, field, None)
        if name and "," not in name and "(" not in name:
            names.append(name.removeprefix("the "))
    return names


def _unique(words: list[str]) -> list[str]:
    """Each word once, with its ASCII spelling after it, in the order given, those left out
    removed."""
    seen: list[str] = []
    for word in words:
        for form in (word, _plain(word)):
            if form not in seen and form not in LEFT_OUT:
                seen.append(form)
    return seen


def build() -> dict[str, object]:
    """The gazetteer as written to ``world.json``."""
    iso = {c.alpha_3: c for c in pycountry.countries}
    unknown = sorted(set(TABLE) - set(iso))
    unsorted = sorted(set(iso) - set(TABLE) - NOT_STATES)
    if unknown or unsorted:
        raise SystemExit(f"not ISO 3166-1 codes: {unknown}; neither states nor territories "
                         f"here: {unsorted}")
    states: dict[str, dict[str, object]] = {}
    owner: dict[str, str] = {}
    for code in sorted(TABLE):
        common, adjectives, capitals = (_split(field) for field in TABLE[code])
        names = _unique([*common, *_iso_names(iso[code])])
        entry = {"name": names[0], "aliases": names[1:], "adjectives": _unique(adjectives),
                 "capitals": _unique(capitals)}
        for words in entry.values():
            for word in [words] if isinstance(words, str) else words:
                key = word.casefold()
                if owner.setdefault(key, code) != code:
                    raise SystemExit(f"{word!r} names both {owner[key]} and {code}")
        states[code] = entry
    return {
        "about": "States of ISO 3166-1 and the words that stand for their governments; "
                 "written by scripts/world_gazetteer.py, do not edit by hand.",
        "source": f"pycountry {_version()} (ISO 3166-1) and the script's own table",
        "left_out": LEFT_OUT,
        "states": states,
    }


def _version() -> str:
    from importlib.metadata import version
    return version("pycountry")


def render() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only compare with the shipped file; exit 1 when it differs")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python scripts/world_gazetteer.py",
                  file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET} ({len(build()['states'])} states)")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
