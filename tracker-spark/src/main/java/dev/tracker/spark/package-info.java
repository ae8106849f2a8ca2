/**
 * Spark ML fits and tuning tracked from the driver: {@link dev.tracker.spark.SparkTracking}.
 *
 * <p>Spark is {@code provided}: the application (or the cluster) brings it. Tested with Spark
 * 3.5 (Scala 2.12).
 */
package dev.tracker.spark;
