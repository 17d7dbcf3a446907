"""Segments: members chosen by their tags — all of some, any of others, none of a third list — and,
for a store's manager, only members who bought at their store. The count is shown before anything is
done with a segment."""
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, or_, select

from webapp.auth.models import Role, User
from webapp.errors import check_length
from webapp.extensions import db
from webapp.outreach.errors import SegmentNameInvalid, SegmentNeedsATag, UnknownTag
from webapp.outreach.models import MemberManualTag, MemberTag, Segment
from webapp.outreach.tags import MANUAL
from webapp.sales.models import Order

NAME_LIMIT, MOST_TAGS = 60, 30


@dataclass
class Rule:
    """What a segment selects (a saved ``Segment`` or the editor's unsaved choice)."""

    all_tags: list[str] = field(default_factory=list)
    any_tags: list[str] = field(default_factory=list)
    none_tags: list[str] = field(default_factory=list)
    store_id: int | None = None

    @classmethod
    def of(cls, segment: Segment) -> "Rule":
        return cls(list(segment.all_tags), list(segment.any_tags), list(segment.none_tags), segment.store_id)

    @property
    def is_empty(self) -> bool:
        return not (self.all_tags or self.any_tags or self.none_tags)


def _has(tags: list[str]):
    """The member has one of these tags (computed ones, ``manual:…`` ones given by hand)."""
    computed = [t for t in tags if not t.startswith(MANUAL)]
    manual = [t.removeprefix(MANUAL) for t in tags if t.startswith(MANUAL)]
    found = []
    if computed:
        found.append(exists().where(MemberTag.customer_id == User.id, MemberTag.tag.in_(computed)))
    if manual:
        found.append(exists().where(MemberManualTag.customer_id == User.id, MemberManualTag.name.in_(manual)))
    return or_(*found)


def members(rule: Rule):
    """SELECT of the ids of the active customers the rule selects."""
    query = select(User.id).where(User.role == Role.CUSTOMER.value, User.active.is_(True))
    for tag in rule.all_tags:
        query = query.where(_has([tag]))
    if rule.any_tags:
        query = query.where(_has(rule.any_tags))
    if rule.none_tags:
        query = query.where(~_has(rule.none_tags))
    if rule.store_id is not None:
        query = query.where(exists().where(and_(Order.customer_id == User.id, Order.store_id == rule.store_id,
                                                Order.kind == "sale", Order.status == "completed")))
    return query


def count(rule: Rule) -> int:
    if rule.is_empty:
        return 0
    return db.session.scalar(select(func.count()).select_from(members(rule).subquery())) or 0


def checked(rule: Rule) -> Rule:
    """The rule with known tags only; refused when it names no tag or a tag nobody has."""
    if rule.is_empty:
        raise SegmentNeedsATag()
    wanted = {t for t in rule.all_tags + rule.any_tags + rule.none_tags}
    if len(wanted) > MOST_TAGS:
        raise SegmentNeedsATag()
    known = {t for t in wanted if not t.startswith(MANUAL) and db.session.scalar(
        select(MemberTag.customer_id).where(MemberTag.tag == t).limit(1)) is not None}
    known |= {MANUAL + n for n in db.session.scalars(select(MemberManualTag.name).where(
        MemberManualTag.name.in_([t.removeprefix(MANUAL) for t in wanted if t.startswith(MANUAL)])).distinct())}
    for tag in sorted(wanted - known):
        raise UnknownTag(tag=tag[:60])
    return rule


def save(name: str, rule: Rule, *, user: User | None) -> Segment:
    name = check_length((name or "").replace("\x00", "").strip(), NAME_LIMIT, "name")
    if not name:
        raise SegmentNameInvalid(limit=NAME_LIMIT)
    checked(rule)
    segment = Segment(name=name, all_tags=rule.all_tags, any_tags=rule.any_tags, none_tags=rule.none_tags,
                      store_id=rule.store_id, created_by_id=user.id if user else None)
    db.session.add(segment)
    db.session.flush()
    return segment
