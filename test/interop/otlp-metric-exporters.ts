import {OTLPExporterBase} from '@opentelemetry/otlp-exporter-base';
import {convertLegacyHttpOptions, createOtlpHttpExportDelegate} from '@opentelemetry/otlp-exporter-base/node-http';
import {convertLegacyOtlpGrpcOptions, createOtlpGrpcExportDelegate} from '@opentelemetry/otlp-grpc-exporter-base';
import {JsonMetricsSerializer, MetricsExporterMetricsHelper, ProtobufMetricsSerializer} from '@opentelemetry/otlp-transformer';
import {AggregationTemporality, type PushMetricExporter, type ResourceMetrics} from '@opentelemetry/sdk-metrics';

/*
 * OTLP metric exporters put together as @opentelemetry/exporter-metrics-otlp-
 * {grpc,http,proto} 0.223 put theirs (those packages are not installed; the
 * pieces they are made of are: the SDK's own serializers and transports).
 * What reaches tracedeck is byte for byte what the NodeSDK sends by default.
 */
class MetricExporter extends OTLPExporterBase<ResourceMetrics> implements PushMetricExporter {
	selectAggregationTemporality(): AggregationTemporality {
		return AggregationTemporality.CUMULATIVE;
	}
}

export function grpcMetricExporter(url: string, compression: 'gzip' | 'none' = 'none'): PushMetricExporter {
	return new MetricExporter(
		createOtlpGrpcExportDelegate(convertLegacyOtlpGrpcOptions({url, compression: compression as never}, 'METRICS'), ProtobufMetricsSerializer, 'otlp_grpc_metric_exporter', MetricsExporterMetricsHelper, undefined, 'MetricsExportService', '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export'),
	);
}

export function httpMetricExporter(url: string, encoding: 'json' | 'protobuf'): PushMetricExporter {
	const contentType = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
	return new MetricExporter(
		createOtlpHttpExportDelegate(
			convertLegacyHttpOptions({url}, 'METRICS', 'v1/metrics', {'Content-Type': contentType}),
			encoding === 'json' ? JsonMetricsSerializer : ProtobufMetricsSerializer,
			encoding === 'json' ? 'otlp_http_json_metric_exporter' : 'otlp_http_metric_exporter',
			MetricsExporterMetricsHelper,
			undefined,
		),
	);
}
