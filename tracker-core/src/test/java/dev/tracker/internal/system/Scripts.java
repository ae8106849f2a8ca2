package dev.tracker.internal.system;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Small shell scripts that stand in for nvidia-smi and git on a temporary PATH. */
final class Scripts {
  static final String NVIDIA_SMI_ARGS = "--query-gpu=index,name,utilization.gpu,memory.used,"
      + "memory.total,power.draw,power.limit --format=csv,noheader,nounits";

  private Scripts() {}

  /** Writes an executable {@code /bin/sh} script {@code dir/name}; every call is counted. */
  static Path write(Path dir, String name, String body) throws IOException {
    Files.createDirectories(dir);
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\necho \"$*\" >> '" + calls(dir, name) + "'\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  /** The file that holds one line (the arguments) per call of the script. */
  static Path calls(Path dir, String name) {
    return dir.resolve(name + ".calls");
  }

  /** A fake nvidia-smi that prints {@code csv} when asked the expected query, else fails. */
  static Path nvidiaSmi(Path dir, Path csv) throws IOException {
    return write(dir, "nvidia-smi",
        "if [ \"$*\" != \"" + NVIDIA_SMI_ARGS + "\" ]; then\n"
        + "  echo \"unexpected arguments: $*\" >&2; exit 2\n"
        + "fi\n"
        + "cat '" + csv + "'");
  }

  /** A program that hangs: it writes its pid and its child's pid, then waits for the child. */
  static Path hanging(Path dir, String name) throws IOException {
    return write(dir, name,
        "echo $$ > '" + dir.resolve(name + ".pid") + "'\n"
        + "sleep 600 &\n"
        + "echo $! > '" + dir.resolve(name + ".child") + "'\n"
        + "wait");
  }

  /** The H100 fixture captured with the query (tracker-core/src/test/resources). */
  static Path h100Fixture() {
    try {
      return Path.of(Scripts.class.getResource("nvidia-smi-h100-query.csv").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static long lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file).size() : 0;
  }
}
