"""The API's representation of a release: its manifest, its files' permanent addresses and (in detail) changelog."""

from rest_framework import serializers


class ReleaseSerializer(serializers.Serializer):
    """A published release (fields listed explicitly: the API is a published contract)."""

    id = serializers.CharField(source="public_id", help_text="The release's id: r1, r2, ...")
    number = serializers.IntegerField()
    note = serializers.CharField()
    published_at = serializers.DateTimeField()
    day = serializers.DateField(help_text="The US date it was published: answers for it without as_of are for it.")
    data_version = serializers.IntegerField()
    previous = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    manifest_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_previous(self, release) -> str | None:
        return release.manifest.get("previous")

    def get_counts(self, release) -> dict:
        return release.manifest.get("counts", {})

    def get_files(self, release) -> list[dict]:
        page = release.get_absolute_url()
        return [{**file, "url": self._absolute(page + file["name"])} for file in release.files]

    def get_manifest_url(self, release) -> str:
        return self._absolute(release.get_absolute_url() + "manifest.json")

    def get_page_url(self, release) -> str:
        return self._absolute(release.get_absolute_url())

    def get_url(self, release) -> str:
        return self._absolute(f"/api/v1/releases/{release.public_id}/")


class ReleaseDetailSerializer(ReleaseSerializer):
    changelog = serializers.SerializerMethodField(help_text="What changed since the previous release.")

    def get_changelog(self, release) -> dict:
        return self.context.get("changelog", {})
