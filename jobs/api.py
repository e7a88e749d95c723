from rest_framework import mixins, serializers, viewsets

from jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "label",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "message",
            "result",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class JobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A long job's progress (imports, billing runs, PDF batches)."""

    serializer_class = JobSerializer
    queryset = Job.objects.all()
