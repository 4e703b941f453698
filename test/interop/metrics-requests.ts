import protobuf from 'protobufjs';

/*
 * Metrics requests made by hand, and a fuller protobuf schema than the
 * receiver's (which only counts) to encode them with real data point
 * contents, field numbers from opentelemetry-proto metrics/v1/metrics.proto.
 */
const SCHEMA = `
syntax = "proto3";
package test.metrics;
message AnyValue { string string_value = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Scope { string name = 1; }
message Request { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ScopeMetrics { Scope scope = 1; repeated Metric metrics = 2; }
message Metric {
  string name = 1;
  string unit = 3;
  oneof data {
    Gauge gauge = 5;
    Sum sum = 7;
    Histogram histogram = 9;
    ExponentialHistogram exponential_histogram = 10;
    Summary summary = 11;
  }
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message ExponentialHistogram { repeated ExponentialHistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message Summary { repeated SummaryDataPoint data_points = 1; }
message NumberDataPoint {
  repeated KeyValue attributes = 7;
  fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9;
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
}
message ExponentialHistogramDataPoint {
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  sint32 scale = 6;
  message Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; }
  Buckets positive = 8;
}
message SummaryDataPoint {
  fixed64 time_unix_nano = 3;
  fixed64 count = 4;
  double sum = 5;
  message ValueAtQuantile { double quantile = 1; double value = 2; }
  repeated ValueAtQuantile quantile_values = 6;
}
`;

const requestType = protobuf.parse(SCHEMA).root.lookupType('test.metrics.Request');

const T = '1772445600000000000';
const attr = (key: string, value: string): Record<string, unknown> => ({key, value: {stringValue: value}});

/**
 * Two resources, three scopes, six metrics. Data points, counted by hand:
 * sum 2 + gauge 1 + histogram 2 + exponential histogram 1 + summary 1 +
 * a metric with no data 0 = 7. A histogram's buckets are one point, not many.
 */
export function handMadeMetrics(): {request: Record<string, unknown>; dataPoints: number} {
	const request = {
		resourceMetrics: [
			{
				resource: {attributes: [attr('service.name', 'api')]},
				scopeMetrics: [
					{
						scope: {name: 's1'},
						metrics: [
							{
								name: 'http.requests',
								unit: '1',
								sum: {
									aggregationTemporality: 2,
									isMonotonic: true,
									dataPoints: [
										{attributes: [attr('route', '/a')], timeUnixNano: T, asInt: '3'},
										{attributes: [attr('route', '/b')], timeUnixNano: T, asInt: '4'},
									],
								},
							},
							{name: 'cpu', unit: '1', gauge: {dataPoints: [{timeUnixNano: T, asDouble: 0.5}]}},
						],
					},
					{
						scope: {name: 's2'},
						metrics: [
							{
								name: 'latency',
								unit: 'ms',
								histogram: {
									aggregationTemporality: 2,
									dataPoints: [
										{timeUnixNano: T, count: '3', bucketCounts: ['1', '2', '0'], explicitBounds: [10, 100]},
										{attributes: [attr('route', '/b')], timeUnixNano: T, count: '1', bucketCounts: ['0', '0', '1'], explicitBounds: [10, 100]},
									],
								},
							},
						],
					},
				],
			},
			{
				resource: {attributes: [attr('service.name', 'worker')]},
				scopeMetrics: [
					{
						scope: {name: 's3'},
						metrics: [
							{name: 'sizes', unit: 'By', exponentialHistogram: {aggregationTemporality: 2, dataPoints: [{timeUnixNano: T, count: '2', scale: 1, positive: {offset: 0, bucketCounts: ['1', '1']}}]}},
							{
								name: 'rpc',
								unit: 'ms',
								summary: {
									dataPoints: [
										{
											timeUnixNano: T,
											count: '4',
											sum: 10,
											quantileValues: [
												{quantile: 0.5, value: 2},
												{quantile: 1, value: 4},
											],
										},
									],
								},
							},
							{name: 'declared but empty', unit: '1'},
						],
					},
				],
			},
		],
	};
	return {request, dataPoints: 7};
}

/** The same request in protobuf, as an SDK would send it. */
export function encodeMetricsRequest(request: Record<string, unknown>): Uint8Array {
	return requestType.encode(requestType.fromObject(request)).finish();
}
