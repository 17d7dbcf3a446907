"""One page of a query's rows, for any select (entities or tuples)."""
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from webapp.extensions import db


@dataclass
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query: Select, number: int, per_page: int, *, scalars: bool = True) -> Page:
    number = max(1, number)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    window = query.limit(per_page).offset((number - 1) * per_page)
    result = db.session.execute(window)
    items = list(result.scalars().unique()) if scalars else list(result)
    return Page(items, number, per_page, total)
