"""The signed-in user's income and expense categories."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from budget.domain.model.category import CategoryKind
from budget.domain.model.household import Caller
from budget.domain.model.ids import CategoryId, HouseholdId
from budget.domain.model.ledger_queries import (
    CATEGORY_SORTS,
    CategoryFilters,
)
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.services.categories import (
    CreateCategory,
    DeleteCategory,
    GetCategory,
    ListCategories,
    UpdateCategory,
)
from budget.entrypoints.http import sorts
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.params import (
    ArchivedFilter,
    HouseholdFilter,
    Limit,
    Offset,
    sort_parameter,
)
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.responses import created, location_header
from budget.entrypoints.http.schemas.categories import (
    CategoryCreate,
    CategoryPage,
    CategoryRead,
    CategoryUpdate,
)
from budget.entrypoints.http.schemas.paging import Page

BASE = "/api/v1/categories"

LIST_DESCRIPTION = """\
Your categories, paged with `limit` and `offset`. A new user starts with a default set
(Salary, Other income; Groceries, Rent, Transport, Utilities, Eating out, Health,
Entertainment, Other).

* Filters: `kind` (`income` or `expense`), `parent_id` (the children of that category),
  `archived` (`true` or `false`; absent lists both).
* Sort: `name` (default) or `created_at`; prefix `-` to reverse. Ties break on `id`.
"""

CREATE_DESCRIPTION = """\
Create a category. A `parent_id` must be one of your top-level categories of the same
kind (else 422): categories group one level deep. The name must be unique within
(`kind`, `parent_id`) (else 409). Answers 201 with `Location`.
"""

UPDATE_DESCRIPTION = """\
Change the sent fields only; `null` clears `parent_id` or `color`. Changing `kind` while
transactions or budgets use the category is a 409; while it has subcategories a 422. A
category with subcategories cannot get a parent (422).
"""

DELETE_DESCRIPTION = """\
Delete a category: its transactions become uncategorised, its budgets are removed and
its subcategories become top-level (409 if a subcategory's name is already taken at the
top level of its kind: rename it first).
"""

CategorySort = Annotated[
    sorts.CategorySort, sort_parameter("name or created_at; prefix - to reverse (default name)")
]
KindFilter = Annotated[CategoryKind | None, Parameter(description="income or expense")]
ParentFilter = Annotated[UUID | None, Parameter(description="Only the children of this category")]


LOCATION = location_header("category", f"{BASE}/{{id}}")


class CategoriesController(Controller):
    path = BASE
    tags = ["categories"]
    security = SECURED

    @get(
        operation_id="listCategories",
        summary="List categories",
        description=LIST_DESCRIPTION,
        responses=problems(401, 422),
    )
    async def list_categories(
        self,
        caller: NamedDependency[Caller],
        list_categories: NamedDependency[ListCategories],
        limit: Limit = 50,
        offset: Offset = 0,
        sort: CategorySort = sorts.CATEGORIES_BY_DEFAULT,
        kind: KindFilter = None,
        parent_id: ParentFilter = None,
        archived: ArchivedFilter = None,
        household_id: HouseholdFilter = None,
    ) -> CategoryPage:
        filters = CategoryFilters(
            kind, None if parent_id is None else CategoryId(parent_id), archived
        )
        request = PageRequest(limit, offset)
        page = await list_categories.execute(
            caller,
            filters,
            request,
            Sort.parse(sort, CATEGORY_SORTS),
            household_id=None if household_id is None else HouseholdId(household_id),
        )
        return Page.of(page, CategoryRead.of)

    @post(
        operation_id="createCategory",
        response_headers=LOCATION,
        summary="Create a category",
        description=CREATE_DESCRIPTION,
        responses=problems(400, 401, 403, 409, 413, 422),
    )
    async def create_category(
        self,
        data: JSONBody[CategoryCreate],
        caller: NamedDependency[Caller],
        create_category: NamedDependency[CreateCategory],
    ) -> Response[CategoryRead]:
        category = await create_category.execute(caller, data.draft())
        return created(CategoryRead.of(category), f"{BASE}/{category.id}")

    @get(
        "/{category_id:uuid}",
        operation_id="getCategory",
        summary="Get a category",
        responses=problems(401, 404),
    )
    async def get_category(
        self,
        category_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        get_category: NamedDependency[GetCategory],
    ) -> CategoryRead:
        return CategoryRead.of(await get_category.execute(caller, CategoryId(category_id)))

    @patch(
        "/{category_id:uuid}",
        operation_id="updateCategory",
        summary="Change a category",
        description=UPDATE_DESCRIPTION,
        responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    async def update_category(
        self,
        category_id: FromPath[UUID],
        data: JSONBody[CategoryUpdate],
        caller: NamedDependency[Caller],
        update_category: NamedDependency[UpdateCategory],
    ) -> CategoryRead:
        category = await update_category.execute(caller, CategoryId(category_id), data.changes())
        return CategoryRead.of(category)

    @delete(
        "/{category_id:uuid}",
        operation_id="deleteCategory",
        summary="Delete a category",
        description=DELETE_DESCRIPTION,
        responses=problems(401, 403, 404, 409),
    )
    async def delete_category(
        self,
        category_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        delete_category: NamedDependency[DeleteCategory],
    ) -> None:
        await delete_category.execute(caller, CategoryId(category_id))
