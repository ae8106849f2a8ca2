package dev.tracker.internal.delivery;

import dev.tracker.DatasetInput;
import dev.tracker.Metric;
import dev.tracker.Param;
import dev.tracker.RunStatus;
import dev.tracker.Tag;
import dev.tracker.spi.Batch;
import dev.tracker.spi.RunSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The binary form of an {@link Op} in a journal: a kind byte, then the fields; strings as a length
 * and UTF-8 bytes, numbers big-endian. Format 1; kind 5 (inputs) was added later, so a journal
 * written before it reads as it always did.
 */
final class OpCodec {
  static final int FORMAT = 1;
  static final byte CREATE = 1;
  private static final byte BATCH = 2;
  private static final byte ARTIFACT = 3;
  static final byte END = 4;
  private static final byte INPUTS = 5;

  private OpCodec() {}

  static byte[] encode(Op op) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      switch (op.kind()) {
        case CREATE_RUN -> {
          Op.CreateRun c = (Op.CreateRun) op;
          out.writeByte(CREATE);
          RunSpec s = c.spec();
          string(out, s.runId());
          string(out, s.experimentName());
          string(out, s.runName());
          out.writeLong(s.startTime());
          out.writeInt(s.tags().size());
          for (Map.Entry<String, String> t : s.tags().entrySet()) {
            string(out, t.getKey());
            string(out, t.getValue());
          }
          string(out, s.parentRunId());
          out.writeBoolean(s.resume());
          out.writeBoolean(c.reattach());
        }
        case LOG_BATCH -> {
          Op.LogBatch b = (Op.LogBatch) op;
          out.writeByte(BATCH);
          string(out, b.runId());
          Batch batch = b.batch();
          out.writeInt(batch.metrics().size());
          for (Metric m : batch.metrics()) {
            string(out, m.key());
            out.writeDouble(m.value());
            out.writeLong(m.timestamp());
            out.writeLong(m.step());
          }
          pairs(out, batch.params(), Param::key, Param::value);
          pairs(out, batch.tags(), Tag::key, Tag::value);
        }
        case LOG_ARTIFACT -> {
          Op.LogArtifact a = (Op.LogArtifact) op;
          out.writeByte(ARTIFACT);
          string(out, a.runId());
          string(out, a.file());
          string(out, a.artifactPath());
        }
        case END_RUN -> {
          Op.EndRun e = (Op.EndRun) op;
          out.writeByte(END);
          string(out, e.runId());
          string(out, e.status().name());
          out.writeLong(e.endTime());
        }
        case LOG_INPUTS -> {
          Op.LogInputs l = (Op.LogInputs) op;
          out.writeByte(INPUTS);
          string(out, l.runId());
          out.writeInt(l.inputs().size());
          for (DatasetInput i : l.inputs()) {
            for (String s : new String[] {i.name(), i.digest(), i.sourceType(), i.source(),
                i.context(), i.schema(), i.dvcMd5()}) {
              string(out, s);
            }
            out.writeLong(i.size());
            out.writeLong(i.fileCount());
          }
        }
        default -> throw new IllegalStateException("unknown op " + op);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to memory does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * Reads an op.
   *
   * @throws IOException when the bytes are not an op of a known kind
   */
  static Op decode(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    byte kind = in.readByte();
    switch (kind) {
      case CREATE: {
        String runId = string(in);
        String experiment = string(in);
        String runName = string(in);
        long start = in.readLong();
        int n = in.readInt();
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          tags.put(string(in), string(in));
        }
        String parent = string(in);
        boolean resume = in.readBoolean();
        boolean reattach = in.readBoolean();
        return new Op.CreateRun(new RunSpec(runId, null, experiment, runName, start, tags,
            parent, resume), reattach);
      }
      case BATCH: {
        String runId = string(in);
        int nm = count(in, bytes.length);
        List<Metric> metrics = new ArrayList<>(nm);
        for (int i = 0; i < nm; i++) {
          metrics.add(new Metric(string(in), in.readDouble(), in.readLong(), in.readLong()));
        }
        int np = count(in, bytes.length);
        List<Param> params = new ArrayList<>(np);
        for (int i = 0; i < np; i++) {
          params.add(new Param(string(in), string(in)));
        }
        int nt = count(in, bytes.length);
        List<Tag> tags = new ArrayList<>(nt);
        for (int i = 0; i < nt; i++) {
          tags.add(new Tag(string(in), string(in)));
        }
        return new Op.LogBatch(runId, new Batch(metrics, params, tags));
      }
      case ARTIFACT:
        return new Op.LogArtifact(string(in), string(in), string(in));
      case END:
        return new Op.EndRun(string(in), RunStatus.valueOf(string(in)), in.readLong());
      case INPUTS: {
        String runId = string(in);
        int n = count(in, bytes.length);
        List<DatasetInput> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          String name = string(in);
          String digest = string(in);
          String sourceType = string(in);
          String source = string(in);
          String context = string(in);
          String schema = string(in);
          String dvcMd5 = string(in);
          inputs.add(new DatasetInput(name, digest, sourceType, source, context, in.readLong(),
              in.readLong(), schema, dvcMd5));
        }
        return new Op.LogInputs(runId, inputs);
      }
      default:
        throw new IOException("unknown journal operation kind " + kind);
    }
  }

  private static <T> void pairs(DataOutputStream out, List<T> items, Function<T, String> key,
      Function<T, String> value) throws IOException {
    out.writeInt(items.size());
    for (T item : items) {
      string(out, key.apply(item));
      string(out, value.apply(item));
    }
  }

  private static int count(DataInputStream in, int limit) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > limit) {
      throw new IOException("journal record holds an impossible count " + n);
    }
    return n;
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  /**
   * The run id that starts an op's bytes after its kind, read from {@code in}; null when the
   * record ({@code left} bytes after the kind) cannot hold it.
   */
  static String runId(java.io.DataInput in, int left) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > left - 4) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String string(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n == -1) {
      return null;
    }
    if (n < 0 || n > in.available()) {
      throw new IOException("journal record holds a string of impossible length " + n);
    }
    byte[] b = in.readNBytes(n);
    return new String(b, StandardCharsets.UTF_8);
  }
}
