package dev.tracker.examples;

import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * Multinomial logistic (softmax) regression trained with mini-batch gradient descent: small
 * enough to read, real enough to show what tracking records. Features are standardised with the
 * training set's mean and deviation.
 */
public final class SoftmaxRegression {
  private final int classes;
  private final int features;
  private final double[][] weights;
  private final double[] bias;
  private double[] mean;
  private double[] std;

  /** A model with weights drawn from N(0, 0.01²) by {@code init}. */
  public SoftmaxRegression(int features, int classes, RandomGenerator init) {
    this.features = features;
    this.classes = classes;
    this.weights = new double[classes][features];
    this.bias = new double[classes];
    for (double[] row : weights) {
      for (int j = 0; j < features; j++) {
        row[j] = init.nextGaussian() * 0.01;
      }
    }
  }

  /** Learns the standardisation from the training set. */
  public void fitScaler(double[][] x) {
    mean = new double[features];
    std = new double[features];
    for (double[] row : x) {
      for (int j = 0; j < features; j++) {
        mean[j] += row[j] / x.length;
      }
    }
    for (double[] row : x) {
      for (int j = 0; j < features; j++) {
        std[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / x.length;
      }
    }
    for (int j = 0; j < features; j++) {
      std[j] = Math.sqrt(std[j]) + 1e-12;
    }
  }

  /**
   * One epoch of mini-batch gradient descent with L2 regularisation, in an order shuffled by
   * {@code shuffle}.
   *
   * @return the mean cross-entropy loss over the epoch's batches
   */
  public double trainEpoch(Iris data, double learningRate, double l2, int batchSize,
      Random shuffle) {
    int[] order = new int[data.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Iris.shuffle(order, shuffle);
    double totalLoss = 0;
    for (int start = 0; start < order.length; start += batchSize) {
      int end = Math.min(order.length, start + batchSize);
      double[][] gradW = new double[classes][features];
      double[] gradB = new double[classes];
      for (int k = start; k < end; k++) {
        double[] x = scale(data.features()[order[k]]);
        int y = data.labels()[order[k]];
        double[] p = probabilities(x);
        totalLoss += -Math.log(Math.max(p[y], 1e-15));
        for (int c = 0; c < classes; c++) {
          double g = p[c] - (c == y ? 1 : 0);
          gradB[c] += g;
          for (int j = 0; j < features; j++) {
            gradW[c][j] += g * x[j];
          }
        }
      }
      int n = end - start;
      for (int c = 0; c < classes; c++) {
        bias[c] -= learningRate * gradB[c] / n;
        for (int j = 0; j < features; j++) {
          weights[c][j] -= learningRate * (gradW[c][j] / n + l2 * weights[c][j]);
        }
      }
    }
    return totalLoss / data.size();
  }

  /** The mean cross-entropy loss on a data set. */
  public double loss(Iris data) {
    double total = 0;
    for (int i = 0; i < data.size(); i++) {
      double[] p = probabilities(scale(data.features()[i]));
      total += -Math.log(Math.max(p[data.labels()[i]], 1e-15));
    }
    return total / data.size();
  }

  /** The fraction of flowers whose species is predicted right. */
  public double accuracy(Iris data) {
    int right = 0;
    for (int i = 0; i < data.size(); i++) {
      if (predict(data.features()[i]) == data.labels()[i]) {
        right++;
      }
    }
    return (double) right / data.size();
  }

  /** The most probable class of an unscaled feature row. */
  public int predict(double[] row) {
    double[] p = probabilities(scale(row));
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return best;
  }

  /** The model as CSV text: one row per class, bias then weights, then the scaler. */
  public String toCsv() {
    StringBuilder out = new StringBuilder("class,bias");
    for (int j = 0; j < features; j++) {
      out.append(",w").append(j);
    }
    out.append('\n');
    for (int c = 0; c < classes; c++) {
      out.append(Iris.SPECIES.get(c)).append(',').append(bias[c]);
      for (int j = 0; j < features; j++) {
        out.append(',').append(weights[c][j]);
      }
      out.append('\n');
    }
    out.append("mean,");
    appendRow(out, mean);
    out.append("std,");
    appendRow(out, std);
    return out.toString();
  }

  private static void appendRow(StringBuilder out, double[] values) {
    for (double v : values) {
      out.append(',').append(v);
    }
    out.append('\n');
  }

  private double[] scale(double[] row) {
    double[] x = new double[features];
    for (int j = 0; j < features; j++) {
      x[j] = (row[j] - mean[j]) / std[j];
    }
    return x;
  }

  private double[] probabilities(double[] x) {
    double[] z = new double[classes];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) {
      z[c] = bias[c];
      for (int j = 0; j < features; j++) {
        z[c] += weights[c][j] * x[j];
      }
      max = Math.max(max, z[c]);
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      z[c] = Math.exp(z[c] - max);
      sum += z[c];
    }
    for (int c = 0; c < classes; c++) {
      z[c] /= sum;
    }
    return z;
  }
}
