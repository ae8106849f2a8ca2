package dev.tracker.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Fisher's Iris data (150 flowers, 4 measurements, 3 species), shipped as {@code iris.csv}.
 *
 * @param features one row of 4 measurements per flower
 * @param labels the species index of each flower (0 setosa, 1 versicolor, 2 virginica)
 */
public record Iris(double[][] features, int[] labels) {
  /** The species, by label. */
  public static final List<String> SPECIES = List.of("setosa", "versicolor", "virginica");

  /** Reads the data set from the class path. */
  public static Iris load() {
    try (InputStream in = Iris.class.getResourceAsStream("/iris.csv")) {
      if (in == null) {
        throw new IllegalStateException("iris.csv is missing from the class path");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      List<double[]> rows = new ArrayList<>();
      List<Integer> labels = new ArrayList<>();
      reader.readLine(); // header
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split(",");
        rows.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]),
            Double.parseDouble(f[2]), Double.parseDouble(f[3])});
        labels.add(SPECIES.indexOf(f[4]));
      }
      return new Iris(rows.toArray(double[][]::new),
          labels.stream().mapToInt(Integer::intValue).toArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The number of flowers. */
  public int size() {
    return labels.length;
  }

  /** The flowers at these indices. */
  public Iris select(int[] indices) {
    double[][] f = new double[indices.length][];
    int[] l = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      f[i] = features[indices[i]].clone();
      l[i] = labels[indices[i]];
    }
    return new Iris(f, l);
  }

  /**
   * Splits into train and test sets after a shuffle by {@code random}.
   *
   * @return {train, test}
   */
  public Iris[] split(double testFraction, Random random) {
    int[] order = new int[size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    shuffle(order, random);
    int test = (int) Math.round(size() * testFraction);
    int[] testIdx = java.util.Arrays.copyOfRange(order, 0, test);
    int[] trainIdx = java.util.Arrays.copyOfRange(order, test, order.length);
    return new Iris[] {select(trainIdx), select(testIdx)};
  }

  /** Fisher–Yates shuffle driven by {@code random}. */
  static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
