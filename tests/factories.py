import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from hubs.models import Area, Hub, Membership, Role
from takatsuki_welfare.models import Code, CodeList


def code(code_list, value):
    """A seeded code (the code lists come with the migrations)."""
    return Code.objects.get(code_list=code_list, code=value)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Faker("last_name", locale="ja_JP")
    first_name = factory.Faker("first_name", locale="ja_JP")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area

    code = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"地区{n}")
    kind = Area.Kind.DISTRICT


class HubFactory(DjangoModelFactory):
    class Meta:
        model = Hub
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"hub-{n}")
    name = factory.Sequence(lambda n: f"テスト拠点{n}")
    kana = factory.Sequence(lambda n: f"てすときょてん{n}")
    kind = factory.LazyFunction(lambda: code(CodeList.HUB_KIND, "basic"))

    @factory.post_generation
    def fields(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.fields.set([code(CodeList.FIELD, c) for c in extracted])

    @factory.post_generation
    def projects(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.projects.set([code(CodeList.PROJECT, c) for c in extracted])

    @factory.post_generation
    def areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.areas.set(extracted)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    hub = factory.SubFactory(HubFactory)
    role = Role.STAFF
